#pragma once
// The sleep regime (Tadros, Krishnan & Bazhenov): the trained network with a stronger leak,
// stronger input->exc (AMPA) conductance, optionally weaker inhibition, driven by Poisson input
// from the mean training image, while STDP, weight normalisation and theta keep running with
// their wake constants.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/idx.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::experiments {

enum class SleepInput {
  mean_image,  // every pixel at its mean-image rate
  window,      // SRC-style: only a random 11x11 window of the mean image, a new window every window_ms
};

// Defaults are the best of `snnsim tune-sleep` on validation images (docs/sleep-tuning.md):
// the search preferred no extra leak and halved inhibition over the proposed 2x leak and AMPA.
struct SleepOptions {
  double duration_s = 10.0;
  double leak_scale = 1.0;        // k_L on the exc leak term
  double exc_scale = 1.0;         // gain on input->exc conductance
  double inh_scale = 0.5;         // gain on inh->exc conductance
  double input_rate_scale = 1.0;  // x the wake rate at the starting intensity (pixel/4 Hz)
  SleepInput input = SleepInput::mean_image;
  double block_ms = 500.0;        // weights are normalised at the start of every block (the wake cadence)
  double window_ms = 10.0;
  double rate_bin_ms = 100.0;     // resolution of the population-rate trace
  bool normalize = true;
  std::uint64_t seed = 0;
  int threads = 1;                // within-step threads (large networks; results do not depend on it)
};

/// Where a sleep stands at a rate-bin boundary (also an input-chunk boundary, so no Poisson
/// state is pending): with the awake state and the options, enough to continue bit-identically.
struct SleepCursor {
  sim::Step start = 0;         // engine step at which sleep began
  sim::Step done = 0;          // steps slept so far
  std::uint32_t chunk = 0;     // input stream counter
  std::uint64_t exc_spikes = 0;
  std::vector<float> exc_rate_Hz;
  std::vector<std::int64_t> spike_steps, inh_spike_steps;  // recorded so far, steps from sleep start
  std::vector<std::uint32_t> spike_ids, inh_spike_ids;
  models::NetworkState state;  // weights and theta now
  models::DynamicState dynamic;
};

struct SleepHooks {
  std::function<void(double done_s, double total_s)> progress;
  /// Called at every bin boundary before the end with a way to take a cursor there; returning
  /// true stops the sleep (SleepReport::interrupted).
  std::function<bool(double done_s, const std::function<SleepCursor()>& cursor)> after_bin;
  const SleepCursor* resume_from = nullptr;  // continue this sleep instead of starting one
};

struct SleepReport {
  bool interrupted = false;  // after_bin asked to stop; the other fields are then not filled
  models::NetworkState state;
  std::vector<float> exc_rate_Hz;        // mean exc rate per bin
  std::vector<double> theta_change_mV;   // per neuron, after - before
  std::vector<double> weight_change_abs; // per neuron, mean |w_after - w_before| over its inputs
  std::uint64_t exc_spikes = 0;
  std::vector<std::int64_t> spike_steps;  // recorded exc spikes (when recording), steps from sleep start
  std::vector<std::uint32_t> spike_ids;
  std::vector<std::int64_t> inh_spike_steps;
  std::vector<std::uint32_t> inh_spike_ids;
};

/// Mean image of the first `count` images (pixel values 0..255 as doubles).
std::vector<double> mean_image(const io::ImageSet& images, std::size_t count);

/// Throws std::invalid_argument naming the first bad knob.
void validate(const SleepOptions& o);

/// Whether t_s is a positive multiple of the rate bin: the times at which a sleep can hand over
/// its state part-way (`snnsim sleep --snapshot-every`, `experiment sleep --durations`).
bool on_rate_bins(const SleepOptions& o, double t_s);

/// Runs sleep on a copy of `awake` and returns the new state (labels cleared: responses changed).
SleepReport sleep(const models::DiehlCookParams& p, const models::NetworkState& awake, const std::vector<double>& mean,
                  const SleepOptions& o, bool record_exc, bool record_inh, const SleepHooks& hooks = {});

}  // namespace snnsim::experiments
