#include <gtest/gtest.h>

#include <numeric>

#include "experiments/presentation.hpp"
#include "models/diehl_cook.hpp"

using namespace snnsim;

namespace {
models::DiehlCookParams small(std::size_t n_exc = 10) {
  models::DiehlCookParams p;
  p.n_exc = n_exc;
  return p;
}
}  // namespace

TEST(DiehlCook, InitialStateFollowsTheAuthorsDistributions) {
  auto p = small(50);
  const auto s = models::initial_state(p, 3);
  const auto [wmin, wmax] = std::minmax_element(s.weights.begin(), s.weights.end());
  EXPECT_GE(*wmin, 0.003f - 1e-7f);
  EXPECT_LT(*wmax, 0.303f);
  const double mean = std::accumulate(s.weights.begin(), s.weights.end(), 0.0) / static_cast<double>(s.weights.size());
  EXPECT_NEAR(mean, 0.153, 0.002);
  const auto [dmin, dmax] = std::minmax_element(s.delay_steps.begin(), s.delay_steps.end());
  EXPECT_EQ(*dmin, 1);   // 0 ms rounds to 0 steps, acting on the next step
  EXPECT_EQ(*dmax, 21);  // just under 10 ms rounds to 20 steps
  EXPECT_EQ(s.theta_mV, std::vector<double>(50, 20.0));
  EXPECT_EQ(models::initial_state(p, 3).weights, s.weights);
  EXPECT_NE(models::initial_state(p, 4).weights, s.weights);
}

TEST(DiehlCook, NormalisationMakesEachColumnSumToTheTotal) {
  auto p = small(7);
  models::DiehlCookNetwork net(p, models::initial_state(p, 1), 1);
  net.normalize_weights();
  auto w = net.input_exc().weights();
  for (std::size_t j = 0; j < 7; ++j) {
    double sum = 0;
    for (std::size_t i = 0; i < 784; ++i) sum += w[i * 7 + j];
    EXPECT_NEAR(sum, 78.0, 1e-3);
  }
}

// A network that cannot fire must retry with rising intensity and stop at the cap.
TEST(DiehlCook, RetryRaisesIntensityAndStopsAtTheCap) {
  auto p = small(5);
  p.max_tries = 4;
  auto s = models::initial_state(p, 1);
  std::fill(s.weights.begin(), s.weights.end(), 0.0f);
  models::DiehlCookNetwork net(p, s, 1);
  std::vector<std::uint8_t> image(784, 255);
  std::vector<std::uint32_t> counts;
  std::vector<double> rates;
  const auto o = experiments::present_with_retry(net, image, experiments::TrialMode::frozen, models::kStreamEvalInput, 0, counts, rates);
  EXPECT_TRUE(o.capped);
  EXPECT_EQ(o.tries, 4u);
  EXPECT_DOUBLE_EQ(o.intensity, 2.0 + 3.0);
  EXPECT_EQ(net.presentations(), 4u);
  EXPECT_DOUBLE_EQ(rates[0], 255.0 / 8.0 * 5.0);
}

TEST(DiehlCook, ABrightImageDrivesTheLayerAndLateralInhibitionFollows) {
  auto p = small(20);
  models::DiehlCookNetwork net(p, models::initial_state(p, 2), 2);
  net.set_learning(false);
  net.normalize_weights();
  std::vector<std::uint8_t> image(784, 0);
  for (int r = 8; r < 20; ++r)
    for (int c = 10; c < 18; ++c) image[r * 28 + c] = 255;
  std::vector<std::uint32_t> counts;
  std::vector<double> rates;
  auto& inh = net.inh_recorder();
  inh.enable(true);
  auto& exc = net.exc_recorder();
  exc.enable(true);
  const auto o = experiments::present_with_retry(net, image, experiments::TrialMode::frozen, models::kStreamEvalInput, 0, counts, rates);
  EXPECT_GE(o.exc_spikes, 5u);
  // Every exc spike at step t makes its inh partner fire at t + 1.
  ASSERT_FALSE(exc.ids().empty());
  for (std::size_t k = 0; k < exc.ids().size(); ++k) {
    bool partner = false;
    for (std::size_t m = 0; m < inh.ids().size(); ++m)
      partner |= inh.ids()[m] == exc.ids()[k] && inh.steps()[m] == exc.steps()[k] + 1;
    EXPECT_TRUE(partner) << "exc " << exc.ids()[k] << " at " << exc.steps()[k];
  }
}

TEST(Readout, PredictsTheClassWithHighestMeanCount) {
  std::vector<std::int16_t> labels = {0, 0, 1, 2, -1};
  EXPECT_EQ(experiments::predict_class(std::vector<std::uint32_t>{4, 0, 3, 1, 100}, labels), 1);  // means 2, 3, 1
  EXPECT_EQ(experiments::predict_class(std::vector<std::uint32_t>{0, 0, 0, 0, 9}, labels), -1);   // only unassigned fired
  EXPECT_EQ(experiments::predict_class(std::vector<std::uint32_t>{2, 2, 2, 0, 0}, labels), 0);    // tie -> lower class
}

TEST(DiehlCook, ValidationNamesTheField) {
  auto p = small();
  p.max_tries = 0;
  try {
    models::validate(p);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_tries"), std::string::npos);
  }
}
