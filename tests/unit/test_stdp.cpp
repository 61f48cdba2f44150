#include <gtest/gtest.h>

#include <cmath>

#include "models/stdp_diehl_cook.hpp"
#include "scripted_source.hpp"
#include "sim/engine.hpp"

using namespace snnsim;

namespace {
constexpr double kDt = 0.5;

struct Pair {
  sim::Engine engine{kDt};
  test::ScriptedSource* pre;
  test::ConductanceProbe* post;
  sim::DenseProjection<models::DiehlCookStdp>* proj;

  explicit Pair(float w0, std::uint8_t delay, models::StdpParams p = {}) {
    pre = &engine.add_population<test::ScriptedSource>(1);
    post = &engine.add_population<test::ConductanceProbe>(1);
    proj = &engine.add_projection<sim::DenseProjection<models::DiehlCookStdp>>(
        "p", *pre, *post, sim::Receptor::excitatory, std::vector<float>{w0}, std::vector<std::uint8_t>{delay},
        models::DiehlCookStdp(p, kDt, 1));
  }
  float w() const { return proj->weights()[0]; }
};

double decay(double steps, double tau_ms) { return std::exp(-steps * kDt / tau_ms); }
}  // namespace

// post at 5, pre emitted at 10 arrives at 13 (depression), post at 20 (potentiation).
TEST(DiehlCookStdp, ExactUpdatesForAPrePostPair) {
  Pair s(0.5f, 3);
  s.post->fire_at(5, 0);
  s.pre->at(10, 0);
  s.post->fire_at(20, 0);
  s.engine.run(13);  // steps 0..12: nothing has arrived
  EXPECT_EQ(s.w(), 0.5f);
  s.engine.step();  // step 13: arrival
  const float after_dep = static_cast<float>(0.5 - 1e-4 * decay(13 - 5, 20.0));
  EXPECT_EQ(s.w(), after_dep);
  EXPECT_LT(s.w(), 0.5f) << "depression must lower the weight (the Brian 2 port's flipped sign raises it)";
  s.engine.run(10);
  const float after_pot = static_cast<float>(after_dep + 1e-2 * decay(20 - 13, 20.0) * decay(20 - 5, 40.0));
  EXPECT_EQ(s.w(), after_pot);
}

// The triplet rule potentiates with the slow post trace *before* the spike: a first post
// spike (no earlier post activity) potentiates nothing.
TEST(DiehlCookStdp, FirstPostSpikeDoesNotPotentiate) {
  Pair s(0.5f, 1);
  s.pre->at(0, 0);
  s.post->fire_at(3, 0);
  s.engine.run(10);
  EXPECT_EQ(s.w(), 0.5f);
}

TEST(DiehlCookStdp, ArrivalInTheSameStepAsPostSpikeGivesFullPreTrace) {
  Pair s(0.5f, 2);
  s.post->fire_at(0, 0);
  s.pre->at(8, 0);       // arrives at 10
  s.post->fire_at(10, 0);
  s.engine.run(12);
  const float dep = static_cast<float>(0.5 - 1e-4 * decay(10, 20.0));
  const float pot = static_cast<float>(dep + 1e-2 * 1.0 * decay(10, 40.0));
  EXPECT_EQ(s.w(), pot);
}

TEST(DiehlCookStdp, NearestSpikeTracesAreSetNotSummed) {
  // Two arrivals in quick succession: the pre trace is 1 after the second, not 1 + decay.
  Pair s(0.5f, 1);
  s.post->fire_at(0, 0);
  s.pre->at(3, 0);
  s.pre->at(5, 0);  // arrivals at 4 and 6
  s.post->fire_at(6, 0);
  s.engine.run(8);
  float w = static_cast<float>(0.5 - 1e-4 * decay(4, 20.0));
  w = static_cast<float>(w - 1e-4 * decay(6, 20.0));
  w = static_cast<float>(w + 1e-2 * 1.0 * decay(6, 40.0));
  EXPECT_EQ(s.w(), w);
}

TEST(DiehlCookStdp, WeightsAreClippedToBounds) {
  models::StdpParams p;
  p.nu_post = 10.0;
  p.nu_pre = 10.0;
  Pair up(0.9f, 1, p);
  up.post->fire_at(0, 0);
  up.pre->at(0, 0);  // arrives at 1: depression from post at 0 (clipped at 0 after)...
  up.post->fire_at(2, 0);
  up.engine.run(4);
  EXPECT_EQ(up.w(), 1.0f);  // 0 - ... clipped to 0, then +10*... clipped to 1
  Pair down(0.2f, 1, p);
  down.post->fire_at(0, 0);
  down.pre->at(1, 0);
  down.engine.run(4);
  EXPECT_EQ(down.w(), 0.0f);
}

TEST(DiehlCookStdp, PostSpikeClipsAWeightLeftAboveMaxByNormalisation) {
  Pair s(1.7f, 1);
  s.post->fire_at(3, 0);
  s.engine.run(5);
  EXPECT_EQ(s.w(), 1.0f);
}

TEST(DiehlCookStdp, LearningOffFreezesWeightsButStillDelivers) {
  Pair s(0.5f, 1);
  s.proj->set_learning(false);
  s.post->fire_at(0, 0);
  s.pre->at(2, 0);
  s.post->fire_at(5, 0);
  s.engine.run(8);
  EXPECT_EQ(s.w(), 0.5f);
  ASSERT_EQ(s.post->seen_ge.size(), 1u);
  EXPECT_EQ(s.post->seen_ge[0].step, 3);
}

// The Brian 2 port's sign, kept as an option for comparisons: the arrival adds nu_pre * x_post1.
TEST(DiehlCookStdp, FlippedDepressionOptionRaisesTheWeightOnArrival) {
  models::StdpParams p;
  p.flipped_depression = true;
  Pair s(0.5f, 3, p);
  s.post->fire_at(5, 0);
  s.pre->at(10, 0);
  s.engine.run(14);  // arrival at 13
  EXPECT_EQ(s.w(), static_cast<float>(0.5 + 1e-4 * decay(13 - 5, 20.0)));
}

// Brian's on_pre runs `ge += w` before `w -= nu_pre * post1`: the conductance an arrival
// delivers is the weight before its own depression, for every synapse of the bucket.
TEST(DiehlCookStdp, ArrivalDeliversTheWeightBeforeItsDepression) {
  sim::Engine engine{kDt};
  auto& pre = engine.add_population<test::ScriptedSource>(1);
  auto& post = engine.add_population<test::ConductanceProbe>(3);
  const std::vector<float> w0{0.25f, 0.5f, 0.75f};
  auto& proj = engine.add_projection<sim::DenseProjection<models::DiehlCookStdp>>(
      "p", pre, post, sim::Receptor::excitatory, w0, std::vector<std::uint8_t>{2, 2, 2},
      models::DiehlCookStdp({}, kDt, 3));
  post.fire_at(1, 0);
  post.fire_at(1, 1);
  post.fire_at(1, 2);
  pre.at(4, 0);  // arrives at 6 at all three targets, 5 steps after their spikes
  engine.run(7);
  ASSERT_EQ(post.seen_ge.size(), 3u);
  const float depressed = static_cast<float>(0.5 - 1e-4 * decay(5, 20.0));
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_EQ(post.seen_ge[j].step, 6);
    EXPECT_EQ(post.seen_ge[j].target, j);
    EXPECT_EQ(post.seen_ge[j].value, static_cast<double>(w0[j]));
    EXPECT_EQ(proj.weights()[j], static_cast<float>(w0[j] - 1e-4 * decay(5, 20.0)));
  }
  EXPECT_LT(proj.weights()[1], 0.5f);
  EXPECT_EQ(proj.weights()[1], depressed);
}

TEST(TraceTable, ExactDecayAndZeroBeyondHorizon) {
  models::TraceTable t(20.0, 0.5);
  EXPECT_DOUBLE_EQ(t(0), 1.0);
  EXPECT_NEAR(t(40), std::exp(-1.0), 1e-12);
  EXPECT_EQ(t(-1), 0.0);
  EXPECT_EQ(t(100000), 0.0);
}

// scale_columns_to_sum skips a column that the last scaling left as it was (settled). A
// column that settled while its neuron's post trace still depresses arrivals must be scaled
// again once an arrival has depressed it, and a weight scaled out of the rule's range (which
// an arrival would clip) keeps its column unsettled. The same with the targets cut into three
// blocks (within-step threads), where the few unsettled columns are scaled block by block.
TEST(DiehlCookStdp, NormalisationScalesASettledColumnAgainAfterItsArrivalsDepressedIt) {
  for (const auto split : {sim::Parallelism{}, sim::Parallelism{3, 2}}) {
    SCOPED_TRACE(split.threads);
    constexpr std::size_t kPre = 4, kPost = 12;
    sim::Engine engine{kDt};
    auto& pre = engine.add_population<test::ScriptedSource>(kPre);
    auto& post = engine.add_population<test::ConductanceProbe>(kPost);
    std::vector<float> w0(kPre * kPost);
    for (std::size_t k = 0; k < w0.size(); ++k) w0[k] = 0.05f + 0.01f * static_cast<float>(k % 7);
    auto& proj = engine.add_projection<sim::DenseProjection<models::DiehlCookStdp>>(
        "p", pre, post, sim::Receptor::excitatory, w0, std::vector<std::uint8_t>(kPre * kPost, 1),
        models::DiehlCookStdp({}, kDt, kPost));
    engine.set_parallelism(split);
    ASSERT_EQ(proj.parts(), split.threads == 3 ? 3 : 1);
    const double total = 0.9;
    auto full = [&](std::vector<float> w) {  // every column, natural order [pre][post]
      for (std::size_t j = 0; j < kPost; ++j) {
        double sum = 0.0;
        for (std::size_t i = 0; i < kPre; ++i) sum += static_cast<double>(w[i * kPost + j]);
        const double factor = sum > 0.0 ? total / sum : 1.0;
        for (std::size_t i = 0; i < kPre; ++i)
          w[i * kPost + j] = static_cast<float>(static_cast<double>(w[i * kPost + j]) * factor);
      }
      return w;
    };
    auto normalise_and_check = [&] {
      const auto expected = full(proj.weights());
      proj.scale_columns_to_sum(total);
      ASSERT_EQ(proj.weights(), expected);
    };
    post.fire_at(1, 5);  // column 5: potentiated (nothing arrived yet: unchanged), then recent
    engine.run(3);
    for (int k = 0; k < 6 && proj.unsettled_columns() > 0; ++k) normalise_and_check();
    ASSERT_EQ(proj.unsettled_columns(), 0u) << "the columns never settled";
    pre.at(3, 0);  // arrives at 4: depresses column 5 (post trace of step 1), no other column
    const float before = proj.weight(0, 5);
    engine.run(3);
    EXPECT_LT(proj.weight(0, 5), before) << "no depression happened";
    EXPECT_EQ(proj.unsettled_columns(), 1u);
    normalise_and_check();
    // A column scaled above w_max stays unsettled: the next arrival clips it.
    std::vector<float> big = proj.weights();
    for (std::size_t i = 0; i < kPre; ++i) big[i * kPost + 2] = 0.2f + 0.1f * static_cast<float>(i);
    proj.set_weights(big);
    proj.scale_columns_to_sum(4.0 * 1.5);  // column 2 sums to 1.4: scaled above 1
    EXPECT_GE(proj.unsettled_columns(), 1u);
    proj.scale_columns_to_sum(4.0 * 1.5);
    EXPECT_GT(proj.weight(3, 2), 1.0f);
    EXPECT_GE(proj.unsettled_columns(), 1u) << "column 2 holds weights an arrival clips";
  }
}
