#pragma once
// `snnsim train` as a library call: train the D&C network on the first K images (or continue a
// checkpoint), label it from a frozen pass, write the run file (and the spike file), and return
// what the command reports.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "models/diehl_cook.hpp"
#include "train.hpp"
#include "spike_file.hpp"

#include "experiments/run_access.hpp"
#include "experiments/run_file.hpp"

namespace snnsim::experiments {

struct TrainJob {
  models::DiehlCookParams params;
  std::string data_dir = "data/mnist", out;
  std::size_t train_images = 1000, epochs = 1, label_images = 0;  // label_images 0 = train_images
  bool shuffle = false, no_label = false, force = false, resume = false;
  std::size_t checkpoint_every = 0;  // samples; 0 = only when stopped
  /// After each epoch but the last, write the network as it stands then to its own run file,
  /// epoch_file_path(out, e) (unlabelled; per-epoch accuracy curves). Also on after a resume.
  bool epoch_files = false;
  RecordSpikes record = RecordSpikes::none;
  std::uint32_t max_capped_in_a_row = 10;
  std::uint64_t seed = 0;  // ignored when resuming (the checkpoint's)
  int threads = 1;
  bool show_progress = true;
  std::string config_text, command_line;
  /// Polled after every sample: true writes a checkpoint and stops (SIGINT/SIGTERM).
  std::function<bool()> stop_requested;
};

struct TrainJobResult {
  bool interrupted = false;  // stopped by stop_requested; the checkpoint is in `checkpoint`
  std::string stopped;       // a guard stopped the simulation (state saved as network/stopped)
  std::string checkpoint;
  std::uint64_t seed = 0;
  std::size_t neurons = 0, images = 0, next_sample = 0, label_images = 0, neurons_labelled = 0;
  std::uint64_t presentations = 0, capped_images = 0, exc_spikes = 0;
  double wall_s = 0, label_wall_s = 0, train_cpu_s = 0;
  int within_step_threads = 1;  // threads a training step was split among (1: not split)
  double theta_mean_mV = 0, theta_std_mV = 0, weight_mean = 0, weight_std = 0, weight_abs_change_mean = 0;
  StateReport labels;  // the trained state's labels (silent, class-flat) and rest-firing neurons
};

/// What a new run file holds after training: the layout `snnsim train` writes (docs/run-file.md),
/// also written by the Python module's Network.save.
struct TrainedRun {
  models::DiehlCookParams params;
  std::string config_text, command_line;
  std::string data_dir;  // stored as given (train makes it absolute)
  std::uint64_t seed = 0;
  std::size_t train_images = 0, epochs = 0, label_images = 0;  // label_images 0 = not labelled
  bool shuffle = false;
  int threads = 1;
  models::NetworkState init, state;
  std::string state_name = "trained";
  io::StateInfo info{"train", "init"};
  io::TrainLogColumns log;
  double wall_s = 0;
  std::string spikes_file;
  NeuronTrainCounts neuron_counts;  // written as /train/exc_spike_count etc. when sized n_exc
};
/// Appends training-log rows to the run file's /train/log columns, their sample indices shifted
/// by `sample_offset` (a network trained in several calls numbers its samples on).
void append_train_log_rows(io::TrainLogColumns& c, const std::vector<TrainLogRow>& log, std::uint64_t sample_offset = 0);
/// Writes `out` atomically (refuses to replace it unless `force`: OutputError).
void write_trained_run(const std::string& out, bool force, const TrainedRun& r);

/// RUN.h5 -> RUN.epoch3.h5: the run file `--epoch-files` writes after epoch `epoch`.
std::filesystem::path epoch_file_path(const std::filesystem::path& out, std::size_t epoch);

/// Errors: UsageError for counts the data set cannot serve or a missing checkpoint, DataError
/// for the data set, RunFileError naming the checkpoint when it does not fit, OutputError.
TrainJobResult run_train_job(TrainJob job);

}  // namespace snnsim::experiments
