#pragma once
// `snnsim sleep` as a library call: put a saved state to sleep (or continue a sleep
// checkpoint), relabel, and save the new state with its statistics beside the old one.
#include <cstdint>
#include <functional>
#include <string>

#include "sleep.hpp"
#include "spike_file.hpp"

namespace snnsim::experiments {

struct SleepJob {
  SleepOptions o;
  std::string run, from = "trained", to = "slept", data_dir = "data/mnist", input = "mean-image", record = "none";
  std::size_t mean_images = 0, label_images = 0;  // 0 = what the run was trained on (1000 if unknown)
  bool no_relabel = false, force = false, resume = false;
  bool seed_given = false;         // o.seed is the user's; else the run's master seed
  bool data_given = true;          // data_dir is the user's (false: the CLI's default, refused for a run
                                   // that records no data directory, e.g. one saved from Python arrays)
  double checkpoint_every_s = 0;   // simulated seconds; 0 = only when stopped
  double snapshot_every_s = 0;     // > 0: also keep the state every S simulated seconds as <to>_t{S}s
  int threads = 1;
  bool show_progress = true;
  std::string command_line;
  std::function<bool()> stop_requested;  // polled after every rate bin
  std::function<void()> stopping_is_over;  // called once the sleep itself is over (signals may end the process)
};

struct SleepJobResult {
  bool interrupted = false;
  std::string checkpoint, spikes_file;
  std::size_t neurons = 0, theta_rose = 0, theta_fell = 0;
  std::uint64_t exc_spikes = 0;
  double duration_s = 0, wall_s = 0;
  std::vector<std::string> snapshots;  // states written for --snapshot-every, in time order
};

/// Name of the state a sleep to `to` keeps at `t_s` simulated seconds: "<to>_t<t>s" (slept_t2s).
std::string snapshot_state_name(const std::string& to, double t_s);

/// Errors: UsageError (options, counts), RunFileError (run file or checkpoint), DataError,
/// OutputError (the --to state exists without --force, the run changed since the checkpoint).
SleepJobResult run_sleep_job(SleepJob job);

}  // namespace snnsim::experiments
