#include "study_wire.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <tuple>

#include "sweep.hpp"

namespace snnsim::experiments {
namespace {

void put_state(ByteWriter& w, const models::NetworkState& s) {
  w.put<std::uint64_t>(s.n_input);
  w.put<std::uint64_t>(s.n_exc);
  w.put_vec(s.weights);
  w.put_vec(s.delay_steps);
  w.put_vec(s.theta_mV);
  w.put_vec(s.labels);
  w.put_vec(s.class_rate_Hz);
  w.put(s.samples_seen);
  w.put(s.presentations);
  w.put(s.t_sim_ms);
}

models::NetworkState get_state(ByteReader& r) {
  models::NetworkState s;
  s.n_input = r.get<std::uint64_t>();
  s.n_exc = r.get<std::uint64_t>();
  s.weights = r.get_vec<float>();
  s.delay_steps = r.get_vec<std::uint8_t>();
  s.theta_mV = r.get_vec<double>();
  s.labels = r.get_vec<std::int16_t>();
  s.class_rate_Hz = r.get_vec<float>();
  s.samples_seen = r.get<std::uint64_t>();
  s.presentations = r.get<std::uint64_t>();
  s.t_sim_ms = r.get<double>();
  return s;
}

}  // namespace

std::string encode_condition(const ConditionResult& c) {
  ByteWriter w;
  w.put(c.seed);
  w.put<std::uint64_t>(c.train_images);
  put_state(w, c.trained);
  put_state(w, c.slept);
  w.put<std::uint64_t>(c.evals.size());
  for (const auto& e : c.evals) {
    w.put_str(e.state);
    w.put_str(e.noise_type);
    w.put(e.noise_level);
    w.put(e.accuracy);
    w.put(e.n_samples);
    w.put(e.n_silent);
  }
  w.put_vec(c.rf_variance);
  w.put_vec(c.theta_change_mV);
  w.put(c.thresholds);
  const auto& s = c.sleep_report;
  w.put_vec(s.exc_rate_Hz);
  w.put_vec(s.theta_change_mV);
  w.put_vec(s.weight_change_abs);
  w.put(s.exc_spikes);
  w.put_vec(s.spike_steps);
  w.put_vec(s.spike_ids);
  w.put(c.wall_s);
  return w.take();
}

ConditionResult decode_condition(std::string_view bytes) {
  ByteReader r(bytes);
  ConditionResult c;
  c.seed = r.get<std::uint64_t>();
  c.train_images = r.get<std::uint64_t>();
  c.trained = get_state(r);
  c.slept = get_state(r);
  c.evals.resize(r.get<std::uint64_t>());
  for (auto& e : c.evals) {
    e.state = r.get_str();
    e.noise_type = r.get_str();
    e.noise_level = r.get<double>();
    e.accuracy = r.get<double>();
    e.n_samples = r.get<std::uint32_t>();
    e.n_silent = r.get<std::uint32_t>();
  }
  c.rf_variance = r.get_vec<double>();
  c.theta_change_mV = r.get_vec<double>();
  c.thresholds = r.get<ThresholdAnalysis>();
  auto& s = c.sleep_report;
  s.exc_rate_Hz = r.get_vec<float>();
  s.theta_change_mV = r.get_vec<double>();
  s.weight_change_abs = r.get_vec<double>();
  s.exc_spikes = r.get<std::uint64_t>();
  s.spike_steps = r.get_vec<std::int64_t>();
  s.spike_ids = r.get_vec<std::uint32_t>();
  c.wall_s = r.get<double>();
  if (!r.done()) throw std::runtime_error("condition result message has trailing bytes");
  return c;
}

void canonical_study_rows(const h5::Group& root) {
  for (auto [table, chunk] : {std::pair{"results", hsize_t{256}}, {"threshold_analysis", hsize_t{64}}}) {
    if (!root.has(table)) continue;
    auto g = root.open_group(table);
    const auto seed = g.read<std::uint64_t>("seed");
    const auto k = g.read<std::uint64_t>("train_images");
    // a study with network size as an axis: by neurons first
    const auto n = g.has("neurons") ? g.read<std::uint64_t>("neurons") : std::vector<std::uint64_t>(seed.size(), 0);
    std::vector<std::size_t> order(seed.size());
    std::iota(order.begin(), order.end(), 0);
    auto less = [&](std::size_t a, std::size_t b) {
      return std::tuple{n[a], k[a], seed[a]} < std::tuple{n[b], k[b], seed[b]};
    };
    if (std::is_sorted(order.begin(), order.end(), less)) continue;
    std::stable_sort(order.begin(), order.end(), less);
    static const std::set<std::string> u64 = {"neurons", "seed", "train_images", "n_rose", "n_fell"}, u32 = {"n_samples", "n_silent"},
                                       text = {"state", "noise_type"};
    for (const auto& name : g.children()) {
      auto permute = [&](const auto& v) {
        std::remove_cvref_t<decltype(v)> out;
        out.reserve(v.size());
        for (auto q : order) out.push_back(v[q]);
        return out;
      };
      if (text.count(name)) {
        const auto v = permute(g.read_strings(name));
        g.remove(name);
        g.append_strings(name, v);
      } else if (u64.count(name)) {
        const auto v = permute(g.read<std::uint64_t>(name));
        g.remove(name);
        g.append<std::uint64_t>(name, v, {}, chunk);
      } else if (u32.count(name)) {
        const auto v = permute(g.read<std::uint32_t>(name));
        g.remove(name);
        g.append<std::uint32_t>(name, v, {}, chunk);
      } else {
        const auto v = permute(g.read<double>(name));
        g.remove(name);
        g.append<double>(name, v, {}, chunk);
      }
    }
  }
}

}  // namespace snnsim::experiments
