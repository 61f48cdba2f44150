// Protocols on a tiny synthetic dataset, interventions, low-rank, validation split.
#include <gtest/gtest.h>

#include <cmath>

#include "ann/experiment.hpp"
#include "ann/protocol.hpp"
#include "synthetic.hpp"

using namespace snnsim::ann;

namespace {

ProtocolConfig small_config() {
  ProtocolConfig c;
  c.net.sizes = {784, 64, 48, 10};
  c.net.batch = 10;
  c.net.epochs = 10;
  c.net.init_range = 0.1;
  c.per_task = 20;
  c.sleep.steps_base = 300;
  c.sleep.steps_per_task = 100;
  c.snapshot_every = 100;
  c.save_weights = "final";
  return c;
}

}  // namespace

TEST(AnnProtocol, TaskDataFollowsTheClassIncrementalSplit) {
  const Dataset train = synth::make_synthetic(30, 0), test = synth::make_synthetic(5, 1000);
  const auto cfg = small_config();
  const TaskData td = make_task_data(train, test, cfg);
  ASSERT_EQ(td.train.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(td.train[k].size(), 20u);   // first per_task images of the task
    EXPECT_EQ(td.pool[k].size(), 60u);    // all images of the task
    for (auto y : td.train[k].y) EXPECT_EQ(task_of(cfg.tasks, y), k);
  }
  EXPECT_EQ(td.all_train.size(), 300u);
  // Validation split: held-out images are not in any training set or pool.
  const TaskData vd = make_validation_data(train, cfg, 10);
  EXPECT_EQ(vd.eval.size(), 50u);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(vd.pool[k].size(), 50u);
  EXPECT_EQ(vd.all_train.size(), 250u);
  std::vector<int> per_task(5, 0);
  for (auto y : vd.eval.y) ++per_task[task_of(cfg.tasks, y)];
  EXPECT_EQ(per_task, std::vector<int>(5, 10));
}

TEST(AnnProtocol, SequentialForgetsAndEveryMethodReports) {
  const Dataset train = synth::make_synthetic(30, 0), test = synth::make_synthetic(5, 1000);
  auto cfg = small_config();
  const TaskData td = make_task_data(train, test, cfg);
  const auto seq = run_method("sequential", td, cfg, 1);
  ASSERT_EQ(seq.evals.size(), 5u);
  // After task 1 the first task is learnt; after task 5 it is forgotten (single head).
  EXPECT_GT(seq.evals[0].acc.per_task[0], 0.9);
  EXPECT_LT(seq.evals[4].acc.per_task[0], 0.2);
  EXPECT_GT(seq.evals[4].acc.per_task[4], 0.9);
  const auto par = run_method("parallel", td, cfg, 1);
  ASSERT_EQ(par.evals.size(), 1u);
  EXPECT_GT(par.final_acc.overall, 0.9);
  for (const char* m : {"src", "cheat", "average", "lowrank", "lowrank-parallel"}) {
    const auto r = run_method(m, td, cfg, 1);
    EXPECT_FALSE(r.evals.empty()) << m;
    EXPECT_GE(r.final_acc.overall, 0.0) << m;
  }
  const auto src = run_method("src", td, cfg, 1);
  ASSERT_EQ(src.evals.size(), 10u);  // train + sleep row per task
  ASSERT_EQ(src.sleeps.size(), 5u);
  EXPECT_EQ(src.sleeps[2].stats.steps, 300 + 2 * 100);
  EXPECT_EQ(src.sleeps[0].snapshot_steps.front(), 0);
  EXPECT_EQ(src.sleeps[0].snapshot_steps.back(), 300);
  EXPECT_EQ(src.sleeps[0].snapshots.size(), src.sleeps[0].snapshot_steps.size() * 784);
  // Stable ranks before and after every sleep plus the final ones.
  EXPECT_EQ(src.ranks.size(), 5u * 2 * 3 + 3);
  EXPECT_THROW(run_method("nonsense", td, cfg, 1), std::invalid_argument);
  // Same seed, same result.
  const auto seq2 = run_method("sequential", td, cfg, 1);
  EXPECT_EQ(seq2.final_acc.overall, seq.final_acc.overall);
  EXPECT_EQ(seq2.states.back().second.W[0], seq.states.back().second.W[0]);
}

TEST(AnnProtocol, LowDataReportsWithAndWithoutSleep) {
  const Dataset train = synth::make_synthetic(20, 0), test = synth::make_synthetic(5, 1000);
  auto cfg = small_config();
  const auto r = run_lowdata(train, test, cfg, 0.5, false, 2);
  ASSERT_EQ(r.evals.size(), 2u);
  EXPECT_EQ(r.evals[0].phase, "train");
  EXPECT_EQ(r.evals[1].phase, "sleep");
  EXPECT_EQ(r.sleeps.at(0).stats.steps, 300);
  EXPECT_THROW(run_lowdata(train, test, cfg, 0.0, false, 2), std::invalid_argument);
}

TEST(AnnProtocol, SquareRenormaliseKeepsRowNormsAndSigns) {
  Mat W(2, 3);
  W << 1, -2, 2, 0, 0, 0;
  Mat S = W;
  square_renormalise(S);
  EXPECT_NEAR(S.row(0).norm(), W.row(0).norm(), 1e-5);
  // sign(w) w^2 = [1, -4, 4], norm sqrt(33), scaled to norm 3
  EXPECT_NEAR(S(0, 0), 3.0 / std::sqrt(33.0), 1e-6);
  EXPECT_NEAR(S(0, 1), -12.0 / std::sqrt(33.0), 1e-6);
  EXPECT_EQ(S.row(1), W.row(1));  // an all-zero neuron stays zero
}

TEST(AnnProtocol, ProportionalNoiseScalesWithTheWeight) {
  Net n;
  n.sizes = {1000, 2};
  Mat W(2, 1000);
  W.row(0).setConstant(0.0f);
  W.row(1).setConstant(1.0f);
  n.W = {W};
  Net m = n;
  proportional_noise(n, 0.1, 9, 0);
  proportional_noise(m, 0.1, 9, 0);
  EXPECT_EQ(n.W[0], m.W[0]);                    // keyed by (seed, step): reproducible
  EXPECT_EQ(n.W[0].row(0), W.row(0));           // zero weights get zero noise
  const Eigen::ArrayXf d = (n.W[0].row(1).array() - 1.0f).transpose();
  const double sd = std::sqrt(d.square().mean());
  EXPECT_NEAR(sd, 0.1, 0.015);
  EXPECT_NEAR(d.mean(), 0.0, 0.015);
  proportional_noise(m, 0.1, 9, 1);
  EXPECT_NE(m.W[0], n.W[0]);
}

TEST(AnnProtocol, HooksRunBetweenBatchesAndTraceNorms) {
  NetConfig cfg;
  cfg.sizes = {784, 16, 10};
  cfg.batch = 10;
  cfg.epochs = 1;
  const Dataset d = synth::make_synthetic(5, 0);  // 50 images -> 5 batches
  Interventions iv;
  iv.norm_trace_every = 2;
  iv.sqnorm_every = 5;
  NormTrace trace;
  TrainOptions o;
  o.hooks = make_hooks(iv, 1, &trace);
  Net n = make_net(cfg, 1);
  TrainCounters c{1, 0, 0};
  train(n, cfg, d.X, d.y, c, o);
  EXPECT_EQ(trace.steps, (std::vector<std::int64_t>{0, 2, 4}));
  ASSERT_EQ(trace.layers.size(), 2u);
  EXPECT_EQ(trace.layers[0].size(), 3u * 16);
  EXPECT_EQ(trace.layers[1].size(), 3u * 10);
  // The step-4 record is taken after square-renormalise (hooks run in order: sqnorm first).
  Net plain = make_net(cfg, 1);
  TrainCounters c2{1, 0, 0};
  train(plain, cfg, d.X, d.y, c2);
  EXPECT_NE(plain.W[0], n.W[0]);
}

TEST(AnnProtocol, LowRankApproximation) {
  Mat A = Mat::Zero(40, 30);
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 30; ++j) A(i, j) = static_cast<Real>(3.0 * std::sin(0.1 * i) * std::cos(0.2 * j) + 0.5 * ((i + j) % 3));
  const Mat r1 = low_rank(A, 1), r2 = low_rank(A, 2), full = low_rank(A, 30);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(A.cast<double>());
  const auto s = svd.singularValues();
  // Eckart-Young: the rank-r residual's Frobenius norm is sqrt(sum_{i>r} s_i^2).
  const double e1 = std::sqrt(s.tail(s.size() - 1).squaredNorm());
  EXPECT_NEAR((A - r1).cast<double>().norm(), e1, 1e-3 * s(0));
  EXPECT_LT((A - r2).norm(), (A - r1).norm());
  EXPECT_EQ(full, A);
}

TEST(AnnProtocol, PlanSleepSamplesTheTrainedImagesEveryStepOrOncePerSleep) {
  const Dataset train = synth::make_synthetic(30, 0), test = synth::make_synthetic(5, 1000);
  auto cfg = small_config();
  const TaskData td = make_task_data(train, test, cfg);
  const Net net = make_net(cfg.net, 1);
  // MATLAB: the mean of every image of the tasks seen, no per-step sample.
  const auto seen = plan_sleep(net, td, cfg, 2, 1);
  EXPECT_FALSE(seen.per_step.active());
  const Vec both = (mean_image(td.pool[0].X) + mean_image(td.pool[1].X)) / 2;  // equal pool sizes
  EXPECT_LT((seen.mean - both).cwiseAbs().maxCoeff(), 1e-5f);
  EXPECT_EQ(seen.alpha.size(), 3u);
  // Replica: every step, 10 of the images task 2 trained on (not its whole pool).
  cfg.pool = SleepPool::task;
  cfg.pool_sample = 10;
  const auto step = plan_sleep(net, td, cfg, 2, 1);
  ASSERT_TRUE(step.per_step.active());
  EXPECT_EQ(step.per_step.pool, &td.train[1].X);
  EXPECT_EQ(step.per_step.count, 10);
  // Once per sleep: a fixed mean of 10 pool images, which differs from the pool's mean.
  cfg.pool_sample_once = true;
  const auto once = plan_sleep(net, td, cfg, 2, 1);
  EXPECT_FALSE(once.per_step.active());
  EXPECT_GT((once.mean - mean_image(td.pool[1].X)).cwiseAbs().maxCoeff(), 1e-3f);
}

// tune_search in batches (tune-src --trial-batch, docs/mpi.md): the trials depend on the batch
// size only, not on how a batch is scored; batch 1 is the sequential search.
namespace {
std::vector<snnsim::ann::TuneTrial> search_with(int batch, int trials, bool reversed_scoring) {
  using namespace snnsim::ann;
  SleepParams preset;
  preset.max_rate = 100;
  preset.inc = 0.01;
  preset.dec = 0.001;
  preset.beta = {1, 2, 3};
  preset.alpha_scale = 10;
  TuneOptions opt;
  opt.trials = trials;
  opt.seeds = 2;
  opt.seed = 7;
  opt.batch = batch;
  // A made-up score: smooth in the parameters, different per seed.
  auto one = [](const SleepParams& p, int si) {
    Accuracy a;
    a.overall = std::sin(p.max_rate * 0.01 + si) + std::cos(p.alpha_scale * 0.1) + p.beta[1];
    a.per_task = {a.overall, -a.overall};
    return a;
  };
  auto score = [&](const std::vector<SleepParams>& b) {
    std::vector<TuneScore> out(b.size() * 2);
    for (std::size_t q = 0; q < out.size(); ++q) {
      const std::size_t i = reversed_scoring ? out.size() - 1 - q : q;  // any order, as ranks finish
      out[i].acc = one(b[i / 2], static_cast<int>(i % 2));
    }
    return out;
  };
  return tune_search(preset, opt, score);
}
}  // namespace

TEST(TuneSearch, BatchesDependOnTheBatchSizeOnly) {
  const auto seq = search_with(1, 7, false);
  ASSERT_EQ(seq.size(), 7u);
  EXPECT_EQ(seq[0].params.max_rate, 100);  // trial 0 is the preset
  for (int b : {2, 3, 7}) {
    const auto x = search_with(b, 7, false), y = search_with(b, 7, true);
    ASSERT_EQ(x.size(), 7u);
    for (std::size_t t = 0; t < 7; ++t) {
      EXPECT_EQ(x[t].params.max_rate, y[t].params.max_rate);
      EXPECT_EQ(x[t].score, y[t].score);
    }
    // The first batch jitters the preset with the sequential search's draws for trial 1: the
    // same first proposal; later ones differ once a batch (not a trial) sets the base.
    EXPECT_EQ(x[1].params.max_rate, seq[1].params.max_rate);
    // every candidate of batch 2 jitters the best of batch 1
    if (b < 7) {
      std::size_t best = 0;
      for (std::size_t t = 1; t < static_cast<std::size_t>(b); ++t)
        if (x[t].score > x[best].score) best = t;
      const double s = 2.0;  // default spread
      for (std::size_t t = static_cast<std::size_t>(b); t < std::min<std::size_t>(7, 2 * b); ++t) {
        const double r = x[t].params.max_rate / x[best].params.max_rate;
        EXPECT_GE(r, 1 / s);
        EXPECT_LE(r, s);
      }
    }
  }
  // the mean over seeds, summed in seed order
  const double a0 = std::sin(100 * 0.01 + 0) + std::cos(10 * 0.1) + 2.0, a1 = std::sin(100 * 0.01 + 1) + std::cos(10 * 0.1) + 2.0;
  EXPECT_EQ(seq[0].score, 0.0 + a0 / 2 + a1 / 2);
}
