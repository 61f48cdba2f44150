#pragma once
// HDF5 layout of SRC run files (see docs/src.md):
//   /                     attrs format="snnsim-src", format_version, command, command_line,
//                         snnsim_version, git_commit, git_dirty, created_utc, hdf5_version
//   /config               JSON text of the full configuration
//   /eval/results/        struct of 1-D arrays, one row per evaluation:
//                         run, method, phase (vlen UTF-8), seed (u64), task (i32, 1-based task
//                         after which it was evaluated), fraction (f64, low-data only),
//                         accuracy (f64, all test images), acc_task1..acc_taskK (f64)
//   /eval/stable_rank/    run, method, phase, seed, task, layer, value
//   /sleep/<run>/task<k>/ alpha, s, spikes, sum_spikes_<l>, snapshot_steps, snapshots (n x 784),
//                         trajectory_steps, trajectory_accuracy, trajectory_per_task (n x K)
//   /ann/<run>/<state>/   W0..W{L-1} (post x pre, float32), attr sizes
//   /train/norms/<run>/   steps, layer<l> (records x neurons): per-neuron weight L2 norms
//   /timing/<run>         attrs: seconds per phase
//   /tune/                tune-src: trial, r_max, inc, dec, alpha_scale, val_accuracy, beta (trials x L)
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ann/protocol.hpp"

namespace snnsim::h5 {
class File;
}

namespace snnsim::ann {

/// Name of a run inside the file: "<method>_s<seed>" or "lowdata_f<fraction>_s<seed>".
std::string run_name(const RunResult& r);

/// Writes the run file as run files are written: into a temporary sibling (created at
/// construction; OutputError if `path` exists and !force, or cannot be created), which
/// commit() fsyncs and renames onto `path`. Until then an existing file at `path` is untouched;
/// a writer dropped without commit() (an error, an interrupt) deletes its temporary file.
/// Every run is appended as it finishes.
class ResultsWriter {
 public:
  ResultsWriter(const std::filesystem::path& path, bool force, const std::string& command_line,
                const std::string& config_json, int num_tasks);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  void add(const RunResult& r);
  /// One tune-src trial, appended to /tune.
  void add_trial(int trial, const SleepParams& p, double val_accuracy);
  /// Moves the finished file into place.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Reads weights of one saved state (for tests and tools).
Net read_state(const std::filesystem::path& path, const std::string& run, const std::string& state);

}  // namespace snnsim::ann
