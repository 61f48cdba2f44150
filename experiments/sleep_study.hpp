#pragma once
// The generalisation study in one call: for every (seed, training amount) train -> label ->
// evaluate (clean, Gaussian noise, blur) -> sleep -> relabel -> evaluate, plus the 2x2
// weights x thresholds ablation and the threshold analysis. Conditions are independent and
// each is saved as soon as it finishes, so an interrupted study resumes where it stopped.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/idx.hpp"
#include "models/diehl_cook.hpp"
#include "sleep.hpp"

namespace snnsim::experiments {

// The defaults are the study that answers most within 30 minutes on a 2-core machine at N=400
// (docs/sleep-study.md, "The default study"): five seeds for paired intervals, the amounts where
// sleep's effect was measurable, the controls and the duration curve.
struct StudyOptions {
  std::vector<std::uint64_t> seeds = {1, 2, 3, 4, 5};
  std::vector<std::size_t> train_amounts = {300, 1000, 3000};
  std::size_t test_images = 1000;        // clean test images per evaluation
  std::size_t noise_test_images = 500;   // test images per noise/blur level
  std::size_t label_cap = 1000;          // labels from min(K, cap) training images
  std::vector<double> gaussian_levels = {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0};  // see noise.hpp
  std::vector<double> blur_levels = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
  std::uint64_t noise_seed = 1;
  SleepOptions sleep;
  // Sleep-duration curve from the one sleep: the state after each of these many simulated seconds
  // (ascending, each shorter than sleep.duration_s, on the 0.1 s rate bins) is relabelled and
  // scored on the clean test images as state "slept_t{D}s". Empty: only the end of the sleep.
  std::vector<double> durations_s = {1, 2, 5};
  // The controls (controls.hpp), on by default: states "extra_wake" (the K images once more) and
  // "pruned" (train-response order, silenced, fraction chosen on the last `validation_images`
  // training images among `prune_fractions`), each relabelled and scored like the slept state.
  bool controls = true;
  std::size_t validation_images = 1000;
  std::vector<double> prune_fractions = {0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5};
  int threads = 1;
};

struct EvalRecord {
  std::string state, noise_type;
  double noise_level = 0.0;
  double accuracy = 0.0;
  std::uint32_t n_samples = 0, n_silent = 0;
};

struct ThresholdAnalysis {
  std::size_t rose = 0, fell = 0, unchanged = 0;
  double mean_change_mV = 0.0;
  double pearson_r = 0, pearson_p = 1, spearman_r = 0, spearman_p = 1;
  // Mean theta change of the neurons with the best-formed (lowest-variance) quarter of fields,
  // and of the worst quarter.
  double change_best_quartile_mV = 0, change_worst_quartile_mV = 0;
};

struct ConditionResult {
  std::uint64_t seed = 0;
  std::size_t train_images = 0;
  models::NetworkState trained, slept;
  std::vector<EvalRecord> evals;
  std::vector<double> rf_variance;  // of the trained fields
  std::vector<double> theta_change_mV;
  ThresholdAnalysis thresholds;
  SleepReport sleep_report;         // rates and recorded exc spikes
  double wall_s = 0.0;
};

/// Work units (image presentations) of one condition, for progress and ETA.
std::size_t condition_work(const StudyOptions& o, std::size_t train_images);

/// Runs one condition. `progress(units)` reports work done inside it.
ConditionResult run_condition(const models::DiehlCookParams& p, const io::LabelledImages& train,
                              const io::LabelledImages& test, const StudyOptions& o, std::uint64_t seed,
                              std::size_t train_images, const std::function<void(std::size_t)>& progress = {});

ThresholdAnalysis analyse_thresholds(const std::vector<double>& theta_change, const std::vector<double>& rf_variance);

}  // namespace snnsim::experiments
