// snnsim tune-src: random search of the SRC sleep hyperparameters on validation data held out
// from training (ann::tune_search); the test set is never read. Under mpirun/srun each batch's
// candidates x seeds are spread over the ranks (experiments::sweep) and rank 0 writes.
#include <fmt/format.h>

#include <chrono>
#include <numeric>
#include <optional>

#include "ann/experiment.hpp"
#include "ann/report.hpp"
#include "command.hpp"
#include "common.hpp"
#include "experiments/progress.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "src_options.hpp"

namespace snnsim::cli {
namespace {

constexpr const char* kUsage =
    "--data DIR --out TUNE.h5 [--trials N] [--tasks K] [--seed S] [--seeds N] [--trial-batch B] [--json]\n"
    "random search of SRC hyperparameters on validation data held out from training\n"
    "(per task, the images after the first --per-task are the validation set; they are removed from the\n"
    "sleep pools; the test set is never read; each candidate scores the mean validation accuracy of --seeds "
    "networks)\n"
    "The search goes in batches of --trial-batch candidates, each the best of all earlier batches jittered; the\n"
    "trials depend on --trial-batch only (1 = the sequential search, the default in one process). Under\n"
    "mpirun/srun --trial-batch defaults to the rank count, each batch's candidates x seeds are spread over the\n"
    "ranks, rank 0 writes the same file as one process with that --trial-batch, and --seed is required (docs/mpi.md)";

struct TuneCommand {
  SrcOptions o;
  ann::TuneOptions t;
  std::size_t val = 1000;
  std::string tune;
};

void add_options(po::options_description& d, TuneCommand& c) {
  // clang-format off
  d.add_options()
    ("trials", po::value<int>(&c.t.trials)->default_value(8), "candidates to evaluate (trial 0 = the preset)")
    ("val", po::value<std::size_t>(&c.val)->default_value(1000), "validation images per task")
    ("spread", po::value<double>(&c.t.spread)->default_value(2.0),
     "each candidate multiplies every parameter of the best so far by exp(U(-ln s, ln s))")
    ("tune", po::value<std::string>(&c.tune)->default_value("r_max,inc,dec,beta,alpha_scale"),
     "parameters to search (subset of r_max,inc,dec,beta,alpha_scale)")
    ("trial-batch", po::value<int>(&c.t.batch)->default_value(0, "1, or the MPI rank count"),
     "candidates proposed at once from the best of the earlier batches (results depend on it)");
  // clang-format on
  add_src_options(d, c.o);
}

void check(TuneCommand& c) {
  if (c.t.trials < 1) throw UsageError("--trials must be >= 1");
  if (!(c.t.spread >= 1)) throw UsageError("--spread must be >= 1");
  if (c.val < 1) throw UsageError("--val must be >= 1");
  if (c.t.batch < 0) throw UsageError("--trial-batch must be >= 1");
  if (c.t.batch == 0) c.t.batch = experiments::mpi_size();
  c.t.tune = split_list(c.tune);
  for (const auto& t : c.t.tune)
    if (t != "r_max" && t != "inc" && t != "dec" && t != "beta" && t != "alpha_scale")
      throw UsageError("--tune: unknown parameter '" + t + "'");
  c.t.seeds = c.o.seeds;
}

void report(const TuneCommand& c, const std::vector<ann::TuneTrial>& all, int tasks) {
  const auto best = *std::max_element(all.begin(), all.end(), [](auto& a, auto& b) { return a.score < b.score; });
  const auto& p = best.params;
  if (!c.o.common.json) {
    auto b = [&](std::size_t i) { return i < p.beta.size() ? p.beta[i] : 0.0; };
    fmt::print("best val accuracy {:.4f} (preset {:.4f}): --r-max {:g} --inc {:g} --dec {:g} --beta {:g},{:g},{:g} "
               "--alpha-scale {:g}\n",
               best.score, all.front().score, p.max_rate, p.inc, p.dec, b(0), b(1), b(2), p.alpha_scale);
    return;
  }
  nlohmann::json trials = nlohmann::json::array();
  for (const auto& t : all) {
    trials.push_back(ann::sleep_params_json(t.params));
    trials.back()["val_accuracy"] = t.score;
  }
  nlohmann::json j = {{"command", "tune-src"}, {"out", c.o.out}, {"tasks", tasks},
                      {"val_images_per_task", static_cast<std::uint64_t>(c.val)}, {"seeds", c.o.seeds},
                      {"best", ann::sleep_params_json(p)}, {"val_accuracy", best.score}, {"val_per_task", best.acc.per_task},
                      {"preset_val_accuracy", all.front().score}, {"trials", trials}};
  if (c.t.batch != 1) j["batch"] = c.t.batch;  // absent: the sequential search, as before batches existed
  print_json(j);
}

/// One batch's (candidate, seed) scores through experiments::sweep: one process scores them in
/// order; under MPI any rank scores any of them, rank 0 gathers them and sends the whole batch to
/// every rank, so every rank's search proposes the same next batch.
ann::TuneBatchScorer batch_scorer(ann::TuneScorer& scorer, const ann::TuneOptions& t) {
  return [&scorer, &t](const std::vector<ann::SleepParams>& batch) {
    const auto S = static_cast<std::size_t>(t.seeds);
    std::vector<std::size_t> todo(batch.size() * S);
    std::iota(todo.begin(), todo.end(), std::size_t{0});
    std::vector<std::string> got(todo.size());
    auto run = [&](std::size_t i) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto acc = scorer.score(batch[i / S], static_cast<int>(i % S));
      experiments::ByteWriter w;
      w.put_vec(acc.per_task);
      w.put(acc.overall);
      w.put(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      return w.take();
    };
    experiments::sweep(todo, [](std::size_t) { return 1.0; }, run,
                       [&](std::size_t i, const std::string& b) { got[i] = b; }, "candidate runs");
    experiments::ByteWriter all;
    for (const auto& b : got) all.put_str(b);
    auto bytes = all.take();
    experiments::broadcast(bytes);
    experiments::ByteReader r(bytes);
    std::vector<ann::TuneScore> out(todo.size());
    for (auto& s : out) {
      const auto b = r.get_str();
      experiments::ByteReader one(b);
      s.acc.per_task = one.get_vec<double>();
      s.acc.overall = one.get<double>();
      s.wall_s = one.get<double>();
    }
    return out;
  };
}

}  // namespace

int cmd_tune_src(const std::vector<std::string>& args) {
  TuneCommand c;
  po::options_description desc("Options");
  add_options(desc, c);
  po::variables_map vm;
  if (!parse("tune-src", kUsage, args, desc, vm, c.o.common)) return kExitOk;
  ann::ProtocolConfig cfg = src_config(vm, c.o);
  if (!vm.count("tasks")) cfg.tasks.resize(2);  // tuning default: the first two tasks
  check(c);
  // Every rank must draw the same seed: a random one would differ from rank to rank.
  if (experiments::mpi_parallel() && !vm.count("seed")) throw UsageError("under mpirun/srun give --seed");
  c.t.seed = check_src_options(vm, c.o, "tune-src");
  cfg.stable_ranks = false;
  cfg.snapshot_every = 0;
  cfg.trajectory_every = 0;
  cfg.save_weights = "none";

  const bool root = experiments::mpi_root();
  const auto data = load_src_data(c.o, false);
  const auto td = ann::make_validation_data(data.train, cfg, c.val);
  if (!c.o.common.quiet && root)
    fmt::print(stderr, "validation: {} images held out of the training set ({} per task)\n", td.eval.size(), c.val);
  std::optional<ann::ResultsWriter> writer;  // rank 0 only: the file lives there
  if (root) {
    auto config = ann::config_json(cfg, c.o.preset);
    if (c.t.batch != 1) config["tune_batch"] = c.t.batch;
    writer.emplace(c.o.out, c.o.force, command_line_or("tune-src", args), config.dump(),
                   static_cast<int>(cfg.tasks.size()));
  }
  experiments::Progress progress("tune-src", static_cast<std::size_t>(c.t.trials), !c.o.common.quiet && root);
  ann::TuneScorer scorer(td, cfg, c.t);
  const auto all = ann::tune_search(cfg.sleep, c.t, batch_scorer(scorer, c.t), [&](int t, const ann::TuneTrial& tr) {
    if (!root) return;
    writer->add_trial(t, tr.params, tr.score);
    progress.update(static_cast<std::size_t>(t) + 1, ann::tune_trial_line(t, tr));
  });
  if (!root) return kExitOk;
  writer->commit();
  progress.finish();
  report(c, all, static_cast<int>(cfg.tasks.size()));
  return kExitOk;
}

}  // namespace snnsim::cli
