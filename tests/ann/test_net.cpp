// SGD step against a hand computation, init range, dropout masks, thread-count determinism.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "ann/net.hpp"

using namespace snnsim::ann;

namespace {

Net tiny_net() {
  // 2 -> 2 -> 1, weights chosen so that one hidden unit is active and one is not.
  Net n;
  n.sizes = {2, 2, 1};
  n.loss = Loss::mse_relu;
  n.dropout = 0;
  Mat W0(2, 2);
  W0 << 0.5f, -0.25f,   // h0 = 0.5*1 - 0.25*2 = 0   -> exactly 0: ReLU' = 0
      0.25f, 0.5f;      // h1 = 0.25 + 1.0 = 1.25
  Mat W1(1, 2);
  W1 << 0.3f, 0.4f;     // out = 0.4 * 1.25 = 0.5
  n.W = {W0, W1};
  n.V = {Mat::Zero(2, 2), Mat::Zero(1, 2)};
  return n;
}

}  // namespace

TEST(AnnNet, SgdStepMatchesHandComputation) {
  Net n = tiny_net();
  NetConfig cfg;
  cfg.lr = 0.1;
  cfg.momentum = 0.5;
  Mat X(1, 2), Y(1, 1);
  X << 1.0f, 2.0f;
  Y << 1.0f;
  const double loss = sgd_step(n, cfg, X, Y, {});
  // Forward: h = [0, 1.25], out = 0.5, e = y - a = 0.5, loss = 0.5*0.25 = 0.125.
  EXPECT_NEAR(loss, 0.125, 1e-7);
  // Output delta d2 = -(y - a) = -0.5; dW1 = d2 * h = [0, -0.625].
  // Hidden delta d1 = d2 * W1 .* (h > 0) = [0, -0.5*0.4] = [0, -0.2]; dW0 = d1^T x = [[0,0],[-0.2,-0.4]].
  // V = lr * dW (momentum buffer was 0); W -= V.
  EXPECT_FLOAT_EQ(n.W[1](0, 0), 0.3f);
  EXPECT_FLOAT_EQ(n.W[1](0, 1), 0.4f + 0.0625f);
  EXPECT_FLOAT_EQ(n.W[0](0, 0), 0.5f);
  EXPECT_FLOAT_EQ(n.W[0](0, 1), -0.25f);
  EXPECT_FLOAT_EQ(n.W[0](1, 0), 0.25f + 0.02f);
  EXPECT_FLOAT_EQ(n.W[0](1, 1), 0.5f + 0.04f);
  EXPECT_FLOAT_EQ(n.V[1](0, 1), -0.0625f);

  // Second step: momentum carries half of the previous velocity.
  const Net before = n;
  sgd_step(n, cfg, X, Y, {});
  // Recompute by hand from `before`.
  const float h1 = before.W[0](1, 0) * 1 + before.W[0](1, 1) * 2;
  const float h0 = before.W[0](0, 0) * 1 + before.W[0](0, 1) * 2;
  ASSERT_FLOAT_EQ(h0, 0.0f);
  const float out = before.W[1](0, 1) * h1;
  const float d2 = out - 1.0f;
  const float v11 = 0.5f * before.V[1](0, 1) + 0.1f * d2 * h1;
  EXPECT_NEAR(n.W[1](0, 1), before.W[1](0, 1) - v11, 1e-6);
  const float d1 = d2 * before.W[1](0, 1);
  const float v10 = 0.5f * before.V[0](1, 0) + 0.1f * d1 * 1.0f;
  EXPECT_NEAR(n.W[0](1, 0), before.W[0](1, 0) - v10, 1e-6);
}

TEST(AnnNet, BatchGradientIsTheMeanAndInactiveOutputsGetNoError) {
  Net n = tiny_net();
  n.sizes = {2, 2, 2};
  Mat W1(2, 2);
  W1 << 0.3f, 0.4f, 0.1f, 0.2f;
  n.W[1] = W1;
  n.V[1] = Mat::Zero(2, 2);
  NetConfig cfg;
  cfg.momentum = 0;
  cfg.lr = 1.0;
  Mat X(2, 2), Y(2, 2);
  X << 1, 2, 1, 2;  // the same sample twice: the mean equals the single-sample gradient
  Y << 1, 0, 1, 0;
  Net single = n;
  Mat X1 = X.topRows(1), Y1 = Y.topRows(1);
  sgd_step(n, cfg, X, Y, {});
  sgd_step(single, cfg, X1, Y1, {});
  for (int l = 0; l < 2; ++l) EXPECT_TRUE(n.W[l].isApprox(single.W[l], 1e-6f));

  // Masking output 1 ("cheat"): its weights must not move.
  Net masked = tiny_net();
  masked.sizes = {2, 2, 2};
  masked.W[1] = W1;
  masked.V[1] = Mat::Zero(2, 2);
  sgd_step(masked, cfg, X, Y, {}, {true, false});
  EXPECT_FLOAT_EQ(masked.W[1](1, 0), W1(1, 0));
  EXPECT_FLOAT_EQ(masked.W[1](1, 1), W1(1, 1));
  EXPECT_NE(masked.W[1](0, 1), W1(0, 1));
}

TEST(AnnNet, InitIsUniformInRangeAndSeeded) {
  NetConfig cfg;
  cfg.sizes = {50, 40, 10};
  cfg.init_range = 0.01;
  Net a = make_net(cfg, 7), b = make_net(cfg, 7), c = make_net(cfg, 8);
  EXPECT_LE(a.W[0].cwiseAbs().maxCoeff(), 0.01f);
  EXPECT_GT(a.W[0].cwiseAbs().maxCoeff(), 0.009f);
  EXPECT_NEAR(a.W[0].mean(), 0.0f, 0.001f);
  EXPECT_EQ(a.W[0], b.W[0]);
  EXPECT_NE(a.W[0], c.W[0]);
  EXPECT_EQ(a.W[1].rows(), 10);
  EXPECT_EQ(a.W[1].cols(), 40);
}

TEST(AnnNet, TestModeScalesHiddenActivationsByKeepProbability) {
  Net n = tiny_net();
  n.dropout = 0.25f;
  Mat X(1, 2);
  X << 1, 2;
  std::vector<Real> mx;
  Mat out = predict(n, X, &mx);
  EXPECT_FLOAT_EQ(mx[0], 1.25f * 0.75f);
  EXPECT_FLOAT_EQ(out(0, 0), 0.4f * 1.25f * 0.75f);
  EXPECT_FLOAT_EQ(mx[1], out(0, 0));
}

TEST(AnnNet, FanInInitFollowsPyTorchLinearDefault) {
  NetConfig cfg;
  cfg.sizes = {400, 100, 10};
  cfg.init = Init::fan_in;
  cfg.init_range = 0.01;  // ignored by fan-in
  Net a = make_net(cfg, 7);
  const float b0 = 1.0f / 20.0f, b1 = 0.1f;  // 1/sqrt(400), 1/sqrt(100)
  EXPECT_LE(a.W[0].cwiseAbs().maxCoeff(), b0);
  EXPECT_GT(a.W[0].cwiseAbs().maxCoeff(), 0.99f * b0);
  EXPECT_LE(a.W[1].cwiseAbs().maxCoeff(), b1);
  EXPECT_GT(a.W[1].cwiseAbs().maxCoeff(), 0.95f * b1);
  // Uniform on (-b, b): variance b^2 / 3.
  const double var0 = a.W[0].cwiseAbs2().mean();
  EXPECT_NEAR(var0, b0 * b0 / 3.0, 0.05 * b0 * b0 / 3.0);
}

// Inverted dropout: a kept unit is scaled by 1/(1-p) in training, the test pass is unscaled;
// the gradient through a kept unit carries the same factor.
TEST(AnnNet, InvertedDropoutScalesKeptUnitsInTrainingOnly) {
  Net n = tiny_net();
  n.dropout = 0.2f;
  n.dropout_style = DropoutStyle::inverted;
  Mat X(1, 2), Y(1, 1);
  X << 1, 2;
  Y << 1;
  std::vector<Real> mx;
  Mat out = predict(n, X, &mx);
  EXPECT_FLOAT_EQ(mx[0], 1.25f);
  EXPECT_FLOAT_EQ(out(0, 0), 0.4f * 1.25f);

  NetConfig cfg;
  cfg.lr = 0.1;
  cfg.momentum = 0;
  const float k = 1.0f / 0.8f;
  Mat mask(1, 2);
  mask << k, k;  // both kept
  sgd_step(n, cfg, X, Y, {mask});
  // h = [0, 1.25 k], out = 0.4 * 1.25 k = 0.625, d2 = out - 1 = -0.375.
  const float h1 = 1.25f * k, d2 = 0.4f * h1 - 1.0f;
  EXPECT_FLOAT_EQ(n.W[1](0, 1), 0.4f - 0.1f * d2 * h1);
  // d1 = d2 * W1 * k (the mask's factor), dW0 row 1 = d1 * x.
  const float d1 = d2 * 0.4f * k;
  EXPECT_FLOAT_EQ(n.W[0](1, 0), 0.25f - 0.1f * d1 * 1.0f);
  EXPECT_FLOAT_EQ(n.W[0](1, 1), 0.5f - 0.1f * d1 * 2.0f);
}

namespace {
Mat synthetic(int n, int d, std::uint32_t salt) {
  Mat X(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) X(i, j) = static_cast<Real>(((i * 131 + j * 71 + static_cast<int>(salt)) % 97) / 97.0);
  return X;
}
}  // namespace

TEST(AnnNet, FreshMomentumPerTaskZeroesTheBuffersAtEachTrainCall) {
  NetConfig cfg;
  cfg.sizes = {6, 5, 2};
  cfg.epochs = 1;
  cfg.batch = 4;
  cfg.dropout = 0;
  const Mat X = synthetic(8, 6, 3);
  std::vector<std::uint8_t> y{0, 1, 0, 1, 1, 0, 1, 0};
  auto run = [&](bool fresh, Net& net) {
    cfg.fresh_momentum_per_task = fresh;
    TrainCounters ctr{3, 0, 0};
    train(net, cfg, X, y, ctr, {});
    return ctr;
  };
  Net carried = make_net(cfg, 3), fresh = make_net(cfg, 3);
  // Give both the same non-zero momentum, as a previous task would.
  for (auto* n : {&carried, &fresh})
    for (auto& V : n->V) V.setConstant(0.01f);
  run(false, carried);
  run(true, fresh);
  Net from_zero = make_net(cfg, 3);
  run(false, from_zero);
  for (int l = 0; l < 2; ++l) {
    EXPECT_EQ(fresh.W[l], from_zero.W[l]) << "a reset buffer must train like a new optimiser";
    EXPECT_NE(carried.W[l], from_zero.W[l]);
  }
}

TEST(AnnNet, TrainingIsIdenticalWithOneAndTwoThreads) {
  NetConfig cfg;
  // > 128 units so the products are cut into several blocks, and big enough (> 2e6 multiply-adds
  // per product) for the parallel path.
  cfg.sizes = {200, 300, 160, 10};
  cfg.epochs = 2;
  cfg.batch = 50;
  Mat X = synthetic(600, 200, 3);
  std::vector<std::uint8_t> y(600);
  for (int i = 0; i < 600; ++i) y[i] = static_cast<std::uint8_t>(i % 10);
  const int saved = omp_get_max_threads();
  Net a = make_net(cfg, 11), b = make_net(cfg, 11);
  TrainCounters ca{11, 0, 0}, cb{11, 0, 0};
  omp_set_num_threads(1);
  train(a, cfg, X, y, ca);
  Mat pa = predict(a, X);  // 600 rows: the tall (row-block) product path
  omp_set_num_threads(2);
  train(b, cfg, X, y, cb);
  Mat pb = predict(b, X);
  omp_set_num_threads(saved);
  for (int l = 0; l < a.layers(); ++l) EXPECT_EQ(a.W[l], b.W[l]) << "layer " << l;
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(ca.steps_done, 24);
  // And the training did something.
  EXPECT_NE(a.W[0], make_net(cfg, 11).W[0]);
}

TEST(AnnNet, DropoutDropsAboutTheRequestedFraction) {
  // With dropout 0.5 and a 1-step train, roughly half of the hidden units of the batch get no
  // gradient: count rows of W0 that did not change.
  NetConfig cfg;
  cfg.sizes = {20, 400, 10};
  cfg.dropout = 0.5;
  cfg.batch = 1;
  cfg.epochs = 1;
  Net n = make_net(cfg, 5);
  const Mat W0 = n.W[0];
  Mat X = Mat::Constant(1, 20, 1.0f);
  std::vector<std::uint8_t> y{3};
  TrainCounters c{5, 0, 0};
  train(n, cfg, X, y, c);
  int unchanged = 0;
  for (int i = 0; i < 400; ++i) unchanged += (n.W[0].row(i) == W0.row(i));
  // Units dropped (about 200) plus units with ReLU inactive (about half of the kept ones).
  EXPECT_GT(unchanged, 240);
  EXPECT_LT(unchanged, 360);
}
