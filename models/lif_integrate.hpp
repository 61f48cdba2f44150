#pragma once
// The membrane step of a range of conductance-based LIF neurons (exponential Euler, relax.hpp)
// together with the decay of their conductances: the hot loop of every neuron update. Two
// versions with the same bits: a portable one that GCC vectorises (cloned for AVX2 and
// AVX-512), and one written with AVX-512 intrinsics, chosen at run time where the CPU has it,
// because GCC's vectorisation of the per-block tests (below) costs more than the step itself.
#include <cstddef>
#include <limits>

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

/// v[i] takes one step with ge[i], gi[i] held, then ge[i] and gi[i] decay, for i < n.
void integrate_exponential_euler(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                                 const ConductanceDecay& d);

namespace detail {
/// The two versions integrate_exponential_euler chooses between, for the test that they agree.
/// The AVX-512 one exists on x86-64 builds and may be called only where
/// sim::avx512_scatter_available().
void integrate_exponential_euler_portable(std::size_t n, double* v, double* ge, double* gi,
                                          const MembraneConstants& c, const ConductanceDecay& d);
void integrate_exponential_euler_avx512(std::size_t n, double* v, double* ge, double* gi,
                                        const MembraneConstants& c, const ConductanceDecay& d);
}  // namespace detail

}  // namespace snnsim::models
