#pragma once
// `snnsim eval` as a library call: score a labelled state on the first test images (weights and
// theta frozen), clean or under one noise type at several levels, and append one row per
// condition to /eval/results (optionally each condition's exc spikes as a SONATA file).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "noise.hpp"
#include "run_access.hpp"

namespace snnsim::experiments {

struct EvalJob {
  std::string run, state = "trained", data_dir = "data/mnist";
  std::string noise = "none";           // as typed: stored in the rows and the spike file names
  NoiseType noise_type = NoiseType::none;
  std::vector<double> levels;           // one condition each (clean: one entry, ignored)
  std::size_t test_images = 10000;
  std::uint64_t noise_seed = 1;
  bool record_exc = false;
  std::uint32_t frozen_chain_images = 0;  // 0 = the run's /config value
  int threads = 1;
  bool show_progress = true;
};

/// One condition's outcome, as appended to /eval/results.
struct EvalJobRow {
  bool clean = true;
  double level = 0.0;        // the level asked for
  double noise_level = 0.0;  // as stored: 0 when clean
  std::size_t n_samples = 0, n_correct = 0, n_silent = 0;
  double accuracy = 0.0, wall_s = 0.0;
};

struct EvalJobResult {
  StateReport labels;
  std::uint32_t frozen_chain_images = 1;  // as used
  std::vector<EvalJobRow> rows;
};

/// Runs every level in order; `row_done` is called after each condition is appended (before the
/// run file is committed). Warns on stderr when exc neurons fire at rest. Errors: RunFileError
/// (the run or an unlabelled state), DataError, UsageError (--test-images beyond the test set),
/// OutputError.
EvalJobResult run_eval_job(const EvalJob& job, const std::function<void(const EvalJobRow&)>& row_done = {});

}  // namespace snnsim::experiments
