#pragma once
// Experiment protocols: class-incremental MNIST with every baseline (sequential, SRC, cheat,
// parallel, weight averaging, low-rank averaging), low-data sleep, and the training-time weight
// interventions (proportional noise, per-neuron square-and-renormalise) as batch hooks.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "ann/data.hpp"
#include "ann/net.hpp"
#include "ann/sleep.hpp"

namespace snnsim::ann {

struct Interventions {
  double noise_sigma = 0;    // w += sigma * |w| * N(0,1) (proportional Gaussian noise)
  int noise_every = 0;       // apply after every k-th SGD step (0 = never)
  int sqnorm_every = 0;      // per-neuron square-and-renormalise after every k-th step
  int norm_trace_every = 0;  // record per-neuron L2 norms of every layer every k steps
};

enum class SleepPool {
  seen,  // MATLAB: all training images of the tasks seen so far (mean image and alpha)
  task,  // replica: the current task's training images
};

struct ProtocolConfig {
  NetConfig net;
  SleepParams sleep;
  std::vector<std::vector<int>> tasks = default_tasks();
  std::size_t per_task = 5000;
  SleepPool pool = SleepPool::seen;
  int pool_sample = 0;         // > 0: mean image of this many random images (replica)
  bool pool_sample_once = false;  // the sample drawn once per sleep from the pool, not every step
  bool parallel_all = true;    // parallel trains on all training images (MATLAB); else the task subsets
  int lowrank = 10;
  int trajectory_every = 0;    // evaluate during sleep every N steps (0 = start and end only)
  int snapshot_every = 1000;   // first-layer synaptic snapshot every N sleep steps (0 = off)
  bool stable_ranks = true;
  std::string save_weights = "final";  // none | final | all
  Interventions interventions;
};

/// Train, sleep-pool and evaluation sets of one protocol instance.
struct TaskData {
  std::vector<Dataset> train;  // per task: what SGD sees
  std::vector<Dataset> pool;   // per task: the sleep pool (mean image, alpha statistics)
  Dataset all_train;           // parallel baseline
  Dataset eval;                // test set, or validation for tuning
};

/// Test protocol: task k trains on the first per_task images of its classes, its pool is all
/// training images of its classes, evaluation on `test`.
TaskData make_task_data(const Dataset& train, const Dataset& test, const ProtocolConfig& cfg);
/// Tuning protocol: per task, `val_per_task` images after the first per_task form the
/// validation set; they are removed from the pools and from all_train. The test set is unused.
TaskData make_validation_data(const Dataset& train, const ProtocolConfig& cfg, std::size_t val_per_task);

struct EvalRow {
  std::string method;
  std::uint64_t seed = 0;
  int after_task = 0;  // 1-based task after which the network was evaluated
  std::string phase;   // "train" (after SGD) or "sleep" (after the sleep that follows it)
  Accuracy acc;
};

struct RankRow {
  std::string method;
  std::uint64_t seed = 0;
  int task = 0;
  std::string phase;  // "before_sleep" | "after_sleep" | "final"
  int layer = 0;
  double value = 0;
};

struct SleepLog {
  int task = 0;
  SleepStats stats;
  std::vector<double> s;               // s_l of the alpha recursion
  std::vector<int> snapshot_steps;
  std::vector<float> snapshots;        // snapshot_steps.size() x sizes[0]
  std::vector<int> trajectory_steps;
  std::vector<Accuracy> trajectory;
};

struct NormTrace {
  std::vector<std::int64_t> steps;
  std::vector<std::vector<float>> layers;  // per layer: steps.size() x sizes[l+1], row-major
};

struct RunResult {
  std::string method;
  std::uint64_t seed = 0;
  std::vector<EvalRow> evals;
  std::vector<RankRow> ranks;
  std::vector<SleepLog> sleeps;
  std::vector<std::pair<std::string, double>> timing;  // phase -> seconds
  std::vector<std::pair<std::string, Net>> states;     // saved weights
  NormTrace norms;
  Accuracy final_acc;
  double fraction = 0;  // low-data runs
};

/// What the sleep after task k (1-based) replays, and with which alphas.
struct SleepPlan {
  std::vector<double> alpha;
  std::vector<double> s;  // the data scales behind alpha (empty with fixed alphas)
  Vec mean;               // the fixed input image (unused when per_step is active)
  StepSample per_step;    // replica: a new mean of pool_sample training images of task k each step
};
/// The input of that sleep as `cfg` asks: the mean (and alpha statistics) of the pool, or, with
/// pool_sample > 0, a mean of that many random images, drawn every step from the images task k
/// trained on (the replica's `X[np.random.choice(...)]` per iteration), or once per sleep from
/// the pool with pool_sample_once. The plan points into `data`.
SleepPlan plan_sleep(const Net& net, const TaskData& data, const ProtocolConfig& cfg, int k, std::uint64_t seed);

using ProgressFn = std::function<void(const std::string&)>;

/// Methods: sequential, src, cheat, parallel, average, lowrank, lowrank-parallel.
std::vector<std::string> known_methods();
RunResult run_method(const std::string& method, const TaskData& data, const ProtocolConfig& cfg, std::uint64_t seed,
                     const ProgressFn& progress = {});

/// Low-data protocol: train on the first round(fraction * N) training images (all classes),
/// evaluate (phase "train"), sleep cfg.sleep.steps_base steps, evaluate (phase "sleep").
/// `pool_all`: sleep pool is the whole training set (MATLAB reduced-MNIST) instead of the subset.
RunResult run_lowdata(const Dataset& train, const Dataset& test, const ProtocolConfig& cfg, double fraction,
                      bool pool_all, std::uint64_t seed, const ProgressFn& progress = {});

/// Batch hooks implementing `iv` (exposed for tests); `trace` receives the norm records.
std::vector<BatchHook> make_hooks(const Interventions& iv, std::uint64_t seed, NormTrace* trace);
/// Per-neuron square-and-renormalise of one matrix: w <- sign(w) w^2 * ||w_row|| / ||w_row^2||.
void square_renormalise(Mat& W);
/// Proportional Gaussian noise: w <- w + sigma |w| N(0,1), keyed by (seed, step, layer, index).
void proportional_noise(Net& net, double sigma, std::uint64_t seed, std::int64_t step);

/// Best rank-r approximation (randomised subspace iteration, deterministic).
Mat low_rank(const Mat& W, int r);

}  // namespace snnsim::ann
