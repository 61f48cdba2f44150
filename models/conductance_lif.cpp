#include "conductance_lif.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "lif_integrate.hpp"

namespace snnsim::models {
void validate(const LifParams& p, const std::string& prefix) {
  auto positive = [&](double x, const char* name) {
    if (!(x > 0.0) || !std::isfinite(x)) throw std::invalid_argument(prefix + name + " must be positive");
  };
  auto non_negative = [&](double x, const char* name) {
    if (!(x >= 0.0) || !std::isfinite(x)) throw std::invalid_argument(prefix + name + " must be >= 0");
  };
  auto finite = [&](double x, const char* name) {
    if (!std::isfinite(x)) throw std::invalid_argument(prefix + name + " must be finite");
  };
  positive(p.tau_m_ms, "tau_m_ms");
  positive(p.tau_ge_ms, "tau_ge_ms");
  positive(p.tau_gi_ms, "tau_gi_ms");
  positive(p.tau_theta_ms, "tau_theta_ms");
  non_negative(p.refractory_ms, "refractory_ms");
  non_negative(p.spike_block_ms, "spike_block_ms");
  positive(p.leak_gain, "leak_gain");
  non_negative(p.theta_plus_mV, "theta_plus_mV");
  for (auto [x, n] : {std::pair{p.v_rest_mV, "v_rest_mV"}, {p.v_reset_mV, "v_reset_mV"}, {p.v_thresh_mV, "v_thresh_mV"},
                      {p.e_exc_mV, "e_exc_mV"}, {p.e_inh_mV, "e_inh_mV"}, {p.v_init_mV, "v_init_mV"},
                      {p.theta_init_mV, "theta_init_mV"}, {p.theta_offset_mV, "theta_offset_mV"}})
    finite(x, n);
  if (p.e_inh_mV >= p.e_exc_mV) throw std::invalid_argument(prefix + "e_inh_mV must be below e_exc_mV");
}

bool fires_at_rest(const LifParams& p, double theta_mV) {
  // threshold_base() + theta, as the crossing test computes it (theta is 0 without adaptation).
  const double base = p.v_thresh_mV - p.theta_offset_mV * (p.adaptive_threshold ? 1.0 : 0.0);
  return p.v_rest_mV > base + (p.adaptive_threshold ? theta_mV : 0.0);
}

ConductanceLif::ConductanceLif(std::string name, std::size_t size, const LifParams& params, double dt_ms)
    : Population(std::move(name), size), params_(params) {
  validate(params, this->name() + ".");
  dt_over_tau_ = dt_ms / params.tau_m_ms;
  if (params.integrator == Integrator::forward_euler) {
    // The whole system by forward Euler, as Brian 1 steps it: a spike's conductance then
    // carries the continuous model's charge w * tau (exact decay held over steps gives more).
    for (auto [tau, field] : {std::pair{params.tau_ge_ms, "tau_ge_ms"}, std::pair{params.tau_gi_ms, "tau_gi_ms"},
                              std::pair{params.tau_theta_ms, "tau_theta_ms"}})
      if (tau < dt_ms) throw std::invalid_argument(this->name() + "." + field + " must be >= dt_ms for forward_euler");
    decay_ge_ = 1.0 - dt_ms / params.tau_ge_ms;
    decay_gi_ = 1.0 - dt_ms / params.tau_gi_ms;
    decay_theta_ = 1.0 - dt_ms / params.tau_theta_ms;
  } else {
    decay_ge_ = std::exp(-dt_ms / params.tau_ge_ms);
    decay_gi_ = std::exp(-dt_ms / params.tau_gi_ms);
    decay_theta_ = std::exp(-dt_ms / params.tau_theta_ms);
  }
  refractory_steps_ = static_cast<sim::Step>(std::llround(params.refractory_ms / dt_ms));
  block_steps_ = static_cast<sim::Step>(std::llround(params.spike_block_ms / dt_ms));
  theta_.assign(size, params.adaptive_threshold ? params.theta_init_mV : 0.0);
  reset_dynamics();
}

void ConductanceLif::reset_dynamics() {
  Population::reset_dynamics();
  v_.assign(size(), params_.v_init_mV);
  ge_.assign(size(), 0.0);
  gi_.assign(size(), 0.0);
  refractory_until_.assign(size(), std::numeric_limits<sim::Step>::min());
  blocked_until_.assign(size(), std::numeric_limits<sim::Step>::min());
}

void ConductanceLif::rest() {
  reset_dynamics();
  std::fill(v_.begin(), v_.end(), params_.v_rest_mV);
}

void ConductanceLif::set_parallelism(const sim::Parallelism& p) {
  parts_.assign(static_cast<std::size_t>(p.parts(size())), Part{});
}

void ConductanceLif::update(sim::Step now) {
  for (int p = 0; p < parts(); ++p) update_part(now, p);
  finish_update(now);
}

void ConductanceLif::update_part(sim::Step now, int part) {
  const std::size_t lo = sim::range_begin(size(), parts(), part), hi = sim::range_begin(size(), parts(), part + 1);
  const std::size_t m = hi - lo;
  const double k_leak = params_.leak_gain, e_rest = params_.v_rest_mV, e_exc = params_.e_exc_mV,
               e_inh = params_.e_inh_mV, v_reset = params_.v_reset_mV, a = dt_over_tau_;
  double* v = v_.data() + lo;
  double* ge = ge_.data() + lo;
  double* gi = gi_.data() + lo;
  double* theta = theta_.data() + lo;
  const auto decay = ConductanceDecay::of(decay_ge_, decay_gi_);
  const ThresholdStep threshold{theta, refractory_until_.data() + lo, now, v_reset, threshold_base(), decay_theta_,
                                params_.adaptive_threshold && theta_plastic_};
  auto& spikes = parts_[static_cast<std::size_t>(part)].spikes;
  spikes.clear();
  if (params_.integrator == Integrator::exponential_euler) {
    if (update_exponential_euler(m, v, ge, gi, MembraneConstants{k_leak, e_rest, e_exc, e_inh, a}, decay, threshold))
      spike_pass(now, lo, hi, spikes);
    return;
  }
#pragma omp simd
  for (std::size_t i = 0; i < m; ++i) {
    v[i] += a * (k_leak * (e_rest - v[i]) + ge[i] * (e_exc - v[i]) + gi[i] * (e_inh - v[i]));
    ge[i] = decayed(ge[i], decay.ge, decay.ge_flush_below);
    gi[i] = decayed(gi[i], decay.gi, decay.gi_flush_below);
  }
  if (threshold.decay_theta) decay_thresholds(m, theta, decay_theta_);
  // Puts refractory neurons back at reset and reports whether anyone crossed.
  if (clamp_refractory_and_find_crossings(m, v, theta, threshold.refractory_until, now, v_reset, threshold.base))
    spike_pass(now, lo, hi, spikes);
}

// The parts' spikes in part order: ids ascending, whatever the thread count.
void ConductanceLif::finish_update(sim::Step /*now*/) {
  spikes_.clear();
  for (const auto& p : parts_) spikes_.insert(spikes_.end(), p.spikes.begin(), p.spikes.end());
}

// Threshold pass over one part, in id order. Each neuron's reset, refractory time and theta
// step depend on that neuron alone, so splitting the pass by part changes no number.
void ConductanceLif::spike_pass(sim::Step now, std::size_t lo, std::size_t hi, std::vector<sim::NeuronId>& out) {
  const bool adapt_theta = params_.adaptive_threshold && theta_plastic_;
  const double v_reset = params_.v_reset_mV, base = threshold_base();
  double* v = v_.data();
  double* theta = theta_.data();
  const sim::Step* refr = refractory_until_.data();
  for (std::size_t i = lo; i < hi; ++i) {
    if (now < refr[i]) continue;  // clamped above
    if (v[i] > base + theta[i] && now >= blocked_until_[i]) {
      out.push_back(static_cast<sim::NeuronId>(i));
      v[i] = v_reset;
      // As in Brian: refractory while t < t_spike + refractory, so with 5 ms at dt 0.5 ms the
      // next spike can come 10 steps later.
      refractory_until_[i] = now + refractory_steps_;
      blocked_until_[i] = now + block_steps_;
      if (adapt_theta) theta[i] += params_.theta_plus_mV;
    }
  }
}

std::string ConductanceLif::check_state() const {
  for (std::size_t i = 0; i < size(); ++i) {
    if (!std::isfinite(v_[i])) return "membrane potential of neuron " + std::to_string(i) + " is not finite";
    if (!std::isfinite(theta_[i])) return "theta of neuron " + std::to_string(i) + " is not finite";
    if (!std::isfinite(ge_[i]) || !std::isfinite(gi_[i]))
      return "conductance of neuron " + std::to_string(i) + " is not finite";
  }
  return {};
}

}  // namespace snnsim::models
