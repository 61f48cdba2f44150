#include "conductance_lif.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fast_exp.hpp"
#include "sim/avx2_clones.hpp"

namespace snnsim::models {
namespace {

constexpr double kMinNormal = std::numeric_limits<double>::min();

struct Decay {
  double ge, gi;                          // per-step factors
  double ge_flush_below, gi_flush_below;  // DBL_MIN / factor: below, the product would be subnormal
};

// A decaying conductance that would become subnormal (below DBL_MIN) is set to 0 instead.
// Subnormal operands cost Intel cores a microcode assist per vector instruction (on the order of
// 100 cycles), and an inhibitory neuron's conductance passes through that range for 70 steps
// after every spike of its partner: that once made integration half of training time. Flushing
// does not change v: next to leak_gain and leak_gain * v_rest a conductance below DBL_MIN is
// lost in rounding, so g_total and v_inf come out the same.
inline double decayed(double g, double decay, double flush_below) { return g >= flush_below ? g * decay : 0.0; }

// Over one step v relaxes toward v_inf = num / g_total by exp(-a g_total), with g held. When a
// neuron's conductances are too small to change g_total or num in double precision (always
// true once they are 0), v_inf and the factor are those of a neuron with no input, computed
// once. That holds for most inhibitory neurons most of the time (their only input, from one
// excitatory partner, fades within 40 ms of the partner's spike) and for excitatory ones late
// in the rest between images. A block of 8 such neurons skips the division and the
// exponential, most of a neuron's cost; the test is on the exact values, so no bit changes.
struct Quiet {
  double g_total, num, v_inf, factor;
};

// Neurons [0, m) of a block (m <= kBlock; a constant m lets the compiler vectorise fully).
[[gnu::always_inline]] inline void integrate_block(std::size_t m, double* __restrict v, double* __restrict ge,
                                                   double* __restrict gi, double k_leak, double e_rest, double e_exc,
                                                   double e_inh, double a, const Decay& d, const Quiet& q) {
  constexpr std::size_t kBlock = 8;
  double g_total[kBlock], num[kBlock];
  int driven = 0;
#pragma omp simd reduction(| : driven)
  for (std::size_t k = 0; k < m; ++k) {
    g_total[k] = k_leak + ge[k] + gi[k];
    num[k] = k_leak * e_rest + ge[k] * e_exc + gi[k] * e_inh;
    driven |= static_cast<int>((g_total[k] != q.g_total) | (num[k] != q.num));
  }
  if (driven) {
#pragma omp simd
    for (std::size_t k = 0; k < m; ++k) {
      const double v_inf = num[k] / g_total[k];
      v[k] = v_inf + (v[k] - v_inf) * exp_nonpositive(-a * g_total[k]);
    }
  } else {
#pragma omp simd
    for (std::size_t k = 0; k < m; ++k) v[k] = q.v_inf + (v[k] - q.v_inf) * q.factor;
  }
#pragma omp simd
  for (std::size_t k = 0; k < m; ++k) {
    ge[k] = decayed(ge[k], d.ge, d.ge_flush_below);
    gi[k] = decayed(gi[k], d.gi, d.gi_flush_below);
  }
}

// The hot loop, cloned for AVX-512 and AVX2 where the CPU has them (8 or 4 doubles per
// instruction instead of 2).
SNNSIM_WIDE_CLONES
void integrate_exponential_euler(std::size_t n, double* __restrict v, double* __restrict ge, double* __restrict gi,
                                 double k_leak, double e_rest, double e_exc, double e_inh, double a, Decay d) {
  const double zero = 0.0;
  Quiet q;
  q.g_total = k_leak + zero + zero;
  q.num = k_leak * e_rest + zero * e_exc + zero * e_inh;
  q.v_inf = q.num / q.g_total;
  q.factor = exp_nonpositive(-a * q.g_total);
  constexpr std::size_t kBlock = 8;
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock)
    integrate_block(kBlock, v + i, ge + i, gi + i, k_leak, e_rest, e_exc, e_inh, a, d, q);
  if (i < n) integrate_block(n - i, v + i, ge + i, gi + i, k_leak, e_rest, e_exc, e_inh, a, d, q);
}

// Puts refractory neurons back at reset and tells whether any other neuron is above its
// threshold. Branch-free so that it vectorises: in most steps nobody crosses, and the serial
// spike pass below is skipped.
SNNSIM_WIDE_CLONES
bool clamp_refractory_and_find_crossings(std::size_t n, double* __restrict v, const double* __restrict theta,
                                         const sim::Step* __restrict refractory_until, sim::Step now,
                                         double v_reset, double base) {
  int crossed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool refractory = now < refractory_until[i];
    v[i] = refractory ? v_reset : v[i];
    crossed |= static_cast<int>(!refractory & (v[i] > base + theta[i]));
  }
  return crossed != 0;
}

}  // namespace

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

ConductanceLif::ConductanceLif(std::string name, std::size_t size, const LifParams& params, double dt_ms)
    : Population(std::move(name), size), params_(params) {
  validate(params, this->name() + ".");
  dt_over_tau_ = dt_ms / params.tau_m_ms;
  decay_ge_ = std::exp(-dt_ms / params.tau_ge_ms);
  decay_gi_ = std::exp(-dt_ms / params.tau_gi_ms);
  decay_theta_ = std::exp(-dt_ms / params.tau_theta_ms);
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
  crossed_.assign(static_cast<std::size_t>(p.parts(size())), 0);
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
  const Decay decay{decay_ge_, decay_gi_, kMinNormal / decay_ge_, kMinNormal / decay_gi_};
  if (params_.integrator == Integrator::exponential_euler) {
    integrate_exponential_euler(m, v, ge, gi, k_leak, e_rest, e_exc, e_inh, a, decay);
  } else {
#pragma omp simd
    for (std::size_t i = 0; i < m; ++i) {
      v[i] += a * (k_leak * (e_rest - v[i]) + ge[i] * (e_exc - v[i]) + gi[i] * (e_inh - v[i]));
      ge[i] = decayed(ge[i], decay.ge, decay.ge_flush_below);
      gi[i] = decayed(gi[i], decay.gi, decay.gi_flush_below);
    }
  }
  if (params_.adaptive_threshold && theta_plastic_) {
    const double decay_theta = decay_theta_;
#pragma omp simd
    for (std::size_t i = 0; i < m; ++i) theta[i] *= decay_theta;
  }
  // Puts refractory neurons back at reset and reports whether anyone crossed.
  crossed_[static_cast<std::size_t>(part)] = clamp_refractory_and_find_crossings(
      m, v, theta, refractory_until_.data() + lo, now, v_reset, threshold_base());
}

// Threshold pass: serial and in id order, so the spike list never depends on threads.
void ConductanceLif::finish_update(sim::Step now) {
  spikes_.clear();
  if (std::none_of(crossed_.begin(), crossed_.end(), [](int c) { return c != 0; })) return;
  const std::size_t n = size();
  const bool adapt_theta = params_.adaptive_threshold && theta_plastic_;
  const double v_reset = params_.v_reset_mV, base = threshold_base();
  double* v = v_.data();
  double* theta = theta_.data();
  const sim::Step* refr = refractory_until_.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (now < refr[i]) continue;  // clamped above
    if (v[i] > base + theta[i] && now >= blocked_until_[i]) {
      spikes_.push_back(static_cast<sim::NeuronId>(i));
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
