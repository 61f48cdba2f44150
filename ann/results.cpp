#include "ann/results.hpp"

#include <fmt/format.h>

#include <optional>

#include "io/error.hpp"
#include "io/h5.hpp"
#include "io/run_file.hpp"

namespace snnsim::ann {

std::string run_name(const RunResult& r) {
  if (r.method == "lowdata") return fmt::format("lowdata_f{:g}_s{}", r.fraction, r.seed);
  return fmt::format("{}_s{}", r.method, r.seed);
}

struct ResultsWriter::Impl {
  io::RunFileTransaction txn;
  int K;
};


ResultsWriter::ResultsWriter(const std::filesystem::path& path, bool force, const std::string& command_line,
                             const std::string& config_json, int num_tasks)
    : impl_(new Impl{io::RunFileTransaction::create(path, force), num_tasks}) {
  auto root = impl_->txn.root();
  root.set_attr("format", "snnsim-src");
  root.set_attr<std::int32_t>("format_version", 1);
  root.set_attr("command", command_line);
  io::write_provenance(root, command_line);  // as in run files
  root.write_string("config", config_json);
}

ResultsWriter::~ResultsWriter() = default;

void ResultsWriter::commit() { impl_->txn.commit(); }

void ResultsWriter::add_trial(int trial, const SleepParams& p, double val_accuracy) {
  auto g = impl_->txn.root().require_group("tune");
  const std::int32_t t = trial;
  g.append<std::int32_t>("trial", std::span<const std::int32_t>(&t, 1));
  for (const auto& [name, v] : {std::pair<const char*, double>{"r_max", p.max_rate}, {"inc", p.inc}, {"dec", p.dec},
                                {"alpha_scale", p.alpha_scale}, {"val_accuracy", val_accuracy}})
    g.append<double>(name, std::span<const double>(&v, 1));
  g.append<double>("beta", std::span<const double>(p.beta.data(), p.beta.size()), {p.beta.size()});
}

namespace {
template <typename T>
std::span<const T> sp(const std::vector<T>& v) {
  return {v.data(), v.size()};
}
}  // namespace

void ResultsWriter::add(const RunResult& r) {
  auto root = impl_->txn.root();
  const std::string name = run_name(r);
  const int K = impl_->K;
  // /eval/results
  {
    auto g = root.require_group("eval").require_group("results");
    std::vector<std::string> run, method, phase;
    std::vector<std::uint64_t> seed;
    std::vector<std::int32_t> task;
    std::vector<double> fraction, acc;
    std::vector<std::vector<double>> per(K);
    for (const auto& e : r.evals) {
      run.push_back(name);
      method.push_back(e.method);
      phase.push_back(e.phase);
      seed.push_back(e.seed);
      task.push_back(e.after_task);
      fraction.push_back(r.fraction);
      acc.push_back(e.acc.overall);
      for (int k = 0; k < K; ++k) per[k].push_back(k < static_cast<int>(e.acc.per_task.size()) ? e.acc.per_task[k] : 0.0);
    }
    g.append_strings("run", run);
    g.append_strings("method", method);
    g.append_strings("phase", phase);
    g.append<std::uint64_t>("seed", sp(seed));
    g.append<std::int32_t>("task", sp(task));
    g.append<double>("fraction", sp(fraction));
    g.append<double>("accuracy", sp(acc));
    for (int k = 0; k < K; ++k) g.append<double>(fmt::format("acc_task{}", k + 1), sp(per[k]));
  }
  // /eval/stable_rank
  if (!r.ranks.empty()) {
    auto g = root.require_group("eval").require_group("stable_rank");
    std::vector<std::string> run, method, phase;
    std::vector<std::uint64_t> seed;
    std::vector<std::int32_t> task, layer;
    std::vector<double> value;
    for (const auto& x : r.ranks) {
      run.push_back(name);
      method.push_back(x.method);
      phase.push_back(x.phase);
      seed.push_back(x.seed);
      task.push_back(x.task);
      layer.push_back(x.layer);
      value.push_back(x.value);
    }
    g.append_strings("run", run);
    g.append_strings("method", method);
    g.append_strings("phase", phase);
    g.append<std::uint64_t>("seed", sp(seed));
    g.append<std::int32_t>("task", sp(task));
    g.append<std::int32_t>("layer", sp(layer));
    g.append<double>("value", sp(value));
  }
  // /sleep/<run>/task<k>
  for (const auto& s : r.sleeps) {
    auto g = root.require_group("sleep").require_group(name).require_group(fmt::format("task{}", s.task));
    g.set_attr<std::int32_t>("steps", s.stats.steps);
    g.set_attr<double>("seconds", s.stats.seconds);
    g.write<double>("alpha", sp(s.stats.alpha), {s.stats.alpha.size()});
    if (!s.s.empty()) g.write<double>("s", sp(s.s), {s.s.size()});
    g.write<std::int64_t>("spikes", sp(s.stats.spikes), {s.stats.spikes.size()});
    for (std::size_t l = 0; l < s.stats.sum_spikes.size(); ++l)
      g.write<std::int64_t>(fmt::format("sum_spikes_{}", l), sp(s.stats.sum_spikes[l]), {s.stats.sum_spikes[l].size()});
    if (!s.snapshot_steps.empty()) {
      std::vector<std::int32_t> st(s.snapshot_steps.begin(), s.snapshot_steps.end());
      g.write<std::int32_t>("snapshot_steps", sp(st), {st.size()});
      const hsize_t w = s.snapshots.size() / s.snapshot_steps.size();
      g.write<float>("snapshots", sp(s.snapshots), {s.snapshot_steps.size(), w});
    }
    if (!s.trajectory_steps.empty()) {
      std::vector<std::int32_t> st(s.trajectory_steps.begin(), s.trajectory_steps.end());
      std::vector<double> all, per;
      for (const auto& a : s.trajectory) {
        all.push_back(a.overall);
        for (int k = 0; k < K; ++k) per.push_back(k < static_cast<int>(a.per_task.size()) ? a.per_task[k] : 0.0);
      }
      g.write<std::int32_t>("trajectory_steps", sp(st), {st.size()});
      g.write<double>("trajectory_accuracy", sp(all), {all.size()});
      g.write<double>("trajectory_per_task", sp(per), {st.size(), static_cast<hsize_t>(K)});
    }
  }
  // /ann/<run>/<state>
  for (const auto& [state, net] : r.states) {
    auto g = root.require_group("ann").require_group(name).require_group(state);
    std::vector<std::int32_t> sizes(net.sizes.begin(), net.sizes.end());
    g.set_attr_array<std::int32_t>("sizes", sp(sizes));
    for (int l = 0; l < net.layers(); ++l) {
      const Mat& W = net.W[l];
      h5::Compression c;
      c.enabled = true;
      c.chunk = {static_cast<hsize_t>(std::min<Eigen::Index>(W.rows(), 64)), static_cast<hsize_t>(W.cols())};
      g.write<float>(fmt::format("W{}", l), std::span<const float>(W.data(), static_cast<std::size_t>(W.size())),
                     {static_cast<hsize_t>(W.rows()), static_cast<hsize_t>(W.cols())}, c);
    }
  }
  // /train/norms/<run>
  if (!r.norms.steps.empty()) {
    auto g = root.require_group("train").require_group("norms").require_group(name);
    g.write<std::int64_t>("steps", sp(r.norms.steps), {r.norms.steps.size()});
    for (std::size_t l = 0; l < r.norms.layers.size(); ++l) {
      const hsize_t n = r.norms.steps.size();
      g.write<float>(fmt::format("layer{}", l), sp(r.norms.layers[l]), {n, r.norms.layers[l].size() / n});
    }
  }
  // /timing/<run>
  {
    auto g = root.require_group("timing").require_group(name);
    for (const auto& [phase, sec] : r.timing) g.set_attr<double>(phase, sec);
  }
}

Net read_state(const std::filesystem::path& path, const std::string& run, const std::string& state) {
  auto f = h5::File::open(path, h5::File::Mode::read_only);
  auto g = f.root().open_group("ann").open_group(run).open_group(state);
  Net net;
  auto sizes = g.get_attr_array<std::int32_t>("sizes");
  net.sizes.assign(sizes.begin(), sizes.end());
  for (std::size_t l = 0; l + 1 < net.sizes.size(); ++l) {
    auto w = g.read_shaped<float>(fmt::format("W{}", l),
                                  {static_cast<hsize_t>(net.sizes[l + 1]), static_cast<hsize_t>(net.sizes[l])});
    Mat W = Eigen::Map<Mat>(w.data(), net.sizes[l + 1], net.sizes[l]);
    net.V.push_back(Mat::Zero(W.rows(), W.cols()));
    net.W.push_back(std::move(W));
  }
  return net;
}

}  // namespace snnsim::ann
