// Class-incremental learning (experiments/incremental.hpp): the task split, the schedules of the
// methods, the kept-labels readout, the summaries, and thread-count invariance of a condition.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "experiments/incremental.hpp"
#include "experiments/task_split.hpp"
#include "sim/rng.hpp"

namespace snnsim::experiments {
namespace {

io::LabelledImages synthetic(std::size_t count, std::uint64_t seed) {
  io::LabelledImages d;
  d.images.rows = d.images.cols = 28;
  d.images.count = count;
  d.images.pixels.resize(count * 784);
  sim::RandomStream rng(seed, 99, 0, 0);
  for (std::size_t k = 0; k < count; ++k) {
    const int label = static_cast<int>((k * 3 + k / 7) % 10);  // classes interleaved unevenly
    d.labels.push_back(static_cast<std::uint8_t>(label));
    for (std::size_t r = 0; r < 28; ++r)
      for (std::size_t c = 0; c < 28; ++c) {
        const bool bar = c >= 2 + 2 * static_cast<std::size_t>(label) && c < 5 + 2 * static_cast<std::size_t>(label);
        d.images.pixels[k * 784 + r * 28 + c] = bar ? 255 : (rng.uniform() < 0.02 ? 128 : 0);
      }
  }
  return d;
}

IncrementalOptions small_options() {
  IncrementalOptions o;
  o.images_per_task = 16;
  o.label_images = 8;
  o.test_images = 60;
  o.replay_buffer = 6;
  o.sleep.duration_s = 0.5;
  return o;
}

models::DiehlCookParams small_params() {
  models::DiehlCookParams p;
  p.n_exc = 12;
  return p;
}

TEST(Incremental, TaskSplitIsExact) {
  const auto train = synthetic(500, 1);
  const auto o = small_options();
  const auto t = split_tasks(train, o);
  ASSERT_EQ(t.train.size(), 5u);
  std::set<std::uint32_t> all;
  for (std::size_t k = 0; k < 5; ++k) {
    // exactly the first K images of the task's two classes in file order, then the next L
    std::vector<std::uint32_t> expect;
    for (std::uint32_t i = 0; i < train.size(); ++i)
      if (train.labels[i] / 2 == k) expect.push_back(i);
    ASSERT_GE(expect.size(), o.images_per_task + o.label_images);
    EXPECT_EQ(t.train[k], std::vector<std::uint32_t>(expect.begin(), expect.begin() + 16));
    EXPECT_EQ(t.held_out[k], std::vector<std::uint32_t>(expect.begin() + 16, expect.begin() + 24));
    for (auto i : t.train[k]) EXPECT_TRUE(all.insert(i).second);
    for (auto i : t.held_out[k]) EXPECT_TRUE(all.insert(i).second) << "held-out image also trained on";
    // validation images: the 5 after the K + L, neither trained nor labelled on
    const auto v = validation_images(train, o, 5);
    ASSERT_EQ(v.size(), 25u);
    for (std::size_t j = 0; j < 5; ++j) {
      const auto a = v.images.image(k * 5 + j), b = train.images.image(expect[24 + j]);
      EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin()));
      EXPECT_EQ(v.labels[k * 5 + j], train.labels[expect[24 + j]]);
    }
  }
  EXPECT_THROW(validation_images(train, o, 90), std::invalid_argument);
  auto big = o;
  big.images_per_task = 200;
  EXPECT_THROW(split_tasks(train, big), std::invalid_argument);
}

TEST(Incremental, SchedulesSeeTheSameImages) {
  const auto train = synthetic(500, 1);
  const auto o = small_options();
  const auto t = split_tasks(train, o);
  const auto seq = training_schedule(IncrementalMethod::sequential, t, o, 5);
  EXPECT_EQ(seq, t.train);
  EXPECT_EQ(training_schedule(IncrementalMethod::sleep, t, o, 5), t.train);
  const auto inter = training_schedule(IncrementalMethod::interleaved, t, o, 5);
  ASSERT_EQ(inter.size(), seq.size());
  std::vector<std::uint32_t> a, b;
  for (std::size_t k = 0; k < seq.size(); ++k) {
    EXPECT_EQ(inter[k].size(), seq[k].size());
    a.insert(a.end(), seq[k].begin(), seq[k].end());
    b.insert(b.end(), inter[k].begin(), inter[k].end());
  }
  EXPECT_NE(a, b) << "interleaved is not shuffled";
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b) << "interleaved must see the same multiset of images";
  // mixed classes already in the first chunk
  std::set<int> first;
  for (auto i : inter[0]) first.insert(train.labels[i]);
  EXPECT_GT(first.size(), 2u);
  EXPECT_EQ(training_schedule(IncrementalMethod::interleaved, t, o, 5), inter);  // seeded
  EXPECT_NE(training_schedule(IncrementalMethod::interleaved, t, o, 6), inter);

  const auto rep = training_schedule(IncrementalMethod::replay, t, o, 5);
  EXPECT_EQ(rep[0], t.train[0]);
  for (std::size_t k = 1; k < 5; ++k) {
    ASSERT_EQ(rep[k].size(), o.images_per_task + o.replay_buffer);
    std::multiset<std::uint32_t> got(rep[k].begin(), rep[k].end());
    for (auto i : t.train[k]) {
      ASSERT_TRUE(got.count(i));
      got.erase(got.find(i));
    }
    EXPECT_EQ(got.size(), o.replay_buffer);
    std::set<std::uint32_t> distinct(got.begin(), got.end());
    EXPECT_EQ(distinct.size(), got.size()) << "buffer drawn without replacement";
    for (auto i : got) EXPECT_LT(train.labels[i] / 2, static_cast<int>(k)) << "buffer from earlier tasks only";
  }
}

TEST(Incremental, KeptLabelsNeverChange) {
  EXPECT_EQ(keep_labels({}, {3, -1, 2}), (std::vector<std::int16_t>{3, -1, 2}));
  EXPECT_EQ(keep_labels({3, -1, 2}, {5, 4, -1}), (std::vector<std::int16_t>{3, 4, 2}));
}

TEST(Incremental, SummariesFollowTheDefinitions) {
  // acc[after][task], T = 3
  const std::vector<double> acc = {0.9, 0.0, 0.0,   //
                                   0.5, 0.8, 0.0,   //
                                   0.4, 0.6, 0.7};
  const auto s = summarize(acc, 3);
  EXPECT_NEAR(s.average_accuracy, (0.4 + 0.6 + 0.7) / 3, 1e-12);
  EXPECT_NEAR(s.forgetting, ((0.9 - 0.4) + (0.8 - 0.6)) / 2, 1e-12);
  EXPECT_NEAR(s.bwt, ((0.4 - 0.9) + (0.6 - 0.8)) / 2, 1e-12);
}

TEST(Incremental, ConditionIsThreadInvariantAndKeepsLabels) {
  const auto train = synthetic(500, 1);
  const auto test = synthetic(60, 2);
  const auto p = small_params();
  auto o = small_options();
  const auto t = split_tasks(train, o);
  for (auto m : {IncrementalMethod::sequential, IncrementalMethod::sleep, IncrementalMethod::interleaved,
                 IncrementalMethod::replay}) {
    SCOPED_TRACE(to_string(m));
    o.threads = 1;
    auto r1 = run_incremental(p, train, test, o, t, m, 3);
    o.threads = 2;
    auto r2 = run_incremental(p, train, test, o, t, m, 3);
    r1.wall_s = r2.wall_s = 0;
    EXPECT_EQ(encode_incremental(r1), encode_incremental(r2)) << "threads 1 vs 2 differ";
    const auto back = decode_incremental(encode_incremental(r1));
    EXPECT_EQ(encode_incremental(back), encode_incremental(r1));
    ASSERT_EQ(r1.states.size(), 5u);
    for (std::size_t k = 1; k < 5; ++k)
      for (std::size_t j = 0; j < p.n_exc; ++j)
        if (r1.states[k - 1].kept[j] >= 0) {
          EXPECT_EQ(r1.states[k].kept[j], r1.states[k - 1].kept[j]);
        }
    for (std::size_t k = 0; k < 5; ++k)
      for (std::size_t j = 0; j < p.n_exc; ++j)
        if (r1.states[k].labels[j] >= 0 && m != IncrementalMethod::interleaved) {
          EXPECT_LE(r1.states[k].labels[j] / 2, static_cast<int>(k)) << "labels only from seen classes";
        }
    for (double a : r1.acc_relabelled) EXPECT_TRUE(a >= 0 && a <= 1);
  }
  // all methods start from the same network: task 1 of sequential and sleep trains alike
  o.threads = 1;
  const auto seq = run_incremental(p, train, test, o, t, IncrementalMethod::sequential, 3);
  const auto rep = run_incremental(p, train, test, o, t, IncrementalMethod::replay, 3);
  EXPECT_EQ(seq.states[0].weights, rep.states[0].weights);
}

}  // namespace
}  // namespace snnsim::experiments
