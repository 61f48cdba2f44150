#pragma once
// Loading what a command needs from an existing run file: the model parameters from /config
// and one named state; plus the master seed for streams that must match the training run.
#include <string>

#include "io/run_file.hpp"

namespace snnsim::cli {

struct LoadedRun {
  models::DiehlCookParams params;
  models::NetworkState state;
  std::uint64_t seed = 0;
  std::string data_dir;
};

LoadedRun load_run(const std::string& path, const std::string& state);

}  // namespace snnsim::cli
