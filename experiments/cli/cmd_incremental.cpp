// snnsim experiment incremental: class-incremental learning in the D&C network, with sleep
// between tasks (docs/incremental.md). Parse the options, run every (method, seed) condition
// not done yet through experiments/incremental over the MPI sweep, write each as it finishes,
// and report the table.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "command.hpp"
#include "common.hpp"
#include "experiments/incremental.hpp"
#include "experiments/progress.hpp"
#include "experiments/run_file.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "io/run_file.hpp"
#include "models/param_table.hpp"

namespace snnsim::cli {
namespace {

using experiments::IncrementalMethod;

struct IncCommand {
  CommonOptions common;
  models::DiehlCookParams params;
  experiments::IncrementalOptions o;
  std::string data_dir, out, csv, seeds_text = "1,2,3", methods_text = "sequential,sleep,interleaved,replay";
  std::string sleep_input = "task", sleep_pattern = "mean-image";
  std::vector<std::uint64_t> seeds;
  std::vector<IncrementalMethod> methods;
  bool force = false, validation = false;
};

void add_options(po::options_description& d, IncCommand& c) {
  auto& o = c.o;
  add_data_option(d, c.data_dir, "MNIST IDX dir");
  d.add_options()("out", po::value<std::string>(&c.out), "study file (required; resumed if it exists)")(
      "csv", po::value<std::string>(&c.csv), "CSV copy of the results (default: next to --out)")(
      "neurons", po::value<std::size_t>(&c.params.n_exc)->default_value(400), "excitatory neurons N (1..65535)")(
      "seeds", po::value<std::string>(&c.seeds_text)->default_value(c.seeds_text), "comma list of seeds")(
      "methods", po::value<std::string>(&c.methods_text)->default_value(c.methods_text),
      "comma list of sequential, sleep, interleaved, replay")(
      "images-per-task", po::value<std::size_t>(&o.images_per_task)->default_value(o.images_per_task),
      "K: the first K training images of each task's classes (file order), one pass")(
      "label-images", po::value<std::size_t>(&o.label_images)->default_value(o.label_images),
      "per seen task: held-out training images (the next ones after the K) that labels come from")(
      "test-images", po::value<std::size_t>(&o.test_images)->default_value(o.test_images),
      "the first T test images (all classes) scored after every task")(
      "replay-buffer", po::value<std::size_t>(&o.replay_buffer)->default_value(o.replay_buffer),
      "replay: M images of earlier tasks mixed into each new task")(
      "sleep-input", po::value<std::string>(&c.sleep_input)->default_value(c.sleep_input),
      "sleep: mean image of the task just trained (task) or of all tasks so far (seen)");
  add_sleep_options(d, o.sleep);
  d.add_options()("sleep-pattern", po::value<std::string>(&c.sleep_pattern)->default_value(c.sleep_pattern),
                  "sleep input: mean-image | window (random 11x11 patch of it, as SRC)")(
      "block-ms", po::value<double>(&o.sleep.block_ms)->default_value(o.sleep.block_ms),
      "sleep: weights normalised every block")(
      "validation", po::bool_switch(&c.validation),
      "score on held-out TRAINING images instead of the test set (--test-images/5 per task after the K + "
      "label images of each task): for choosing sleep settings without the test set")(
      "force", po::bool_switch(&c.force), "start over even if --out exists");
  add_common_options(d, c.common);
}

void check(const po::variables_map& vm, IncCommand& c) {
  auto& o = c.o;
  require_file(c.out, "--out STUDY.h5", "experiment incremental");
  for (const char* key : {"neurons", "images-per-task", "label-images", "test-images"}) require_positive(vm, key);
  o.threads = resolve_threads(c.common.threads);
  for (double s : parse_list(c.seeds_text, "seeds", 0, 9007199254740992.0)) {
    const auto v = static_cast<std::uint64_t>(s);
    if (static_cast<double>(v) != s) throw UsageError(fmt::format("--seeds: {} is not a whole number", s));
    if (std::find(c.seeds.begin(), c.seeds.end(), v) != c.seeds.end())
      throw UsageError(fmt::format("--seeds: {} is listed twice", v));
    c.seeds.push_back(v);
  }
  {
    std::stringstream ss(c.methods_text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      IncrementalMethod m;
      try {
        m = experiments::incremental_method_from_string(item);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--methods: ") + e.what());
      }
      if (std::find(c.methods.begin(), c.methods.end(), m) != c.methods.end())
        throw UsageError("--methods: " + item + " is listed twice");
      c.methods.push_back(m);
    }
    if (c.methods.empty()) throw UsageError("--methods: give at least one method");
  }
  if (c.sleep_input == "task")
    o.sleep_input = experiments::SleepSource::task;
  else if (c.sleep_input == "seen")
    o.sleep_input = experiments::SleepSource::seen;
  else
    throw UsageError("--sleep-input must be task or seen, not '" + c.sleep_input + "'");
  if (c.sleep_pattern == "mean-image")
    o.sleep.input = experiments::SleepInput::mean_image;
  else if (c.sleep_pattern == "window")
    o.sleep.input = experiments::SleepInput::window;
  else
    throw UsageError("--sleep-pattern must be mean-image or window, not '" + c.sleep_pattern + "'");
  if (o.replay_buffer > o.images_per_task)
    throw UsageError(fmt::format("--replay-buffer {} exceeds --images-per-task {} (the images of task 1)",
                                 o.replay_buffer, o.images_per_task));
  try {
    models::validate(c.params);
    experiments::validate(o.sleep);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (c.csv.empty()) c.csv = std::filesystem::path(c.out).replace_extension(".csv").string();
}

/// Every model parameter and every experiment setting that shapes a condition's numbers:
/// a study resumes only with the same signature.
std::string signature(const IncCommand& c) {
  const auto& o = c.o;
  auto p = c.params;
  std::string model;
  for (const auto& f : models::param_fields(p))
    std::visit([&](auto* v) {
      if constexpr (std::is_same_v<std::remove_pointer_t<decltype(v)>, models::Integrator>)
        model += fmt::format("{}={} ", f.key, models::to_string(*v));
      else
        model += fmt::format("{}={} ", f.key, *v);
    }, f.target);
  return fmt::format(
      "images_per_task={} label_images={} test_images={}{} replay_buffer={} sleep_input={} "
      "sleep=({},{},{},{},{},{},{}) data={} model=({})",
      o.images_per_task, o.label_images, o.test_images, c.validation ? " (validation)" : "", o.replay_buffer,
      c.sleep_input, o.sleep.duration_s,
      o.sleep.leak_scale, o.sleep.exc_scale, o.sleep.inh_scale, o.sleep.input_rate_scale, c.sleep_pattern,
      o.sleep.block_ms, std::filesystem::absolute(c.data_dir).string(), model);
}

/// A new study file, or the conditions finished so far in the same study.
std::set<std::string> open_study(const IncCommand& c) {
  const auto sig = signature(c);
  std::set<std::string> done;
  if (!experiments::mpi_root()) return done;  // only rank 0 reads and writes the file (docs/mpi.md)
  if (std::filesystem::exists(c.out) && !c.force) {
    auto f = h5::File::open(c.out, h5::File::Mode::read_only);
    auto root = f.root();
    if (!root.has_attr("format") || root.get_attr_string("format") != "snnsim-incremental")
      throw RunFileError(c.out + ": exists and is not an snnsim incremental study (pass --force to replace it)");
    if (root.get_attr_string("signature") != sig)
      throw UsageError(c.out + ": was started with other settings; pass --force to start over or choose another --out");
    if (root.has("conditions"))
      for (const auto& name : root.open_group("conditions").children()) {
        auto g = root.open_group("conditions/" + name);
        if (g.has_attr("complete") && g.get_attr<std::uint8_t>("complete") == 1) done.insert(name);
      }
  } else {
    auto txn = io::RunFileTransaction::create(c.out, true);
    auto root = txn.root();
    root.set_attr("format", "snnsim-incremental");
    const std::uint32_t version[2] = {1, 0};
    root.set_attr_array<std::uint32_t>("format_version", version);
    root.set_attr("signature", sig);
    io::write_provenance(root, joined_command_line());
    io::write_config(root, c.params, read_config_text(c.common.config_file));
    std::vector<std::int32_t> classes;
    for (const auto& t : c.o.tasks)
      for (int k : t) classes.push_back(k);
    root.write<std::int32_t>("tasks", classes, {c.o.tasks.size(), classes.size() / c.o.tasks.size()});
    auto cfg = root.open_group("config");
    cfg.set_attr<std::uint64_t>("images_per_task", c.o.images_per_task);
    cfg.set_attr<std::uint64_t>("label_images", c.o.label_images);
    cfg.set_attr<std::uint64_t>("test_images", c.o.test_images);
    cfg.set_attr("scored_on", c.validation ? "validation" : "test");
    cfg.set_attr<std::uint64_t>("replay_buffer", c.o.replay_buffer);
    cfg.set_attr("sleep_input", c.sleep_input);
    cfg.set_attr("sleep_pattern", c.sleep_pattern);
    cfg.set_attr<double>("sleep_duration_s", c.o.sleep.duration_s);
    cfg.set_attr<double>("sleep_leak_scale", c.o.sleep.leak_scale);
    cfg.set_attr<double>("sleep_exc_scale", c.o.sleep.exc_scale);
    cfg.set_attr<double>("sleep_inh_scale", c.o.sleep.inh_scale);
    cfg.set_attr<double>("sleep_input_rate_scale", c.o.sleep.input_rate_scale);
    cfg.set_attr<double>("sleep_block_ms", c.o.sleep.block_ms);
    cfg.set_attr("data_dir", std::filesystem::absolute(c.data_dir).string());
    txn.commit();
  }
  return done;
}

}  // namespace

int cmd_experiment_incremental(const std::vector<std::string>& args) {
  IncCommand c;
  ModelOptions model(c.params);
  po::options_description main("Options");
  add_options(main, c);
  po::options_description all;
  all.add(main).add(model.description());
  po::variables_map vm;
  if (!parse("experiment incremental", "--out STUDY.h5 [options]", args, all, vm, c.common)) return kExitOk;
  model.apply(vm);
  check(vm, c);

  const auto train = io::load_split(c.data_dir, io::Split::train);
  io::LabelledImages test;
  if (train.images.pixels_per_image() != c.params.n_input)
    throw DataError(c.data_dir + ": images have " + std::to_string(train.images.pixels_per_image()) +
                    " pixels; n_input is " + std::to_string(c.params.n_input));
  experiments::TaskImages split;
  try {
    split = experiments::split_tasks(train, c.o);
    if (c.validation) {
      if (c.o.test_images % c.o.tasks.size())
        throw UsageError(fmt::format("--test-images {} with --validation must be a multiple of the {} tasks",
                                     c.o.test_images, c.o.tasks.size()));
      test = experiments::validation_images(train, c.o, c.o.test_images / c.o.tasks.size());
    } else {
      test = io::load_split(c.data_dir, io::Split::test);
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (c.o.test_images > test.size())
    throw UsageError(fmt::format("--test-images {} exceeds the {} test images", c.o.test_images, test.size()));
  const auto done = open_study(c);

  // Conditions in canonical order (method, seed).
  std::vector<std::pair<IncrementalMethod, std::uint64_t>> conds;
  std::vector<std::size_t> todo;
  std::size_t total = 0, finished = 0, committed = 0;
  const bool quiet = c.common.quiet;
  for (auto m : c.methods)
    for (auto s : c.seeds) {
      const auto name = experiments::incremental_condition_name(m, s);
      if (done.count(name)) {
        if (!quiet) fmt::print(stderr, "{}: done earlier, skipped\n", name);
      } else {
        todo.push_back(conds.size());
        total += experiments::incremental_work(c.o, split, m);
      }
      conds.push_back({m, s});
    }
  experiments::Progress progress("experiment incremental", total, !quiet && experiments::mpi_root());
  auto run = [&](std::size_t i) {
    const auto m = conds[i].first;
    const auto s = conds[i].second;
    return experiments::encode_incremental(
        experiments::run_incremental(c.params, train, test, c.o, split, m, s, [&](std::size_t units) {
          if (experiments::mpi_parallel()) return;
          finished += units;
          progress.update(finished, experiments::incremental_condition_name(m, s));
        }));
  };
  std::vector<std::pair<std::size_t, nlohmann::json>> fresh;  // (grid position, summary): listed in grid order
  auto commit = [&](std::size_t i, const std::string& bytes) {
    const auto r = experiments::decode_incremental(bytes);
    const auto name = experiments::incremental_condition_name(r.method, r.seed);
    finished = committed += experiments::incremental_work(c.o, split, r.method);
    progress.update(finished, name);
    auto txn = io::RunFileTransaction::update_any(c.out);
    experiments::write_incremental_condition(txn.root(), r, c.params);
    const auto csv = experiments::rebuild_incremental_results(txn.root(), c.methods, c.seeds, c.o.tasks.size());
    io::write_text_atomic(c.csv, csv);
    txn.commit();
    const auto rel = experiments::summarize(r.acc_relabelled, r.n_tasks);
    const auto kept = experiments::summarize(r.acc_kept, r.n_tasks);
    if (!quiet)
      fmt::print(stderr, "\n{}: final average accuracy {:.3f} relabelled, {:.3f} kept labels; forgetting {:.3f} / {:.3f}; {:.0f} s\n",
                 name, rel.average_accuracy, kept.average_accuracy, rel.forgetting, kept.forgetting, r.wall_s);
    fresh.emplace_back(i, nlohmann::json{{"method", experiments::to_string(r.method)}, {"seed", r.seed}, {"wall_s", r.wall_s}});
  };
  experiments::sweep(
      todo, [&](std::size_t i) { return double(experiments::incremental_work(c.o, split, conds[i].first)); }, run,
      commit, "conditions");
  if (!experiments::mpi_root()) return kExitOk;
  progress.finish();

  auto f = h5::File::open(c.out, h5::File::Mode::read_only);
  const auto table = experiments::incremental_table(f.root(), c.methods, c.seeds, c.o.tasks.size());
  if (c.common.json) {
    std::sort(fresh.begin(), fresh.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    nlohmann::json fresh_json = nlohmann::json::array();
    for (const auto& [pos, j] : fresh) fresh_json.push_back(j);
    nlohmann::json rows = nlohmann::json::array();
    for (const auto* list : {&table.rows, &table.paired})
      for (const auto& r : *list)
        rows.push_back({{"method", r.method}, {"readout", r.readout}, {"seeds", r.n},
                        {"average_accuracy_mean", r.acc_mean}, {"average_accuracy_sd", r.acc_sd},
                        {"forgetting_mean", r.forg_mean}, {"forgetting_sd", r.forg_sd},
                        {"bwt_mean", r.bwt_mean}, {"bwt_sd", r.bwt_sd}});
    print_json({{"command", "experiment incremental"}, {"out", c.out}, {"csv", c.csv},
                {"new_conditions", fresh_json}, {"table", rows}, {"threads", c.o.threads}});
  } else {
    fmt::print("{}study in {} (results also in {})\n", experiments::to_markdown(table), c.out, c.csv);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
