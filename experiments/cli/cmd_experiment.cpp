// snnsim experiment sleep: the whole generalisation study in one restartable command.
// Everything goes into one HDF5 file (layout in docs/sleep-study.md) plus a CSV of the results.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <chrono>
#include <filesystem>
#include <cmath>
#include <set>
#include <tuple>

#include "analysis/statistics.hpp"
#include "command.hpp"
#include "common.hpp"
#include "experiments/progress.hpp"
#include "experiments/sleep_study.hpp"
#include "experiments/study_wire.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "io/run_file.hpp"
#include "experiments/run_file.hpp"

namespace snnsim::cli {
namespace {

/// One condition: network size N, seed, training amount. A study of one size names its
/// conditions seed{S}_train{K}, as before sizes were an axis; one of several, n{N}_seed{S}_train{K}.
struct Condition {
  std::size_t neurons = 0;
  std::uint64_t seed = 0;
  std::size_t train_images = 0;
};

std::string condition_name(const Condition& c, bool sizes_axis) {
  return (sizes_axis ? fmt::format("n{}_", c.neurons) : std::string()) + fmt::format("seed{}_train{}", c.seed, c.train_images);
}

/// With sizes_axis every row of /results and /threshold_analysis and every condition also
/// carries `neurons`; without, the file is byte for byte what a study of one size always wrote.
void write_condition(const h5::Group& root, const experiments::ConditionResult& c, const models::DiehlCookParams& p,
                     bool sizes_axis) {
  const std::string name = "conditions/" + condition_name({p.n_exc, c.seed, c.train_images}, sizes_axis);
  root.remove(name);
  auto g = root.create_group(name);
  const hsize_t n = p.n_exc, ni = p.n_input;
  const h5::Compression wz{true, {ni, std::min<hsize_t>(n, 64)}, 4};
  g.write<float>("trained/weight", c.trained.weights, {ni, n}, wz);
  g.write<float>("slept/weight", c.slept.weights, {ni, n}, wz);
  g.write<double>("trained/theta_mV", c.trained.theta_mV, {n});
  g.write<double>("slept/theta_mV", c.slept.theta_mV, {n});
  g.write<std::int16_t>("trained/label", c.trained.labels, {n});
  g.write<std::int16_t>("slept/label", c.slept.labels, {n});
  g.write<double>("rf_variance", c.rf_variance, {n});
  g.write<double>("theta_change_mV", c.theta_change_mV, {n});
  g.write<double>("weight_change_abs_mean", c.sleep_report.weight_change_abs, {n});
  g.write<float>("sleep/exc_rate_Hz", c.sleep_report.exc_rate_Hz, {c.sleep_report.exc_rate_Hz.size()});
  std::vector<double> t_ms;
  t_ms.reserve(c.sleep_report.spike_steps.size());
  for (auto s : c.sleep_report.spike_steps) t_ms.push_back(static_cast<double>(s) * p.dt_ms);
  std::vector<std::uint64_t> ids(c.sleep_report.spike_ids.begin(), c.sleep_report.spike_ids.end());
  const h5::Compression sz{!t_ms.empty(), {std::min<hsize_t>(std::max<hsize_t>(t_ms.size(), 1), 65536)}, 4};
  g.write<double>("sleep/spikes/exc/timestamps", t_ms, {t_ms.size()}, sz);
  g.write<std::uint64_t>("sleep/spikes/exc/node_ids", ids, {ids.size()}, sz);
  const auto& a = c.thresholds;
  g.set_attr<std::uint64_t>("seed", c.seed);
  g.set_attr<std::uint64_t>("train_images", c.train_images);
  if (sizes_axis) g.set_attr<std::uint64_t>("neurons", p.n_exc);
  g.set_attr<double>("wall_s", c.wall_s);
  g.set_attr<std::uint8_t>("complete", 1);

  auto res = root.require_group("results");
  const std::uint64_t neurons = p.n_exc;
  for (const auto& e : c.evals) {
    const std::uint64_t seed = c.seed, k = c.train_images;
    if (sizes_axis) res.append<std::uint64_t>("neurons", std::span<const std::uint64_t>(&neurons, 1), {}, 256);
    res.append<std::uint64_t>("seed", std::span<const std::uint64_t>(&seed, 1), {}, 256);
    res.append<std::uint64_t>("train_images", std::span<const std::uint64_t>(&k, 1), {}, 256);
    res.append_strings("state", {e.state});
    res.append_strings("noise_type", {e.noise_type});
    res.append<double>("noise_level", std::span<const double>(&e.noise_level, 1), {}, 256);
    res.append<double>("accuracy", std::span<const double>(&e.accuracy, 1), {}, 256);
    res.append<std::uint32_t>("n_samples", std::span<const std::uint32_t>(&e.n_samples, 1), {}, 256);
    res.append<std::uint32_t>("n_silent", std::span<const std::uint32_t>(&e.n_silent, 1), {}, 256);
  }
  auto th = root.require_group("threshold_analysis");
  const std::uint64_t seed = c.seed, k = c.train_images, rose = a.rose, fell = a.fell;
  if (sizes_axis) th.append<std::uint64_t>("neurons", std::span<const std::uint64_t>(&neurons, 1), {}, 64);
  th.append<std::uint64_t>("seed", std::span<const std::uint64_t>(&seed, 1), {}, 64);
  th.append<std::uint64_t>("train_images", std::span<const std::uint64_t>(&k, 1), {}, 64);
  th.append<std::uint64_t>("n_rose", std::span<const std::uint64_t>(&rose, 1), {}, 64);
  th.append<std::uint64_t>("n_fell", std::span<const std::uint64_t>(&fell, 1), {}, 64);
  for (auto [key, v] : {std::pair{"mean_theta_change_mV", a.mean_change_mV}, {"pearson_r", a.pearson_r},
                        {"pearson_p", a.pearson_p}, {"spearman_r", a.spearman_r}, {"spearman_p", a.spearman_p},
                        {"theta_change_best_quartile_mV", a.change_best_quartile_mV},
                        {"theta_change_worst_quartile_mV", a.change_worst_quartile_mV}})
    th.append<double>(key, std::span<const double>(&v, 1), {}, 64);
}

void write_csv(const h5::Group& root, const std::filesystem::path& csv) {
  if (!root.has("results")) return;
  auto r = root.open_group("results");
  const auto seed = r.read<std::uint64_t>("seed");
  const auto k = r.read<std::uint64_t>("train_images");
  const auto state = r.read_strings("state");
  const auto type = r.read_strings("noise_type");
  const auto level = r.read<double>("noise_level");
  const auto acc = r.read<double>("accuracy");
  const auto n = r.read<std::uint32_t>("n_samples");
  const bool sizes_axis = r.has("neurons");
  const auto neurons = sizes_axis ? r.read<std::uint64_t>("neurons") : std::vector<std::uint64_t>{};
  std::string text = std::string(sizes_axis ? "neurons," : "") + "seed,train_images,state,noise_type,noise_level,accuracy,n_samples\n";
  for (std::size_t q = 0; q < acc.size(); ++q)
    text += (sizes_axis ? fmt::format("{},", neurons[q]) : std::string()) +
            fmt::format("{},{},{},{},{},{:.6f},{}\n", seed[q], k[q], state[q], type[q], level[q], acc[q], n[q]);
  io::write_text_atomic(csv, text);
}

struct StudyCommand {
  CommonOptions common;
  models::DiehlCookParams params;
  experiments::StudyOptions o;
  std::string data_dir, out, neurons_text, seeds_text, amounts_text, gauss_text, blur_text, durations_text, csv;
  std::vector<std::size_t> sizes;  // --neurons, ascending; params.n_exc is the first
  bool force = false;
  bool sizes_axis() const { return sizes.size() > 1; }
};

/// The defaults of the list options are StudyOptions' defaults, written as lists.
template <typename T>
std::string list_text(const std::vector<T>& v) {
  return fmt::format("{}", fmt::join(v, ","));
}

void add_options(po::options_description& d, StudyCommand& c) {
  auto& o = c.o;
  add_data_option(d, c.data_dir, "MNIST/Fashion-MNIST IDX dir");
  d.add_options()("out", po::value<std::string>(&c.out), "study file (required; resumed if it exists)")(
      "csv", po::value<std::string>(&c.csv), "CSV summary (default: next to --out)")(
      "neurons", po::value<std::string>(&c.neurons_text)->default_value("400"),
      "excitatory neurons N (1..65535); a comma list makes network size an axis of the study")(
      "seeds", po::value<std::string>(&c.seeds_text)->default_value(list_text(o.seeds)), "comma list of seeds")(
      "train-amounts", po::value<std::string>(&c.amounts_text)->default_value(list_text(o.train_amounts)),
      "comma list of training-set sizes")(
      "test-images", po::value<std::size_t>(&o.test_images)->default_value(o.test_images), "clean test images")(
      "noise-test-images", po::value<std::size_t>(&o.noise_test_images)->default_value(o.noise_test_images),
      "test images per noise/blur level")(
      "label-cap", po::value<std::size_t>(&o.label_cap)->default_value(o.label_cap),
      "labels from min(K, cap) training images")(
      "gaussian-levels", po::value<std::string>(&c.gauss_text)->default_value(list_text(o.gaussian_levels)),
      "variances (chosen on validation images: docs/sleep-study.md)")(
      "blur-levels", po::value<std::string>(&c.blur_text)->default_value(list_text(o.blur_levels)), "sigmas (pixels)")(
      "noise-seed", po::value<std::uint64_t>(&o.noise_seed)->default_value(1), "seed of the noisy test images");
  add_sleep_options(d, o.sleep);
  d.add_options()("durations", po::value<std::string>(&c.durations_text)->default_value(list_text(o.durations_s)),
                  "comma list of sleep times (s) shorter than --duration-s, on 0.1 s steps, or none: the state after "
                  "each, taken from the one sleep, is relabelled and scored on the clean test images (state "
                  "slept_t{D}s): accuracy against sleep time (default values not shorter than --duration-s are dropped)")(
      "controls", po::value<bool>(&o.controls)->default_value(o.controls)->implicit_value(true),
                  "score the controls of docs/sleep-study.md: extra_wake (the K images once more) and pruned "
                  "(least responsive neurons silenced, fraction chosen on validation images); --controls=false "
                  "leaves them out")(
      "validation-images", po::value<std::size_t>(&o.validation_images)->default_value(o.validation_images),
      "with --controls: the pruning fraction is chosen on the LAST V training images")(
      "force", po::bool_switch(&c.force), "start over even if --out exists");
  add_common_options(d, c.common);
}

void check(const po::variables_map& vm, StudyCommand& c) {
  auto& o = c.o;
  require_file(c.out, "--out STUDY.h5", "experiment sleep");
  for (const char* key : {"test-images", "noise-test-images", "label-cap"}) require_positive(vm, key);
  c.sizes.clear();
  for (double n : parse_list(c.neurons_text, "neurons", 1, 65535)) {
    if (n != std::floor(n)) throw UsageError(fmt::format("--neurons: {} is not a whole number", n));
    c.sizes.push_back(static_cast<std::size_t>(n));
  }
  std::sort(c.sizes.begin(), c.sizes.end());
  if (std::adjacent_find(c.sizes.begin(), c.sizes.end()) != c.sizes.end()) throw UsageError("--neurons lists a size twice");
  c.params.n_exc = c.sizes.front();
  o.threads = resolve_threads(c.common.threads);
  o.seeds.clear();
  for (double s : parse_list(c.seeds_text, "seeds", 0, 9007199254740992.0)) o.seeds.push_back(static_cast<std::uint64_t>(s));
  o.train_amounts.clear();
  for (double k : parse_list(c.amounts_text, "train-amounts", 1, 60000)) o.train_amounts.push_back(static_cast<std::size_t>(k));
  o.gaussian_levels = parse_list(c.gauss_text, "gaussian-levels", 0, 1e3);
  o.blur_levels = parse_list(c.blur_text, "blur-levels", 0, 1e3);
  o.durations_s.clear();
  if (c.durations_text != "none" && !c.durations_text.empty()) {
    o.durations_s = parse_list(c.durations_text, "durations", 0, 1e6);
    if (vm["durations"].defaulted())  // the default list fits any sleep: only the times inside it
      std::erase_if(o.durations_s, [&](double d) { return !(d < o.sleep.duration_s - 1e-9); });
    const double bin_s = o.sleep.rate_bin_ms * 1e-3;
    for (std::size_t i = 0; i < o.durations_s.size(); ++i) {
      const double d = o.durations_s[i];
      if (!experiments::on_rate_bins(o.sleep, d))
        throw UsageError(fmt::format("--durations: {} is not a positive multiple of {:g} s", d, bin_s));
      if (!(d < o.sleep.duration_s - 1e-9))
        throw UsageError(fmt::format("--durations: {} is not shorter than --duration-s {}", d, o.sleep.duration_s));
      if (i > 0 && !(d > o.durations_s[i - 1])) throw UsageError("--durations must be ascending, each once");
    }
  }
  try {
    for (auto n : c.sizes) {
      auto p = c.params;
      p.n_exc = n;
      models::validate(p);
    }
    experiments::validate(o.sleep);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (c.csv.empty()) c.csv = std::filesystem::path(c.out).replace_extension(".csv").string();
}

/// A new study file, or the conditions done so far in the same study (the settings that shape
/// results must match).
std::set<std::string> open_study(const StudyCommand& c) {
  const auto& o = c.o;
  const std::string signature = fmt::format(
      "neurons={} test={} noise_test={} label_cap={} gauss={} blur={} noise_seed={} sleep=({},{},{},{},{}) data={}",
      fmt::join(c.sizes, ","), o.test_images, o.noise_test_images, o.label_cap, c.gauss_text, c.blur_text, o.noise_seed,
      o.sleep.duration_s, o.sleep.leak_scale, o.sleep.exc_scale, o.sleep.inh_scale, o.sleep.input_rate_scale,
      std::filesystem::absolute(c.data_dir).string()) +
      (o.controls ? fmt::format(" controls=(validation={} prune=train-response,silence)", o.validation_images) : "") +
      (o.durations_s.empty() ? "" : fmt::format(" durations={}", fmt::join(o.durations_s, ",")));
  std::set<std::string> done;
  if (!experiments::mpi_root()) {
    // Under MPI only rank 0 reads and writes the study file (docs/mpi.md).
  } else if (std::filesystem::exists(c.out) && !c.force) {
    auto f = h5::File::open(c.out, h5::File::Mode::read_only);
    auto root = f.root();
    if (!root.has_attr("format") || root.get_attr_string("format") != "snnsim-sleep-study")
      throw RunFileError(c.out + ": exists and is not an snnsim sleep study (pass --force to replace it)");
    if (root.get_attr_string("signature") != signature)
      throw UsageError(c.out + ": was started with other settings (" + root.get_attr_string("signature") +
                       "); pass --force to start over or choose another --out");
    if (root.has("conditions"))
      for (const auto& name : root.open_group("conditions").children()) done.insert(name);
  } else {
    auto txn = io::RunFileTransaction::create(c.out, true);
    auto root = txn.root();
    root.set_attr("format", "snnsim-sleep-study");
    // 1.1: network size is an axis (a `neurons` column and attribute); 1.0: one size.
    const std::uint32_t version[2] = {1, c.sizes_axis() ? 1u : 0u};
    root.set_attr_array<std::uint32_t>("format_version", version);
    if (c.sizes_axis()) {
      const std::vector<std::uint64_t> sizes(c.sizes.begin(), c.sizes.end());
      root.set_attr_array<std::uint64_t>("neurons", sizes);
    }
    root.set_attr("signature", signature);
    if (!o.durations_s.empty()) {  // the sleep-time axis of the duration curve: part-way states, then the end
      auto t = o.durations_s;
      t.push_back(o.sleep.duration_s);
      root.set_attr_array<double>("sleep_durations_s", t);
    }
    root.set_attr("command_line", joined_command_line());
    io::write_config(root, c.params, read_config_text(c.common.config_file));
    txn.commit();
  }
  return done;
}

/// Runs every condition not done yet, writing each as it finishes, and returns the JSON summary.
/// Under mpirun the ranks take the conditions largest first (sweep.hpp) and rank 0 alone writes;
/// other ranks return an empty summary.
nlohmann::json run_conditions(const StudyCommand& c, const io::LabelledImages& train, const io::LabelledImages& test,
                              const std::set<std::string>& done) {
  const auto& o = c.o;
  const bool quiet = c.common.quiet;
  // Conditions in canonical order (neurons, train_images, seed).
  const bool axis = c.sizes_axis();
  std::vector<Condition> conds;
  std::vector<std::size_t> todo;
  std::size_t total = 0, finished = 0;
  // Work of a condition, for progress and largest-first: image presentations, times N when
  // sizes differ (a step's cost grows with the 784 x N input synapses).
  auto work = [&](const Condition& q) { return experiments::condition_work(o, q.train_images) * (axis ? q.neurons : 1); };
  for (auto n : c.sizes)
    for (auto k : o.train_amounts)
      for (auto s : o.seeds) {
        const Condition q{n, s, k};
        if (done.count(condition_name(q, axis))) {
          if (!quiet) fmt::print(stderr, "{}: done earlier, skipped\n", condition_name(q, axis));
        } else {
          todo.push_back(conds.size());
          total += work(q);
        }
        conds.push_back(q);
      }
  experiments::Progress progress("experiment sleep", total, !quiet && experiments::mpi_root());
  nlohmann::json summary = nlohmann::json::array();
  auto run = [&](std::size_t i) {
    const auto q = conds[i];
    auto p = c.params;
    p.n_exc = q.neurons;
    return experiments::encode_condition(
        experiments::run_condition(p, train, test, o, q.seed, q.train_images, [&](std::size_t units) {
          if (experiments::mpi_parallel()) return;  // progress counts whole conditions then
          finished += units * (axis ? q.neurons : 1);
          progress.update(finished, condition_name(q, axis));
        }));
  };
  std::size_t committed_work = 0;
  auto commit = [&](std::size_t, const std::string& bytes) {
    const auto r = experiments::decode_condition(bytes);
    const Condition q{r.trained.n_exc, r.seed, r.train_images};
    const auto name = condition_name(q, axis);
    finished = committed_work += work(q);
    progress.update(finished, name);
    auto p = c.params;
    p.n_exc = q.neurons;
    auto txn = io::RunFileTransaction::update_any(c.out);
    write_condition(txn.root(), r, p, axis);
    experiments::canonical_study_rows(txn.root());
    write_csv(txn.root(), c.csv);
    txn.commit();
    double before = 0, after = 0;
    for (const auto& e : r.evals) {
      if (e.noise_type != "none") continue;
      if (e.state == "trained") before = e.accuracy;
      if (e.state == "slept") after = e.accuracy;
    }
    if (!quiet)
      fmt::print(stderr, "\n{}: clean accuracy {:.3f} -> {:.3f} after sleep; theta rose {} fell {}; {:.0f} s\n", name,
                 before, after, r.thresholds.rose, r.thresholds.fell, r.wall_s);
    summary.push_back({{"seed", r.seed}, {"train_images", r.train_images}, {"accuracy_before", before}, {"accuracy_after", after}});
    if (axis) summary.back()["neurons"] = q.neurons;
  };
  experiments::sweep(todo, [&](std::size_t i) { return double(work(conds[i])); }, run, commit, "conditions");
  if (!experiments::mpi_root()) return summary;
  std::stable_sort(summary.begin(), summary.end(), [](const auto& x, const auto& y) {
    auto key = [](const auto& j) {
      return std::tuple{j.contains("neurons") ? j["neurons"].template get<std::size_t>() : std::size_t{0},
                        j["train_images"].template get<std::size_t>(), j["seed"].template get<std::uint64_t>()};
    };
    return key(x) < key(y);
  });
  progress.finish();
  return summary;
}

}  // namespace

int cmd_experiment(const std::vector<std::string>& args_in) {
  if (!args_in.empty() && args_in[0] == "incremental")
    return cmd_experiment_incremental(std::vector<std::string>(args_in.begin() + 1, args_in.end()));
  if (args_in.empty() || (args_in[0] != "sleep" && args_in[0] != "--help" && args_in[0] != "-h"))
    throw UsageError("usage: snnsim experiment sleep|incremental [options]");
  std::vector<std::string> args(args_in.begin() + (args_in[0] == "sleep" ? 1 : 0), args_in.end());
  StudyCommand c;
  po::options_description main("Options");
  add_options(main, c);
  po::variables_map vm;
  if (!parse("experiment sleep", "--out STUDY.h5 [options]", args, main, vm, c.common)) return kExitOk;
  check(vm, c);

  const auto train = io::load_split(c.data_dir, io::Split::train);
  const auto test = io::load_split(c.data_dir, io::Split::test);
  const std::size_t max_k = *std::max_element(c.o.train_amounts.begin(), c.o.train_amounts.end());
  if (max_k > train.size()) throw UsageError(fmt::format("--train-amounts {} exceeds the {} training images", max_k, train.size()));
  if (c.o.controls && (c.o.validation_images == 0 || max_k + c.o.validation_images > train.size()))
    throw UsageError(fmt::format("--validation-images {} must be positive and not overlap the {} images trained on (of {})",
                                 c.o.validation_images, max_k, train.size()));
  if (std::max(c.o.test_images, c.o.noise_test_images) > test.size())
    throw UsageError(fmt::format("test image counts exceed the {} test images", test.size()));
  const auto summary = run_conditions(c, train, test, open_study(c));
  if (!experiments::mpi_root()) return kExitOk;
  if (c.common.json)
    print_json({{"command", "experiment sleep"}, {"out", c.out}, {"csv", c.csv}, {"new_conditions", summary}});
  else
    fmt::print("study in {} (results table also in {})\n", c.out, c.csv);
  return kExitOk;
}

}  // namespace snnsim::cli
