#include "ann/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "ann/rng.hpp"

namespace snnsim::ann {

void apply_preset(const std::string& name, ProtocolConfig& c) {
  auto set7 = [&](double r, double inc, double dec, double b1, double b2, double b3, double a) {
    c.sleep.max_rate = r;
    c.sleep.inc = inc;
    c.sleep.dec = dec;
    c.sleep.beta = {b1, b2, b3};
    c.sleep.alpha_scale = a;
  };
  if (name == "mnist") {
    set7(239.515363, 0.032064, 0.003344, 14.548273, 44.560317, 38.046326, 55.882454);
  } else if (name == "fashion") {
    set7(181.047258, 0.041001, 0.003344, 40.446884, 27.596929, 33.109393, 31.592987);
  } else if (name == "reduced10" || name == "reduced20" || name == "reduced40") {
    if (name == "reduced10") set7(42.162268, 0.022175, 0.076886, 37.312702, 7.101362, 32.780841, 14.308178);
    if (name == "reduced20") set7(56.274254, 0.089164, 0.094930, 39.355, 18.460, 35.409, 2.683161);
    if (name == "reduced40") set7(29.393650, 0.031111, 1e-6, 8.102, 26.252, 33.832, 2.023822);
    c.net.lr = 0.01;
    c.net.epochs = name == "reduced10" ? 10 : name == "reduced20" ? 20 : 40;
    c.sleep.steps_base = 20000;
    c.sleep.steps_per_task = 0;
  } else if (name == "replica") {
    // agbld/sleep-replay-consolidation-python: its network, loss, learning rate and sleep.
    c.net.sizes = {784, 4000, 4000, 10};
    c.net.loss = Loss::xent_linear;
    c.net.lr = 0.01;
    c.net.init = Init::fan_in;
    c.net.dropout_style = DropoutStyle::inverted;
    c.net.fresh_momentum_per_task = true;
    set7(239.515363, 0.001, 0.0001, 14.548273, 44.560317, 38.046326, 55.882454);
    c.sleep.gate = Gate::logistic;
    c.sleep.fixed_alpha = {14.983829, 253.17746, 7.7707720};
    c.sleep.input = SleepInput::pixels;
    c.sleep.pixel_fraction = 0.25;
    c.sleep.steps_base = 500;
    c.sleep.steps_per_task = 166;
    c.pool = SleepPool::task;
    c.pool_sample = 10;
  } else {
    throw std::invalid_argument("unknown preset '" + name + "'");
  }
}

std::string preset_names() { return "mnist, fashion, replica, reduced10, reduced20 or reduced40"; }

std::size_t run_count(const SrcPlan& plan) {
  std::size_t n = 0;
  for (const auto& m : plan.methods) n += m == "lowdata" ? plan.fractions.size() : 1;
  return n * static_cast<std::size_t>(plan.seeds);
}

std::vector<SrcRunSpec> src_runs(const SrcPlan& plan) {
  std::vector<SrcRunSpec> v;
  for (const auto& m : plan.methods)
    for (int si = 0; si < plan.seeds; ++si) {
      const std::uint64_t seed = plan.seed + static_cast<std::uint64_t>(si);
      if (m == "lowdata") {
        for (double f : plan.fractions) v.push_back({m, seed, f});
      } else {
        v.push_back({m, seed, 0});
      }
    }
  return v;
}

TaskData src_task_data(const SrcPlan& plan, const Dataset& train, const Dataset& test, const ProtocolConfig& cfg) {
  if (std::any_of(plan.methods.begin(), plan.methods.end(), [](auto& m) { return m != "lowdata"; }))
    return make_task_data(train, test, cfg);
  return {};
}

RunResult run_src_one(const SrcRunSpec& run, const SrcPlan& plan, const TaskData& td, const Dataset& train,
                      const Dataset& test, const ProtocolConfig& cfg, const std::function<void(const std::string&)>& report) {
  if (run.method == "lowdata") return run_lowdata(train, test, cfg, run.fraction, plan.lowdata_pool_all, run.seed, report);
  return run_method(run.method, td, cfg, run.seed, report);
}

std::vector<RunResult> run_src(const SrcPlan& plan, const Dataset& train, const Dataset& test,
                               const ProtocolConfig& cfg, ResultsWriter& writer, const UnitProgress& progress) {
  const TaskData td = src_task_data(plan, train, test, cfg);
  const std::size_t total = run_count(plan);
  std::vector<RunResult> runs;
  auto report = [&](const std::string& s) {
    if (progress) progress(runs.size(), total, s);
  };
  for (const auto& spec : src_runs(plan)) {
    RunResult r = run_src_one(spec, plan, td, train, test, cfg, report);
    writer.add(r);
    r.states.clear();  // weights are in the file; drop them from memory
    runs.push_back(std::move(r));
  }
  return runs;
}

// Task 1's SGD does not depend on the sleep parameters: trained once per seed, on first use.
struct TuneScorer::AfterTask1 {
  Net net;
  TrainCounters counters;
};

TuneScorer::TuneScorer(const TaskData& td, const ProtocolConfig& cfg, const TuneOptions& opt)
    : td_(td), cfg_(cfg), opt_(opt), task1_(static_cast<std::size_t>(opt.seeds)) {}

TuneScorer::~TuneScorer() = default;

Accuracy TuneScorer::score(const SleepParams& params, int si) {
  const std::uint64_t s = opt_.seed + static_cast<std::uint64_t>(si);
  auto& a1 = task1_.at(static_cast<std::size_t>(si));
  if (!a1) {
    a1 = std::make_unique<AfterTask1>(AfterTask1{make_net(cfg_.net, s), TrainCounters{s, 0, 0}});
    train(a1->net, cfg_.net, td_.train[0].X, td_.train[0].y, a1->counters);
  }
  ProtocolConfig pc = cfg_;
  pc.sleep = params;
  const int K = static_cast<int>(cfg_.tasks.size());
  Net net = a1->net;
  TrainCounters ctr = a1->counters;
  for (int k = 1; k <= K; ++k) {
    if (k > 1) train(net, pc.net, td_.train[k - 1].X, td_.train[k - 1].y, ctr);
    // the sleep input and alphas exactly as `snnsim src` would use them
    const auto plan = plan_sleep(net, td_, pc, k, s);
    sleep(net, params, plan.alpha, plan.mean, params.steps_for_task(k), s, static_cast<std::uint32_t>(k), {},
          plan.per_step);
  }
  return evaluate(net, td_.eval, cfg_.tasks);
}

std::vector<TuneTrial> tune_search(const SleepParams& preset, const TuneOptions& opt, const TuneBatchScorer& score,
                                   const std::function<void(int, const TuneTrial&)>& trial_done) {
  if (opt.batch < 1) throw std::invalid_argument("tune batch must be >= 1");
  auto tuned = [&](const char* n) { return std::find(opt.tune.begin(), opt.tune.end(), n) != opt.tune.end(); };
  std::vector<TuneTrial> all;
  TuneTrial best;
  PhiloxStream rs(opt.seed, Stream::tune);
  for (int t0 = 0; t0 < opt.trials; t0 += opt.batch) {
    // Every candidate of a batch jitters the best of the earlier batches (the first batch: the
    // preset), drawing from the one search stream in trial order: with batch 1 this is the
    // sequential search, and for any batch the trials depend on the batch size only.
    const int n = std::min(opt.batch, opt.trials - t0);
    std::vector<SleepParams> cand;
    for (int t = t0; t < t0 + n; ++t) {
      SleepParams p = t == 0 ? preset : t0 == 0 ? preset : best.params;
      if (t > 0) {
        auto jitter = [&](double v) { return v * std::exp((2.0 * rs.uniform() - 1.0) * std::log(opt.spread)); };
        if (tuned("r_max")) p.max_rate = jitter(p.max_rate);
        if (tuned("inc")) p.inc = jitter(p.inc);
        if (tuned("dec")) p.dec = jitter(p.dec);
        if (tuned("beta"))
          for (auto& b : p.beta) b = jitter(b);
        if (tuned("alpha_scale")) p.alpha_scale = jitter(p.alpha_scale);
      }
      cand.push_back(std::move(p));
    }
    const auto scores = score(cand);
    const auto S = static_cast<std::size_t>(opt.seeds);
    if (scores.size() != cand.size() * S) throw std::logic_error("tune batch scorer returned the wrong count");
    for (std::size_t c = 0; c < cand.size(); ++c) {
      TuneTrial tr;
      tr.params = cand[c];
      // the mean over seeds, summed in seed order
      for (std::size_t si = 0; si < S; ++si) {
        const auto& sc = scores[c * S + si];
        tr.acc.per_task.resize(sc.acc.per_task.size(), 0.0);
        tr.acc.overall += sc.acc.overall / opt.seeds;
        for (std::size_t k = 0; k < sc.acc.per_task.size(); ++k) tr.acc.per_task[k] += sc.acc.per_task[k] / opt.seeds;
        tr.wall_s += sc.wall_s;
      }
      tr.score = tr.acc.overall;
      all.push_back(tr);
      if (trial_done) trial_done(t0 + static_cast<int>(c), all.back());
    }
    // The best of this batch, ties to the earlier trial (as the sequential search).
    for (std::size_t c = 0; c < cand.size(); ++c)
      if (all[static_cast<std::size_t>(t0) + c].score > best.score) best = all[static_cast<std::size_t>(t0) + c];
  }
  return all;
}

std::vector<TuneTrial> tune_src(const TaskData& td, const ProtocolConfig& cfg, const TuneOptions& opt,
                                ResultsWriter& writer, const UnitProgress& progress) {
  TuneScorer scorer(td, cfg, opt);
  auto score = [&](const std::vector<SleepParams>& batch) {
    std::vector<TuneScore> out;
    for (const auto& p : batch)
      for (int si = 0; si < opt.seeds; ++si) {
        const auto t0 = std::chrono::steady_clock::now();
        TuneScore s{scorer.score(p, si), 0};
        s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        out.push_back(std::move(s));
      }
    return out;
  };
  return tune_search(cfg.sleep, opt, score, [&](int t, const TuneTrial& c) {
    writer.add_trial(t, c.params, c.score);
    if (progress) progress(static_cast<std::size_t>(t) + 1, static_cast<std::size_t>(opt.trials), tune_trial_line(t, c));
  });
}

std::string tune_trial_line(int t, const TuneTrial& c) {
  const auto& p = c.params;
  auto b = [&](std::size_t i) { return i < p.beta.size() ? p.beta[i] : 0.0; };
  return fmt::format("trial {:2}: r_max {:.4g} inc {:.4g} dec {:.4g} beta {:.4g},{:.4g},{:.4g} c {:.4g} -> "
                     "val {:.2f}% ({:.0f}s)",
                     t, p.max_rate, p.inc, p.dec, b(0), b(1), b(2), p.alpha_scale, 100 * c.score, c.wall_s);
}

}  // namespace snnsim::ann
