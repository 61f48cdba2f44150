#include "diehl_cook.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/rng.hpp"

namespace snnsim::models {

LifParams DiehlCookParams::exc_defaults() {
  LifParams p;  // the LifParams defaults are the D&C excitatory values
  p.adaptive_threshold = true;
  return p;
}

LifParams DiehlCookParams::inh_defaults() {
  LifParams p;
  p.tau_m_ms = 10.0;
  p.v_rest_mV = -60.0;
  p.v_reset_mV = -45.0;
  p.v_thresh_mV = -40.0;
  p.e_inh_mV = -85.0;
  p.refractory_ms = 2.0;
  p.v_init_mV = -100.0;
  p.adaptive_threshold = false;
  p.theta_init_mV = 0.0;
  p.theta_offset_mV = 0.0;
  return p;
}

void validate(const DiehlCookParams& p) {
  auto fail = [](const std::string& field, const std::string& why) {
    throw std::invalid_argument(field + " " + why);
  };
  if (p.n_input == 0 || p.n_input > 65536) fail("n_input", "must be in 1..65536");
  if (p.n_exc == 0 || p.n_exc > InputExcProjection::kMaxTargets)
    fail("n_exc", "must be in 1.." + std::to_string(InputExcProjection::kMaxTargets) +
                      " (the input projection indexes targets with 16 bits)");
  if (!(p.dt_ms > 0.0 && p.dt_ms <= 10.0)) fail("dt_ms", "must be in (0, 10]");
  if (!(p.t_present_ms > 0.0 && p.t_present_ms <= 1e5)) fail("t_present_ms", "must be in (0, 1e5]");
  if (!(p.t_rest_ms >= 0.0 && p.t_rest_ms <= 1e5)) fail("t_rest_ms", "must be in [0, 1e5]");
  if (!(p.delay_max_ms >= 0.0) || p.delay_max_ms / p.dt_ms > 250.0)
    fail("delay_max_ms", "must be >= 0 and below 250 steps");
  if (!(p.weight_norm_total > 0.0)) fail("weight_norm_total", "must be positive");
  if (!(p.w_exc_inh >= 0.0)) fail("w_exc_inh", "must be >= 0");
  if (!(p.w_inh_exc >= 0.0)) fail("w_inh_exc", "must be >= 0");
  if (!(p.w_init_scale >= 0.0) || !(p.w_init_offset >= 0.0)) fail("w_init_scale", "and w_init_offset must be >= 0");
  if (!(p.input_rate_per_intensity_Hz >= 0.0)) fail("input_rate_per_intensity_Hz", "must be >= 0");
  if (!(p.input_intensity_start > 0.0)) fail("input_intensity_start", "must be positive");
  if (!(p.input_intensity_step >= 0.0)) fail("input_intensity_step", "must be >= 0");
  if (p.max_tries < 1 || p.max_tries > 64) fail("max_tries", "must be in 1..64");
  if (p.frozen_chain_images < 1) fail("frozen_chain_images", "must be at least 1");
  if (!(p.input_exc_gain >= 0.0) || !(p.inh_exc_gain >= 0.0)) fail("input_exc_gain", "and inh_exc_gain must be >= 0");
  const auto& s = p.stdp;
  if (!(s.tau_pre_ms > 0 && s.tau_post1_ms > 0 && s.tau_post2_ms > 0)) fail("stdp tau", "values must be positive");
  if (!(s.nu_pre >= 0 && s.nu_post >= 0)) fail("nu_pre", "and nu_post must be >= 0");
  if (!(s.w_max > s.w_min)) fail("w_max", "must exceed w_min");
  validate(p.exc, "exc_");
  validate(p.inh, "inh_");
}

std::size_t count_fire_at_rest(const DiehlCookParams& p, const NetworkState& s) {
  std::size_t n = 0;
  for (double theta : s.theta_mV) n += fires_at_rest(p.exc, theta);
  return n;
}

LabelCounts count_labels(const NetworkState& s) {
  LabelCounts c;
  for (std::size_t j = 0; j < s.labels.size(); ++j) {
    if (s.labels[j] >= 0) {
      ++c.labelled;
      continue;
    }
    bool fired = false;
    for (std::size_t k = j * 10; k < j * 10 + 10 && k < s.class_rate_Hz.size(); ++k) fired |= s.class_rate_Hz[k] != 0.0f;
    ++(fired ? c.flat : c.silent);
  }
  return c;
}

NetworkState initial_state(const DiehlCookParams& p, std::uint64_t seed) {
  validate(p);
  NetworkState s;
  s.n_input = p.n_input;
  s.n_exc = p.n_exc;
  const std::size_t n = p.n_input * p.n_exc;
  s.weights.resize(n);
  s.delay_steps.resize(n);
  sim::RandomStream wr(seed, kStreamInitWeights, 0), dr(seed, kStreamInitDelays, 0);
  for (std::size_t k = 0; k < n; ++k) {
    s.weights[k] = static_cast<float>((wr.uniform() + p.w_init_offset) * p.w_init_scale);
    // Brian rounds a delay to whole steps and acts on the step after; so do we (>= 1 step).
    const double d_ms = p.delay_max_ms > 0.0 ? dr.uniform(0.0, p.delay_max_ms) : 0.0;
    s.delay_steps[k] = static_cast<std::uint8_t>(1 + std::llround(d_ms / p.dt_ms));
  }
  s.theta_mV.assign(p.n_exc, p.exc.adaptive_threshold ? p.exc.theta_init_mV : 0.0);
  return s;
}

DiehlCookNetwork::DiehlCookNetwork(const DiehlCookParams& p, const NetworkState& s, std::uint64_t seed)
    : p_(p), engine_(p.dt_ms) {
  validate(p);
  if (s.n_input != p.n_input || s.n_exc != p.n_exc || s.weights.size() != p.n_input * p.n_exc ||
      s.delay_steps.size() != s.weights.size() || s.theta_mV.size() != p.n_exc)
    throw std::invalid_argument("network state does not match n_input x n_exc = " + std::to_string(p.n_input) + " x " +
                                std::to_string(p.n_exc));
  input_ = &engine_.add_population<sim::PoissonSource>("input", p.n_input, p.dt_ms, seed);
  exc_ = &engine_.add_population<ConductanceLif>("exc", p.n_exc, p.exc, p.dt_ms);
  inh_ = &engine_.add_population<ConductanceLif>("inh", p.n_exc, p.inh, p.dt_ms);
  input_exc_ = &engine_.add_projection<InputExcProjection>("input_to_exc", *input_, *exc_, sim::Receptor::excitatory,
                                                            s.weights, s.delay_steps,
                                                            DiehlCookStdp(p.stdp, p.dt_ms, p.n_exc));
  exc_inh_ = &engine_.add_projection<sim::OneToOneProjection>("exc_to_inh", *exc_, *inh_, sim::Receptor::excitatory,
                                                               p.w_exc_inh, 1);
  inh_exc_ = &engine_.add_projection<sim::AllButSelfProjection>("inh_to_exc", *inh_, *exc_,
                                                                 sim::Receptor::inhibitory, p.w_inh_exc, 1);
  input_exc_->set_gain(p.input_exc_gain);
  inh_exc_->set_gain(p.inh_exc_gain);
  exc_counter_ = &engine_.add_observer<sim::SpikeCounter>(*exc_);
  exc_recorder_ = &engine_.add_observer<sim::SpikeRecorder>(*exc_);
  inh_recorder_ = &engine_.add_observer<sim::SpikeRecorder>(*inh_);
  exc_->theta_mV() = s.theta_mV;
  presentations_ = s.presentations;
  t_sim_ms_ = s.t_sim_ms;
  present_steps_ = engine_.steps_for_ms(p.t_present_ms);
  rest_steps_ = engine_.steps_for_ms(p.t_rest_ms);
  zero_rates_.assign(p.n_input, 0.0);
}

NetworkState DiehlCookNetwork::state(const NetworkState& like) const {
  NetworkState s;
  s.n_input = p_.n_input;
  s.n_exc = p_.n_exc;
  auto w = input_exc_->weights();
  s.weights.assign(w.begin(), w.end());
  auto d = input_exc_->delays();
  s.delay_steps.assign(d.begin(), d.end());
  s.theta_mV = exc_->theta_mV();
  s.labels = like.labels;
  s.class_rate_Hz = like.class_rate_Hz;
  s.samples_seen = like.samples_seen;
  s.presentations = presentations_;
  s.t_sim_ms = t_sim_ms_ + static_cast<double>(engine_.now()) * p_.dt_ms;
  return s;
}

void DiehlCookNetwork::set_learning(bool on) {
  input_exc_->set_learning(on);
  exc_->set_theta_plastic(on);
}

void DiehlCookNetwork::normalize_weights() { input_exc_->scale_columns_to_sum(p_.weight_norm_total); }

void DiehlCookNetwork::image_rates(std::span<const std::uint8_t> image, double intensity,
                                   std::vector<double>& rates_Hz) const {
  rates_Hz.resize(image.size());
  const double scale = p_.input_rate_per_intensity_Hz * intensity;
  for (std::size_t i = 0; i < image.size(); ++i) rates_Hz[i] = image[i] * scale;
}

const std::vector<std::uint32_t>& DiehlCookNetwork::present(std::span<const double> rates_Hz, std::uint32_t purpose,
                                                            std::uint32_t stream_major, bool with_rest) {
  const sim::Step t0 = engine_.now();
  input_->schedule(rates_Hz, t0, t0 + present_steps_, purpose, stream_major);
  exc_counter_->clear();
  exc_counter_->enable(true);
  engine_.advance(present_steps_);
  exc_counter_->enable(false);
  input_->silence();
  if (with_rest)
    engine_.advance(rest_steps_);
  return exc_counter_->counts();
}

void DiehlCookNetwork::run_input(std::span<const double> rates_Hz, sim::Step steps, std::uint32_t purpose,
                                 std::uint32_t stream_major) {
  const sim::Step t0 = engine_.now();
  input_->schedule(rates_Hz, t0, t0 + steps, purpose, stream_major);
  exc_counter_->enable(true);
  engine_.advance(steps);
  exc_counter_->enable(false);
  input_->silence();
}

void DiehlCookNetwork::rest() {
  engine_.reset_dynamics();
  exc_->rest();
  inh_->rest();
}

DynamicState DiehlCookNetwork::dynamic_state() const {
  DynamicState d;
  d.now = engine_.now();
  d.exc_v = exc_->v_mV();
  d.exc_ge = exc_->ge();
  d.exc_gi = exc_->gi();
  d.exc_refractory_until = exc_->refractory_until();
  d.exc_blocked_until = exc_->blocked_until();
  d.inh_v = inh_->v_mV();
  d.inh_ge = inh_->ge();
  d.inh_gi = inh_->gi();
  d.inh_refractory_until = inh_->refractory_until();
  d.inh_blocked_until = inh_->blocked_until();
  d.stdp_last_post = input_exc_->plasticity().last_post();
  d.input_spike_history = input_exc_->spike_history();
  const auto& projections = engine_.projections();
  for (std::size_t k = 0; k < projections.size(); ++k)
    for (const auto& [step, id] : projections[k]->in_flight()) {
      d.in_flight_projection.push_back(static_cast<std::uint8_t>(k));
      d.in_flight_step.push_back(step);
      d.in_flight_id.push_back(id);
    }
  return d;
}

void DiehlCookNetwork::restore_dynamic(const DynamicState& d) {
  const std::size_t n = p_.n_exc;
  for (const auto* v : {&d.exc_v, &d.exc_ge, &d.exc_gi, &d.inh_v, &d.inh_ge, &d.inh_gi})
    if (v->size() != n) throw std::invalid_argument("dynamic state: neuron arrays must have n_exc entries");
  for (const auto* v : {&d.exc_refractory_until, &d.exc_blocked_until, &d.inh_refractory_until, &d.inh_blocked_until,
                        &d.stdp_last_post})
    if (v->size() != n) throw std::invalid_argument("dynamic state: per-neuron step arrays must have n_exc entries");
  if (d.in_flight_step.size() != d.in_flight_id.size() || d.in_flight_step.size() != d.in_flight_projection.size())
    throw std::invalid_argument("dynamic state: in-flight arrays differ in length");
  input_exc_->set_spike_history(d.input_spike_history);
  t_sim_ms_ -= static_cast<double>(d.now - engine_.now()) * p_.dt_ms;  // keep t_sim continuous
  engine_.set_now(d.now);
  exc_->v_mV() = d.exc_v;
  exc_->ge() = d.exc_ge;
  exc_->gi() = d.exc_gi;
  exc_->refractory_until() = d.exc_refractory_until;
  exc_->blocked_until() = d.exc_blocked_until;
  inh_->v_mV() = d.inh_v;
  inh_->ge() = d.inh_ge;
  inh_->gi() = d.inh_gi;
  inh_->refractory_until() = d.inh_refractory_until;
  inh_->blocked_until() = d.inh_blocked_until;
  input_exc_->plasticity().set_last_post(d.stdp_last_post);
  const auto& projections = engine_.projections();
  std::vector<std::vector<std::pair<sim::Step, sim::NeuronId>>> flights(projections.size());
  for (std::size_t k = 0; k < d.in_flight_step.size(); ++k) {
    if (d.in_flight_projection[k] >= projections.size()) throw std::invalid_argument("dynamic state: bad projection index");
    flights[d.in_flight_projection[k]].emplace_back(d.in_flight_step[k], d.in_flight_id[k]);
  }
  for (std::size_t k = 0; k < projections.size(); ++k) projections[k]->restore_in_flight(flights[k]);
}

void DiehlCookNetwork::check_state() const {
  for (const auto& pop : engine_.populations()) {
    auto problem = pop->check_state();
    if (!problem.empty()) throw std::runtime_error(pop->name() + ": " + problem);
  }
}

}  // namespace snnsim::models
