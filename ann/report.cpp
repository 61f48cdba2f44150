#include "ann/report.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "ann/results.hpp"

namespace snnsim::ann {

using nlohmann::json;

json config_json(const ProtocolConfig& c, const std::string& preset) {
  const auto& s = c.sleep;
  const auto& iv = c.interventions;
  return {
      {"preset", preset},
      {"sizes", c.net.sizes},
      {"loss", c.net.loss == Loss::mse_relu ? "mse_relu" : "xent_linear"},
      {"lr", c.net.lr},
      {"momentum", c.net.momentum},
      {"dropout", c.net.dropout},
      {"batch", c.net.batch},
      {"epochs", c.net.epochs},
      {"init_range", c.net.init_range},
      {"init", c.net.init == Init::fan_in ? "fan-in" : "uniform"},
      {"dropout_style", c.net.dropout_style == DropoutStyle::inverted ? "inverted" : "scale-at-test"},
      {"momentum_per_task", c.net.fresh_momentum_per_task ? "reset" : "carry"},
      {"tasks", static_cast<int>(c.tasks.size())},
      {"per_task", static_cast<std::uint64_t>(c.per_task)},
      {"sleep",
       {{"r_max", s.max_rate},
        {"inc", s.inc},
        {"dec", s.dec},
        {"beta", s.beta},
        {"alpha_scale", s.alpha_scale},
        {"fixed_alpha", s.fixed_alpha},
        {"dt", s.dt},
        {"threshold", s.threshold},
        {"decay", s.decay},
        {"gate", s.gate == Gate::matlab ? "matlab" : "logistic"},
        {"input", s.input == SleepInput::window ? "window" : "pixels"},
        {"window", s.window},
        {"pixel_fraction", s.pixel_fraction},
        {"steps_base", s.steps_base},
        {"steps_per_task", s.steps_per_task},
        {"pool", c.pool == SleepPool::seen ? "seen" : "task"},
        {"pool_sample", c.pool_sample},
        {"pool_sample_every", c.pool_sample_once ? "sleep" : "step"},
        {"norm_w", s.norm_w}}},
      {"interventions",
       {{"noise", iv.noise_sigma},
        {"noise_every", iv.noise_every},
        {"sqnorm_every", iv.sqnorm_every},
        {"norm_trace_every", iv.norm_trace_every}}},
  };
}

json run_json(const RunResult& r) {
  json j = {{"run", run_name(r)}, {"method", r.method}, {"seed", r.seed}};
  if (r.method == "lowdata") j["fraction"] = r.fraction;
  j["accuracy"] = r.final_acc.overall;
  j["per_task"] = r.final_acc.per_task;
  j["evals"] = json::array();
  for (const auto& e : r.evals)
    j["evals"].push_back(
        {{"task", e.after_task}, {"phase", e.phase}, {"accuracy", e.acc.overall}, {"per_task", e.acc.per_task}});
  j["sleeps"] = json::array();
  for (const auto& s : r.sleeps)
    j["sleeps"].push_back({{"task", s.task},
                           {"steps", s.stats.steps},
                           {"wall_s", s.stats.seconds},
                           {"alpha", s.stats.alpha},
                           {"spikes", s.stats.spikes}});
  j["stable_rank"] = json::array();
  for (const auto& x : r.ranks)
    j["stable_rank"].push_back({{"task", x.task}, {"phase", x.phase}, {"layer", x.layer}, {"stable_rank", x.value}});
  j["timing"] = json::object();
  for (const auto& [k, v] : r.timing) j["timing"][k] = v;
  return j;
}

json sleep_params_json(const SleepParams& p) {
  return {{"r_max", p.max_rate}, {"inc", p.inc}, {"dec", p.dec}, {"beta", p.beta}, {"alpha_scale", p.alpha_scale}};
}

namespace {

/// Mean and sample standard deviation (0 for fewer than two values).
void mean_std(const std::vector<double>& xs, double& m, double& s) {
  m = 0;
  s = 0;
  if (xs.empty()) return;
  for (double x : xs) m += x;
  m /= static_cast<double>(xs.size());
  if (xs.size() > 1) {
    for (double x : xs) s += (x - m) * (x - m);
    s = std::sqrt(s / static_cast<double>(xs.size() - 1));
  }
}

// Summary over seeds of the final accuracies (the last evaluation of `phase_filter`, any when
// empty) of runs with the same key.
json summarise(const std::vector<const RunResult*>& runs, const std::string& phase_filter) {
  std::vector<double> acc;
  std::vector<std::vector<double>> per;
  for (auto* r : runs) {
    const EvalRow* e = nullptr;
    for (const auto& x : r->evals)
      if (phase_filter.empty() || x.phase == phase_filter) e = &x;
    if (!e) continue;
    acc.push_back(e->acc.overall);
    per.resize(e->acc.per_task.size());
    for (std::size_t k = 0; k < e->acc.per_task.size(); ++k) per[k].push_back(e->acc.per_task[k]);
  }
  double m, s;
  mean_std(acc, m, s);
  json j = {{"n", static_cast<int>(acc.size())}, {"accuracy_mean", m}, {"accuracy_std", s}};
  std::vector<double> pm, ps;
  for (auto& v : per) {
    mean_std(v, m, s);
    pm.push_back(m);
    ps.push_back(s);
  }
  j["per_task_mean"] = pm;
  j["per_task_std"] = ps;
  return j;
}

}  // namespace

void add_summary(json& out, const std::vector<RunResult>& runs) {
  std::vector<std::string> keys;
  std::map<std::string, std::vector<const RunResult*>> groups;
  for (const auto& r : runs) {
    const std::string key = r.method == "lowdata" ? fmt::format("lowdata_f{:g}", r.fraction) : r.method;
    if (!groups.count(key)) keys.push_back(key);
    groups[key].push_back(&r);
  }
  json summary = json::object();
  for (const auto& k : keys) {
    if (k.rfind("lowdata", 0) == 0) {
      summary[k] = {{"no_sleep", summarise(groups[k], "train")}, {"sleep", summarise(groups[k], "sleep")}};
    } else {
      summary[k] = summarise(groups[k], "");
      if (k == "src") summary["src_before_last_sleep"] = summarise(groups[k], "train");
    }
  }
  out["summary"] = summary;
  if (keys.size() != 1) return;
  double m, s;
  std::vector<double> acc;
  std::vector<std::vector<double>> per;
  for (auto* r : groups[keys[0]]) {
    acc.push_back(r->final_acc.overall);
    per.resize(r->final_acc.per_task.size());
    for (std::size_t k = 0; k < per.size(); ++k) per[k].push_back(r->final_acc.per_task[k]);
  }
  mean_std(acc, m, s);
  out["accuracy"] = m;
  std::vector<double> pm;
  for (auto& v : per) {
    mean_std(v, m, s);
    pm.push_back(m);
  }
  out["per_task"] = pm;
}

}  // namespace snnsim::ann
