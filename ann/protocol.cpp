#include "ann/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>

#include "ann/rng.hpp"

namespace snnsim::ann {

namespace {

using Clock = std::chrono::steady_clock;

class Timer {
 public:
  explicit Timer(std::vector<std::pair<std::string, double>>& out) : out_(out) {}
  void add(const std::string& phase, Clock::time_point t0) {
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    for (auto& [k, v] : out_)
      if (k == phase) {
        v += s;
        return;
      }
    out_.emplace_back(phase, s);
  }

 private:
  std::vector<std::pair<std::string, double>>& out_;
};

Dataset concat(const std::vector<const Dataset*>& parts) {
  Dataset d;
  Eigen::Index n = 0, cols = 0;
  for (auto* p : parts) {
    n += p->X.rows();
    cols = p->X.cols();
  }
  d.X.resize(n, cols);
  Eigen::Index r = 0;
  for (auto* p : parts) {
    d.X.middleRows(r, p->X.rows()) = p->X;
    r += p->X.rows();
    d.y.insert(d.y.end(), p->y.begin(), p->y.end());
  }
  return d;
}

std::string fmt_acc(const Accuracy& a) {
  std::string s;
  for (double v : a.per_task) s += fmt::format("{:5.1f} ", 100 * v);
  return s + fmt::format("| all {:5.2f}%", 100 * a.overall);
}

}  // namespace

std::vector<std::string> known_methods() {
  return {"sequential", "src", "cheat", "parallel", "average", "lowrank", "lowrank-parallel"};
}

TaskData make_task_data(const Dataset& train, const Dataset& test, const ProtocolConfig& cfg) {
  TaskData td;
  for (const auto& cls : cfg.tasks) {
    td.train.push_back(select(train, class_indices(train, cls, 0, cfg.per_task)));
    td.pool.push_back(select(train, class_indices(train, cls)));
    if (td.train.back().size() == 0) throw std::runtime_error("a task has no training images");
  }
  if (cfg.parallel_all) {
    td.all_train = train;
  } else {
    std::vector<const Dataset*> parts;
    for (auto& t : td.train) parts.push_back(&t);
    td.all_train = concat(parts);
  }
  td.eval = test;
  return td;
}

TaskData make_validation_data(const Dataset& train, const ProtocolConfig& cfg, std::size_t val_per_task) {
  TaskData td;
  std::vector<const Dataset*> vparts;
  std::vector<Dataset> vals;
  vals.reserve(cfg.tasks.size());
  std::vector<bool> is_val(train.size(), false);
  for (const auto& cls : cfg.tasks) {
    auto vidx = class_indices(train, cls, cfg.per_task, val_per_task);
    if (vidx.empty()) throw std::runtime_error("no images left for validation after per_task");
    for (auto i : vidx) is_val[i] = true;
    vals.push_back(select(train, vidx));
  }
  for (auto& v : vals) vparts.push_back(&v);
  td.eval = concat(vparts);
  std::vector<std::size_t> rest;
  for (std::size_t i = 0; i < train.size(); ++i)
    if (!is_val[i]) rest.push_back(i);
  const Dataset remaining = select(train, rest);
  for (const auto& cls : cfg.tasks) {
    td.train.push_back(select(remaining, class_indices(remaining, cls, 0, cfg.per_task)));
    td.pool.push_back(select(remaining, class_indices(remaining, cls)));
  }
  if (cfg.parallel_all) {
    td.all_train = remaining;
  } else {
    std::vector<const Dataset*> parts;
    for (auto& t : td.train) parts.push_back(&t);
    td.all_train = concat(parts);
  }
  return td;
}

void square_renormalise(Mat& W) {
#pragma omp parallel for schedule(static) if (W.size() > 250000)
  for (Eigen::Index i = 0; i < W.rows(); ++i) {
    const double n_old = static_cast<double>(W.row(i).norm());
    auto sq = W.row(i).cwiseAbs().cwiseProduct(W.row(i));  // sign(w) * w^2
    const Eigen::Matrix<Real, 1, Eigen::Dynamic> r = sq;
    const double n_new = static_cast<double>(r.norm());
    if (n_new > 0) W.row(i) = r * static_cast<Real>(n_old / n_new);
  }
}

void proportional_noise(Net& net, double sigma, std::uint64_t seed, std::int64_t step) {
  for (int l = 0; l < net.layers(); ++l) {
    Mat& W = net.W[l];
    const Eigen::Index cols = W.cols();
#pragma omp parallel for schedule(static) if (W.size() > 50000)
    for (Eigen::Index i = 0; i < W.rows(); ++i) {
      for (Eigen::Index j = 0; j < cols; j += 2) {
        const auto b = philox(seed, Stream::noise, static_cast<std::uint32_t>(step),
                              static_cast<std::uint32_t>(l) << 24 | static_cast<std::uint32_t>(i),
                              static_cast<std::uint32_t>(j / 2));
        const double r = std::sqrt(-2.0 * std::log(u01d_open0(b.v[0], b.v[1])));
        const double th = 6.283185307179586 * u01d_open0(b.v[2], b.v[3]);
        const double z[2] = {r * std::cos(th), r * std::sin(th)};
        for (int q = 0; q < 2 && j + q < cols; ++q) {
          Real& w = W(i, j + q);
          w += static_cast<Real>(sigma * std::abs(static_cast<double>(w)) * z[q]);
        }
      }
    }
  }
}

std::vector<BatchHook> make_hooks(const Interventions& iv, std::uint64_t seed, NormTrace* trace) {
  std::vector<BatchHook> hooks;
  if (iv.noise_every > 0 && iv.noise_sigma > 0) {
    hooks.push_back([iv, seed](Net& net, std::int64_t step) {
      if ((step + 1) % iv.noise_every == 0) proportional_noise(net, iv.noise_sigma, seed, step);
    });
  }
  if (iv.sqnorm_every > 0) {
    hooks.push_back([iv](Net& net, std::int64_t step) {
      if ((step + 1) % iv.sqnorm_every == 0)
        for (auto& W : net.W) square_renormalise(W);
    });
  }
  if (iv.norm_trace_every > 0 && trace) {
    hooks.push_back([iv, trace](Net& net, std::int64_t step) {
      if (step % iv.norm_trace_every != 0) return;
      trace->steps.push_back(step);
      trace->layers.resize(net.W.size());
      for (std::size_t l = 0; l < net.W.size(); ++l) {
        const Eigen::Matrix<Real, Eigen::Dynamic, 1> n = net.W[l].rowwise().norm();
        trace->layers[l].insert(trace->layers[l].end(), n.data(), n.data() + n.size());
      }
    });
  }
  return hooks;
}

Mat low_rank(const Mat& W, int r) {
  const Eigen::Index m = W.rows(), n = W.cols();
  const Eigen::Index k = std::min<Eigen::Index>({static_cast<Eigen::Index>(r), m, n});
  if (k <= 0) return Mat::Zero(m, n);
  const Eigen::MatrixXd A = W.cast<double>();
  if (k == std::min(m, n)) return W;
  const Eigen::Index p = std::min<Eigen::Index>(k + 10, std::min(m, n));
  Eigen::MatrixXd Om(n, p);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < p; ++j) {
      const auto b = philox(0x5eed, Stream::subset, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), 7);
      Om(i, j) = u01d_open0(b.v[0], b.v[1]) - 0.5;
    }
  Eigen::MatrixXd Q = Eigen::HouseholderQR<Eigen::MatrixXd>(A * Om).householderQ() * Eigen::MatrixXd::Identity(m, p);
  for (int it = 0; it < 6; ++it) {
    Eigen::MatrixXd Z = Eigen::HouseholderQR<Eigen::MatrixXd>(A.transpose() * Q).householderQ() *
                        Eigen::MatrixXd::Identity(n, p);
    Q = Eigen::HouseholderQR<Eigen::MatrixXd>(A * Z).householderQ() * Eigen::MatrixXd::Identity(m, p);
  }
  const Eigen::MatrixXd B = Q.transpose() * A;  // p x n
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(B, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::MatrixXd U = Q * svd.matrixU().leftCols(k);
  const Eigen::MatrixXd R = U * svd.singularValues().head(k).asDiagonal() * svd.matrixV().leftCols(k).transpose();
  return R.cast<Real>();
}

namespace {

struct PoolStats {
  Vec mean;
  std::vector<double> alpha;
  std::vector<double> s;
};

// Mean image and alpha over the union of `pools` (max over pools = max over their union).
PoolStats pool_stats(const Net& net, const std::vector<const Dataset*>& pools, const SleepParams& sp, int sample,
                     std::uint64_t seed, std::uint32_t sleep_id) {
  PoolStats ps;
  Eigen::VectorXd acc = Eigen::VectorXd::Zero(net.sizes[0]);
  double n = 0;
  if (sample > 0) {
    // Replica: mean of `sample` random images of the (last) pool.
    const Dataset& d = *pools.back();
    PhiloxStream rs(seed, Stream::subset, sleep_id);
    for (int k = 0; k < sample; ++k) {
      const auto i = rs.below(static_cast<std::uint32_t>(d.size()));
      acc += d.X.row(i).transpose().cast<double>();
      n += 1;
    }
  } else {
    for (auto* d : pools) {
      acc += mean_image(d->X).cast<double>() * static_cast<double>(d->size());
      n += static_cast<double>(d->size());
    }
  }
  ps.mean = (acc / std::max(n, 1.0)).cast<Real>();
  if (!sp.fixed_alpha.empty()) {
    ps.alpha = sp.fixed_alpha;
    return ps;
  }
  std::vector<double> s(net.layers(), 0.0);
  for (auto* d : pools) {
    std::vector<double> si;
    data_alpha(net, d->X, 1.0, &si);
    for (int l = 0; l < net.layers(); ++l) s[l] = std::max(s[l], si[l]);
  }
  ps.s = s;
  ps.alpha = alpha_from_scales(s, sp.alpha_scale);
  return ps;
}

}  // namespace

SleepPlan plan_sleep(const Net& net, const TaskData& data, const ProtocolConfig& cfg, int k, std::uint64_t seed) {
  std::vector<const Dataset*> pools;
  if (cfg.pool == SleepPool::seen)
    for (int j = 0; j < k; ++j) pools.push_back(&data.pool[j]);
  else
    pools.push_back(&data.pool[k - 1]);
  const bool per_step = cfg.pool_sample > 0 && !cfg.pool_sample_once;
  auto ps = pool_stats(net, pools, cfg.sleep, per_step ? 0 : cfg.pool_sample, seed, static_cast<std::uint32_t>(k));
  SleepPlan plan;
  plan.alpha = std::move(ps.alpha);
  plan.s = std::move(ps.s);
  plan.mean = std::move(ps.mean);
  if (per_step) plan.per_step = {&data.train[k - 1].X, cfg.pool_sample};
  return plan;
}

namespace {

void add_ranks(RunResult& rr, const Net& net, int task, const std::string& phase) {
  for (int l = 0; l < net.layers(); ++l)
    rr.ranks.push_back({rr.method, rr.seed, task, phase, l, stable_rank(net.W[l])});
}

// Sleeps `net` after task `k` (1-based) and records everything.
void do_sleep(RunResult& rr, Net& net, const TaskData& data, const ProtocolConfig& cfg, int k, int steps,
              Timer& timer, const ProgressFn& progress) {
  auto t0 = Clock::now();
  const auto ps = plan_sleep(net, data, cfg, k, rr.seed);
  timer.add("alpha", t0);
  if (cfg.stable_ranks) {
    t0 = Clock::now();
    add_ranks(rr, net, k, "before_sleep");
    timer.add("rank", t0);
  }
  SleepLog log;
  log.task = k;
  log.s = ps.s;
  std::vector<SleepObserver> obs;
  if (cfg.snapshot_every > 0)
    obs.push_back({cfg.snapshot_every, [&](int step, const Net& n) {
                     auto s = synaptic_snapshot(n);
                     log.snapshot_steps.push_back(step);
                     log.snapshots.insert(log.snapshots.end(), s.begin(), s.end());
                   }});
  double eval_s = 0;
  if (cfg.trajectory_every > 0)
    obs.push_back({cfg.trajectory_every, [&](int step, const Net& n) {
                     const auto te = Clock::now();
                     log.trajectory_steps.push_back(step);
                     log.trajectory.push_back(evaluate(n, data.eval, cfg.tasks));
                     eval_s += std::chrono::duration<double>(Clock::now() - te).count();
                   }});
  t0 = Clock::now();
  log.stats = sleep(net, cfg.sleep, ps.alpha, ps.mean, steps, rr.seed, static_cast<std::uint32_t>(k), obs, ps.per_step);
  log.stats.seconds -= eval_s;
  timer.add("sleep", t0);
  if (eval_s > 0) {
    // trajectory evaluations are reported as eval time, not sleep time
    for (auto& [ph, v] : rr.timing)
      if (ph == "sleep") v -= eval_s;
    bool found = false;
    for (auto& [ph, v] : rr.timing)
      if (ph == "eval") {
        v += eval_s;
        found = true;
      }
    if (!found) rr.timing.emplace_back("eval", eval_s);
  }
  if (cfg.stable_ranks) {
    t0 = Clock::now();
    add_ranks(rr, net, k, "after_sleep");
    timer.add("rank", t0);
  }
  if (progress) {
    std::string sp;
    for (auto c : log.stats.spikes) sp += fmt::format("{} ", c);
    std::string al;
    for (auto a : ps.alpha) al += fmt::format("{:.4g} ", a);
    progress(fmt::format("  sleep {} steps in {:.1f}s, alpha [{}], spikes/layer [{}]", steps, log.stats.seconds, al, sp));
  }
  rr.sleeps.push_back(std::move(log));
}

TrainOptions train_options(const ProtocolConfig& cfg, RunResult& rr, std::uint64_t seed) {
  TrainOptions o;
  o.hooks = make_hooks(cfg.interventions, seed, &rr.norms);
  return o;
}

}  // namespace

RunResult run_method(const std::string& method, const TaskData& data, const ProtocolConfig& cfg, std::uint64_t seed,
                     const ProgressFn& progress) {
  const auto methods = known_methods();
  if (std::find(methods.begin(), methods.end(), method) == methods.end())
    throw std::invalid_argument("unknown method '" + method + "'");
  EigenSerial guard;
  RunResult rr;
  rr.method = method;
  rr.seed = seed;
  Timer timer(rr.timing);
  const int K = static_cast<int>(data.train.size());
  const bool keep_all = cfg.save_weights == "all";
  auto record = [&](const Net& net, int k, const std::string& phase) {
    auto t0 = Clock::now();
    EvalRow row{method, seed, k, phase, evaluate(net, data.eval, cfg.tasks)};
    timer.add("eval", t0);
    if (progress) progress(fmt::format("[{} seed {}] after task {} ({:5}): {}", method, seed, k, phase, fmt_acc(row.acc)));
    rr.evals.push_back(std::move(row));
  };
  Net net = make_net(cfg.net, seed);
  if (keep_all) rr.states.emplace_back("init", net);
  TrainOptions opt = train_options(cfg, rr, seed);
  TrainCounters ctr{seed, 0, 0};

  if (method == "sequential" || method == "src" || method == "cheat") {
    for (int k = 1; k <= K; ++k) {
      auto t0 = Clock::now();
      TrainOptions o = opt;
      if (method == "cheat") {
        o.active_outputs.assign(net.sizes.back(), false);
        for (int c : cfg.tasks[k - 1]) o.active_outputs.at(c) = true;
      }
      train(net, cfg.net, data.train[k - 1].X, data.train[k - 1].y, ctr, o);
      timer.add("train", t0);
      record(net, k, "train");
      if (keep_all) rr.states.emplace_back(fmt::format("task{}", k), net);
      if (method == "src") {
        do_sleep(rr, net, data, cfg, k, cfg.sleep.steps_for_task(k), timer, progress);
        record(net, k, "sleep");
        if (keep_all) rr.states.emplace_back(fmt::format("task{}_sleep", k), net);
      }
    }
  } else if (method == "parallel" || method == "lowrank-parallel") {
    auto t0 = Clock::now();
    train(net, cfg.net, data.all_train.X, data.all_train.y, ctr, opt);
    timer.add("train", t0);
    if (method == "lowrank-parallel")
      for (auto& W : net.W) W = low_rank(W, cfg.lowrank);
    record(net, K, "train");
  } else {  // average, lowrank: per-task models from one initialisation, averaged
    const Net init = net;
    std::vector<Mat> sum;
    for (auto& W : init.W) sum.push_back(Mat::Zero(W.rows(), W.cols()));
    for (int k = 1; k <= K; ++k) {
      Net m = init;
      // Distinct counters per task model so their shuffles and dropout masks differ.
      TrainCounters c{seed, static_cast<std::uint32_t>(1000 * k), static_cast<std::int64_t>(k) * 1000000};
      auto t0 = Clock::now();
      train(m, cfg.net, data.train[k - 1].X, data.train[k - 1].y, c, opt);
      timer.add("train", t0);
      for (int l = 0; l < m.layers(); ++l) sum[l] += method == "lowrank" ? low_rank(m.W[l], cfg.lowrank) : m.W[l];
      for (int l = 0; l < net.layers(); ++l) net.W[l] = sum[l] / static_cast<Real>(k);
      record(net, k, "train");
    }
  }
  if (cfg.stable_ranks) add_ranks(rr, net, K, "final");
  rr.final_acc = rr.evals.back().acc;
  if (cfg.save_weights != "none") rr.states.emplace_back("final", std::move(net));
  return rr;
}

RunResult run_lowdata(const Dataset& train_set, const Dataset& test, const ProtocolConfig& cfg, double fraction,
                      bool pool_all, std::uint64_t seed, const ProgressFn& progress) {
  if (!(fraction > 0 && fraction <= 1)) throw std::invalid_argument("fraction must be in (0, 1]");
  RunResult rr;
  rr.method = "lowdata";
  rr.seed = seed;
  rr.fraction = fraction;
  Timer timer(rr.timing);
  const auto n = static_cast<std::size_t>(std::max(1.0, std::round(fraction * static_cast<double>(train_set.size()))));
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  TaskData td;
  td.train.push_back(select(train_set, idx));
  td.pool.push_back(pool_all ? train_set : td.train.front());
  td.eval = test;
  Net net = make_net(cfg.net, seed);
  TrainOptions opt = train_options(cfg, rr, seed);
  TrainCounters ctr{seed, 0, 0};
  auto t0 = Clock::now();
  train(net, cfg.net, td.train[0].X, td.train[0].y, ctr, opt);
  timer.add("train", t0);
  auto record = [&](const std::string& phase) {
    auto te = Clock::now();
    EvalRow row{"lowdata", seed, 1, phase, evaluate(net, test, cfg.tasks)};
    timer.add("eval", te);
    if (progress) progress(fmt::format("[lowdata {:g}% seed {}] {:5}: {}", 100 * fraction, seed, phase, fmt_acc(row.acc)));
    rr.evals.push_back(std::move(row));
  };
  record("train");
  ProtocolConfig c2 = cfg;
  c2.pool = SleepPool::seen;
  do_sleep(rr, net, td, c2, 1, cfg.sleep.steps_base, timer, progress);
  record("sleep");
  rr.final_acc = rr.evals.back().acc;
  if (cfg.save_weights != "none") rr.states.emplace_back("final", std::move(net));
  return rr;
}

}  // namespace snnsim::ann
