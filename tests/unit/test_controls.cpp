// The sleep study's controls (experiments/controls.hpp): validation split, pruning order and
// pruning, extra wake, noise curves.
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/statistics.hpp"
#include "experiments/controls.hpp"
#include "sim/rng.hpp"

namespace snnsim::experiments {
namespace {

io::LabelledImages synthetic(std::size_t count) {
  io::LabelledImages d;
  d.images.rows = d.images.cols = 28;
  d.images.count = count;
  d.images.pixels.resize(count * 784);
  sim::RandomStream rng(7, 99, 0, 0);
  for (std::size_t k = 0; k < count; ++k) {
    const int label = static_cast<int>(k % 10);
    d.labels.push_back(static_cast<std::uint8_t>(label));
    // a class-specific bar plus sparse noise, so neurons can tell classes apart
    for (std::size_t r = 0; r < 28; ++r)
      for (std::size_t c = 0; c < 28; ++c) {
        const bool bar = c >= 2 + 2 * static_cast<std::size_t>(label) && c < 5 + 2 * static_cast<std::size_t>(label);
        d.images.pixels[k * 784 + r * 28 + c] = bar ? 255 : (rng.uniform() < 0.02 ? 128 : 0);
      }
  }
  return d;
}

models::DiehlCookParams small_params() {
  models::DiehlCookParams p;
  p.n_exc = 12;
  return p;
}

TEST(Controls, ValidationTailIsTheLastImages) {
  const auto d = synthetic(30);
  const auto v = validation_tail(d, 7);
  ASSERT_EQ(v.size(), 7u);
  EXPECT_EQ(v.labels.front(), d.labels[23]);
  EXPECT_TRUE(std::equal(v.images.pixels.begin(), v.images.pixels.end(), d.images.pixels.begin() + 23 * 784));
  EXPECT_THROW(validation_tail(d, 31), std::invalid_argument);
}

TEST(Controls, PruneCountRoundsAndChecksTheFraction) {
  EXPECT_EQ(prune_count(0.0, 400), 0u);
  EXPECT_EQ(prune_count(0.05, 400), 20u);
  EXPECT_EQ(prune_count(0.25, 10), 3u);  // 2.5 rounds away from zero
  EXPECT_EQ(prune_count(1.0, 400), 400u);
  EXPECT_THROW(prune_count(1.5, 400), std::invalid_argument);
  EXPECT_THROW(prune_count(-0.1, 400), std::invalid_argument);
}

TEST(Controls, PruneOrderFollowsTheCriterion) {
  const auto p = small_params();
  auto s = models::initial_state(p, 1);
  // train-response: the lowest mean class rate first, ties in index order
  s.class_rate_Hz.assign(p.n_exc * 10, 1.0f);
  for (int c = 0; c < 10; ++c) {
    s.class_rate_Hz[5 * 10 + c] = 0.0f;
    s.class_rate_Hz[3 * 10 + c] = 0.5f;
    s.class_rate_Hz[8 * 10 + c] = 0.0f;
  }
  const auto o = prune_order(p, s, PruneCriterion::train_response);
  ASSERT_EQ(o.size(), p.n_exc);
  EXPECT_EQ(o[0], 5u);
  EXPECT_EQ(o[1], 8u);
  EXPECT_EQ(o[2], 3u);
  EXPECT_EQ(o[3], 0u);
  // high-response: the highest mean class rate first (a neuron answering every class), ties in index order
  for (int c = 0; c < 10; ++c) s.class_rate_Hz[7 * 10 + c] = 20.0f;
  s.class_rate_Hz[2 * 10 + 4] = 30.0f;  // mean 3.9: above the 1.0 of the rest, below neuron 7's 20
  const auto h = prune_order(p, s, PruneCriterion::high_response);
  ASSERT_EQ(h.size(), p.n_exc);
  EXPECT_EQ(h[0], 7u);
  EXPECT_EQ(h[1], 2u);
  EXPECT_EQ(h[2], 0u);
  EXPECT_EQ(h[h.size() - 1], 8u);
  EXPECT_EQ(h[h.size() - 2], 5u);
  // rf-variance: the noisiest field first
  const auto var = analysis::receptive_field_variance(s.weights, p.n_input, p.n_exc);
  const auto r = prune_order(p, s, PruneCriterion::rf_variance);
  for (std::size_t q = 1; q < r.size(); ++q) EXPECT_GE(var[r[q - 1]], var[r[q]]);
  s.class_rate_Hz.clear();
  EXPECT_THROW(prune_order(p, s, PruneCriterion::train_response), std::invalid_argument);
  EXPECT_THROW(prune_order(p, s, PruneCriterion::high_response), std::invalid_argument);
}

TEST(Controls, NamesRoundTrip) {
  for (auto c : {PruneCriterion::train_response, PruneCriterion::rf_variance, PruneCriterion::high_response})
    EXPECT_EQ(prune_criterion_from_string(to_string(c)), c);
  for (auto m : {PruneMethod::silence, PruneMethod::unvote}) EXPECT_EQ(prune_method_from_string(to_string(m)), m);
  EXPECT_THROW(prune_criterion_from_string("train-spikes"), std::invalid_argument);
  EXPECT_THROW(prune_method_from_string("drop"), std::invalid_argument);
}

TEST(Controls, PruneSilencesOrUnvotesAndIsThreadIndependent) {
  const auto p = small_params();
  const auto d = synthetic(40);
  auto s = models::initial_state(p, 2);
  const auto lab = assign_labels(p, s, 2, d, 20, 1);
  s.labels = lab.labels;
  s.class_rate_Hz = lab.class_rate_Hz;
  const auto order = prune_order(p, s, PruneCriterion::rf_variance);
  const auto silenced = prune(p, s, 2, order, 0.25, PruneMethod::silence, d, 20, 1);
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_EQ(silenced.labels[order[q]], -1);
    for (std::size_t i = 0; i < p.n_input; ++i) EXPECT_EQ(silenced.weights[i * p.n_exc + order[q]], 0.0f);
  }
  for (std::size_t q = 3; q < p.n_exc; ++q)
    for (std::size_t i = 0; i < p.n_input; ++i)
      EXPECT_EQ(silenced.weights[i * p.n_exc + order[q]], s.weights[i * p.n_exc + order[q]]);
  EXPECT_EQ(silenced.theta_mV, s.theta_mV);
  const auto unvoted = prune(p, s, 2, order, 0.25, PruneMethod::unvote, d, 20, 1);
  EXPECT_EQ(unvoted.weights, s.weights);
  for (std::size_t q = 0; q < p.n_exc; ++q)
    EXPECT_EQ(unvoted.labels[order[q]], q < 3 ? -1 : s.labels[order[q]]);  // same dynamics: same labels otherwise
  const auto two = prune(p, s, 2, order, 0.25, PruneMethod::silence, d, 20, 2);
  EXPECT_EQ(two.labels, silenced.labels);
  EXPECT_EQ(two.class_rate_Hz, silenced.class_rate_Hz);

  const auto val = validation_tail(d, 10);
  const auto a = choose_prune_fraction(p, s, 2, order, {0.0, 0.25, 0.5}, PruneMethod::silence, d, 20, val, 1);
  const auto b = choose_prune_fraction(p, s, 2, order, {0.0, 0.25, 0.5}, PruneMethod::silence, d, 20, val, 2);
  ASSERT_EQ(a.candidates.size(), 3u);
  for (std::size_t q = 0; q < 3; ++q) {
    EXPECT_EQ(a.candidates[q].validation_accuracy, b.candidates[q].validation_accuracy);
    EXPECT_LE(a.candidates[q].validation_accuracy, a.candidates[a.best].validation_accuracy);
  }
  EXPECT_EQ(a.best, b.best);
  // fraction 0 prunes nothing: the candidate scores the relabelled state itself
  const auto e0 = evaluate(p, prune(p, s, 2, order, 0.0, PruneMethod::silence, d, 20, 1), 2, val, 10, 1);
  EXPECT_EQ(a.candidates[0].validation_accuracy, e0.accuracy());
}

TEST(Controls, ChoosePruneFractionBreaksTiesTowardsTheSmallerFraction) {
  const auto p = small_params();
  const auto d = synthetic(30);
  auto s = models::initial_state(p, 2);
  const auto lab = assign_labels(p, s, 2, d, 20, 1);
  s.labels = lab.labels;
  s.class_rate_Hz = lab.class_rate_Hz;
  const auto order = prune_order(p, s, PruneCriterion::rf_variance);
  // the same fraction twice (listed larger first) ties exactly: the later, equal one must not win
  const auto r = choose_prune_fraction(p, s, 2, order, {0.25, 0.0, 0.0}, PruneMethod::silence, d, 20,
                                       validation_tail(d, 10), 1);
  EXPECT_EQ(r.candidates[1].validation_accuracy, r.candidates[2].validation_accuracy);
  EXPECT_NE(r.best, 2u);
}

TEST(Controls, ExtraWakeLearnsAndIsThreadIndependent) {
  const auto p = small_params();
  const auto d = synthetic(20);
  const auto s = models::initial_state(p, 3);
  const auto a = extra_wake(p, s, 3, d, 10, 1, 1);
  const auto b = extra_wake(p, s, 3, d, 10, 1, 2);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.theta_mV, b.theta_mV);
  EXPECT_NE(a.weights, s.weights);
  EXPECT_EQ(a.samples_seen, s.samples_seen + 10);
  EXPECT_GT(a.presentations, s.presentations);
  EXPECT_TRUE(a.labels.empty());
  EXPECT_THROW(extra_wake(p, s, 3, d, 10, 0, 1), std::invalid_argument);
}

TEST(Controls, NoiseCurveLevelZeroIsTheCleanSet) {
  const auto p = small_params();
  const auto d = synthetic(20);
  auto s = models::initial_state(p, 4);
  const auto lab = assign_labels(p, s, 4, d, 20, 1);
  s.labels = lab.labels;
  const auto clean = evaluate(p, s, 4, d, 10, 1);
  for (auto type : {NoiseType::gaussian, NoiseType::saltpepper, NoiseType::blur}) {
    const auto c = noise_curve(p, s, 4, d, 10, type, {0.0, 0.5}, 1, 1);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].accuracy, clean.accuracy());
    EXPECT_EQ(c[1].n_samples, 10u);
    EXPECT_EQ(noise_curve(p, s, 4, d, 10, type, {0.5}, 1, 2)[0].accuracy, c[1].accuracy);
  }
}

}  // namespace
}  // namespace snnsim::experiments
