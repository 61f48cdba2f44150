#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "sim/engine.hpp"
#include "sim/monitors.hpp"
#include "sim/poisson_source.hpp"
#include "sim/rng.hpp"

using namespace snnsim;

TEST(RandomStream, SameNameSameNumbersOtherNameOtherNumbers) {
  sim::RandomStream a(42, 3, 7, 1), b(42, 3, 7, 1), c(42, 3, 7, 2), d(43, 3, 7, 1), e(42, 4, 7, 1);
  for (int k = 0; k < 100; ++k) {
    const auto x = a.next_u32();
    EXPECT_EQ(x, b.next_u32());
    const auto y = c.next_u32(), z = d.next_u32(), w = e.next_u32();
    if (k == 0) {
      EXPECT_NE(x, y);
      EXPECT_NE(x, z);
      EXPECT_NE(x, w);
    }
  }
}

TEST(RandomStream, UniformAndNormalMoments) {
  sim::RandomStream r(1, 1, 0);
  const int n = 200000;
  double s = 0, s2 = 0, ns = 0, ns2 = 0;
  for (int k = 0; k < n; ++k) {
    const double u = r.uniform();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    s += u;
    s2 += u * u;
    const double g = r.normal();
    ns += g;
    ns2 += g * g;
  }
  EXPECT_NEAR(s / n, 0.5, 0.005);
  EXPECT_NEAR(s2 / n - 0.25, 1.0 / 12.0, 0.002);
  EXPECT_NEAR(ns / n, 0.0, 0.01);
  EXPECT_NEAR(ns2 / n, 1.0, 0.02);
}

TEST(PoissonSource, RateMatchesAndSpikesAreSortedPerStep) {
  sim::Engine e(0.5);
  auto& src = e.add_population<sim::PoissonSource>("in", 100, 0.5, 9);
  auto& counter = e.add_observer<sim::SpikeCounter>(src);
  std::vector<double> rates(100, 40.0);
  src.schedule(rates, 0, 20000, 1, 0);  // 10 s at 40 Hz: mean 400 per source
  counter.enable(true);
  for (int s = 0; s < 20000; ++s) {
    e.step();
    ASSERT_TRUE(std::is_sorted(src.spikes().begin(), src.spikes().end()));
    ASSERT_EQ(std::adjacent_find(src.spikes().begin(), src.spikes().end()), src.spikes().end());
  }
  const double total = static_cast<double>(counter.total());
  EXPECT_NEAR(total / 100.0, 400.0, 3 * std::sqrt(400.0 / 100.0) + 1.0);
  // nothing outside the window
  counter.clear();
  for (int s = 0; s < 100; ++s) e.step();
  EXPECT_EQ(counter.total(), 0u);
}

TEST(PoissonSource, SameStreamSameSpikesDifferentMajorDifferentSpikes) {
  auto spikes = [](std::uint32_t major) {
    sim::Engine e(0.5);
    auto& src = e.add_population<sim::PoissonSource>("in", 20, 0.5, 5);
    auto& rec = e.add_observer<sim::SpikeRecorder>(src);
    std::vector<double> rates(20, 60.0);
    src.schedule(rates, 0, 700, 3, major);
    rec.enable(true);
    e.run(700);
    std::vector<std::int64_t> out;
    for (std::size_t k = 0; k < rec.ids().size(); ++k) out.push_back(rec.steps()[k] * 100 + rec.ids()[k]);
    return out;
  };
  EXPECT_EQ(spikes(4), spikes(4));
  EXPECT_NE(spikes(4), spikes(5));
}

TEST(PoissonSource, ZeroRateNeverFiresAndRateAboveOnePerStepFiresEveryStep) {
  sim::Engine e(0.5);
  auto& src = e.add_population<sim::PoissonSource>("in", 2, 0.5, 1);
  auto& counter = e.add_observer<sim::SpikeCounter>(src);
  src.schedule(std::vector<double>{0.0, 5000.0}, 0, 50, 1, 0);
  counter.enable(true);
  e.run(50);
  EXPECT_EQ(counter.counts(), (std::vector<std::uint32_t>{0, 50}));
}
