#pragma once
// The membrane step of a range of conductance-based LIF neurons (exponential Euler, relax.hpp)
// together with the decay of their conductances: the hot loop of every neuron update. Two
// versions with the same bits: a portable one that GCC vectorises (cloned for AVX2), and one
// written with AVX-512 intrinsics (F, BW, VL), chosen at run time where the CPU has it,
// because GCC's vectorisation of the per-block tests (below) costs more than the step itself.
#include <cstddef>
#include <limits>

#include "sim/types.hpp"

namespace snnsim::models {

/// The membrane equation's constants: tau_m dv/dt = k_leak (e_rest - v) + ge (e_exc - v) +
/// gi (e_inh - v), and a = dt / tau_m.
struct MembraneConstants {
  double k_leak, e_rest, e_exc, e_inh, a;
};

/// Per-step conductance decay factors, and DBL_MIN / factor: a conductance below that would
/// become subnormal and is set to 0 instead. Subnormal operands cost Intel cores a microcode
/// assist per vector instruction (on the order of 100 cycles), and an inhibitory neuron's
/// conductance passes through that range for 70 steps after every spike of its partner: that
/// once made integration half of training time. Flushing does not change v: next to k_leak
/// and k_leak * e_rest a conductance below DBL_MIN is lost in rounding.
struct ConductanceDecay {
  double ge, gi, ge_flush_below, gi_flush_below;
  static ConductanceDecay of(double decay_ge, double decay_gi) {
    constexpr double kMinNormal = std::numeric_limits<double>::min();
    return {decay_ge, decay_gi, kMinNormal / decay_ge, kMinNormal / decay_gi};
  }
};

inline double decayed(double g, double decay, double flush_below) { return g >= flush_below ? g * decay : 0.0; }

/// What follows the membrane step: theta decays (when decay_theta), refractory neurons are put
/// back at reset, and the others are tested against their thresholds base + theta.
struct ThresholdStep {
  double* theta;
  const sim::Step* refractory_until;
  sim::Step now;
  double v_reset, base, theta_factor;
  bool decay_theta;
};

/// theta[i] *= factor for i < n.
void decay_thresholds(std::size_t n, double* theta, double factor);

/// The refractory clamp and the threshold test of ThresholdStep for i < n (theta as it is):
/// whether any neuron that is not refractory is above its threshold. Branch-free so that it
/// vectorises: in most steps nobody crosses, and the serial spike pass is skipped.
bool clamp_refractory_and_find_crossings(std::size_t n, double* v, const double* theta,
                                         const sim::Step* refractory_until, sim::Step now, double v_reset,
                                         double base);

/// One exponential-Euler membrane step of v[i] with ge[i], gi[i] held, then ge[i] and gi[i]
/// decay, then decay_thresholds (when t.decay_theta) and clamp_refractory_and_find_crossings,
/// for i < n; in one pass over the neurons where the CPU has AVX-512 (one load and store of
/// each array instead of up to three). Returns whether anyone crossed.
bool update_exponential_euler(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                              const ConductanceDecay& d, const ThresholdStep& t);

namespace detail {
/// The versions update_exponential_euler chooses between, for the test that they agree. The
/// AVX-512 one exists on x86-64 builds and may be called only where
/// sim::avx512_kernels_available().
bool update_exponential_euler_portable(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                                       const ConductanceDecay& d, const ThresholdStep& t);
bool update_exponential_euler_avx512(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                                     const ConductanceDecay& d, const ThresholdStep& t);
}  // namespace detail

}  // namespace snnsim::models
