// snnsim tune-src: random search of the SRC sleep hyperparameters on validation data held out
// from training (ann::tune_src); the test set is never read.
#include <fmt/format.h>

#include "ann/experiment.hpp"
#include "ann/report.hpp"
#include "command.hpp"
#include "common.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "src_options.hpp"

namespace snnsim::cli {
namespace {

constexpr const char* kUsage =
    "--data DIR --out TUNE.h5 [--trials N] [--tasks K] [--seed S] [--seeds N] [--json]\n"
    "random search of SRC hyperparameters on validation data held out from training\n"
    "(per task, the images after the first --per-task are the validation set; they are removed from the\n"
    "sleep pools; the test set is never read; each candidate scores the mean validation accuracy of --seeds "
    "networks)\n"
    "runs in one process: not under mpirun/srun (the search is sequential; docs/mpi.md)";

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
     "parameters to search (subset of r_max,inc,dec,beta,alpha_scale)");
  // clang-format on
  add_src_options(d, c.o);
}

void check(TuneCommand& c) {
  if (c.t.trials < 1) throw UsageError("--trials must be >= 1");
  if (!(c.t.spread >= 1)) throw UsageError("--spread must be >= 1");
  if (c.val < 1) throw UsageError("--val must be >= 1");
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
  print_json({{"command", "tune-src"}, {"out", c.o.out}, {"tasks", tasks},
              {"val_images_per_task", static_cast<std::uint64_t>(c.val)}, {"seeds", c.o.seeds},
              {"best", ann::sleep_params_json(p)}, {"val_accuracy", best.score}, {"val_per_task", best.acc.per_task},
              {"preset_val_accuracy", all.front().score}, {"trials", trials}});
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
  c.t.seed = check_src_options(vm, c.o, "tune-src");
  cfg.stable_ranks = false;
  cfg.snapshot_every = 0;
  cfg.trajectory_every = 0;
  cfg.save_weights = "none";

  const auto data = load_src_data(c.o, false);
  const auto td = ann::make_validation_data(data.train, cfg, c.val);
  if (!c.o.common.quiet)
    fmt::print(stderr, "validation: {} images held out of the training set ({} per task)\n", td.eval.size(), c.val);
  ann::ResultsWriter writer(c.o.out, c.o.force, command_line_or("tune-src", args),
                            ann::config_json(cfg, c.o.preset).dump(), static_cast<int>(cfg.tasks.size()));
  experiments::Progress progress("tune-src", static_cast<std::size_t>(c.t.trials), !c.o.common.quiet);
  const auto all = ann::tune_src(td, cfg, c.t, writer,
                                 [&](std::size_t done, std::size_t, const std::string& s) { progress.update(done, s); });
  writer.commit();
  progress.finish();
  report(c, all, static_cast<int>(cfg.tasks.size()));
  return kExitOk;
}

}  // namespace snnsim::cli
