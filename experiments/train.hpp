#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/idx.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::experiments {

struct TrainOptions {
  std::size_t train_images = 1000;  // the first K training images
  std::size_t epochs = 1;
  bool shuffle = false;             // per-epoch order from the seeded shuffle stream (else in order)
  std::uint64_t seed = 0;
  std::size_t log_window = 1000;    // running accuracy: labels from the previous window of this many samples
  // Guard: this many images in a row still below min_exc_spikes after max_tries means a silent
  // network and stops the run (0 = never; single capped images are only counted and warned about).
  std::uint32_t max_capped_in_a_row = 10;
};

/// One row per presented sample (retries folded in), as /train/log stores it.
struct TrainLogRow {
  std::uint64_t sample_index;  // position in the whole run (epoch * K + k)
  std::uint32_t image_index;   // index into the training set
  std::uint8_t label;
  std::uint8_t tries;
  std::uint32_t exc_spikes;
  float input_intensity;
  float running_accuracy;  // NaN until the first window has passed
};

/// The training monitor's memory: responses of the current window and the labels from the last.
struct RunningAccuracyState {
  std::vector<double> response;              // [n_exc][10] spike counts summed in this window
  std::array<std::uint32_t, 10> class_count{};
  std::vector<std::int16_t> labels;          // from the previous window; empty before the first
  std::uint64_t seen = 0, scored = 0, correct = 0;
};

/// Where a run stands: lets a checkpoint stop and a resume continue at a sample boundary.
/// Per exc neuron, over the training windows (the last try of each sample, as in the log):
/// how many spikes it fired and in how many samples it fired at all. Counting starts at sample
/// `counted_from` (0, or where a checkpoint written before these counts existed was resumed).
struct NeuronTrainCounts {
  std::vector<std::uint64_t> spikes, active_samples;
  std::uint64_t counted_from = 0;
};

struct TrainCursor {
  std::uint64_t next_sample = 0;  // samples completed so far in this run
  RunningAccuracyState running;
  NeuronTrainCounts neuron;
};

struct TrainReport {
  std::vector<TrainLogRow> log;
  std::uint64_t capped_images = 0;   // images that hit max_tries without enough spikes
  std::uint64_t presentations = 0;   // this call's presentations (retries included)
  std::uint64_t exc_spikes = 0;      // this call's exc spikes inside presentation windows
  std::string stopped;               // non-empty when a guard stopped the run
  bool interrupted = false;          // the `should_stop` callback asked to stop
};

struct TrainHooks {
  std::function<void(std::uint64_t done, std::uint64_t total, float running_accuracy)> progress;
  /// Called after each completed sample; returning true stops at this sample boundary.
  std::function<bool(const TrainCursor&)> after_sample;
  /// Where train() accumulates its report (so after_sample can read the log so far); optional.
  TrainReport* report = nullptr;
};

/// The order in which samples are presented: epoch-major, sequential or shuffled per epoch.
std::vector<std::uint32_t> presentation_order(const TrainOptions& o);

/// Trains `net` (learning on) from `cursor` to the end of the run. The report is also left in
/// *hooks.report when given.
TrainReport train(models::DiehlCookNetwork& net, const io::LabelledImages& data, const TrainOptions& o,
                  TrainCursor& cursor, const TrainHooks& hooks = {});

}  // namespace snnsim::experiments
