// SRC sleep: gate values of sleep.md 3.2, alpha recursion, a hand-checked Hebbian step,
// same-step propagation, window input, determinism across thread counts, stable rank.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "ann/sleep.hpp"

using namespace snnsim::ann;

TEST(AnnSleep, MatlabGateValuesOfSection32) {
  // sleep.md 3.2: g(-0.01) = 2.0, g(-0.001) = 1.46, g(0) = 1, g(0.001) = 0.54,
  // g(0.003) = 0.095, g(0.01) = 1e-4 (rounded as printed there).
  EXPECT_NEAR(gate_value(Gate::matlab, -0.01), 2.0, 5e-4);
  EXPECT_NEAR(gate_value(Gate::matlab, -0.001), 1.46, 5e-3);
  EXPECT_DOUBLE_EQ(gate_value(Gate::matlab, 0.0), 1.0);
  EXPECT_NEAR(gate_value(Gate::matlab, 0.001), 0.54, 5e-3);
  EXPECT_NEAR(gate_value(Gate::matlab, 0.003), 0.095, 5e-4);
  EXPECT_NEAR(gate_value(Gate::matlab, 0.01), 1e-4, 1e-5);
  // MATLAB writes it as 2*(1 - 1/(1 + exp(-w/0.001))): the same function.
  for (double w : {-0.02, -0.004, 0.0005, 0.002, 0.05})
    EXPECT_NEAR(gate_value(Gate::matlab, w), 2.0 * (1.0 - 1.0 / (1.0 + std::exp(-w / 0.001))), 1e-12);
  // The replica's logistic gate is about 0.5 near zero and increasing.
  EXPECT_DOUBLE_EQ(gate_value(Gate::logistic, 0.0), 0.5);
  EXPECT_GT(gate_value(Gate::logistic, 0.01), gate_value(Gate::logistic, 0.0));
}

TEST(AnnSleep, AlphaRecursionDividesByThePreviousAppliedFactor) {
  // s = [2, 5, 10], c = 3: f1 = 2, f2 = 5/2, f3 = 10/(5/2) = 4
  // alpha = [3/2, 3*2/5, 3*5/(2*10)] = [1.5, 1.2, 0.75]
  const auto a = alpha_from_scales({2.0, 5.0, 10.0}, 3.0);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_DOUBLE_EQ(a[0], 1.5);
  EXPECT_DOUBLE_EQ(a[1], 1.2);
  EXPECT_DOUBLE_EQ(a[2], 0.75);
}

TEST(AnnSleep, DataAlphaOnAHandMadeNet) {
  // 2 -> 2 -> 2 -> 1 with dropout 0.25 (test-mode scaling 0.75 on hidden layers).
  Net n;
  n.sizes = {2, 2, 2, 1};
  n.dropout = 0.25f;
  Mat W0(2, 2), W1(2, 2), W2(1, 2);
  W0 << 1.0f, 0.5f, -1.0f, 2.0f;   // max weight 2
  W1 << 0.5f, 0.0f, 0.25f, 0.25f;  // max weight 0.5
  W2 << 4.0f, -1.0f;               // max weight 4
  n.W = {W0, W1, W2};
  n.V = {Mat::Zero(2, 2), Mat::Zero(2, 2), Mat::Zero(1, 2)};
  Mat X(2, 2);
  X << 1.0f, 1.0f,   // h1 = [1.5, 1] * 0.75 = [1.125, 0.75]
      0.0f, 2.0f;    // h1 = [1, 4] * 0.75 = [0.75, 3]  -> max a1 = 3 > max W0 = 2 -> s1 = 3
  // h2 (row 0) = [0.5*1.125, 0.25*1.125+0.25*0.75]*0.75 = [0.421875, 0.3515625]
  // h2 (row 1) = [0.5*0.75, 0.25*0.75+0.25*3]*0.75 = [0.28125, 0.703125] -> max a2 = 0.703125 < 0.5? no:
  // max W1 = 0.5, max a2 = 0.703125 -> s2 = 0.703125
  // out (row 0) = relu(4*0.421875 - 0.3515625) = 1.3359375; row 1: relu(1.125 - 0.703125) = 0.421875
  // max out = 1.3359375 < max W2 = 4 -> s3 = 4
  std::vector<double> s;
  const auto a = data_alpha(n, X, 2.0, &s);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_NEAR(s[0], 3.0, 1e-6);
  EXPECT_NEAR(s[1], 0.703125, 1e-6);
  EXPECT_NEAR(s[2], 4.0, 1e-6);
  EXPECT_NEAR(a[0], 2.0 / 3.0, 1e-6);
  EXPECT_NEAR(a[1], 2.0 * 3.0 / 0.703125, 1e-5);
  EXPECT_NEAR(a[2], 2.0 * 0.703125 / (3.0 * 4.0), 1e-6);
}

TEST(AnnSleep, HebbianStepOnATwoLayerToyIsExact) {
  // 4 inputs -> 2 outputs. Output 0 reaches threshold, output 1 does not.
  Net n;
  n.sizes = {4, 2};
  Mat W(2, 4);
  W << 0.002f, -0.001f, 0.0f, 0.01f,  //
      0.0001f, 0.0001f, 0.0001f, 0.0001f;
  n.W = {W};
  n.V = {Mat::Zero(2, 4)};
  SleepParams p;
  p.beta = {0.5};
  p.threshold = 1.0;
  p.decay = 0.9;
  p.inc = 0.1;
  p.dec = 0.01;
  const std::vector<double> alpha{100.0};
  std::vector<Vec> v{Vec::Zero(2)};
  v[0] << 0.4f, 0.2f;
  // Inputs 0 and 3 spike: impulse_0 = 100*(0.002 + 0.01) = 1.2; v0 = 0.9*0.4 + 1.2 = 1.56 >= 0.5
  // impulse_1 = 100*0.0002 = 0.02; v1 = 0.9*0.2 + 0.02 = 0.2 < 0.5
  const std::vector<std::uint8_t> in{1, 0, 0, 1};
  const auto spikes = sleep_step(n, p, alpha, v, in);
  ASSERT_EQ(spikes.size(), 2u);
  EXPECT_EQ(spikes[1][0], 1);
  EXPECT_EQ(spikes[1][1], 0);
  EXPECT_FLOAT_EQ(v[0][0], 0.0f);  // reset after the spike
  EXPECT_NEAR(v[0][1], 0.2f, 1e-6);
  auto g = [](double w) { return 2.0 / (1.0 + std::exp(1000.0 * w)); };
  // Row 0 (spiked): pre spiked -> +inc*g, pre silent -> -dec*g. Row 1 unchanged.
  EXPECT_NEAR(n.W[0](0, 0), 0.002 + 0.1 * g(0.002), 1e-7);
  EXPECT_NEAR(n.W[0](0, 1), -0.001 - 0.01 * g(-0.001), 1e-7);
  EXPECT_NEAR(n.W[0](0, 2), 0.0 - 0.01 * 1.0, 1e-7);
  EXPECT_NEAR(n.W[0](0, 3), 0.01 + 0.1 * g(0.01), 1e-7);
  for (int j = 0; j < 4; ++j) EXPECT_EQ(n.W[0](1, j), W(1, j));

  // Threshold is inclusive (v >= beta): an impulse landing exactly on it spikes.
  Net m = n;
  m.W[0].row(1).setConstant(0.0f);
  m.W[0](1, 0) = 0.125f;  // impulse = 4 * 0.125 = 0.5 exactly (binary fractions)
  std::vector<Vec> v2{Vec::Zero(2)};
  const auto s2 = sleep_step(m, p, {4.0}, v2, {1, 0, 0, 0});
  EXPECT_EQ(s2[1][1], 1);
}

TEST(AnnSleep, SpikesPropagateThroughAllLayersInTheSameStep) {
  Net n;
  n.sizes = {1, 1, 1, 1};
  n.W = {Mat::Constant(1, 1, 1.0f), Mat::Constant(1, 1, 1.0f), Mat::Constant(1, 1, 1.0f)};
  n.V = {Mat::Zero(1, 1), Mat::Zero(1, 1), Mat::Zero(1, 1)};
  SleepParams p;
  p.beta = {1.0, 1.0, 1.0};
  p.inc = 0;
  p.dec = 0;
  std::vector<Vec> v{Vec::Zero(1), Vec::Zero(1), Vec::Zero(1)};
  const auto s = sleep_step(n, p, {1.0, 1.0, 1.0}, v, {1});
  EXPECT_EQ(s[1][0], 1);
  EXPECT_EQ(s[2][0], 1);
  EXPECT_EQ(s[3][0], 1);
}

TEST(AnnSleep, WindowInputHasElevenByElevenPixels) {
  // Mean image of ones and r_max such that p = 2 dt r_max x = 1: every window pixel spikes.
  Net n;
  n.sizes = {784, 3};
  n.W = {Mat::Constant(3, 784, -1.0f)};  // never reaches threshold: no plasticity
  n.V = {Mat::Zero(3, 784)};
  SleepParams p;
  p.beta = {1.0};
  p.max_rate = 500.0;
  const Vec ones = Vec::Ones(784);
  const auto st = sleep(n, p, {1.0}, ones, 50, 3, 1);
  EXPECT_EQ(st.spikes[0], 121 * 50);
  EXPECT_EQ(st.spikes[1], 0);
  // Every pixel of the image can be covered by some window position and the corners are
  // covered by exactly one position (so they spike rarely compared with the centre).
  const auto& sums = st.sum_spikes[0];
  std::int64_t centre = sums[14 * 28 + 14], corner = sums[0];
  EXPECT_GT(centre, corner);
  // With p = 0.479 x (MATLAB r_max) the rate halves.
  p.max_rate = 239.515363;
  const auto st2 = sleep(n, p, {1.0}, ones, 400, 3, 2);
  const double rate = static_cast<double>(st2.spikes[0]) / (121.0 * 400);
  EXPECT_NEAR(rate, 2 * 0.001 * 239.515363, 0.01);
}

TEST(AnnSleep, SleepIsIdenticalWithOneAndTwoThreadsAndDependsOnSeed) {
  // Two regimes: sparse firing (serial path) and dense firing, where the impulse and Hebbian
  // loops run in parallel.
  for (const bool dense : {false, true}) {
    NetConfig cfg;
    cfg.sizes = dense ? std::vector<int>{784, 1000, 400, 10} : std::vector<int>{784, 200, 150, 10};
    Net base = make_net(cfg, 3);
    base.W[0].array() += dense ? 0.02f : 0.004f;
    base.W[1].array() += 0.01f;
    base.W[2].array() += 0.01f;
    SleepParams p;
    p.beta = dense ? std::vector<double>{0.05, 0.05, 0.05} : std::vector<double>{0.5, 0.5, 0.5};
    const std::vector<double> alpha{20.0, 5.0, 5.0};
    Vec mean(784);
    for (int i = 0; i < 784; ++i) mean[i] = static_cast<Real>((i % 28) / 28.0);
    const int steps = dense ? 20 : 300;
    const int saved = omp_get_max_threads();
    Net a = base, b = base, c = base;
    omp_set_num_threads(1);
    const auto sa = sleep(a, p, alpha, mean, steps, 42, 1);
    omp_set_num_threads(2);
    const auto sb = sleep(b, p, alpha, mean, steps, 42, 1);
    const auto sc = sleep(c, p, alpha, mean, steps, 43, 1);
    omp_set_num_threads(saved);
    EXPECT_GT(sa.spikes[1], 0);
    EXPECT_GT(sa.spikes[3], 0);
    if (dense) {
      EXPECT_GT(sa.spikes[2], 20 * steps);  // many rows per step: the parallel path ran
    }
    EXPECT_EQ(sa.spikes, sb.spikes);
    for (int l = 0; l < 3; ++l) EXPECT_EQ(a.W[l], b.W[l]) << "dense " << dense << " layer " << l;
    EXPECT_NE(a.W[0], base.W[0]);
    EXPECT_NE(sa.spikes[0], sc.spikes[0]);
  }
}

TEST(AnnSleep, StableRankOfKnownMatrices) {
  Mat D = Mat::Zero(3, 2);
  D(0, 0) = 4;
  D(1, 1) = 3;  // singular values 4, 3: (16 + 9) / 16
  EXPECT_NEAR(stable_rank(D), 25.0 / 16.0, 1e-9);
  Mat R = Mat::Ones(5, 7);  // rank one
  EXPECT_NEAR(stable_rank(R), 1.0, 1e-9);
  Mat I = Mat::Identity(6, 6);
  EXPECT_NEAR(stable_rank(I), 6.0, 1e-6);
}

TEST(AnnSleep, SynapticSnapshotIsTheMeanOverHiddenUnits) {
  Net n;
  n.sizes = {3, 2};
  Mat W(2, 3);
  W << 1, 2, 3, 3, 4, 5;
  n.W = {W};
  const auto s = synaptic_snapshot(n);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_FLOAT_EQ(s[0], 2.0f);
  EXPECT_FLOAT_EQ(s[2], 4.0f);
}

TEST(AnnSleep, RejectsMismatchedParameters) {
  Net n;
  n.sizes = {4, 2};
  n.W = {Mat::Zero(2, 4)};
  n.V = {Mat::Zero(2, 4)};
  SleepParams p;  // three betas for one layer
  EXPECT_THROW(sleep(n, p, {1.0}, Vec::Ones(4), 10, 1, 1), std::invalid_argument);
  p.beta = {1.0};
  EXPECT_THROW(sleep(n, p, {1.0}, Vec::Ones(4), 10, 1, 1), std::invalid_argument);  // 4 px is not 28x28-able window 11
  p.input = SleepInput::pixels;
  EXPECT_NO_THROW(sleep(n, p, {1.0}, Vec::Ones(4), 10, 1, 1));
  EXPECT_THROW(sleep(n, p, {1.0}, Vec::Ones(5), 10, 1, 1), std::invalid_argument);
}

TEST(AnnSleep, PerStepSampleDrawsANewMeanImageEveryStep) {
  // Pool of two images, all ones and all zeros; one image per step and p = 2 dt r_max x = x,
  // every pixel kept: each step the whole input spikes (image of ones) or none of it does. One
  // mean image for the whole sleep (x = 0.5) would give steps with about half the pixels.
  Net n;
  n.sizes = {784, 3};
  n.W = {Mat::Constant(3, 784, -1.0f)};  // no plasticity
  n.V = {Mat::Zero(3, 784)};
  SleepParams p;
  p.beta = {1.0};
  p.max_rate = 500.0;
  p.input = SleepInput::pixels;
  p.pixel_fraction = 1.0;
  Mat pool(2, 784);
  pool.row(0).setOnes();
  pool.row(1).setZero();
  const int steps = 200;
  const auto st = sleep(n, p, {1.0}, Vec(), steps, 5, 1, {}, StepSample{&pool, 1});
  ASSERT_EQ(st.spikes[0] % 784, 0) << "a step mixed the two images";
  const auto full_steps = st.spikes[0] / 784;
  EXPECT_GT(full_steps, 70);   // binomial(200, 1/2): mean 100, sd 7
  EXPECT_LT(full_steps, 130);
  // Same seed and sleep id, same draws; another sleep id, other draws.
  EXPECT_EQ(sleep(n, p, {1.0}, Vec(), steps, 5, 1, {}, StepSample{&pool, 1}).spikes[0], st.spikes[0]);
  EXPECT_NE(sleep(n, p, {1.0}, Vec(), steps, 5, 2, {}, StepSample{&pool, 1}).spikes[0], st.spikes[0]);
  // Two images per step: the mean is 0, 1/2 or 1, so some steps are partial.
  const auto st2 = sleep(n, p, {1.0}, Vec(), steps, 5, 1, {}, StepSample{&pool, 2});
  EXPECT_NE(st2.spikes[0] % 784, 0);
  // A pool whose images do not fit the input layer is refused.
  Mat small(2, 10);
  small.setOnes();
  EXPECT_THROW(sleep(n, p, {1.0}, Vec(), 10, 5, 1, {}, StepSample{&small, 1}), std::invalid_argument);
}
