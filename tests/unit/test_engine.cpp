#include <gtest/gtest.h>

#include "scripted_source.hpp"
#include "sim/dense_projection.hpp"
#include "sim/engine.hpp"
#include "sim/fixed_projections.hpp"
#include "sim/monitors.hpp"

using namespace snnsim;

namespace {
void expect_event(const test::ConductanceProbe::Event& ev, sim::Step step, std::size_t target, double value) {
  EXPECT_EQ(ev.step, step);
  EXPECT_EQ(ev.target, target);
  EXPECT_DOUBLE_EQ(ev.value, value);
}
}  // namespace

// The causal contract of the whole engine: a spike at step t through delay d acts at t + d.
TEST(Engine, SpikeAtTWithDelayDActsAtExactlyTPlusD) {
  for (std::uint8_t d : {std::uint8_t{1}, std::uint8_t{2}, std::uint8_t{7}, std::uint8_t{21}}) {
    sim::Engine e(0.5);
    auto& src = e.add_population<test::ScriptedSource>(1);
    auto& probe = e.add_population<test::ConductanceProbe>(1);
    e.add_projection<sim::DenseProjection<sim::NoPlasticity>>("p", src, probe, sim::Receptor::excitatory,
                                                             std::vector<float>{0.25f}, std::vector<std::uint8_t>{d});
    src.at(10, 0);
    e.run(40);
    ASSERT_EQ(probe.seen_ge.size(), 1u) << "delay " << int(d);
    EXPECT_EQ(probe.seen_ge[0].step, 10 + d);
    EXPECT_DOUBLE_EQ(probe.seen_ge[0].value, 0.25);
  }
}

TEST(Engine, PerSynapseDelaysReachEachTargetOnItsOwnStep) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(2);
  auto& probe = e.add_population<test::ConductanceProbe>(3);
  // pre 0 -> posts with delays 3, 1, 5; pre 1 -> delays 2, 2, 2
  e.add_projection<sim::DenseProjection<sim::NoPlasticity>>(
      "p", src, probe, sim::Receptor::excitatory, std::vector<float>{1, 2, 3, 10, 20, 30},
      std::vector<std::uint8_t>{3, 1, 5, 2, 2, 2});
  src.at(4, 0);
  src.at(4, 1);
  e.run(20);
  std::map<std::pair<sim::Step, std::size_t>, double> got;
  for (auto& ev : probe.seen_ge) got[{ev.step, ev.target}] = ev.value;
  std::map<std::pair<sim::Step, std::size_t>, double> want = {{{7, 0}, 1},  {{5, 1}, 2},  {{9, 2}, 3},
                                                              {{6, 0}, 10}, {{6, 1}, 20}, {{6, 2}, 30}};
  EXPECT_EQ(got, want);
}

// Inside a row the weights are kept in delay order; the outside must still see [pre][post].
TEST(Engine, DenseProjectionKeepsNaturalWeightOrderAndScalesColumns) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(2);
  auto& probe = e.add_population<test::ConductanceProbe>(3);
  const std::vector<float> w{1, 2, 3, 10, 20, 30};
  auto& p = e.add_projection<sim::DenseProjection<sim::NoPlasticity>>(
      "p", src, probe, sim::Receptor::excitatory, w, std::vector<std::uint8_t>{3, 1, 5, 4, 2, 1});
  EXPECT_EQ(p.weights(), w);
  EXPECT_EQ(p.weight(0, 2), 3.0f);
  EXPECT_EQ(p.weight(1, 0), 10.0f);
  p.scale_columns_to_sum(22.0);  // column sums 11, 22, 33 -> factors 2, 1, 2/3
  const auto scaled = p.weights();
  const std::vector<float> want{2, 2, 2, 20, 20, 20};
  for (std::size_t k = 0; k < want.size(); ++k) EXPECT_FLOAT_EQ(scaled[k], want[k]) << "synapse " << k;
  p.set_weights(std::vector<float>{6, 5, 4, 3, 2, 1});
  EXPECT_EQ(p.weight(0, 0), 6.0f);
  EXPECT_EQ(p.weight(1, 2), 1.0f);
}

TEST(Engine, GainScalesDeliveredWeight) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(1);
  auto& probe = e.add_population<test::ConductanceProbe>(1);
  auto& p = e.add_projection<sim::DenseProjection<sim::NoPlasticity>>(
      "p", src, probe, sim::Receptor::excitatory, std::vector<float>{0.5f}, std::vector<std::uint8_t>{1});
  p.set_gain(3.0);
  src.at(0, 0);
  e.run(3);
  ASSERT_EQ(probe.seen_ge.size(), 1u);
  EXPECT_DOUBLE_EQ(probe.seen_ge[0].value, 1.5);
}

TEST(Engine, AllButSelfSkipsThePartnerOnly) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(4);
  auto& probe = e.add_population<test::ConductanceProbe>(4);
  e.add_projection<sim::AllButSelfProjection>("inh", src, probe, sim::Receptor::inhibitory, 17.0, 1);
  src.at(2, 1);
  src.at(2, 3);
  e.run(5);
  std::vector<double> gi(4, 0.0);
  for (auto& ev : probe.seen_gi) {
    EXPECT_EQ(ev.step, 3);
    gi[ev.target] = ev.value;
  }
  EXPECT_EQ(gi, (std::vector<double>{34.0, 17.0, 34.0, 17.0}));
}

TEST(Engine, OneToOneReachesOnlyThePartner) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(3);
  auto& probe = e.add_population<test::ConductanceProbe>(3);
  e.add_projection<sim::OneToOneProjection>("ei", src, probe, sim::Receptor::excitatory, 10.4, 1);
  src.at(0, 2);
  e.run(3);
  ASSERT_EQ(probe.seen_ge.size(), 1u);
  expect_event(probe.seen_ge[0], 1, 2, 10.4);
}

// Within-step threads cut the fixed projections' targets like their population (range_begin),
// so that a thread delivers only into the neurons it updates; the parts together deliver what
// the whole projection did, the same values into the same targets at the same steps.
TEST(Engine, FixedProjectionsCutIntoPartsDeliverWhatTheWholeDoes) {
  auto run = [](bool split) {
    sim::Engine e(0.5);
    auto& src = e.add_population<test::ScriptedSource>(40);
    auto& probe = e.add_population<test::ConductanceProbe>(40);
    auto& inh = e.add_projection<sim::AllButSelfProjection>("inh", src, probe, sim::Receptor::inhibitory, 17.0, 1);
    auto& ei = e.add_projection<sim::OneToOneProjection>("ei", src, probe, sim::Receptor::excitatory, 10.4, 2);
    if (split) e.set_parallelism({3, 8});  // 40 targets: parts [0, 8), [8, 24), [24, 40)
    EXPECT_EQ(inh.parts(), split ? 3 : 1);
    EXPECT_EQ(ei.parts(), split ? 3 : 1);
    for (sim::NeuronId i : {0u, 7u, 8u, 15u, 16u, 23u, 24u, 39u}) src.at(2, i);
    src.at(4, 16);
    src.at(5, 39);
    e.run(10);
    return std::make_pair(probe.seen_ge, probe.seen_gi);
  };
  const auto whole = run(false), parts = run(true);
  auto same = [](const std::vector<test::ConductanceProbe::Event>& a, const std::vector<test::ConductanceProbe::Event>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].step, b[k].step);
      EXPECT_EQ(a[k].target, b[k].target);
      EXPECT_EQ(a[k].value, b[k].value);  // bit for bit
    }
  };
  ASSERT_FALSE(whole.first.empty());
  ASSERT_FALSE(whole.second.empty());
  same(whole.first, parts.first);
  same(whole.second, parts.second);
}

TEST(Engine, ResetDynamicsDropsSpikesInFlight) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(1);
  auto& probe = e.add_population<test::ConductanceProbe>(1);
  e.add_projection<sim::DenseProjection<sim::NoPlasticity>>("p", src, probe, sim::Receptor::excitatory,
                                                           std::vector<float>{1.0f}, std::vector<std::uint8_t>{5});
  src.at(0, 0);
  e.run(2);
  e.reset_dynamics();
  e.run(10);
  EXPECT_TRUE(probe.seen_ge.empty());
}

TEST(Engine, SpikeCounterCountsOnlyWhileEnabled) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(2);
  auto& counter = e.add_observer<sim::SpikeCounter>(src);
  src.at(0, 0);
  src.at(1, 1);
  src.at(2, 1);
  e.step();
  counter.enable(true);
  e.step();
  e.step();
  counter.enable(false);
  EXPECT_EQ(counter.counts(), (std::vector<std::uint32_t>{0, 2}));
}

TEST(Engine, RejectsNonPositiveDt) { EXPECT_THROW(sim::Engine(0.0), std::invalid_argument); }

TEST(Engine, DenseProjectionRejectsZeroDelay) {
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(1);
  auto& probe = e.add_population<test::ConductanceProbe>(1);
  EXPECT_THROW((sim::DenseProjection<sim::NoPlasticity>("p", src, probe, sim::Receptor::excitatory,
                                                        std::vector<float>{1.0f}, std::vector<std::uint8_t>{0})),
               std::invalid_argument);
}

// Targets are indexed with 16 bits inside a row: the largest allowed projection must still reach
// its last target (a wrapped index would land on target 0 or on no target), and one more is refused.
TEST(Engine, DenseProjectionReachesTheLastOf65535TargetsAndRefusesMore) {
  constexpr std::size_t kTargets = 65535;
  sim::Engine e(0.5);
  auto& src = e.add_population<test::ScriptedSource>(1);
  auto& probe = e.add_population<test::ConductanceProbe>(kTargets);
  std::vector<float> w(kTargets, 0.0f);
  std::vector<std::uint8_t> d(kTargets, 1);
  w[kTargets - 1] = 0.5f;
  d[kTargets - 1] = 3;
  w[0] = 0.25f;
  e.add_projection<sim::DenseProjection<sim::NoPlasticity>>("p", src, probe, sim::Receptor::excitatory, w, d);
  src.at(2, 0);
  e.run(8);
  ASSERT_EQ(probe.seen_ge.size(), 2u);
  expect_event(probe.seen_ge[0], 3, 0, 0.25);
  expect_event(probe.seen_ge[1], 5, kTargets - 1, 0.5);

  auto& wide = e.add_population<test::ConductanceProbe>(kTargets + 1);
  EXPECT_THROW((sim::DenseProjection<sim::NoPlasticity>("q", src, wide, sim::Receptor::excitatory,
                                                        std::vector<float>(kTargets + 1, 0.0f),
                                                        std::vector<std::uint8_t>(kTargets + 1, 1))),
               std::invalid_argument);
}

// With several threads the targets are split into blocks, each laid out by delay inside every
// row, and a step runs its parts on a team of threads. Arrivals, their order (two projections
// add into the same channel here), the natural weight order and column scaling must not change:
// whether the split is set before the projection exists or re-laid out afterwards, and when the
// team is smaller than the parts (inside another parallel region).
TEST(Engine, DenseProjectionSplitAcrossThreadsDeliversAndScalesExactlyAsOneThread) {
  constexpr std::size_t kPre = 3, kPost = 40;
  std::vector<float> w(kPre * kPost), w2(kPre * kPost);
  std::vector<std::uint8_t> d(kPre * kPost), d2(kPre * kPost);
  for (std::size_t i = 0; i < kPre; ++i)
    for (std::size_t j = 0; j < kPost; ++j) {
      w[i * kPost + j] = static_cast<float>(1 + i * kPost + j);
      w2[i * kPost + j] = 0.1f * static_cast<float>(1 + j);
      d[i * kPost + j] = static_cast<std::uint8_t>(1 + (7 * i + 3 * j) % 9);
      d2[i * kPost + j] = static_cast<std::uint8_t>(1 + (i + 5 * j) % 4);
    }
  struct Outcome {
    std::vector<test::ConductanceProbe::Event> events;
    std::vector<float> weights, scaled;
  };
  auto run = [&](sim::Parallelism before, sim::Parallelism after, bool nested) {
    sim::Engine e(0.5);
    e.set_parallelism(before);
    auto& src = e.add_population<test::ScriptedSource>(kPre);
    auto& probe = e.add_population<test::ConductanceProbe>(kPost);
    auto& p = e.add_projection<sim::DenseProjection<sim::NoPlasticity>>("p", src, probe, sim::Receptor::excitatory,
                                                                         w, d);
    e.add_projection<sim::DenseProjection<sim::NoPlasticity>>("q", src, probe, sim::Receptor::excitatory, w2, d2);
    e.set_parallelism(after);
    src.at(1, 0);
    src.at(1, 2);
    src.at(3, 1);
    src.at(4, 0);
    if (nested) {
#pragma omp parallel num_threads(2)
      {
#pragma omp single
        e.run(20);
      }
    } else {
      e.run(20);
    }
    Outcome o{probe.seen_ge, p.weights(), {}};
    p.scale_columns_to_sum(5.0);
    o.scaled = p.weights();
    return o;
  };
  const auto serial = run({}, {}, false);
  ASSERT_GT(serial.events.size(), 2 * kPost);  // same-step arrivals at a target merge into one event
  EXPECT_EQ(serial.weights, w);
  struct Case {
    sim::Parallelism before, after;
    bool nested;
  };
  for (const auto& c : {Case{{3, 1}, {3, 1}, false}, Case{{}, {2, 1}, false}, Case{{3, 1}, {}, false},
                        Case{{3, 1}, {3, 1}, true}}) {
    const auto split = run(c.before, c.after, c.nested);
    ASSERT_EQ(split.events.size(), serial.events.size());
    for (std::size_t k = 0; k < serial.events.size(); ++k) {
      EXPECT_EQ(split.events[k].step, serial.events[k].step) << "event " << k;
      EXPECT_EQ(split.events[k].target, serial.events[k].target) << "event " << k;
      EXPECT_EQ(split.events[k].value, serial.events[k].value) << "event " << k;
    }
    EXPECT_EQ(split.weights, serial.weights);
    EXPECT_EQ(split.scaled, serial.scaled);
  }
}

TEST(Engine, ParallelismCutsOnlyLargeLoopsAndAlignsRanges) {
  const sim::Parallelism p{4, 100};
  EXPECT_EQ(p.parts(99), 1);
  EXPECT_EQ(p.parts(250), 2);
  EXPECT_EQ(p.parts(100000), 4);
  EXPECT_EQ((sim::Parallelism{1, 1}.parts(100000)), 1);
  EXPECT_EQ(sim::range_begin(250, 2, 0), 0u);
  EXPECT_EQ(sim::range_begin(250, 2, 1), 120u);  // 125 rounded down to a multiple of 8
  EXPECT_EQ(sim::range_begin(250, 2, 2), 250u);
}
