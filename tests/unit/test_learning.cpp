// End-to-end on real MNIST: a small network must learn well above chance, and the numbers
// must not depend on the thread count.
#include <gtest/gtest.h>

#include "experiments/frozen.hpp"
#include "experiments/train.hpp"
#include "io/idx.hpp"

using namespace snnsim;

namespace {
const io::LabelledImages& train_set() {
  static const auto d = io::load_split(SNNSIM_TEST_DATA_DIR, io::Split::train, 600);
  return d;
}
const io::LabelledImages& test_set() {
  static const auto d = io::load_split(SNNSIM_TEST_DATA_DIR, io::Split::test, 400);
  return d;
}

models::NetworkState trained(const models::DiehlCookParams& p, std::size_t images, std::uint64_t seed,
                             sim::Parallelism within_step = {}) {
  const auto init = models::initial_state(p, seed);
  models::DiehlCookNetwork net(p, init, seed);
  net.set_threads(within_step.threads, within_step.min_per_thread);
  experiments::TrainOptions o;
  o.train_images = images;
  o.seed = seed;
  o.log_window = 100;
  experiments::TrainCursor cursor;
  const auto report = experiments::train(net, train_set(), o, cursor);
  EXPECT_TRUE(report.stopped.empty()) << report.stopped;
  auto s = net.state(init);
  s.samples_seen = cursor.next_sample;
  return s;
}
}  // namespace

TEST(Learning, SmallNetworkLearnsMnistWellAboveChance) {
  models::DiehlCookParams p;
  p.n_exc = 50;
  auto s = trained(p, 400, 11);
  const auto lab = experiments::assign_labels(p, s, 11, train_set(), 400, 2);
  s.labels = lab.labels;
  const auto e = experiments::evaluate(p, s, 11, test_set(), 400, 2);
  EXPECT_GT(e.accuracy(), 0.35) << "chance is 0.10";
  // Learning changed the weights and raised thresholds of the neurons that fired.
  double theta_mean = 0;
  for (double t : s.theta_mV) theta_mean += t / static_cast<double>(s.theta_mV.size());
  EXPECT_GT(theta_mean, 20.0);
}

TEST(Determinism, SameSeedSameTrainingAndAnyThreadCountSameEvaluation) {
  models::DiehlCookParams p;
  p.n_exc = 20;
  const auto a = trained(p, 60, 5);
  const auto b = trained(p, 60, 5);
  EXPECT_EQ(a.weights, b.weights);
  EXPECT_EQ(a.theta_mV, b.theta_mV);
  const auto l1 = experiments::assign_labels(p, a, 5, train_set(), 60, 1);
  const auto l2 = experiments::assign_labels(p, a, 5, train_set(), 60, 2);
  EXPECT_EQ(l1.labels, l2.labels);
  EXPECT_EQ(l1.class_rate_Hz, l2.class_rate_Hz);
  auto s = a;
  s.labels = l1.labels;
  const auto e1 = experiments::evaluate(p, s, 5, test_set(), 100, 1);
  const auto e2 = experiments::evaluate(p, s, 5, test_set(), 100, 2);
  EXPECT_EQ(e1.predictions, e2.predictions);
  EXPECT_EQ(e1.confusion, e2.confusion);
  const auto c = trained(p, 60, 6);
  EXPECT_NE(a.weights, c.weights) << "a different seed must give a different run";
}

// Training with each step's neurons and input synapses split over threads (forced here on a
// small network) must give the very same network as one thread.
TEST(Determinism, TrainingSplitWithinEachStepGivesTheSameNetworkForAnyThreadCount) {
  models::DiehlCookParams p;
  p.n_exc = 44;
  const auto one = trained(p, 12, 9);
  for (const auto split : {sim::Parallelism{2, 8}, sim::Parallelism{3, 8}}) {
    const auto many = trained(p, 12, 9, split);
    EXPECT_EQ(one.weights, many.weights) << split.threads << " threads";
    EXPECT_EQ(one.theta_mV, many.theta_mV) << split.threads << " threads";
  }
  EXPECT_NE(one.weights, models::initial_state(p, 9).weights) << "training must have changed the weights";
}

TEST(Learning, PerNeuronTrainingCountsAddUpToTheLog) {
  // The cursor's per-neuron counts are those of the logged window of every sample: their sum is
  // the sum of the log's exc_spikes, and a neuron is active in at most every sample.
  models::DiehlCookParams p;
  p.n_exc = 30;
  const auto init = models::initial_state(p, 3);
  models::DiehlCookNetwork net(p, init, 3);
  experiments::TrainOptions o;
  o.train_images = 80;
  o.seed = 3;
  experiments::TrainCursor cursor;
  const auto report = experiments::train(net, train_set(), o, cursor);
  ASSERT_TRUE(report.stopped.empty()) << report.stopped;
  const auto& nc = cursor.neuron;
  ASSERT_EQ(nc.spikes.size(), p.n_exc);
  ASSERT_EQ(nc.active_samples.size(), p.n_exc);
  EXPECT_EQ(nc.counted_from, 0u);
  std::uint64_t logged = 0, counted = 0, active = 0;
  for (const auto& r : report.log) logged += r.exc_spikes;
  for (std::size_t j = 0; j < p.n_exc; ++j) {
    counted += nc.spikes[j];
    active += nc.active_samples[j];
    EXPECT_LE(nc.active_samples[j], o.train_images);
    EXPECT_LE(nc.active_samples[j], nc.spikes[j]);
  }
  EXPECT_EQ(counted, logged);
  EXPECT_GT(active, 0u);
  // Continuing with the same cursor keeps counting (no reset on a second call).
  experiments::TrainOptions more = o;
  more.train_images = 80;
  more.epochs = 2;
  const auto second = experiments::train(net, train_set(), more, cursor);
  std::uint64_t logged2 = logged, counted2 = 0;
  for (const auto& r : second.log) logged2 += r.exc_spikes;
  for (auto c : nc.spikes) counted2 += c;
  EXPECT_EQ(counted2, logged2);
  EXPECT_EQ(nc.counted_from, 0u);
}


// scale_columns_to_sum skips the columns that the last scaling left as they were and nothing
// wrote since (settled). Through training, each normalisation must give, bit for bit, what the
// full computation gives (every column summed over sources in order and scaled), and most
// columns must be skipped once the network has seen a few images. With a long post trace, a
// neuron's arrivals depress its weights for several images after its spike: its column must
// not be skipped then.
TEST(Learning, NormalisationSkippingSettledColumnsEqualsTheFullComputation) {
  for (const double tau_post1_ms : {20.0, 1000.0}) {
  SCOPED_TRACE(tau_post1_ms);
  models::DiehlCookParams p;
  p.n_exc = 64;
  p.stdp.tau_post1_ms = tau_post1_ms;
  const auto init = models::initial_state(p, 3);
  models::DiehlCookNetwork net(p, init, 3);
  auto full = [&](std::vector<float> w) {  // natural order [pre][post]
    for (std::size_t j = 0; j < p.n_exc; ++j) {
      double sum = 0.0;
      for (std::size_t i = 0; i < p.n_input; ++i) sum += static_cast<double>(w[i * p.n_exc + j]);
      const double factor = sum > 0.0 ? p.weight_norm_total / sum : 1.0;
      for (std::size_t i = 0; i < p.n_input; ++i)
        w[i * p.n_exc + j] = static_cast<float>(static_cast<double>(w[i * p.n_exc + j]) * factor);
    }
    return w;
  };
  std::vector<std::uint32_t> counts;
  std::vector<double> rates;
  std::size_t skipped_most = 0;
  for (std::uint32_t k = 0; k < 40; ++k) {
    const auto expected = full(net.input_exc().weights());
    if (net.input_exc().unsettled_columns() * 4 <= p.n_exc) ++skipped_most;
    net.normalize_weights();
    ASSERT_EQ(net.input_exc().weights(), expected) << "normalisation before image " << k;
    // A presentation without the normalisation (it was just checked), with plasticity.
    net.image_rates(train_set().images.image(k), p.input_intensity_start, rates);
    net.present(rates, models::kStreamTrainInput, k);
  }
  if (tau_post1_ms == 20.0) {
    EXPECT_GT(skipped_most, 20u) << "settled columns were hardly ever skipped";
  }
  // set_weights unsettles every column.
  net.input_exc().set_weights(net.input_exc().weights());
  EXPECT_EQ(net.input_exc().unsettled_columns(), p.n_exc);
  }
}
