#pragma once
// Counter-based random streams (Philox4x32-10, Random123). A stream is fully named by
// (master seed, purpose, major, minor): e.g. (seed, input spikes, presentation, pixel). Nothing
// depends on the order in which streams are used, so any thread count, and a resumed run, draws
// exactly the same numbers.
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace snnsim::sim {

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::uint32_t purpose, std::uint32_t major, std::uint32_t minor = 0) {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    ctr_ = {{0, minor, major, purpose}};
  }

  std::uint32_t next_u32() {
    if (used_ == 4) {
      block_ = philox_(ctr_, key_);
      ++ctr_.v[0];
      used_ = 0;
    }
    return block_.v[used_++];
  }

  /// Uniform in the open interval (0, 1), 53 random bits.
  double uniform() {
    const std::uint64_t hi = next_u32() >> 5;  // 27 bits
    const std::uint64_t lo = next_u32() >> 6;  // 26 bits
    return (static_cast<double>((hi << 26) | lo) + 0.5) * (1.0 / 9007199254740992.0);
  }

  /// Uniform in [a, b).
  double uniform(double a, double b) { return a + (b - a) * uniform(); }

  /// Standard normal by Box-Muller (our own, so results do not depend on the C++ library).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

  /// Integer in [0, n), n > 0 (multiply-shift; bias below 2^-32, irrelevant here).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next_u32()) * n) >> 32);
  }

 private:
  r123::Philox4x32 philox_;
  r123::Philox4x32::key_type key_;
  r123::Philox4x32::ctr_type ctr_;
  r123::Philox4x32::ctr_type block_{};
  int used_ = 4;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace snnsim::sim
