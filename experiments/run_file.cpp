#include "run_file.hpp"

#include <algorithm>
#include <cmath>
#include <variant>

#include "io/error.hpp"
#include "models/param_table.hpp"

namespace snnsim::io {

namespace {

h5::Compression column_chunks(std::size_t n_input, std::size_t n_exc) {
  // One chunk = 784 x 64 floats = 196 KiB: 64 whole receptive fields.
  return {true, {n_input, std::min<std::size_t>(n_exc, 64)}, 4};
}

}  // namespace

// ---- config ------------------------------------------------------------------------------

void write_config(const h5::Group& root, const models::DiehlCookParams& p_in, const std::string& config_text) {
  auto cfg = root.require_group("config");
  auto p = p_in;
  for (const auto& f : models::param_fields(p)) {
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, double>) cfg.set_attr<double>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, std::size_t>) cfg.set_attr<std::uint64_t>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, std::uint32_t>) cfg.set_attr<std::uint32_t>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, bool>) cfg.set_attr<std::uint8_t>(f.key, *ptr ? 1 : 0);
          else cfg.set_attr(f.key, models::to_string(*ptr));
        },
        f.target);
  }
  cfg.set_attr("rng", "philox4x32-10");
  cfg.write_string("source_text", config_text);
}

models::DiehlCookParams read_config(const h5::Group& root) {
  check_header(root);
  auto cfg = root.open_group("config");
  models::DiehlCookParams p;
  for (const auto& f : models::param_fields(p)) {
    if (!cfg.has_attr(f.key)) {
      if (f.may_be_absent) continue;
      cfg.fail("@" + f.key, "config attribute missing");
    }
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, double>) *ptr = cfg.get_attr<double>(f.key);
          else if constexpr (std::is_same_v<T, std::size_t>) *ptr = cfg.get_attr<std::uint64_t>(f.key);
          else if constexpr (std::is_same_v<T, std::uint32_t>) *ptr = cfg.get_attr<std::uint32_t>(f.key);
          else if constexpr (std::is_same_v<T, bool>) *ptr = cfg.get_attr<std::uint8_t>(f.key) != 0;
          else {
            try {
              *ptr = models::integrator_from_string(cfg.get_attr_string(f.key));
            } catch (const std::invalid_argument& e) {
              cfg.fail("@" + f.key, e.what());
            }
          }
        },
        f.target);
  }
  try {
    models::validate(p);
  } catch (const std::invalid_argument& e) {
    cfg.fail("", std::string("invalid parameter: ") + e.what());
  }
  return p;
}

// ---- network states ----------------------------------------------------------------------

bool has_state(const h5::Group& root, const std::string& name) { return root.has("network/" + name); }

std::vector<std::string> state_names(const h5::Group& root) {
  if (!root.has("network")) return {};
  return root.open_group("network").children();
}

void write_state(const h5::Group& root, const std::string& name, const models::NetworkState& s, const StateInfo& info,
                 const StateStorage& storage) {
  auto net = root.require_group("network");
  const std::string tmp = ".incomplete_" + name;
  net.remove(tmp);
  auto g = net.create_group(tmp);
  g.set_attr("phase", info.phase);
  g.set_attr("parent_state", info.parent);
  g.set_attr<double>("t_sim_ms", s.t_sim_ms);
  g.set_attr<std::uint64_t>("samples_seen", s.samples_seen);
  g.set_attr<std::uint64_t>("presentations", s.presentations);
  const hsize_t ni = s.n_input, ne = s.n_exc;
  auto edges = g.create_group("edges/input_to_exc");
  const auto chunks = storage.compress ? column_chunks(s.n_input, s.n_exc) : h5::Compression{};
  edges.write<float>("weight", s.weights, {ni, ne}, chunks);
  edges.set_attr("source_population", "input");
  edges.set_attr("target_population", "exc");
  edges.set_attr("layout", "pre_by_post");
  edges.write<std::uint8_t>("delay_steps", s.delay_steps, {ni, ne}, chunks);
  auto exc = g.create_group("nodes/exc");
  exc.write<double>("theta_mV", s.theta_mV, {ne});
  if (!s.labels.empty()) {
    exc.write<std::int16_t>("label", s.labels, {ne});
    exc.write<float>("class_rate_Hz", s.class_rate_Hz, {ne, 10});
    const auto counts = models::count_labels(s);
    auto label = exc.dataset_attributes("label");
    label.set_attr<std::uint64_t>("unlabelled_silent", counts.silent);
    label.set_attr<std::uint64_t>("unlabelled_flat", counts.flat);
  }
  const auto side = static_cast<hsize_t>(std::llround(std::sqrt(static_cast<double>(s.n_input))));
  if (storage.receptive_fields && side * side == ni) {
    std::vector<float> rf(s.weights.size());
    for (std::size_t j = 0; j < s.n_exc; ++j)
      for (std::size_t i = 0; i < s.n_input; ++i) rf[j * s.n_input + i] = s.weights[i * s.n_exc + j];
    g.write<float>("receptive_fields", rf, {ne, side, side}, {true, {std::min<hsize_t>(ne, 64), side, side}, 4});
  }
  net.remove(name);
  net.move(tmp, name);
}

models::NetworkState read_state(const h5::Group& root, const std::string& name, const models::DiehlCookParams& p) {
  check_header(root);
  if (!has_state(root, name)) {
    std::string have;
    for (const auto& n : state_names(root)) have += (have.empty() ? "" : ", ") + n;
    root.fail("network/" + name, "state missing (states in this file: " + (have.empty() ? "none" : have) + ")");
  }
  auto g = root.open_group("network/" + name);
  models::NetworkState s;
  s.n_input = p.n_input;
  s.n_exc = p.n_exc;
  const hsize_t ni = p.n_input, ne = p.n_exc;
  auto edges = g.open_group("edges/input_to_exc");
  s.weights = edges.read_shaped<float>("weight", {ni, ne});
  for (std::size_t k = 0; k < s.weights.size(); ++k)
    if (!std::isfinite(s.weights[k]))
      edges.fail("weight", "non-finite value at flat index " + std::to_string(k));
  s.delay_steps = edges.read_shaped<std::uint8_t>("delay_steps", {ni, ne});
  for (auto d : s.delay_steps)
    if (d < 1) edges.fail("delay_steps", "delays must be at least one step");
  auto exc = g.open_group("nodes/exc");
  s.theta_mV = exc.read_shaped<double>("theta_mV", {ne});
  for (std::size_t j = 0; j < s.theta_mV.size(); ++j)
    if (!std::isfinite(s.theta_mV[j])) exc.fail("theta_mV", "non-finite value at neuron " + std::to_string(j));
  if (exc.has("label")) {
    s.labels = exc.read_shaped<std::int16_t>("label", {ne});
    for (auto l : s.labels)
      if (l < -1 || l > 9) exc.fail("label", "labels must be -1..9");
    s.class_rate_Hz = exc.read_shaped<float>("class_rate_Hz", {ne, 10});
  }
  s.samples_seen = g.get_attr<std::uint64_t>("samples_seen");
  s.presentations = g.get_attr<std::uint64_t>("presentations");
  s.t_sim_ms = g.get_attr<double>("t_sim_ms");
  return s;
}

// ---- tables ------------------------------------------------------------------------------

void append_train_log(const h5::Group& root, const TrainLogColumns& r) {
  auto g = root.require_group("train/log");
  g.append<std::uint64_t>("sample_index", r.sample_index, {}, 1024);
  g.append<std::uint32_t>("image_index", r.image_index, {}, 1024);
  g.append<std::uint8_t>("label", r.label, {}, 1024);
  g.append<std::uint8_t>("tries", r.tries, {}, 1024);
  g.append<std::uint32_t>("exc_spikes", r.exc_spikes, {}, 1024);
  g.append<float>("input_intensity", r.input_intensity, {}, 1024);
  g.append<float>("running_accuracy", r.running_accuracy, {}, 1024);
}

void append_eval(const h5::Group& root, const EvalRow& row, const std::array<std::uint32_t, 100>& confusion,
                 const std::vector<std::int8_t>& predictions) {
  auto g = root.require_group("eval/results");
  g.append_strings("state", {row.state});
  g.append_strings("noise_type", {row.noise_type});
  g.append<double>("noise_level", std::span<const double>(&row.noise_level, 1), {}, 64);
  g.append<std::uint64_t>("noise_seed", std::span<const std::uint64_t>(&row.noise_seed, 1), {}, 64);
  g.append<std::uint32_t>("n_samples", std::span<const std::uint32_t>(&row.n_samples, 1), {}, 64);
  g.append<std::uint32_t>("n_correct", std::span<const std::uint32_t>(&row.n_correct, 1), {}, 64);
  g.append<std::uint32_t>("n_silent", std::span<const std::uint32_t>(&row.n_silent, 1), {}, 64);
  g.append<double>("accuracy", std::span<const double>(&row.accuracy, 1), {}, 64);
  g.append<double>("wall_s", std::span<const double>(&row.wall_s, 1), {}, 64);
  g.append_strings("spikes_file", {row.spikes_file});
  // Added after format 1.0: the rows of older versions all presented every image from rest (1).
  if (!g.has("frozen_chain_images")) {
    const std::vector<std::uint32_t> older(g.shape("accuracy")[0] - 1, 1u);
    g.append<std::uint32_t>("frozen_chain_images", older, {}, 64);
  }
  g.append<std::uint32_t>("frozen_chain_images", std::span<const std::uint32_t>(&row.frozen_chain_images, 1), {}, 64);
  auto e = root.open_group("eval");
  e.append<std::uint32_t>("confusion", confusion, {10, 10}, 16);
  // Predictions have one column per test image, one row per row of /eval/results; a row of
  // fewer images is padded with -2. A row of more images widens the table: its width is fixed
  // when it is created, so the rows so far are rewritten, padded to the new width.
  std::vector<std::int8_t> padded = predictions;
  if (e.has("predictions")) {
    const auto shape = e.shape("predictions");
    if (shape.size() != 2) e.fail("predictions", "expected a 2-D dataset [rows, images]");
    if (predictions.size() > shape[1]) {
      const auto old = e.read<std::int8_t>("predictions");
      const std::size_t rows = shape[0], from = shape[1], to = predictions.size();
      std::vector<std::int8_t> grown(rows * to, static_cast<std::int8_t>(-2));
      for (std::size_t r = 0; r < rows; ++r)
        std::copy_n(old.begin() + static_cast<std::ptrdiff_t>(r * from), from,
                    grown.begin() + static_cast<std::ptrdiff_t>(r * to));
      e.remove("predictions");
      e.append<std::int8_t>("predictions", grown, {to}, 1);
    }
    padded.resize(std::max<std::size_t>(shape[1], predictions.size()), static_cast<std::int8_t>(-2));
  }
  if (!padded.empty()) e.append<std::int8_t>("predictions", padded, {padded.size()}, 1);
}

}  // namespace snnsim::io
