// Label assignment and the rest-firing point (issue 24: at N=6400 after one epoch, 551 neurons had
// their threshold below rest, fired once in every presentation whatever the image, got class 0
// from the first-class tie rule, and class 0 won every vote: 9.89 %).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "experiments/frozen.hpp"
#include "io/idx.hpp"
#include "models/diehl_cook.hpp"

using namespace snnsim;

namespace {
const io::LabelledImages& train_set() {
  static const auto d = io::load_split(SNNSIM_TEST_DATA_DIR, io::Split::train, 60);
  return d;
}

// The rule before issue 24 (the authors' loop: strict >, first class wins ties), for comparison.
std::vector<std::int16_t> first_class_rule(const std::vector<double>& sum, const std::array<std::size_t, 10>& per) {
  std::vector<std::int16_t> labels(sum.size() / 10, -1);
  for (std::size_t j = 0; j < labels.size(); ++j) {
    double best = 0.0;
    for (int c = 0; c < 10; ++c) {
      if (per[c] == 0) continue;
      const double mean = sum[j * 10 + c] / static_cast<double>(per[c]);
      if (mean > best) {
        best = mean;
        labels[j] = static_cast<std::int16_t>(c);
      }
    }
  }
  return labels;
}
}  // namespace

TEST(Labels, NeuronWithEqualClassRatesIsLeftUnlabelled) {
  const std::array<std::size_t, 10> per{5, 7, 6, 5, 4, 8, 6, 5, 7, 7};
  std::vector<double> sum(4 * 10, 0.0);
  for (int c = 0; c < 10; ++c) {
    sum[0 * 10 + c] = static_cast<double>(per[c]);      // once per image, every class: flat
    sum[1 * 10 + c] = 3.0 * static_cast<double>(per[c]);  // three times per image: flat too
    sum[2 * 10 + c] = 0.0;                                // silent
    sum[3 * 10 + c] = static_cast<double>(per[c]) * (c == 4 ? 2.0 : 1.0);  // prefers class 4
  }
  const auto l = experiments::assign_from_class_sums(sum, per, 0.35);
  EXPECT_EQ(l.labels, (std::vector<std::int16_t>{-1, -1, -1, 4}));
  EXPECT_EQ(l.flat, 2u);
  EXPECT_EQ(l.silent, 1u);
  EXPECT_EQ(l.tied, 0u);
  // Class rates are kept for every neuron, flat ones included.
  EXPECT_FLOAT_EQ(l.class_rate_Hz[0 * 10 + 7], static_cast<float>(1.0 / 0.35));
  EXPECT_FLOAT_EQ(l.class_rate_Hz[1 * 10 + 0], static_cast<float>(3.0 / 0.35));

  models::NetworkState s;
  s.labels = l.labels;
  s.class_rate_Hz = l.class_rate_Hz;
  const auto counts = models::count_labels(s);
  EXPECT_EQ(counts.labelled, 1u);
  EXPECT_EQ(counts.silent, 1u);
  EXPECT_EQ(counts.flat, 2u);
}

TEST(Labels, PartialTieKeepsTheFirstClassAndIsCounted) {
  std::array<std::size_t, 10> per{};
  per.fill(10);
  std::vector<double> sum(10, 1.0);
  sum[3] = sum[8] = 4.0;  // 3 and 8 share the highest mean; the others are lower
  const auto l = experiments::assign_from_class_sums(sum, per, 0.35);
  EXPECT_EQ(l.labels[0], 3);
  EXPECT_EQ(l.tied, 1u);
  EXPECT_EQ(l.flat, 0u);
}

TEST(Labels, FlatOverTheClassesShownWhenSomeAreMissing) {
  std::array<std::size_t, 10> per{};
  per[2] = 3;
  per[5] = 4;
  std::vector<double> sum(2 * 10, 0.0);
  sum[2] = 3.0;
  sum[5] = 4.0;  // neuron 0: one spike per image of both classes shown
  sum[10 + 5] = 1.0;
  const auto l = experiments::assign_from_class_sums(sum, per, 0.35);
  EXPECT_EQ(l.labels, (std::vector<std::int16_t>{-1, 5}));
  EXPECT_EQ(l.flat, 1u);
  // With a single class shown a responding neuron keeps it (nothing to compare).
  std::array<std::size_t, 10> one{};
  one[6] = 2;
  std::vector<double> s1(10, 0.0);
  s1[6] = 2.0;
  EXPECT_EQ(experiments::assign_from_class_sums(s1, one, 0.35).labels[0], 6);
}

// Without an all-class tie the labels are those of the authors' rule, bit for bit.
TEST(Labels, NormalNeuronsGetTheSameLabelsAsTheFirstClassRule) {
  std::mt19937_64 rng(42);
  std::array<std::size_t, 10> per{};
  for (auto& k : per) k = 1 + rng() % 12;
  std::vector<double> sum(500 * 10);
  for (auto& x : sum) x = static_cast<double>(rng() % 4 == 0 ? 0 : rng() % 6);  // small counts: many partial ties
  const auto l = experiments::assign_from_class_sums(sum, per, 0.35);
  const auto old = first_class_rule(sum, per);
  std::size_t flat = 0, tied = 0;
  for (std::size_t j = 0; j < old.size(); ++j) {
    std::vector<double> means;
    for (int c = 0; c < 10; ++c) means.push_back(sum[j * 10 + c] / static_cast<double>(per[c]));
    const double mx = *std::max_element(means.begin(), means.end());
    const auto at_max = std::count(means.begin(), means.end(), mx);
    if (mx > 0 && at_max == 10) {
      ++flat;
      EXPECT_EQ(l.labels[j], -1) << j;
    } else {
      tied += mx > 0 && at_max > 1;
      EXPECT_EQ(l.labels[j], old[j]) << j;
    }
  }
  EXPECT_EQ(l.flat, flat);
  EXPECT_EQ(l.tied, tied);
  EXPECT_GT(tied, 0u) << "the sample should contain partial ties";
}

TEST(RestFiring, ThresholdBelowRestFollowsTheParameters) {
  models::LifParams p = models::DiehlCookParams::exc_defaults();  // -52 - 20 + theta vs rest -65: 7 mV
  EXPECT_TRUE(models::fires_at_rest(p, 0.0));
  EXPECT_TRUE(models::fires_at_rest(p, 6.99));
  EXPECT_FALSE(models::fires_at_rest(p, 7.0)) << "the crossing test is v > threshold";
  EXPECT_FALSE(models::fires_at_rest(p, 20.0));
  p.v_rest_mV = -60.0;  // 12 mV now
  EXPECT_TRUE(models::fires_at_rest(p, 11.9));
  EXPECT_FALSE(models::fires_at_rest(p, 12.1));
  p.theta_offset_mV = 10.0;  // 2 mV
  EXPECT_TRUE(models::fires_at_rest(p, 1.9));
  EXPECT_FALSE(models::fires_at_rest(p, 2.1));
  p.adaptive_threshold = false;  // threshold v_thresh -52 > rest -60 whatever theta
  EXPECT_FALSE(models::fires_at_rest(p, -100.0));

  models::DiehlCookParams dp;
  dp.n_exc = 5;
  models::NetworkState s = models::initial_state(dp, 1);
  EXPECT_EQ(models::count_fire_at_rest(dp, s), 0u);
  s.theta_mV[1] = 3.0;
  s.theta_mV[4] = 6.5;
  EXPECT_EQ(models::count_fire_at_rest(dp, s), 2u);
}

// The failure of issue 24 in miniature: a network without input drive (all weights 0) and one
// neuron below the rest-firing point. That neuron fires alike for every image; it used to get
// class 0, now it stays unlabelled, and the silent ones stay unlabelled as before.
TEST(Labels, NeuronFiringAtRestIsClassFlatAndUnlabelled) {
  models::DiehlCookParams p;
  p.n_exc = 6;
  auto s = models::initial_state(p, 3);
  std::fill(s.weights.begin(), s.weights.end(), 0.0f);
  s.theta_mV[2] = 2.0;
  ASSERT_EQ(models::count_fire_at_rest(p, s), 1u);
  const auto l = experiments::assign_labels(p, s, 3, train_set(), 60, 2);
  EXPECT_EQ(l.labels, std::vector<std::int16_t>(6, -1));
  EXPECT_EQ(l.flat, 1u);
  EXPECT_EQ(l.silent, 5u);
  EXPECT_GT(l.class_rate_Hz[2 * 10 + 0], 0.0f);
}

// Frozen passes in chains (frozen_chain_images = K > 1, the authors' test mode): images follow each
// other with the rest period between them and nothing reset, each chain of K from rest. At N=6400
// after two epochs three neurons with a threshold 1.4-2.2 mV above rest fired on every test image
// when each image started from rest, and on none in a chain (bench/README.md).
TEST(FrozenChain, ChainsStartAtRestCarryStateAndDoNotDependOnThreads) {
  models::DiehlCookParams p;
  p.n_exc = 20;
  const auto s = models::initial_state(p, 5);
  const auto& images = train_set().images;
  const std::size_t count = 20, chain = 6;
  const auto from_rest = experiments::frozen_responses(p, s, 5, images, count, models::kStreamLabelInput, 1, {}, true);
  auto pc = p;
  pc.frozen_chain_images = chain;
  const auto a = experiments::frozen_responses(pc, s, 5, images, count, models::kStreamLabelInput, 1, {}, true);
  const auto b = experiments::frozen_responses(pc, s, 5, images, count, models::kStreamLabelInput, 2, {}, true);
  ASSERT_EQ(a.size(), count);
  std::size_t starts_compared = 0, carried = 0;
  const auto window = static_cast<std::uint32_t>(p.t_present_ms / p.dt_ms);
  for (std::size_t k = 0; k < count; ++k) {
    EXPECT_EQ(a[k].counts, b[k].counts) << "image " << k;
    EXPECT_EQ(a[k].tries, b[k].tries) << "image " << k;
    EXPECT_EQ(a[k].spike_step, b[k].spike_step) << "image " << k;
    for (auto t : a[k].spike_step) EXPECT_LT(t, window) << "a spike outside the last try's window, image " << k;
    std::uint32_t n = 0;
    for (auto c : a[k].counts) n += c;
    EXPECT_EQ(n, a[k].spike_id.size()) << "recorded spikes and counts disagree, image " << k;
    if (k % chain == 0) {
      // a chain's first try starts from rest with the same input stream as the unchained pass
      if (from_rest[k].tries == 1) {
        EXPECT_EQ(a[k].counts, from_rest[k].counts) << "chain start " << k;
        EXPECT_EQ(a[k].spike_step, from_rest[k].spike_step) << "chain start " << k;
        ++starts_compared;
      }
    } else {
      carried += a[k].counts != from_rest[k].counts;
    }
  }
  EXPECT_GT(starts_compared, 0u) << "no chain start answered at the first try";
  EXPECT_GT(carried, 0u) << "no image inside a chain felt the images before it";
  // one chain longer than the set: the same as a chain cut at the set's end
  pc.frozen_chain_images = 1000;
  const auto one = experiments::frozen_responses(pc, s, 5, images, 6, models::kStreamLabelInput, 2);
  for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(one[k].counts, a[k].counts) << "image " << k;
}
