// snnsim sleep: switch a saved state to the sleep regime, run it with plasticity on, relabel,
// and save the result as a new state beside the old one (with sleep statistics).
// Parse the options, run experiments::run_sleep_job, report.
#include <fmt/core.h>

#include <cmath>
#include <memory>

#include "command.hpp"
#include "common.hpp"
#include "experiments/sleep_job.hpp"
#include "io/error.hpp"

namespace snnsim::cli {
namespace {

void add_options(po::options_description& d, experiments::SleepJob& j) {
  d.add_options()("run", po::value<std::string>(&j.run), "run file (required; updated in place)")(
      "from", po::value<std::string>(&j.from)->default_value("trained"), "state to start from")(
      "to", po::value<std::string>(&j.to)->default_value("slept"), "name of the new state");
  add_sleep_options(d, j.o);
  d.add_options()("input", po::value<std::string>(&j.input)->default_value("mean-image"),
                  "mean-image | window (random 11x11 patch)")(
      "block-ms", po::value<double>(&j.o.block_ms)->default_value(j.o.block_ms), "weights normalised every block");
  add_data_option(d, j.data_dir);
  d.add_options()("mean-images", po::value<std::size_t>(&j.mean_images)->default_value(0),
                  "mean image of the first M training images (default: those the state was trained on)")(
      "label-images", po::value<std::size_t>(&j.label_images)->default_value(0),
      "relabel from the first M training images (default: as at training)")(
      "no-relabel", po::bool_switch(&j.no_relabel), "keep the new state unlabelled")(
      "seed", po::value<std::uint64_t>(&j.o.seed), "seed of the sleep input streams (default: the run's master seed)");
  add_record_spikes_option(d, j.record, "none | exc | all: write a SONATA spike file next to the run file");
  d.add_options()("force", po::bool_switch(&j.force), "replace an existing --to state")(
      "checkpoint-every", po::value<double>(&j.checkpoint_every_s)->default_value(0.0),
      "write RUN.h5.sleep-<to>.ckpt every S simulated seconds (0 = only on SIGINT/SIGTERM); kept on --resume, where a value given replaces it")(
      "resume", po::bool_switch(&j.resume), "continue from RUN.h5.sleep-<to>.ckpt (its settings are used)")(
      "snapshot-every", po::value<double>(&j.snapshot_every_s)->default_value(0.0),
      "also keep the state every S simulated seconds (a multiple of 0.1) as <to>_t<t>s, relabelled like <to>: "
      "each equals the end state of a sleep of t seconds (eval --state slept_t2s); not with --resume");
}

}  // namespace

int cmd_sleep(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::SleepJob job;
  po::options_description main("Options");
  add_options(main, job);
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("sleep", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(job.run, "--run RUN.h5", "sleep");
  if (!(job.checkpoint_every_s >= 0.0) || !std::isfinite(job.checkpoint_every_s))
    throw UsageError("--checkpoint-every must be a number of seconds >= 0");
  const auto& to = job.to;
  if (to.empty() || to.find('/') != std::string::npos || to[0] == '.') throw UsageError("--to must be a plain name");
  if (!job.resume) record_spikes(job.record, true);
  if (job.resume && job.snapshot_every_s != 0)
    throw UsageError("--snapshot-every cannot resume (the checkpoint does not keep the states before it)");
  job.threads = resolve_threads(common.threads);
  job.seed_given = vm.count("seed") > 0;
  job.data_given = !vm["data"].defaulted();
  job.show_progress = !common.quiet;
  job.command_line = joined_command_line();
  auto signals = std::make_unique<StopSignals>();
  job.stop_requested = [&] { return signals->caught() != 0; };
  job.stopping_is_over = [&] { signals.reset(); };  // a signal now stops the process (nothing is half-written)

  const auto r = experiments::run_sleep_job(job);
  if (r.interrupted) {
    fmt::print(stderr, "snnsim sleep: interrupted; checkpoint {} (continue with --resume)\n", r.checkpoint);
    return signals->exit_code();
  }
  const double sim_per_wall = r.duration_s / r.wall_s;
  if (common.json) {
    nlohmann::json j = {{"command", "sleep"}, {"run", job.run}, {"from", job.from}, {"to", to}, {"duration_s", r.duration_s},
                        {"wall_s", r.wall_s}, {"simulated_s_per_wall_s", sim_per_wall}, {"exc_spikes", r.exc_spikes},
                        {"theta_rose", r.theta_rose}, {"theta_fell", r.theta_fell}, {"spikes_file", r.spikes_file}};
    if (!r.snapshots.empty()) j["snapshots"] = r.snapshots;
    print_json(j);
  } else
    fmt::print("slept {} s ({:.1f} s wall, {:.0f}x real time): {} exc spikes; theta rose in {} and fell in {} of {} "
               "neurons; saved network/{}\n",
               r.duration_s, r.wall_s, sim_per_wall, r.exc_spikes, r.theta_rose, r.theta_fell, r.neurons, to);
  return kExitOk;
}

}  // namespace snnsim::cli
