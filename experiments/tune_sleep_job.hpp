#pragma once
// `snnsim tune-sleep` as a library call: a grid search of the sleep knobs, each candidate slept
// from the same awake state, relabelled and scored on validation images held out from the END of
// the training set (never the test set, never an image the network trained on). Under MPI the
// ranks share the candidates (sweep.hpp); rank 0 alone appends the grid to /tune_sleep.
#include <cstdint>
#include <string>
#include <vector>

#include "sleep.hpp"

namespace snnsim::experiments {

struct TuneSleepJob {
  std::string run, from = "trained", data_dir = "data/mnist", input = "mean-image";  // input: mean-image | window
  std::size_t validation_images = 1000;
  std::size_t label_images = 0;  // 0 = what the run was trained on (1000 if unknown)
  std::vector<double> leak_scales, exc_scales, inh_scales, input_rate_scales, durations_s;
  int threads = 1;
  bool show_progress = true;  // the baseline line and the progress line (rank 0 only)
};

struct TuneSleepCandidate {
  SleepOptions o;
  double accuracy = 0.0;
  double theta_rose_fraction = 0.0;
  std::uint64_t exc_spikes = 0;
};

struct TuneSleepResult {
  bool root = true;  // false on MPI ranks other than 0: nothing else is filled in
  double awake_accuracy = 0.0;
  std::vector<TuneSleepCandidate> candidates;  // grid order (leak, exc, inh, rate, duration)
  std::vector<TuneSleepCandidate> ranked;      // best validation accuracy first (stable)
  double wall_s = 0.0;                         // the candidates' sweep
};

/// Errors: UsageError (--input, validation images overlapping the trained/labelled ones),
/// RunFileError, DataError, OutputError.
TuneSleepResult run_tune_sleep_job(const TuneSleepJob& job);

}  // namespace snnsim::experiments
