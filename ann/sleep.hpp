#pragma once
// Sleep Replay Consolidation (Tadros et al. 2022), MATLAB semantics (sleep/sleepnn_old.m,
// utils/normalize_nn_data.m, utils/create_masked_input.m) as the reference mode, with the
// Python replica's departures as switches. See docs/src.md.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ann/net.hpp"

namespace snnsim::ann {

enum class Gate {
  matlab,   // g(w) = 2 / (1 + exp(1000 w)): steep, decreasing, g(0) = 1
  logistic  // replica: torch.sigmoid(w) = 1 / (1 + exp(-w))
};

enum class SleepInput {
  window,  // MATLAB: the mean image, zero outside a random window (new window every step)
  pixels   // replica (later version): a random fraction of the pixels of the mean image
};

struct SleepParams {
  double max_rate = 239.515363;
  double inc = 0.032064;
  double dec = 0.003344;
  std::vector<double> beta{14.548273, 44.560317, 38.046326};
  double alpha_scale = 55.882454;
  double dt = 0.001;
  double threshold = 1.0;
  double decay = 0.999;
  double w_inh = 0.0;  // impulse -= mean(impulse) * w_inh
  Gate gate = Gate::matlab;
  SleepInput input = SleepInput::window;
  int window = 11;              // MATLAB mask_size 10 with an inclusive range = 11 pixels
  double pixel_fraction = 0.25; // SleepInput::pixels
  int steps_base = 15000;       // T_k = steps_base + steps_per_task * (k - 1)
  int steps_per_task = 5000;
  std::vector<double> fixed_alpha;  // non-empty: use these alphas (replica) instead of the recursion
  bool norm_w = false;              // MATLAB normW option (off in all published runs)
  double gamma = 1.0;

  int steps_for_task(int k) const { return steps_base + steps_per_task * (k - 1); }  // k is 1-based
};

/// g(w) of the chosen gate, in double (the reference the float kernel is tested against).
double gate_value(Gate g, double w);

/// alpha_l of the data-based normalisation: s_l = max(max(0, W_l), max activation of layer
/// l+1 over X in test mode); f_0 = 1, f_l = s_l / f_{l-1}; alpha_l = alpha_scale / f_l.
/// `s_out`, when given, receives the s_l.
std::vector<double> data_alpha(const Net& net, const Mat& X, double alpha_scale, std::vector<double>* s_out = nullptr);
/// The same recursion from given s_l (exposed for tests).
std::vector<double> alpha_from_scales(const std::vector<double>& s, double alpha_scale);

struct SleepStats {
  std::vector<double> alpha;
  int steps = 0;
  std::vector<std::int64_t> spikes;                   // per layer (0 = input), summed over all steps
  std::vector<std::vector<std::int64_t>> sum_spikes;  // per layer, per neuron
  double seconds = 0;
};

/// Observer called every `every` steps (and at step 0 and at the end) with the step count
/// done so far. Runs outside the parallel region, so it may evaluate the network.
struct SleepObserver {
  int every = 0;
  std::function<void(int step, const Net&)> fn;
};

/// The replica's input (utils/sleep.py): every step's image is the mean of `count` rows of
/// `*pool` drawn with replacement, a new draw each step, instead of one image for the whole sleep.
struct StepSample {
  const Mat* pool = nullptr;
  int count = 0;
  bool active() const { return pool != nullptr && count > 0; }
};

/// Runs `steps` steps of sleep on `net` in place. `mean_image` is the mean input of the data
/// pool (length sizes[0]), unused when `per_step` is active; the input is 28x28 when the window
/// mode is used. Draws are keyed by (seed, sleep_id, step, pixel or sample), so results do not
/// depend on threads.
SleepStats sleep(Net& net, const SleepParams& p, const std::vector<double>& alpha, const Vec& mean_image, int steps,
                 std::uint64_t seed, std::uint32_t sleep_id, const std::vector<SleepObserver>& observers = {},
                 const StepSample& per_step = {});

/// One sleep step on given input spikes, exposed for tests: updates membranes `v` (one vector
/// per non-input layer) and weights; returns the spike vectors of every layer (0 = input).
std::vector<std::vector<std::uint8_t>> sleep_step(Net& net, const SleepParams& p, const std::vector<double>& alpha,
                                                  std::vector<Vec>& v, const std::vector<std::uint8_t>& input_spikes);

/// Mean over the post neurons of W[0] (one value per input pixel): the "synaptic snapshot".
std::vector<float> synaptic_snapshot(const Net& net);

/// Stable rank (||W||_F / ||W||_2)^2, with ||W||_2 from power iteration on W^T W.
double stable_rank(const Mat& W);

}  // namespace snnsim::ann
