#pragma once
// What `snnsim src` and `snnsim tune-src` run, as library calls: the published presets, every
// requested method over seeds (and low-data fractions) written run by run to a ResultsWriter,
// and the random search of the sleep hyperparameters on validation data.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ann/protocol.hpp"
#include "ann/results.hpp"

namespace snnsim::ann {

/// The published hyperparameter vectors [r_max, inc, dec, b1, b2, b3, alpha_scale] (sleep.md 3.3)
/// and the replica's choices. Throws std::invalid_argument for an unknown name.
void apply_preset(const std::string& name, ProtocolConfig& c);
/// "mnist, fashion, replica, reduced10, reduced20 or reduced40".
std::string preset_names();

/// Progress of a multi-run command: units done so far, their total, and what happens now.
using UnitProgress = std::function<void(std::size_t done, std::size_t total, const std::string& what)>;

struct SrcPlan {
  std::vector<std::string> methods;  // known_methods() and "lowdata"
  std::uint64_t seed = 1;            // first seed
  int seeds = 1;                     // seed, seed+1, ...
  std::vector<double> fractions;     // lowdata
  bool lowdata_pool_all = false;     // lowdata sleeps on the mean of all training images
};
/// How many runs the plan makes (one per method and seed; per fraction for lowdata).
std::size_t run_count(const SrcPlan& plan);
/// One run of a plan: a method for one seed (lowdata: at one training fraction).
struct SrcRunSpec {
  std::string method;
  std::uint64_t seed = 1;
  double fraction = 0;  // lowdata only
};
/// Every run of the plan in the order run_src makes and writes them: method by method, each over
/// the seeds (lowdata: each seed over the fractions). Runs are independent of one another.
std::vector<SrcRunSpec> src_runs(const SrcPlan& plan);
/// The task split the plan's methods other than lowdata train and test on (empty if none).
TaskData src_task_data(const SrcPlan& plan, const Dataset& train, const Dataset& test, const ProtocolConfig& cfg);
/// One run, with its weights; `report` gets what it does now (may be empty).
RunResult run_src_one(const SrcRunSpec& run, const SrcPlan& plan, const TaskData& td, const Dataset& train,
                      const Dataset& test, const ProtocolConfig& cfg,
                      const std::function<void(const std::string&)>& report = {});
/// Runs every method of the plan for every seed, adds each run to `writer` as it finishes and
/// returns the results without their weights (those are in the file).
std::vector<RunResult> run_src(const SrcPlan& plan, const Dataset& train, const Dataset& test,
                               const ProtocolConfig& cfg, ResultsWriter& writer, const UnitProgress& progress = {});

struct TuneOptions {
  int trials = 8;            // trial 0 = cfg.sleep
  double spread = 2.0;       // each parameter times exp(U(-ln s, ln s))
  std::vector<std::string> tune{"r_max", "inc", "dec", "beta", "alpha_scale"};
  std::uint64_t seed = 1;    // first seed; also keys the search stream
  int seeds = 1;             // each candidate scores the mean over this many networks
  int batch = 1;             // candidates proposed at once (tune_search)
};
struct TuneTrial {
  SleepParams params;
  double score = -1;  // mean validation accuracy
  Accuracy acc;
  double wall_s = 0;
};
/// Scores candidates one (candidate, seed) at a time. Task 1's network of each seed does not
/// depend on the sleep parameters: it is trained on first use and kept.
class TuneScorer {
 public:
  TuneScorer(const TaskData& data, const ProtocolConfig& cfg, const TuneOptions& opt);
  ~TuneScorer();
  TuneScorer(const TuneScorer&) = delete;
  TuneScorer& operator=(const TuneScorer&) = delete;
  /// Validation accuracy of the network of seed opt.seed + si after the tasks with sleep `p`.
  Accuracy score(const SleepParams& p, int si);

 private:
  struct AfterTask1;
  const TaskData& td_;
  const ProtocolConfig& cfg_;
  const TuneOptions& opt_;
  std::vector<std::unique_ptr<AfterTask1>> task1_;
};

/// One (candidate, seed) score and the seconds it took.
struct TuneScore {
  Accuracy acc;
  double wall_s = 0;
};
/// Scores a batch: for candidate c and seed index s the result at [c * opt.seeds + s].
using TuneBatchScorer = std::function<std::vector<TuneScore>(const std::vector<SleepParams>& batch)>;

/// The random search of the sleep parameters, in batches of opt.batch trials: trial 0 is
/// `preset`; every other trial of a batch multiplies each tuned parameter of the best trial of
/// all earlier batches (in the first batch: of the preset) by exp(U(-ln spread, ln spread)), the
/// draws taken from one stream in trial order. So the trials depend on opt.batch, not on how a
/// batch is scored; batch 1 is the sequential search (each trial perturbs the best so far).
/// A trial's score is the mean over seeds, summed in seed order. `trial_done(t, trial)` is
/// called for every trial in order. Returns all trials in order.
std::vector<TuneTrial> tune_search(const SleepParams& preset, const TuneOptions& opt, const TuneBatchScorer& score,
                                   const std::function<void(int, const TuneTrial&)>& trial_done = {});
/// The progress line of one trial.
std::string tune_trial_line(int t, const TuneTrial& trial);

/// Random search of cfg.sleep on `data` (make_validation_data) in one process: every trial is
/// appended to the writer's /tune group as it finishes. Returns all trials in order.
std::vector<TuneTrial> tune_src(const TaskData& data, const ProtocolConfig& cfg, const TuneOptions& opt,
                                ResultsWriter& writer, const UnitProgress& progress = {});

}  // namespace snnsim::ann
