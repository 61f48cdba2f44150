#pragma once
// Training checkpoints: everything needed to continue a run bit-identically from a sample
// boundary (learned state, dynamic state, spikes in flight, monitor state, log so far, the
// position in the data order; the input streams are counter-based, so no RNG state beyond the
// presentation counter). Written atomically next to the run file as RUN.h5.ckpt.
#include <filesystem>
#include <string>

#include "experiments/run_file.hpp"
#include "sleep.hpp"
#include "train.hpp"

namespace snnsim::experiments {

struct TrainCheckpoint {
  models::DiehlCookParams params;
  std::string config_text, command_line;
  TrainOptions options;
  std::size_t label_images = 0;
  bool no_label = false;
  bool epoch_files = false;  // --epoch-files
  std::size_t checkpoint_every = 0;  // --checkpoint-every (samples; 0 = only on a signal)
  models::NetworkState init, current;
  models::DynamicState dynamic;
  TrainCursor cursor;
  io::TrainLogColumns log;
  std::uint64_t capped_images = 0, presentations = 0, exc_spikes = 0;
  double train_wall_s = 0.0;  // training time spent before this checkpoint
};

/// A sleep stopped at a rate-bin boundary (`snnsim sleep --checkpoint-every`, SIGINT/SIGTERM):
/// the settings, the awake state it started from and where it stands. RUN.h5.sleep-<to>.ckpt.
struct SleepCheckpoint {
  models::DiehlCookParams params;  // wake parameters, as in the run file
  std::string command_line;
  SleepOptions options;
  std::string from, to, input, record;
  std::uint64_t mean_images = 0, label_images = 0;
  bool no_relabel = false;
  double checkpoint_every_s = 0.0;  // --checkpoint-every (simulated s; 0 = only on a signal)
  models::NetworkState awake;
  SleepCursor cursor;
  double sleep_wall_s = 0.0;  // sleeping time spent before this checkpoint
};

std::filesystem::path checkpoint_path(const std::filesystem::path& run_file);
std::filesystem::path sleep_checkpoint_path(const std::filesystem::path& run_file, const std::string& to);
void write_sleep_checkpoint(const std::filesystem::path& file, const SleepCheckpoint& c);
/// Throws RunFileError naming the file and dataset when anything is missing or inconsistent.
SleepCheckpoint read_sleep_checkpoint(const std::filesystem::path& file);

void write_dynamic(const h5::Group& g, const models::DynamicState& d);
models::DynamicState read_dynamic(const h5::Group& g, std::size_t n_exc);
void write_checkpoint(const std::filesystem::path& file, const TrainCheckpoint& c);
/// Throws RunFileError naming the file and dataset when anything is missing or inconsistent.
TrainCheckpoint read_checkpoint(const std::filesystem::path& file);

}  // namespace snnsim::experiments
