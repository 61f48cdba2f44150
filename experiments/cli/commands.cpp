#include "command.hpp"

#include <array>

namespace snnsim::cli {

std::span<const Command> commands() {
  static const Command table[] = {
      {"train", "train the Diehl & Cook network on MNIST and write a run file", cmd_train},
      {"label", "(re)assign neuron labels of a saved state from a frozen pass", cmd_label},
      {"sleep", "run the sleep regime on a saved state and save the slept state", cmd_sleep},
      {"tune-sleep", "search the sleep knobs on validation images held out from training", cmd_tune_sleep},
      {"wake", "extra wake: the same training images once more from a saved state (sleep's control)", cmd_wake},
      {"prune", "pruning without sleep: silence the least responsive or noisiest neurons (sleep's control)", cmd_prune},
      {"noise-curve", "accuracy under one noise at many levels, on validation images (chooses noise grids)",
       cmd_noise_curve},
      {"experiment", "experiment sleep|incremental: the sleep generalisation study; class-incremental learning with sleep", cmd_experiment},
      {"eval", "evaluate a saved state on the test set (optionally with noise)", cmd_eval},
      {"describe", "print the population graph (text or GraphViz DOT)", cmd_describe},
#ifdef SNNSIM_HAVE_ANN
      {"src", "Sleep Replay Consolidation for ANNs on class-incremental MNIST", cmd_src},
      {"tune-src", "search SRC hyperparameters on held-out training data", cmd_tune_src},
#endif
  };
  return table;
}

}  // namespace snnsim::cli
