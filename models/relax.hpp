#pragma once
// One exponential-Euler step of a conductance-based membrane with g held over the step:
//   v' = v_inf + (v - v_inf) e^-x,  v_inf = num / g_total,  x = a g_total,  a = dt / tau_m,
// which is the same as
//   v' = v + a phi(x) (num - g_total v),  phi(x) = (1 - e^-x) / x.
// The second form needs neither a division nor an exponential: phi is a short power series
// for the small x of a membrane step (a g_total is 0.005-0.1 for a driven excitatory neuron at
// dt 0.5 ms), so it costs about half of the first. Both forms are pure arithmetic with one
// rounding per operation (no FMA contraction: CMakeLists.txt), so every vector width and
// thread gives the same bits.
#include "fast_exp.hpp"

namespace snnsim::models {

/// relax_poly is used for 0 <= x <= kRelaxPolyMax. There the series' truncation error,
/// x^12 / 13! < 1e-17 relative to phi(x) > 0.88, is far below the rounding of a double.
inline constexpr double kRelaxPolyMax = 0.25;

/// phi(x) = (1 - e^-x) / x = sum_k (-x)^k / (k+1)!, to degree 11, in Estrin form (short
/// dependency chains, so the vector units stay busy). The odd coefficients carry the sign, so
/// no negation is needed; the products are those of -x times positive ones, bit for bit.
/// T is double or a GCC vector of doubles (e.g. __m512d in the AVX-512 kernel), whose
/// operators act lane by lane with a scalar broadcast: every lane does the double's arithmetic.
/// x and the result go by reference: a wide vector passed by value to a function without the
/// AVX-512 target attribute is an ABI error for clang even when the call is inlined.
template <typename T>
[[gnu::always_inline]] inline void relax_phi_into(const T& x, T& phi) {
  const T x2 = x * x, x4 = x2 * x2, x8 = x4 * x4;
  const T p01 = 1.0 + x * (-1.0 / 2.0), p23 = 1.0 / 6.0 + x * (-1.0 / 24.0),
          p45 = 1.0 / 120.0 + x * (-1.0 / 720.0), p67 = 1.0 / 5040.0 + x * (-1.0 / 40320.0),
          p89 = 1.0 / 362880.0 + x * (-1.0 / 3628800.0), pab = 1.0 / 39916800.0 + x * (-1.0 / 479001600.0);
  const T p0_3 = p01 + x2 * p23, p4_7 = p45 + x2 * p67, p8_b = p89 + x2 * pab;
  phi = p0_3 + x4 * p4_7 + x8 * p8_b;
}

/// phi(x) for one double.
[[gnu::always_inline]] inline double relax_phi(double x) {
  double phi;
  relax_phi_into(x, phi);
  return phi;
}

/// The step by the series; x must be a * g_total and within [0, kRelaxPolyMax].
inline double relax_poly(double v, double g_total, double num, double a, double x) {
  return v + (a * relax_phi(x)) * (num - g_total * v);
}

/// The step by v_inf and the exponential, for any x >= 0.
inline double relax_exact(double v, double g_total, double num, double a) {
  const double v_inf = num / g_total;
  return v_inf + (v - v_inf) * exp_nonpositive(-a * g_total);
}

/// The step for one fixed (g_total, num), e.g. a neuron without input, with its constants
/// computed once: the same form and the same bits as relax_poly / relax_exact would give.
struct RelaxConstant {
  bool poly = true;
  double coefficient = 0.0;  // a phi(x), poly form
  double v_inf = 0.0, factor = 0.0;  // exact form

  static RelaxConstant of(double g_total, double num, double a) {
    RelaxConstant c;
    const double x = a * g_total;
    c.poly = x <= kRelaxPolyMax;
    c.coefficient = a * relax_phi(x);
    c.v_inf = num / g_total;
    c.factor = exp_nonpositive(-a * g_total);
    return c;
  }
};

}  // namespace snnsim::models
