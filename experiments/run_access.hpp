#pragma once
// Loading what a command needs from an existing run file: the model parameters from /config
// and one named state; plus the master seed for streams that must match the training run.
#include <string>

#include "io/idx.hpp"
#include "experiments/run_file.hpp"

namespace snnsim::experiments {

struct LoadedRun {
  models::DiehlCookParams params;
  models::NetworkState state;
  std::uint64_t seed = 0;
  std::string data_dir;
  std::size_t train_images = 0;  // how many images the run was trained on (0 if not recorded)
};

LoadedRun load_run(const std::string& path, const std::string& state);
/// The images a state is labelled or averaged from when not given: those it was trained on (1000
/// when the run does not say).
inline std::size_t images_trained_on_or_default(std::size_t trained_on) { return trained_on ? trained_on : 1000; }

/// Labels `s` from a frozen pass over the first `count` training images, with progress.
void relabel(const models::DiehlCookParams& p, models::NetworkState& s, std::uint64_t seed,
             const io::LabelledImages& data, std::size_t count, int threads, bool show, const std::string& what);

}  // namespace snnsim::experiments
