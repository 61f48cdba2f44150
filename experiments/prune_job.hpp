#pragma once
// `snnsim prune` as a library call: load a labelled state, choose the pruning fraction on
// validation images (or take the given one), prune, relabel, and save the new state with its
// /prune/<to> record in one transaction (experiments/controls.hpp has the pruning itself).
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/controls.hpp"

namespace snnsim::experiments {

struct PruneJob {
  std::string run, from = "trained", to = "pruned", data_dir;
  PruneCriterion criterion = PruneCriterion::train_response;
  PruneMethod method = PruneMethod::silence;
  bool automatic = true;          // choose the fraction among `fractions` on validation images
  std::vector<double> fractions;  // the candidates, or the one given fraction
  std::size_t validation = 1000, label_images = 0;  // label_images 0: as many as the run trained on
  bool force = false;
  int threads = 1;
  bool show_progress = true;
};

struct PruneJobResult {
  double fraction = 0, wall_s = 0;
  std::size_t pruned = 0, neurons = 0, label_images = 0;
  PruneSearch search;  // the candidates' validation accuracies (automatic only)
};

/// Errors: UsageError for counts the data set cannot serve (or validation images that would
/// overlap the trained/labelled ones), RunFileError for a state without the labels the criterion
/// needs, OutputError when --to exists without force.
PruneJobResult run_prune_job(PruneJob job);

}  // namespace snnsim::experiments
