#pragma once
// Counter-based random numbers (Philox4x32-10 from Random123). Every random draw of the ANN
// code is a pure function of (seed, stream, counter), so results never depend on the number
// of OpenMP threads or on the order in which threads reach their draws.
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace snnsim::ann {

/// Named streams so that different uses of one seed never share counters.
enum class Stream : std::uint32_t {
  init = 1,
  shuffle = 2,
  dropout = 3,
  sleep_input = 4,
  sleep_window = 5,
  noise = 6,
  subset = 7,
  tune = 8,
  sleep_sample = 9,
};

/// Four 32-bit words for one (seed, stream, c0, c1, c2) point.
inline r123::Philox4x32::ctr_type philox(std::uint64_t seed, Stream s, std::uint32_t c0, std::uint32_t c1,
                                         std::uint32_t c2) {
  r123::Philox4x32 gen;
  r123::Philox4x32::key_type k = {{static_cast<std::uint32_t>(seed),
                                   static_cast<std::uint32_t>(seed >> 32) ^ (static_cast<std::uint32_t>(s) << 24)}};
  r123::Philox4x32::ctr_type c = {{c0, c1, c2, static_cast<std::uint32_t>(s)}};
  return gen(c, k);
}

/// Uniform in [0, 1) with 24 random bits (exactly representable as float).
inline float u01f(std::uint32_t x) { return static_cast<float>(x >> 8) * (1.0f / 16777216.0f); }
/// Uniform in (0, 1] with 53 bits built from two words (never 0: safe for log()).
inline double u01d_open0(std::uint32_t hi, std::uint32_t lo) {
  std::uint64_t v = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return (static_cast<double>(v & ((1ull << 53) - 1)) + 1.0) * (1.0 / 9007199254740992.0);
}

/// Sequential generator over one stream: draw k is word k%4 of block k/4 (64-bit block index).
class PhiloxStream {
 public:
  PhiloxStream(std::uint64_t seed, Stream s, std::uint32_t sub = 0) : seed_(seed), s_(s), sub_(sub) {}
  std::uint32_t next() {
    if (pos_ == 4) {
      block_ = philox(seed_, s_, static_cast<std::uint32_t>(n_), static_cast<std::uint32_t>(n_ >> 32), sub_);
      ++n_;
      pos_ = 0;
    }
    return block_.v[pos_++];
  }
  /// Unbiased integer in [0, n) (Lemire's multiply-shift with rejection).
  std::uint32_t below(std::uint32_t n) {
    std::uint64_t m = static_cast<std::uint64_t>(next()) * n;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n) {
      std::uint32_t t = (0u - n) % n;
      while (low < t) {
        m = static_cast<std::uint64_t>(next()) * n;
        low = static_cast<std::uint32_t>(m);
      }
    }
    return static_cast<std::uint32_t>(m >> 32);
  }
  float uniform() { return u01f(next()); }
  double normal() {  // Box-Muller, one value per call (the second is discarded for simplicity)
    double u1 = u01d_open0(next(), next());
    double u2 = u01d_open0(next(), next());
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t seed_;
  Stream s_;
  std::uint32_t sub_;
  std::uint64_t n_ = 0;
  unsigned pos_ = 4;
  r123::Philox4x32::ctr_type block_{};
};

}  // namespace snnsim::ann
