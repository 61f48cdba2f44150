// The AVX-512 arrival and normalisation kernels, and the interleaved scalar add_conductance,
// against the plain scalar ones they replace: same
// conductances and weights to the bit, for bucket lengths around the vector width (tails of
// 1..7), weights clipped at both bounds, an exact zero difference, and targets hit by several
// buckets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "models/stdp_diehl_cook.hpp"
#include "sim/cpu_dispatch.hpp"
#include "sim/dense_kernels.hpp"

using namespace snnsim;

namespace {

constexpr std::size_t kTargets = 300;

struct Arrivals {
  std::vector<float> w;
  std::vector<std::uint16_t> post;
  std::vector<sim::Bucket> buckets;
  std::vector<double> depression;
};

// Buckets of every length 0..41 in a shuffled order, each with distinct random targets, laid
// end to end so the last bucket ends at the array's end (a masked tail must not read past it).
Arrivals make_arrivals(unsigned seed) {
  std::mt19937 rng(seed);
  Arrivals a;
  std::vector<std::size_t> lengths(42);
  std::iota(lengths.begin(), lengths.end(), 0);
  std::shuffle(lengths.begin(), lengths.end(), rng);
  std::vector<std::uint16_t> ids(kTargets);
  std::iota(ids.begin(), ids.end(), 0);
  std::uniform_real_distribution<float> weight(-0.05f, 1.05f);
  for (std::size_t n : lengths) {
    a.buckets.push_back({a.post.size(), n});
    std::shuffle(ids.begin(), ids.end(), rng);
    for (std::size_t k = 0; k < n; ++k) {
      a.post.push_back(ids[k]);
      a.w.push_back(weight(rng));
    }
  }
  std::uniform_real_distribution<double> dep(-0.2, 0.2);
  a.depression.resize(kTargets);
  for (auto& d : a.depression) d = dep(rng);
  // A weight equal to its depression gives exactly 0 (the lower bound) after the subtraction.
  a.depression[a.post[3]] = static_cast<double>(a.w[3]);
  return a;
}

std::vector<double> start_conductances() {
  std::vector<double> g(kTargets);
  for (std::size_t j = 0; j < kTargets; ++j) g[j] = 0.01 * static_cast<double>(j % 17);
  return g;
}

// bytes == 0 first: an empty vector's data() may be null, which memcmp must not get.
bool same_bits(const void* a, const void* b, std::size_t bytes) { return bytes == 0 || std::memcmp(a, b, bytes) == 0; }

}  // namespace

TEST(ArrivalKernels, Avx512DeliverAndDepressMatchesScalarBitForBit) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (!sim::avx512_kernels_available()) GTEST_SKIP() << "this CPU has no AVX-512 gathers and scatters";
  for (unsigned seed = 1; seed <= 5; ++seed) {
    Arrivals scalar = make_arrivals(seed), wide = make_arrivals(seed);
    std::vector<double> g_scalar = start_conductances(), g_wide = start_conductances();
    models::detail::deliver_and_depress_scalar(g_scalar.data(), 1.7, scalar.w.data(), scalar.post.data(),
                                               scalar.buckets.data(), scalar.buckets.size(),
                                               scalar.depression.data(), 0.0, 1.0);
    models::detail::deliver_and_depress_avx512(g_wide.data(), 1.7, wide.w.data(), wide.post.data(),
                                               wide.buckets.data(), wide.buckets.size(), wide.depression.data(),
                                               0.0, 1.0);
    EXPECT_TRUE(same_bits(g_scalar.data(), g_wide.data(), g_scalar.size() * sizeof(double))) << "seed " << seed;
    EXPECT_TRUE(same_bits(scalar.w.data(), wide.w.data(), scalar.w.size() * sizeof(float))) << "seed " << seed;
    // The data must exercise both clip bounds and the conductance sums.
    EXPECT_GT(std::count(scalar.w.begin(), scalar.w.end(), 0.0f), 0);
    EXPECT_GT(std::count(scalar.w.begin(), scalar.w.end(), 1.0f), 0);
    EXPECT_NE(g_scalar, start_conductances());
  }
#else
  GTEST_SKIP() << "no AVX-512 kernels in this build";
#endif
}

// An add_conductance version against the plain scalar loop, over five seeds' buckets.
void expect_add_conductance_matches_scalar(decltype(&sim::detail::add_conductance_scalar) kernel) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const Arrivals a = make_arrivals(seed);
    std::vector<double> g_scalar = start_conductances(), g_other = start_conductances();
    sim::detail::add_conductance_scalar(g_scalar.data(), 0.3, a.w.data(), a.post.data(), a.buckets.data(),
                                        a.buckets.size());
    kernel(g_other.data(), 0.3, a.w.data(), a.post.data(), a.buckets.data(), a.buckets.size());
    EXPECT_TRUE(same_bits(g_scalar.data(), g_other.data(), g_scalar.size() * sizeof(double))) << "seed " << seed;
    EXPECT_NE(g_scalar, start_conductances());
  }
}

TEST(ArrivalKernels, Avx512AddConductanceMatchesScalarBitForBit) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (!sim::avx512_kernels_available()) GTEST_SKIP() << "this CPU has no AVX-512 gathers and scatters";
  expect_add_conductance_matches_scalar(&sim::detail::add_conductance_avx512);
#else
  GTEST_SKIP() << "no AVX-512 kernels in this build";
#endif
}

// The interleaved loop (four synapses' loads before their stores) on every CPU: tails of 0..3
// after the groups of four, targets that several buckets hit in turn.
TEST(ArrivalKernels, InterleavedAddConductanceMatchesScalarBitForBit) {
  expect_add_conductance_matches_scalar(&sim::detail::add_conductance_interleaved);
}

TEST(ArrivalKernels, DispatchedDeliverAndDepressDoesTheScalarArithmetic) {
  // Whatever version the CPU selects, one bucket gives the rule's values.
  std::vector<float> w{0.5f, 0.02f, 0.99f};
  const std::vector<std::uint16_t> post{2, 0, 1};
  const std::vector<sim::Bucket> buckets{{0, 3}};
  const std::vector<double> depression{0.05, -0.02, 0.1};
  std::vector<double> g{1.0, 0.0, 0.0};
  models::deliver_and_depress(g.data(), 2.0, w.data(), post.data(), buckets.data(), 1, depression.data(), 0.0, 1.0);
  EXPECT_EQ(g[2], 2.0 * static_cast<double>(0.5f));
  EXPECT_EQ(g[0], 1.0 + 2.0 * static_cast<double>(0.02f));
  EXPECT_EQ(g[1], 2.0 * static_cast<double>(0.99f));
  EXPECT_EQ(w[0], static_cast<float>(static_cast<double>(0.5f) - 0.1));
  EXPECT_EQ(w[1], 0.0f);  // 0.02 - 0.05 clipped at w_min
  EXPECT_EQ(w[2], 1.0f);  // 0.99 + 0.02 clipped at w_max
}

// The normalisation kernels: the AVX-512 versions against the portable loops, bit for bit, for
// every length 0..70 (16-lane body, 8-lane and masked tails), and the portable loops against
// the formula itself.
TEST(NormalisationKernels, GatheredSumAndScaleHaveTheBitsOfTheLoops) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> wd(0.0f, 1.0f);
  std::uniform_real_distribution<double> fd(0.5, 2.0);
  int checked = 0;
  for (std::size_t n = 0; n <= 70; ++n) {
    std::vector<std::uint16_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::uint16_t{0});
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<float> w(n);
    std::vector<double> factor(n), sum0(n);
    for (std::size_t k = 0; k < n; ++k) {
      w[k] = wd(rng);
      factor[k] = fd(rng);
      sum0[k] = fd(rng) * 10.0;
    }
    std::vector<double> want_sum = sum0, sum = sum0;
    sim::detail::add_gathered_portable(sum.data(), w.data(), perm.data(), n);
    for (std::size_t j = 0; j < n; ++j) want_sum[j] += static_cast<double>(w[perm[j]]);
    EXPECT_EQ(sum, want_sum) << "n " << n;
    std::vector<float> want_w = w, scaled = w;
    sim::detail::scale_gathered_portable(scaled.data(), perm.data(), factor.data(), n);
    for (std::size_t k = 0; k < n; ++k) want_w[k] = static_cast<float>(static_cast<double>(w[k]) * factor[perm[k]]);
    EXPECT_EQ(scaled, want_w) << "n " << n;
#if SNNSIM_HAVE_AVX512_KERNELS
    if (sim::avx512_kernels_available()) {
      std::vector<double> wide_sum = sum0;
      sim::detail::add_gathered_avx512(wide_sum.data(), w.data(), perm.data(), n);
      EXPECT_TRUE(same_bits(wide_sum.data(), want_sum.data(), n * sizeof(double))) << "n " << n;
      std::vector<float> wide_w = w;
      sim::detail::scale_gathered_avx512(wide_w.data(), perm.data(), factor.data(), n);
      EXPECT_TRUE(same_bits(wide_w.data(), want_w.data(), n * sizeof(float))) << "n " << n;
      ++checked;
    }
#endif
  }
#if SNNSIM_HAVE_AVX512_KERNELS
  if (sim::avx512_kernels_available()) {
    EXPECT_EQ(checked, 71);
  }
#endif
}
