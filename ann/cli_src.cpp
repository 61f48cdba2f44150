// `snnsim src` and `snnsim tune-src`: Sleep Replay Consolidation for ANNs (issue 6).
#include <fmt/format.h>
#include <omp.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/cli/boost_guard.hpp"
#include "ann/json.hpp"
#include "ann/protocol.hpp"
#include "ann/results.hpp"
#include "ann/rng.hpp"
#include "io/error.hpp"
#include "io/h5.hpp"

namespace po = boost::program_options;

namespace snnsim::cli {

namespace {

using namespace snnsim::ann;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream is(s);
  while (std::getline(is, cur, sep))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<double> parse_doubles(const std::string& opt, const std::string& s) {
  std::vector<double> v;
  for (const auto& t : split(s, ',')) {
    try {
      std::size_t pos = 0;
      v.push_back(std::stod(t, &pos));
      if (pos != t.size()) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("--{}: '{}' is not a number", opt, t));
    }
  }
  return v;
}

/// The published hyperparameter vectors [r_max, inc, dec, b1, b2, b3, alpha_scale] (sleep.md 3.3).
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
    throw UsageError("--preset must be mnist, fashion, replica, reduced10, reduced20 or reduced40");
  }
}

void add_common(po::options_description& d) {
  // clang-format off
  d.add_options()
    ("help,h", "show this help")
    ("data", po::value<std::string>(), "MNIST-format directory (train-/t10k- IDX files, raw or .gz)")
    ("out", po::value<std::string>(), "HDF5 run file to write")
    ("force", "overwrite --out if it exists")
    ("json", "print exactly one JSON object on stdout")
    ("quiet,q", "no progress on stderr")
    ("seed", po::value<std::uint64_t>()->default_value(1), "first seed")
    ("seeds", po::value<int>()->default_value(1), "number of seeds (seed, seed+1, ...)")
    ("threads", po::value<int>(), "OpenMP threads (results do not depend on it)")
    ("preset", po::value<std::string>()->default_value("mnist"),
     "hyperparameters: mnist | fashion | replica | reduced10 | reduced20 | reduced40 (sleep.md 3.3)")
    ("tasks", po::value<int>(), "use only the first K class-incremental tasks (default 5)")
    ("per-task", po::value<std::size_t>(), "training images per task (default 5000, first in file order)")
    ("max-train", po::value<std::size_t>()->default_value(0), "load at most N training images (0 = all)")
    ("max-test", po::value<std::size_t>()->default_value(0), "load at most N test images (0 = all)")
    // network
    ("hidden", po::value<std::string>(), "hidden layer sizes, e.g. 1200,1200 (replica 4000,4000)")
    ("loss", po::value<std::string>(), "mse (ReLU output, MATLAB) | xent (linear logits, replica)")
    ("lr", po::value<double>(), "learning rate (0.1)")
    ("momentum", po::value<double>(), "momentum (0.5)")
    ("dropout", po::value<double>(), "hidden dropout fraction (0.25)")
    ("batch", po::value<int>(), "mini-batch size (100)")
    ("epochs", po::value<int>(), "epochs per task (2)")
    ("init-range", po::value<double>(), "weights ~ U(-r, r) (0.01)")
    ("init", po::value<std::string>(), "uniform (U(-r, r), r = --init-range; MATLAB) | fan-in (U(+-1/sqrt(fan_in)), PyTorch's nn.Linear default; replica)")
    ("dropout-style", po::value<std::string>(), "scale-at-test (DeepLearnToolbox, MATLAB) | inverted (PyTorch, replica)")
    ("momentum-per-task", po::value<std::string>(), "carry (MATLAB: one momentum buffer for all tasks) | reset (replica: a new optimiser per task)")
    // sleep
    ("r-max", po::value<double>(), "max input rate r_max [Hz]")
    ("inc", po::value<double>(), "Hebbian increment")
    ("dec", po::value<double>(), "Hebbian decrement")
    ("beta", po::value<std::string>(), "per-layer thresholds b1,b2,b3")
    ("alpha-scale", po::value<double>(), "alpha scale c")
    ("fixed-alpha", po::value<std::string>(), "use these alphas instead of the data recursion (replica)")
    ("decay", po::value<double>(), "membrane decay per step (0.999)")
    ("sleep-steps", po::value<int>(), "sleep steps after task 1 (15000)")
    ("sleep-steps-per-task", po::value<int>(), "extra steps per further task (5000)")
    ("gate", po::value<std::string>(), "matlab (2/(1+exp(1000w))) | logistic (replica)")
    ("sleep-input", po::value<std::string>(), "window (MATLAB) | pixels (replica random pixel mask)")
    ("window", po::value<int>(), "window side in pixels (11)")
    ("pixel-fraction", po::value<double>(), "kept pixel fraction for --sleep-input pixels (0.25)")
    ("sleep-pool", po::value<std::string>(), "seen (all data of tasks so far, MATLAB) | task (current task)")
    ("pool-sample", po::value<int>(), "each step, the mean of N random images of the task just trained (replica: 10) instead of the pool's mean")
    ("pool-sample-once", "draw that sample once per sleep, from the task's pool (snnsim before 2026-12-04)")
    ("norm-w", "rescale weights after sleep to their pre-sleep range (MATLAB normW)")
    // recording
    ("trajectory-every", po::value<int>()->default_value(0), "test accuracy every N sleep steps")
    ("snapshot-every", po::value<int>()->default_value(1000), "first-layer synaptic snapshot every N sleep steps")
    ("no-ranks", "skip stable ranks")
    ("save-weights", po::value<std::string>()->default_value("final"), "none | final | all (every state)")
    // interventions
    ("noise", po::value<double>()->default_value(0), "proportional Gaussian weight noise sigma")
    ("noise-every", po::value<int>()->default_value(0), "apply the noise after every K mini-batches")
    ("sqnorm-every", po::value<int>()->default_value(0), "per-neuron square-and-renormalise every K mini-batches")
    ("norm-trace-every", po::value<int>()->default_value(0), "record per-neuron weight norms every K mini-batches");
  // clang-format on
}

/// Sets `target` from a two-way option `--name a|b` when it was given.
template <typename T>
void set_either(const po::variables_map& vm, const char* name, const char* a, T value_a, const char* b, T value_b,
                T& target) {
  if (!vm.count(name)) return;
  const auto v = vm[name].as<std::string>();
  if (v == a) target = value_a;
  else if (v == b) target = value_b;
  else throw UsageError(fmt::format("--{} must be {} or {}", name, a, b));
}

ProtocolConfig config_from(const po::variables_map& vm) {
  ProtocolConfig c;
  apply_preset(vm["preset"].as<std::string>(), c);
  auto has = [&](const char* k) { return vm.count(k) > 0; };
  if (has("tasks")) {
    const int k = vm["tasks"].as<int>();
    if (k < 1 || k > 5) throw UsageError("--tasks must be 1..5");
    c.tasks.resize(static_cast<std::size_t>(k));
  }
  if (has("per-task")) c.per_task = vm["per-task"].as<std::size_t>();
  if (has("hidden")) {
    std::vector<int> sizes{784};
    for (double h : parse_doubles("hidden", vm["hidden"].as<std::string>())) {
      if (h < 1 || h != std::floor(h)) throw UsageError("--hidden: sizes must be positive integers");
      sizes.push_back(static_cast<int>(h));
    }
    sizes.push_back(10);
    c.net.sizes = sizes;
  }
  set_either(vm, "loss", "mse", Loss::mse_relu, "xent", Loss::xent_linear, c.net.loss);
  if (has("lr")) c.net.lr = vm["lr"].as<double>();
  if (has("momentum")) c.net.momentum = vm["momentum"].as<double>();
  if (has("dropout")) c.net.dropout = vm["dropout"].as<double>();
  if (has("batch")) c.net.batch = vm["batch"].as<int>();
  if (has("epochs")) c.net.epochs = vm["epochs"].as<int>();
  if (has("init-range")) c.net.init_range = vm["init-range"].as<double>();
  set_either(vm, "init", "uniform", Init::uniform, "fan-in", Init::fan_in, c.net.init);
  set_either(vm, "dropout-style", "scale-at-test", DropoutStyle::scale_at_test, "inverted", DropoutStyle::inverted,
             c.net.dropout_style);
  set_either(vm, "momentum-per-task", "carry", false, "reset", true, c.net.fresh_momentum_per_task);
  if (!(c.net.lr > 0) || c.net.momentum < 0 || c.net.dropout < 0 || c.net.dropout >= 1 || c.net.batch < 1 ||
      c.net.epochs < 0 || !(c.net.init_range > 0))
    throw UsageError("network options out of range (lr > 0, 0 <= dropout < 1, batch >= 1, epochs >= 0)");
  if (has("r-max")) c.sleep.max_rate = vm["r-max"].as<double>();
  if (has("inc")) c.sleep.inc = vm["inc"].as<double>();
  if (has("dec")) c.sleep.dec = vm["dec"].as<double>();
  if (has("beta")) c.sleep.beta = parse_doubles("beta", vm["beta"].as<std::string>());
  if (has("alpha-scale")) c.sleep.alpha_scale = vm["alpha-scale"].as<double>();
  if (has("fixed-alpha")) c.sleep.fixed_alpha = parse_doubles("fixed-alpha", vm["fixed-alpha"].as<std::string>());
  if (has("decay")) c.sleep.decay = vm["decay"].as<double>();
  if (has("sleep-steps")) c.sleep.steps_base = vm["sleep-steps"].as<int>();
  if (has("sleep-steps-per-task")) c.sleep.steps_per_task = vm["sleep-steps-per-task"].as<int>();
  set_either(vm, "gate", "matlab", Gate::matlab, "logistic", Gate::logistic, c.sleep.gate);
  set_either(vm, "sleep-input", "window", SleepInput::window, "pixels", SleepInput::pixels, c.sleep.input);
  if (has("window")) c.sleep.window = vm["window"].as<int>();
  if (has("pixel-fraction")) c.sleep.pixel_fraction = vm["pixel-fraction"].as<double>();
  set_either(vm, "sleep-pool", "seen", SleepPool::seen, "task", SleepPool::task, c.pool);
  if (has("pool-sample")) c.pool_sample = vm["pool-sample"].as<int>();
  if (has("pool-sample-once")) c.pool_sample_once = true;
  if (has("norm-w")) c.sleep.norm_w = true;
  const std::size_t L = c.net.sizes.size() - 1;
  if (c.sleep.beta.size() != L) throw UsageError(fmt::format("--beta needs {} values (one per weight layer)", L));
  if (!c.sleep.fixed_alpha.empty() && c.sleep.fixed_alpha.size() != L)
    throw UsageError(fmt::format("--fixed-alpha needs {} values", L));
  if (!(c.sleep.max_rate > 0) || c.sleep.inc < 0 || c.sleep.dec < 0 || !(c.sleep.alpha_scale > 0) ||
      c.sleep.steps_base < 0 || c.sleep.steps_per_task < 0 || c.sleep.window < 1 || c.sleep.window > 28 ||
      c.pool_sample < 0)
    throw UsageError("sleep options out of range (r-max > 0, inc, dec >= 0, alpha-scale > 0, 1 <= window <= 28)");
  for (double b : c.sleep.beta)
    if (!(b >= 0)) throw UsageError("--beta values must be >= 0");
  c.trajectory_every = vm["trajectory-every"].as<int>();
  c.snapshot_every = vm["snapshot-every"].as<int>();
  c.stable_ranks = !has("no-ranks");
  c.save_weights = vm["save-weights"].as<std::string>();
  if (c.save_weights != "none" && c.save_weights != "final" && c.save_weights != "all")
    throw UsageError("--save-weights must be none, final or all");
  c.interventions.noise_sigma = vm["noise"].as<double>();
  c.interventions.noise_every = vm["noise-every"].as<int>();
  c.interventions.sqnorm_every = vm["sqnorm-every"].as<int>();
  c.interventions.norm_trace_every = vm["norm-trace-every"].as<int>();
  if (c.interventions.noise_sigma < 0 || c.interventions.noise_every < 0 || c.interventions.sqnorm_every < 0 ||
      c.interventions.norm_trace_every < 0 || c.trajectory_every < 0 || c.snapshot_every < 0)
    throw UsageError("interval and noise options must be >= 0");
  return c;
}

/// --seeds, checked: how many consecutive seeds from --seed a command runs.
int seed_count(const po::variables_map& vm) {
  const int n = vm["seeds"].as<int>();
  if (n < 1) throw UsageError("--seeds must be >= 1");
  return n;
}

Json config_json(const ProtocolConfig& c, const po::variables_map& vm) {
  Json j = Json::object();
  j.set("preset", vm["preset"].as<std::string>());
  j.set("sizes", Json::array(c.net.sizes));
  j.set("loss", c.net.loss == Loss::mse_relu ? "mse_relu" : "xent_linear");
  j.set("lr", c.net.lr).set("momentum", c.net.momentum).set("dropout", c.net.dropout);
  j.set("batch", c.net.batch).set("epochs", c.net.epochs).set("init_range", c.net.init_range);
  j.set("init", c.net.init == Init::fan_in ? "fan-in" : "uniform");
  j.set("dropout_style", c.net.dropout_style == DropoutStyle::inverted ? "inverted" : "scale-at-test");
  j.set("momentum_per_task", c.net.fresh_momentum_per_task ? "reset" : "carry");
  j.set("tasks", static_cast<int>(c.tasks.size())).set("per_task", static_cast<std::uint64_t>(c.per_task));
  Json s = Json::object();
  s.set("r_max", c.sleep.max_rate).set("inc", c.sleep.inc).set("dec", c.sleep.dec);
  s.set("beta", Json::array(c.sleep.beta)).set("alpha_scale", c.sleep.alpha_scale);
  s.set("fixed_alpha", Json::array(c.sleep.fixed_alpha));
  s.set("dt", c.sleep.dt).set("threshold", c.sleep.threshold).set("decay", c.sleep.decay);
  s.set("gate", c.sleep.gate == Gate::matlab ? "matlab" : "logistic");
  s.set("input", c.sleep.input == SleepInput::window ? "window" : "pixels");
  s.set("window", c.sleep.window).set("pixel_fraction", c.sleep.pixel_fraction);
  s.set("steps_base", c.sleep.steps_base).set("steps_per_task", c.sleep.steps_per_task);
  s.set("pool", c.pool == SleepPool::seen ? "seen" : "task").set("pool_sample", c.pool_sample);
  s.set("pool_sample_every", c.pool_sample_once ? "sleep" : "step");
  s.set("norm_w", c.sleep.norm_w);
  j.set("sleep", s);
  Json iv = Json::object();
  iv.set("noise", c.interventions.noise_sigma).set("noise_every", c.interventions.noise_every);
  iv.set("sqnorm_every", c.interventions.sqnorm_every).set("norm_trace_every", c.interventions.norm_trace_every);
  j.set("interventions", iv);
  return j;
}

std::string join_args(const std::string& cmd, const std::vector<std::string>& args) {
  std::string s = "snnsim " + cmd;
  for (const auto& a : args) s += " " + a;
  return s;
}

po::variables_map parse(const po::options_description& desc, const std::vector<std::string>& args) {
  for (const auto& a : args) refuse_boost_placeholders("command line", a);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

struct Progress {
  bool on = false;
  void operator()(const std::string& s) const {
    if (on) std::fprintf(stderr, "%s\n", s.c_str());
  }
};

Json acc_json(const Accuracy& a) { return Json::array(a.per_task); }

Json run_json(const RunResult& r) {
  Json j = Json::object();
  j.set("run", run_name(r)).set("method", r.method).set("seed", r.seed);
  if (r.method == "lowdata") j.set("fraction", r.fraction);
  j.set("accuracy", r.final_acc.overall).set("per_task", acc_json(r.final_acc));
  Json ev = Json(Json::Array{});
  for (const auto& e : r.evals) {
    Json x = Json::object();
    x.set("task", e.after_task).set("phase", e.phase).set("accuracy", e.acc.overall).set("per_task", acc_json(e.acc));
    ev.push(x);
  }
  j.set("evals", ev);
  Json sl = Json(Json::Array{});
  for (const auto& s : r.sleeps) {
    Json x = Json::object();
    x.set("task", s.task).set("steps", s.stats.steps).set("seconds", s.stats.seconds);
    x.set("alpha", Json::array(s.stats.alpha)).set("spikes", Json::array(s.stats.spikes));
    sl.push(x);
  }
  j.set("sleeps", sl);
  Json rk = Json(Json::Array{});
  for (const auto& x : r.ranks) {
    Json o = Json::object();
    o.set("task", x.task).set("phase", x.phase).set("layer", x.layer).set("stable_rank", x.value);
    rk.push(o);
  }
  j.set("stable_rank", rk);
  Json t = Json::object();
  for (const auto& [k, v] : r.timing) t.set(k, v);
  j.set("timing", t);
  return j;
}

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

// Summary over seeds of the final accuracies of runs with the same key.
Json summarise(const std::vector<const RunResult*>& runs, const std::string& phase_filter) {
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
  Json j = Json::object();
  double m, s;
  mean_std(acc, m, s);
  j.set("n", static_cast<int>(acc.size())).set("accuracy_mean", m).set("accuracy_std", s);
  std::vector<double> pm, ps;
  for (auto& v : per) {
    mean_std(v, m, s);
    pm.push_back(m);
    ps.push_back(s);
  }
  j.set("per_task_mean", Json::array(pm)).set("per_task_std", Json::array(ps));
  return j;
}

void setup_threads(const po::variables_map& vm) {
  if (vm.count("threads")) {
    const int t = vm["threads"].as<int>();
    if (t < 1) throw UsageError("--threads must be >= 1");
    omp_set_num_threads(t);
  }
}

std::string required(const po::variables_map& vm, const char* k) {
  if (!vm.count(k)) throw UsageError(fmt::format("--{} is required", k));
  return vm[k].as<std::string>();
}

struct Loaded {
  Dataset train, test;
};

Loaded load(const po::variables_map& vm, bool need_test, const Progress& progress) {
  const std::string dir = required(vm, "data");
  if (!std::filesystem::is_directory(dir)) throw DataError(dir + " is not a directory");
  Loaded l;
  const auto t0 = std::chrono::steady_clock::now();
  l.train = load_dataset(dir, true, vm["max-train"].as<std::size_t>());
  if (need_test) l.test = load_dataset(dir, false, vm["max-test"].as<std::size_t>());
  if (l.train.X.cols() != 784 || (need_test && l.test.X.cols() != 784))
    throw DataError(dir + ": images must be 28x28");
  progress(fmt::format("loaded {} training / {} test images from {} in {:.1f}s", l.train.size(), l.test.size(), dir,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  return l;
}

}  // namespace

int cmd_src(const std::vector<std::string>& args) {
  po::options_description desc(
      "snnsim src: class-incremental MNIST (tasks 0/1 .. 8/9) with Sleep Replay Consolidation and baselines\n"
      "Usage: snnsim src --data DIR --method M[,M...] [--seed S] [--seeds N] --out RUN.h5 [--json]\n"
      "Methods: sequential src cheat parallel average lowrank lowrank-parallel lowdata, or 'all' (the first six)\n"
      "Options");
  add_common(desc);
  // clang-format off
  desc.add_options()
    ("method", po::value<std::string>(), "method list (comma-separated) or 'all'")
    ("rank", po::value<int>()->default_value(10), "rank r of the low-rank methods")
    ("parallel-data", po::value<std::string>()->default_value("all"),
     "parallel baseline trains on 'all' training images (MATLAB) or the 'tasks' subsets")
    ("fraction", po::value<std::string>()->default_value("0.005,0.01,0.02,0.05,0.1"),
     "lowdata: training fractions (first N images of the training set)")
    ("lowdata-pool", po::value<std::string>()->default_value("subset"),
     "lowdata sleep pool: 'subset' (only the images trained on) or 'all' (MATLAB reduced-MNIST)");
  // clang-format on
  const auto vm = parse(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  Progress progress{!vm.count("quiet") && isatty(2)};
  const bool json = vm.count("json") > 0;
  const std::string method_arg = required(vm, "method");
  const std::string out = required(vm, "out");
  ProtocolConfig cfg = config_from(vm);
  cfg.lowrank = vm["rank"].as<int>();
  if (cfg.lowrank < 1) throw UsageError("--rank must be >= 1");
  const auto pd = vm["parallel-data"].as<std::string>();
  if (pd != "all" && pd != "tasks") throw UsageError("--parallel-data must be all or tasks");
  cfg.parallel_all = pd == "all";
  const auto lp = vm["lowdata-pool"].as<std::string>();
  if (lp != "subset" && lp != "all") throw UsageError("--lowdata-pool must be subset or all");
  std::vector<std::string> methods;
  if (method_arg == "all") {
    methods = {"sequential", "src", "cheat", "parallel", "average", "lowrank"};
  } else {
    methods = split(method_arg, ',');
    auto known = known_methods();
    known.push_back("lowdata");
    for (const auto& m : methods)
      if (std::find(known.begin(), known.end(), m) == known.end())
        throw UsageError("unknown method '" + m + "' (sequential, src, cheat, parallel, average, lowrank, "
                         "lowrank-parallel, lowdata, all)");
  }
  if (methods.empty()) throw UsageError("--method is empty");
  const auto fractions = parse_doubles("fraction", vm["fraction"].as<std::string>());
  for (double f : fractions)
    if (!(f > 0 && f <= 1)) throw UsageError("--fraction values must be in (0, 1]");
  const int nseeds = seed_count(vm);
  setup_threads(vm);

  auto data = load(vm, true, progress);
  const Json cj = config_json(cfg, vm);
  ResultsWriter writer(out, vm.count("force") > 0, join_args("src", args), cj.dump(), static_cast<int>(cfg.tasks.size()));
  TaskData td;
  const bool need_tasks = std::any_of(methods.begin(), methods.end(), [](auto& m) { return m != "lowdata"; });
  if (need_tasks) td = make_task_data(data.train, data.test, cfg);
  std::vector<RunResult> runs;
  const auto seed0 = vm["seed"].as<std::uint64_t>();
  const auto t_all = std::chrono::steady_clock::now();
  auto pfn = [&](const std::string& s) { progress(s); };
  for (const auto& m : methods) {
    for (int si = 0; si < nseeds; ++si) {
      const std::uint64_t seed = seed0 + static_cast<std::uint64_t>(si);
      if (m == "lowdata") {
        for (double f : fractions) {
          runs.push_back(run_lowdata(data.train, data.test, cfg, f, lp == "all", seed, pfn));
          writer.add(runs.back());
        }
      } else {
        runs.push_back(run_method(m, td, cfg, seed, pfn));
        writer.add(runs.back());
      }
      // Weights are in the file; drop them from memory.
      runs.back().states.clear();
    }
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
  progress(fmt::format("done in {:.1f}s, results in {}", total, out));

  if (json) {
    Json j = Json::object();
    j.set("command", "src").set("out", out).set("seconds", total).set("config", cj);
    // Summary per method (per fraction and phase for lowdata).
    Json summary = Json::object();
    std::vector<std::string> keys;
    std::map<std::string, std::vector<const RunResult*>> groups;
    for (const auto& r : runs) {
      const std::string key = r.method == "lowdata" ? fmt::format("lowdata_f{:g}", r.fraction) : r.method;
      if (!groups.count(key)) keys.push_back(key);
      groups[key].push_back(&r);
    }
    for (const auto& k : keys) {
      if (k.rfind("lowdata", 0) == 0) {
        Json x = Json::object();
        x.set("no_sleep", summarise(groups[k], "train")).set("sleep", summarise(groups[k], "sleep"));
        summary.set(k, x);
      } else {
        summary.set(k, summarise(groups[k], ""));
        if (k == "src") summary.set("src_before_last_sleep", summarise(groups[k], "train"));
      }
    }
    j.set("summary", summary);
    if (keys.size() == 1) {
      double m, s;
      std::vector<double> acc;
      std::vector<std::vector<double>> per;
      for (auto* r : groups[keys[0]]) {
        acc.push_back(r->final_acc.overall);
        per.resize(r->final_acc.per_task.size());
        for (std::size_t k = 0; k < per.size(); ++k) per[k].push_back(r->final_acc.per_task[k]);
      }
      mean_std(acc, m, s);
      j.set("accuracy", m);
      std::vector<double> pm;
      for (auto& v : per) {
        mean_std(v, m, s);
        pm.push_back(m);
      }
      j.set("per_task", Json::array(pm));
    }
    Json rj = Json(Json::Array{});
    for (const auto& r : runs) rj.push(run_json(r));
    j.set("runs", rj);
    std::cout << j.dump() << std::endl;
  } else {
    for (const auto& r : runs)
      std::printf("%-24s accuracy %.4f\n", run_name(r).c_str(), r.final_acc.overall);
  }
  return kExitOk;
}

int cmd_tune_src(const std::vector<std::string>& args) {
  po::options_description desc(
      "snnsim tune-src: random search of SRC hyperparameters on validation data held out from training\n"
      "(per task, the images after the first --per-task are the validation set; they are removed from the\n"
      "sleep pools; the test set is never read)\n"
      "Usage: snnsim tune-src --data DIR --out TUNE.h5 [--trials N] [--tasks K] [--seed S] [--seeds N] [--json]\n"
      "(each candidate scores the mean validation accuracy of --seeds networks)\n"
      "Options");
  add_common(desc);
  // clang-format off
  desc.add_options()
    ("trials", po::value<int>()->default_value(8), "candidates to evaluate (trial 0 = the preset)")
    ("val", po::value<std::size_t>()->default_value(1000), "validation images per task")
    ("spread", po::value<double>()->default_value(2.0),
     "each candidate multiplies every parameter of the best so far by exp(U(-ln s, ln s))")
    ("tune", po::value<std::string>()->default_value("r_max,inc,dec,beta,alpha_scale"),
     "parameters to search (subset of r_max,inc,dec,beta,alpha_scale)");
  // clang-format on
  const auto vm = parse(desc, args);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return kExitOk;
  }
  Progress progress{!vm.count("quiet") && isatty(2)};
  const bool json = vm.count("json") > 0;
  const std::string out = required(vm, "out");
  ProtocolConfig cfg = config_from(vm);
  if (!vm.count("tasks")) cfg.tasks.resize(2);  // tuning default: the first two tasks
  const int trials = vm["trials"].as<int>();
  const double spread = vm["spread"].as<double>();
  const auto nval = vm["val"].as<std::size_t>();
  if (trials < 1) throw UsageError("--trials must be >= 1");
  if (!(spread >= 1)) throw UsageError("--spread must be >= 1");
  if (nval < 1) throw UsageError("--val must be >= 1");
  const int nseeds = seed_count(vm);
  const auto tune = split(vm["tune"].as<std::string>(), ',');
  for (const auto& t : tune)
    if (t != "r_max" && t != "inc" && t != "dec" && t != "beta" && t != "alpha_scale")
      throw UsageError("--tune: unknown parameter '" + t + "'");
  auto tuned = [&](const char* n) { return std::find(tune.begin(), tune.end(), n) != tune.end(); };
  cfg.stable_ranks = false;
  cfg.snapshot_every = 0;
  cfg.trajectory_every = 0;
  cfg.save_weights = "none";
  setup_threads(vm);
  const auto seed = vm["seed"].as<std::uint64_t>();

  auto data = load(vm, false, progress);
  const TaskData td = make_validation_data(data.train, cfg, nval);
  progress(fmt::format("validation: {} images held out of the training set ({} per task)", td.eval.size(), nval));
  const Json cj = config_json(cfg, vm);
  ResultsWriter writer(out, vm.count("force") > 0, join_args("tune-src", args), cj.dump(),
                       static_cast<int>(cfg.tasks.size()));
  const h5::File& root_file = writer.file();
  // Each candidate is scored by the mean over --seeds networks. Task 1's SGD does not depend
  // on sleep parameters: train it once per seed.
  std::vector<Net> after_task1;
  std::vector<TrainCounters> ctr1;
  for (int si = 0; si < nseeds; ++si) {
    const std::uint64_t s = seed + static_cast<std::uint64_t>(si);
    after_task1.push_back(make_net(cfg.net, s));
    ctr1.push_back(TrainCounters{s, 0, 0});
    train(after_task1.back(), cfg.net, td.train[0].X, td.train[0].y, ctr1.back());
  }
  struct Cand {
    SleepParams p;
    double score = -1;
    Accuracy acc;
  };
  std::vector<Cand> all;
  Cand best;
  PhiloxStream rs(seed, Stream::tune);
  const int K = static_cast<int>(cfg.tasks.size());
  for (int t = 0; t < trials; ++t) {
    Cand c;
    c.p = t == 0 ? cfg.sleep : best.p;
    if (t > 0) {
      auto jitter = [&](double v) { return v * std::exp((2.0 * rs.uniform() - 1.0) * std::log(spread)); };
      if (tuned("r_max")) c.p.max_rate = jitter(c.p.max_rate);
      if (tuned("inc")) c.p.inc = jitter(c.p.inc);
      if (tuned("dec")) c.p.dec = jitter(c.p.dec);
      if (tuned("beta"))
        for (auto& b : c.p.beta) b = jitter(b);
      if (tuned("alpha_scale")) c.p.alpha_scale = jitter(c.p.alpha_scale);
    }
    // One SRC run over K tasks per seed with these parameters, scored on validation data.
    ProtocolConfig pc = cfg;
    pc.sleep = c.p;
    const auto t0 = std::chrono::steady_clock::now();
    c.acc.per_task.assign(static_cast<std::size_t>(K), 0.0);
    for (int si = 0; si < nseeds; ++si) {
      const std::uint64_t s = seed + static_cast<std::uint64_t>(si);
      Net net = after_task1[static_cast<std::size_t>(si)];
      TrainCounters ctr = ctr1[static_cast<std::size_t>(si)];
      for (int k = 1; k <= K; ++k) {
        if (k > 1) train(net, pc.net, td.train[k - 1].X, td.train[k - 1].y, ctr);
        // the sleep input and alphas exactly as `snnsim src` would use them
        const auto plan = plan_sleep(net, td, pc, k, s);
        sleep(net, c.p, plan.alpha, plan.mean, c.p.steps_for_task(k), s, static_cast<std::uint32_t>(k), {},
              plan.per_step);
      }
      const auto a = evaluate(net, td.eval, cfg.tasks);
      c.acc.overall += a.overall / nseeds;
      for (int k = 0; k < K; ++k) c.acc.per_task[static_cast<std::size_t>(k)] += a.per_task[static_cast<std::size_t>(k)] / nseeds;
    }
    c.score = c.acc.overall;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress(fmt::format("trial {:2}: r_max {:.4g} inc {:.4g} dec {:.4g} beta {:.4g},{:.4g},{:.4g} c {:.4g} -> val {:.2f}% "
                         "({:.0f}s)",
                         t, c.p.max_rate, c.p.inc, c.p.dec, c.p.beta[0], c.p.beta.size() > 1 ? c.p.beta[1] : 0.0,
                         c.p.beta.size() > 2 ? c.p.beta[2] : 0.0, c.p.alpha_scale, 100 * c.score, secs));
    if (c.score > best.score) best = c;
    all.push_back(c);
    auto g = root_file.root().require_group("tune");
    std::vector<std::int32_t> ti{t};
    std::vector<double> row{c.p.max_rate, c.p.inc, c.p.dec, c.p.alpha_scale, c.score};
    g.append<std::int32_t>("trial", std::span<const std::int32_t>(ti));
    g.append<double>("r_max", std::span<const double>(&row[0], 1));
    g.append<double>("inc", std::span<const double>(&row[1], 1));
    g.append<double>("dec", std::span<const double>(&row[2], 1));
    g.append<double>("alpha_scale", std::span<const double>(&row[3], 1));
    g.append<double>("val_accuracy", std::span<const double>(&row[4], 1));
    g.append<double>("beta", std::span<const double>(c.p.beta.data(), c.p.beta.size()), {c.p.beta.size()});
    root_file.flush();
  }
  progress(fmt::format("best: val {:.2f}%", 100 * best.score));
  auto param_json = [](const SleepParams& p) {
    Json j = Json::object();
    j.set("r_max", p.max_rate).set("inc", p.inc).set("dec", p.dec).set("beta", Json::array(p.beta));
    j.set("alpha_scale", p.alpha_scale);
    return j;
  };
  if (json) {
    Json j = Json::object();
    j.set("command", "tune-src").set("out", out).set("tasks", K).set("val_images_per_task", static_cast<std::uint64_t>(nval));
    j.set("seeds", nseeds);
    j.set("best", param_json(best.p)).set("val_accuracy", best.score).set("val_per_task", acc_json(best.acc));
    j.set("preset_val_accuracy", all.front().score);
    Json tr = Json(Json::Array{});
    for (const auto& c : all) {
      Json x = param_json(c.p);
      x.set("val_accuracy", c.score);
      tr.push(x);
    }
    j.set("trials", tr);
    std::cout << j.dump() << std::endl;
  } else {
    std::printf("best val accuracy %.4f (preset %.4f): --r-max %g --inc %g --dec %g --beta %g,%g,%g --alpha-scale %g\n",
                best.score, all.front().score, best.p.max_rate, best.p.inc, best.p.dec, best.p.beta[0],
                best.p.beta.size() > 1 ? best.p.beta[1] : 0.0, best.p.beta.size() > 2 ? best.p.beta[2] : 0.0,
                best.p.alpha_scale);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
