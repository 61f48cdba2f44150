#include "ann/experiment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

namespace {

// Task 1's SGD does not depend on the sleep parameters: trained once per seed.
struct AfterTask1 {
  std::vector<Net> nets;
  std::vector<TrainCounters> counters;
};

AfterTask1 train_task1(const TaskData& td, const ProtocolConfig& cfg, const TuneOptions& opt) {
  AfterTask1 a;
  for (int si = 0; si < opt.seeds; ++si) {
    const std::uint64_t s = opt.seed + static_cast<std::uint64_t>(si);
    a.nets.push_back(make_net(cfg.net, s));
    a.counters.push_back(TrainCounters{s, 0, 0});
    train(a.nets.back(), cfg.net, td.train[0].X, td.train[0].y, a.counters.back());
  }
  return a;
}

// One SRC run over the tasks per seed with these parameters, scored on validation data.
void score(TuneTrial& c, const TaskData& td, const ProtocolConfig& cfg, const TuneOptions& opt, const AfterTask1& a1) {
  ProtocolConfig pc = cfg;
  pc.sleep = c.params;
  const int K = static_cast<int>(cfg.tasks.size());
  c.acc.per_task.assign(static_cast<std::size_t>(K), 0.0);
  for (int si = 0; si < opt.seeds; ++si) {
    const std::uint64_t s = opt.seed + static_cast<std::uint64_t>(si);
    Net net = a1.nets[static_cast<std::size_t>(si)];
    TrainCounters ctr = a1.counters[static_cast<std::size_t>(si)];
    for (int k = 1; k <= K; ++k) {
      if (k > 1) train(net, pc.net, td.train[k - 1].X, td.train[k - 1].y, ctr);
      // the sleep input and alphas exactly as `snnsim src` would use them
      const auto plan = plan_sleep(net, td, pc, k, s);
      sleep(net, c.params, plan.alpha, plan.mean, c.params.steps_for_task(k), s, static_cast<std::uint32_t>(k), {},
            plan.per_step);
    }
    const auto acc = evaluate(net, td.eval, cfg.tasks);
    c.acc.overall += acc.overall / opt.seeds;
    for (int k = 0; k < K; ++k)
      c.acc.per_task[static_cast<std::size_t>(k)] += acc.per_task[static_cast<std::size_t>(k)] / opt.seeds;
  }
  c.score = c.acc.overall;
}

}  // namespace

std::vector<TuneTrial> tune_src(const TaskData& td, const ProtocolConfig& cfg, const TuneOptions& opt,
                                ResultsWriter& writer, const UnitProgress& progress) {
  const auto a1 = train_task1(td, cfg, opt);
  auto tuned = [&](const char* n) { return std::find(opt.tune.begin(), opt.tune.end(), n) != opt.tune.end(); };
  std::vector<TuneTrial> all;
  TuneTrial best;
  PhiloxStream rs(opt.seed, Stream::tune);
  for (int t = 0; t < opt.trials; ++t) {
    TuneTrial c;
    c.params = t == 0 ? cfg.sleep : best.params;
    if (t > 0) {
      auto jitter = [&](double v) { return v * std::exp((2.0 * rs.uniform() - 1.0) * std::log(opt.spread)); };
      auto& p = c.params;
      if (tuned("r_max")) p.max_rate = jitter(p.max_rate);
      if (tuned("inc")) p.inc = jitter(p.inc);
      if (tuned("dec")) p.dec = jitter(p.dec);
      if (tuned("beta"))
        for (auto& b : p.beta) b = jitter(b);
      if (tuned("alpha_scale")) p.alpha_scale = jitter(p.alpha_scale);
    }
    const auto t0 = std::chrono::steady_clock::now();
    score(c, td, cfg, opt, a1);
    c.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (c.score > best.score) best = c;
    all.push_back(c);
    writer.add_trial(t, c.params, c.score);
    if (progress) {
      const auto& p = c.params;
      auto b = [&](std::size_t i) { return i < p.beta.size() ? p.beta[i] : 0.0; };
      progress(all.size(), static_cast<std::size_t>(opt.trials),
               fmt::format("trial {:2}: r_max {:.4g} inc {:.4g} dec {:.4g} beta {:.4g},{:.4g},{:.4g} c {:.4g} -> "
                           "val {:.2f}% ({:.0f}s)",
                           t, p.max_rate, p.inc, p.dec, b(0), b(1), b(2), p.alpha_scale, 100 * c.score, c.wall_s));
    }
  }
  return all;
}

}  // namespace snnsim::ann
