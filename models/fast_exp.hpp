#pragma once
// exp(x) written so that GCC vectorises it inside neuron loops (glibc's exp is a scalar call
// there unless -ffast-math, which we avoid). Cody-Waite range reduction and a degree-11
// Taylor polynomial: relative error below 1e-14 on [-700, 0]. Pure arithmetic, so the result
// is the same on every thread and for every vector width (CMakeLists.txt sets -ffp-contract=off).
#include <cstdint>
#include <cstring>

namespace snnsim::models {

inline double exp_nonpositive(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 6755399441055744.0;  // 1.5 * 2^52: rounds to an integer in the low bits
  x = x > -700.0 ? x : -700.0;
  const double t = x * kLog2e + kShifter;
  const double k = t - kShifter;
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= ln2/2
  // Degree-11 Taylor polynomial in Estrin form (short dependency chains): truncation error
  // r^12/12! < 6e-15 relative on |r| <= ln2/2.
  const double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const double p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6.0), p45 = 1.0 / 24.0 + r * (1.0 / 120.0),
               p67 = 1.0 / 720.0 + r * (1.0 / 5040.0), p89 = 1.0 / 40320.0 + r * (1.0 / 362880.0),
               pab = 1.0 / 3628800.0 + r * (1.0 / 39916800.0);
  const double p0_3 = p01 + r2 * p23, p4_7 = p45 + r2 * p67, p8_b = p89 + r2 * pab;
  const double p = p0_3 + r4 * p4_7 + r8 * p8_b;
  // 2^k from the integer sitting in t's low mantissa bits.
  std::uint64_t bits;
  std::memcpy(&bits, &t, sizeof bits);
  bits = (bits + 1023u) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

}  // namespace snnsim::models
