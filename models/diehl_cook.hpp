#pragma once
// The Diehl & Cook (2015) network as a parameter set plus a builder: 784 Poisson inputs ->
// N adaptive-threshold exc neurons (plastic, delayed) -> N inh neurons (one-to-one) -> back to
// every other exc neuron. Presentation protocol helpers live here too; training, labelling and
// evaluation loops are in experiments/.
#include <cstdint>
#include <span>
#include <vector>

#include "conductance_lif.hpp"
#include "sim/dense_projection.hpp"
#include "sim/engine.hpp"
#include "sim/fixed_projections.hpp"
#include "sim/monitors.hpp"
#include "sim/poisson_source.hpp"
#include "stdp_diehl_cook.hpp"

namespace snnsim::models {

/// Named RNG stream purposes (the 4th Philox counter word).
enum StreamPurpose : std::uint32_t {
  kStreamInitWeights = 1,
  kStreamInitDelays = 2,
  kStreamTrainInput = 3,
  kStreamLabelInput = 4,
  kStreamEvalInput = 5,
  kStreamSleepInput = 6,
  kStreamEvalNoise = 7,
  kStreamShuffle = 8,
};

struct DiehlCookParams {
  std::size_t n_input = 784;
  std::size_t n_exc = 400;
  double dt_ms = 0.5;
  double t_present_ms = 350.0;
  double t_rest_ms = 150.0;
  LifParams exc = exc_defaults();
  LifParams inh = inh_defaults();
  StdpParams stdp{};
  double w_exc_inh = 10.4;  // exc -> its inh partner (conductance, leak units)
  double w_inh_exc = 17.0;  // inh -> every other exc
  double w_init_scale = 0.3;    // initial input weights (U[0,1) + offset) * scale
  double w_init_offset = 0.01;
  double delay_max_ms = 10.0;   // input->exc delays U[0, max) ms, drawn once; 0 = no delays
  double weight_norm_total = 78.0;  // each exc neuron's input weights sum to this before a presentation
  double input_rate_per_intensity_Hz = 1.0 / 8.0;  // rate = pixel * intensity / 8
  double input_intensity_start = 2.0;
  double input_intensity_step = 1.0;
  std::uint32_t min_exc_spikes = 5;  // fewer in the window: raise intensity and present again
  std::uint32_t max_tries = 10;      // cap on presentations per image (1 = no retry)
  // Frozen passes (labelling, testing): images follow each other in chains of this many, each
  // try followed by the rest period and nothing reset in between, as in the authors' test mode;
  // every chain starts at rest, so results do not depend on the thread count. 1 = every image
  // (and every retry) starts from a network put at rest (the default, format 1.0's behaviour).
  std::uint32_t frozen_chain_images = 1;
  // Pathway gains (1 awake; the sleep regime changes them).
  double input_exc_gain = 1.0;
  double inh_exc_gain = 1.0;

  static LifParams exc_defaults();
  static LifParams inh_defaults();
};

/// Throws std::invalid_argument naming the offending field.
void validate(const DiehlCookParams& p);

/// Everything learned: what a run file stores under /network/<state>.
struct NetworkState {
  std::size_t n_input = 0, n_exc = 0;
  std::vector<float> weights;              // [n_input][n_exc], pre-major
  std::vector<std::uint8_t> delay_steps;   // [n_input][n_exc], arrival delay in steps (>= 1)
  std::vector<double> theta_mV;            // [n_exc]
  std::vector<std::int16_t> labels;        // [n_exc], -1 = unassigned; empty until labelled
  std::vector<float> class_rate_Hz;        // [n_exc][10]; empty until labelled
  std::uint64_t samples_seen = 0;          // training images completed
  std::uint64_t presentations = 0;         // presentations run, retries included (input stream counter)
  double t_sim_ms = 0.0;                   // simulated time spent learning
};

/// Everything besides the learned state that an exact resume needs (taken at a sample boundary).
struct DynamicState {
  sim::Step now = 0;
  std::vector<double> exc_v, exc_ge, exc_gi, inh_v, inh_ge, inh_gi;
  std::vector<sim::Step> exc_refractory_until, exc_blocked_until, inh_refractory_until, inh_blocked_until;
  std::vector<sim::Step> stdp_last_post;
  std::vector<sim::Step> input_spike_history;  // [n_input][history length]
  // Spikes still in flight: (projection index, step, source id).
  std::vector<std::uint8_t> in_flight_projection;
  std::vector<sim::Step> in_flight_step;
  std::vector<std::uint32_t> in_flight_id;
};

/// Exc neurons of `s` that fire when put at rest (fires_at_rest): a frozen presentation starts
/// at rest, so each spikes at its start whatever the image.
std::size_t count_fire_at_rest(const DiehlCookParams& p, const NetworkState& s);

/// A labelled state's neurons by outcome: labelled, or unlabelled (-1) because silent (no spike
/// in the labelling pass: every class rate 0) or class-flat (the same nonzero rate for every
/// class). Exact from labels and class rates: a float rate is 0 only when the count was.
struct LabelCounts {
  std::size_t labelled = 0, silent = 0, flat = 0;
};
LabelCounts count_labels(const NetworkState& s);

/// Random initial state: weights (U[0,1)+offset)*scale, delays U[0,max) ms, theta at its start value.
NetworkState initial_state(const DiehlCookParams& p, std::uint64_t seed);

using InputExcProjection = sim::DenseProjection<DiehlCookStdp>;

class DiehlCookNetwork {
 public:
  DiehlCookNetwork(const DiehlCookParams& p, const NetworkState& s, std::uint64_t seed);

  /// Learned state out (weights, theta, counters); labels/class rates are copied from `like`.
  NetworkState state(const NetworkState& like) const;

  /// STDP and theta adaptation on (training, sleep) or off (labelling, testing).
  void set_learning(bool on);
  /// Scales each exc neuron's input weights to sum to weight_norm_total.
  void normalize_weights();
  /// Input rates for one image at the given intensity.
  void image_rates(std::span<const std::uint8_t> image, double intensity, std::vector<double>& rates_Hz) const;
  /// t_present of Poisson input at `rates_Hz`, then t_rest of silence. Returns the exc spike
  /// counts inside the presentation window only.
  /// `with_rest` = false skips the rest (frozen trials that restart from rest anyway).
  const std::vector<std::uint32_t>& present(std::span<const double> rates_Hz, std::uint32_t purpose,
                                            std::uint32_t stream_major, bool with_rest = true);
  /// Runs `steps` with input at `rates_Hz` (used by the sleep regime); counts all exc spikes.
  void run_input(std::span<const double> rates_Hz, sim::Step steps, std::uint32_t purpose, std::uint32_t stream_major);
  /// Put every neuron at rest and drop everything in flight (independent trials).
  void rest();
  DynamicState dynamic_state() const;
  /// Throws std::invalid_argument when sizes do not match this network.
  void restore_dynamic(const DynamicState& d);
  /// Throws std::runtime_error with the guard's message if state went non-finite.
  void check_state() const;

  /// Threads for the work inside each step of training or sleep (large networks only; results
  /// do not depend on it). `min_per_thread`: neurons per thread below which a loop stays serial.
  void set_threads(int threads, std::size_t min_per_thread = sim::Parallelism{}.min_per_thread) {
    engine_.set_parallelism({threads, min_per_thread});
  }
  sim::Engine& engine() { return engine_; }
  const DiehlCookParams& params() const { return p_; }
  ConductanceLif& exc() { return *exc_; }
  ConductanceLif& inh() { return *inh_; }
  sim::PoissonSource& input() { return *input_; }
  InputExcProjection& input_exc() { return *input_exc_; }
  sim::AllButSelfProjection& inh_exc() { return *inh_exc_; }
  sim::SpikeCounter& exc_counter() { return *exc_counter_; }
  sim::SpikeRecorder& exc_recorder() { return *exc_recorder_; }
  sim::SpikeRecorder& inh_recorder() { return *inh_recorder_; }
  std::uint64_t presentations() const { return presentations_; }
  void count_presentation() { ++presentations_; }

 private:
  DiehlCookParams p_;
  sim::Engine engine_;
  sim::PoissonSource* input_;
  ConductanceLif* exc_;
  ConductanceLif* inh_;
  InputExcProjection* input_exc_;
  sim::OneToOneProjection* exc_inh_;
  sim::AllButSelfProjection* inh_exc_;
  sim::SpikeCounter* exc_counter_;
  sim::SpikeRecorder *exc_recorder_, *inh_recorder_;
  std::uint64_t presentations_;
  double t_sim_ms_;
  sim::Step present_steps_, rest_steps_;
  std::vector<double> zero_rates_;
};

}  // namespace snnsim::models
