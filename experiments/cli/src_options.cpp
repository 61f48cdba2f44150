#include "src_options.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "ann/experiment.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"

namespace snnsim::cli {

using namespace snnsim::ann;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream is(text);
  while (std::getline(is, cur, ','))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<double> parse_numbers(const std::string& option, const std::string& text) {
  std::vector<double> v;
  for (const auto& t : split_list(text)) {
    try {
      std::size_t pos = 0;
      v.push_back(std::stod(t, &pos));
      if (pos != t.size()) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("--{}: '{}' is not a number", option, t));
    }
  }
  return v;
}

void add_src_options(po::options_description& d, SrcOptions& o) {
  add_common_options(d, o.common, "OpenMP threads (0 = all cores; results do not depend on it)");
  add_data_option(d, o.data_dir, "MNIST-format directory (train-/t10k- IDX files, raw or .gz)");
  // clang-format off
  d.add_options()
    ("out", po::value<std::string>(&o.out), "HDF5 run file to write (required)")
    ("force", po::bool_switch(&o.force), "overwrite --out if it exists (the old file stays until the new one is complete)")
    ("seed", po::value<std::uint64_t>(), "first seed (default: random, printed and stored)")
    ("seeds", po::value<int>(&o.seeds)->default_value(1), "number of seeds (seed, seed+1, ...)")
    ("preset", po::value<std::string>(&o.preset)->default_value("mnist"),
     "hyperparameters: mnist | fashion | replica | reduced10 | reduced20 | reduced40 (sleep.md 3.3)")
    ("tasks", po::value<int>(), "use only the first K class-incremental tasks (default 5)")
    ("per-task", po::value<std::size_t>(), "training images per task (default 5000, first in file order)")
    ("max-train", po::value<std::size_t>(&o.max_train)->default_value(0), "load at most N training images (0 = all)")
    ("max-test", po::value<std::size_t>(&o.max_test)->default_value(0), "load at most N test images (0 = all)")
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
    ("pool-sample-once", po::bool_switch(&o.pool_sample_once), "draw that sample once per sleep, from the task's pool (snnsim before 2026-12-04)")
    ("norm-w", po::bool_switch(&o.norm_w), "rescale weights after sleep to their pre-sleep range (MATLAB normW)")
    // recording
    ("trajectory-every", po::value<int>()->default_value(0), "test accuracy every N sleep steps")
    ("snapshot-every", po::value<int>()->default_value(1000), "first-layer synaptic snapshot every N sleep steps")
    ("no-ranks", po::bool_switch(&o.no_ranks), "skip stable ranks")
    ("save-weights", po::value<std::string>()->default_value("final"), "none | final | all (every state)")
    // interventions
    ("noise", po::value<double>()->default_value(0), "proportional Gaussian weight noise sigma")
    ("noise-every", po::value<int>()->default_value(0), "apply the noise after every K mini-batches")
    ("sqnorm-every", po::value<int>()->default_value(0), "per-neuron square-and-renormalise every K mini-batches")
    ("norm-trace-every", po::value<int>()->default_value(0), "record per-neuron weight norms every K mini-batches");
  // clang-format on
}

namespace {

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

/// `target` = the option's value when it was given.
template <typename T>
void set_if(const po::variables_map& vm, const char* name, T& target) {
  if (vm.count(name)) target = vm[name].as<T>();
}

void apply_network(const po::variables_map& vm, NetConfig& n) {
  if (vm.count("hidden")) {
    std::vector<int> sizes{784};
    for (double h : parse_numbers("hidden", vm["hidden"].as<std::string>())) {
      if (h < 1 || h != std::floor(h)) throw UsageError("--hidden: sizes must be positive integers");
      sizes.push_back(static_cast<int>(h));
    }
    sizes.push_back(10);
    n.sizes = sizes;
  }
  set_either(vm, "loss", "mse", Loss::mse_relu, "xent", Loss::xent_linear, n.loss);
  set_if(vm, "lr", n.lr);
  set_if(vm, "momentum", n.momentum);
  set_if(vm, "dropout", n.dropout);
  set_if(vm, "batch", n.batch);
  set_if(vm, "epochs", n.epochs);
  set_if(vm, "init-range", n.init_range);
  set_either(vm, "init", "uniform", Init::uniform, "fan-in", Init::fan_in, n.init);
  set_either(vm, "dropout-style", "scale-at-test", DropoutStyle::scale_at_test, "inverted", DropoutStyle::inverted,
             n.dropout_style);
  set_either(vm, "momentum-per-task", "carry", false, "reset", true, n.fresh_momentum_per_task);
  if (!(n.lr > 0) || n.momentum < 0 || n.dropout < 0 || n.dropout >= 1 || n.batch < 1 || n.epochs < 0 ||
      !(n.init_range > 0))
    throw UsageError("network options out of range (lr > 0, 0 <= dropout < 1, batch >= 1, epochs >= 0)");
}

void apply_sleep(const po::variables_map& vm, const SrcOptions& o, ProtocolConfig& c) {
  auto& s = c.sleep;
  set_if(vm, "r-max", s.max_rate);
  set_if(vm, "inc", s.inc);
  set_if(vm, "dec", s.dec);
  if (vm.count("beta")) s.beta = parse_numbers("beta", vm["beta"].as<std::string>());
  set_if(vm, "alpha-scale", s.alpha_scale);
  if (vm.count("fixed-alpha")) s.fixed_alpha = parse_numbers("fixed-alpha", vm["fixed-alpha"].as<std::string>());
  set_if(vm, "decay", s.decay);
  set_if(vm, "sleep-steps", s.steps_base);
  set_if(vm, "sleep-steps-per-task", s.steps_per_task);
  set_either(vm, "gate", "matlab", Gate::matlab, "logistic", Gate::logistic, s.gate);
  set_either(vm, "sleep-input", "window", SleepInput::window, "pixels", SleepInput::pixels, s.input);
  set_if(vm, "window", s.window);
  set_if(vm, "pixel-fraction", s.pixel_fraction);
  set_either(vm, "sleep-pool", "seen", SleepPool::seen, "task", SleepPool::task, c.pool);
  set_if(vm, "pool-sample", c.pool_sample);
  if (o.pool_sample_once) c.pool_sample_once = true;
  if (o.norm_w) s.norm_w = true;
  const std::size_t L = c.net.sizes.size() - 1;
  if (s.beta.size() != L) throw UsageError(fmt::format("--beta needs {} values (one per weight layer)", L));
  if (!s.fixed_alpha.empty() && s.fixed_alpha.size() != L)
    throw UsageError(fmt::format("--fixed-alpha needs {} values", L));
  if (!(s.max_rate > 0) || s.inc < 0 || s.dec < 0 || !(s.alpha_scale > 0) || s.steps_base < 0 ||
      s.steps_per_task < 0 || s.window < 1 || s.window > 28 || c.pool_sample < 0)
    throw UsageError("sleep options out of range (r-max > 0, inc, dec >= 0, alpha-scale > 0, 1 <= window <= 28)");
  for (double b : s.beta)
    if (!(b >= 0)) throw UsageError("--beta values must be >= 0");
}

void apply_recording(const po::variables_map& vm, const SrcOptions& o, ProtocolConfig& c) {
  c.trajectory_every = vm["trajectory-every"].as<int>();
  c.snapshot_every = vm["snapshot-every"].as<int>();
  c.stable_ranks = !o.no_ranks;
  c.save_weights = vm["save-weights"].as<std::string>();
  if (c.save_weights != "none" && c.save_weights != "final" && c.save_weights != "all")
    throw UsageError("--save-weights must be none, final or all");
  auto& iv = c.interventions;
  iv.noise_sigma = vm["noise"].as<double>();
  iv.noise_every = vm["noise-every"].as<int>();
  iv.sqnorm_every = vm["sqnorm-every"].as<int>();
  iv.norm_trace_every = vm["norm-trace-every"].as<int>();
  if (iv.noise_sigma < 0 || iv.noise_every < 0 || iv.sqnorm_every < 0 || iv.norm_trace_every < 0 ||
      c.trajectory_every < 0 || c.snapshot_every < 0)
    throw UsageError("interval and noise options must be >= 0");
}

}  // namespace

ProtocolConfig src_config(const po::variables_map& vm, const SrcOptions& o) {
  ProtocolConfig c;
  try {
    apply_preset(o.preset, c);
  } catch (const std::invalid_argument&) {
    throw UsageError("--preset must be " + preset_names());
  }
  if (vm.count("tasks")) {
    const int k = vm["tasks"].as<int>();
    if (k < 1 || k > 5) throw UsageError("--tasks must be 1..5");
    c.tasks.resize(static_cast<std::size_t>(k));
  }
  set_if(vm, "per-task", c.per_task);
  apply_network(vm, c.net);
  apply_sleep(vm, o, c);
  apply_recording(vm, o, c);
  return c;
}

std::uint64_t check_src_options(const po::variables_map& vm, const SrcOptions& o, const std::string& command,
                                bool out_optional) {
  if (!out_optional) require_file(o.out, "--out RUN.h5", command);
  if (o.seeds < 1) throw UsageError("--seeds must be >= 1");
  omp_set_num_threads(resolve_threads(o.common.threads));
  return resolve_seed(vm, "seed", o.common.quiet);
}

SrcData load_src_data(const SrcOptions& o, bool need_test) {
  const std::string& dir = o.data_dir;
  if (!std::filesystem::is_directory(dir)) throw DataError(dir + " is not a directory");
  SrcData l;
  const auto t0 = std::chrono::steady_clock::now();
  l.train = load_dataset(dir, true, o.max_train);
  if (need_test) l.test = load_dataset(dir, false, o.max_test);
  if (l.train.X.cols() != 784 || (need_test && l.test.X.cols() != 784)) throw DataError(dir + ": images must be 28x28");
  if (!o.common.quiet && experiments::mpi_root())
    fmt::print(stderr, "loaded {} training / {} test images from {} in {:.1f}s\n", l.train.size(), l.test.size(), dir,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return l;
}

}  // namespace snnsim::cli
