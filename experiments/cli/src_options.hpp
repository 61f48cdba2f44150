#pragma once
// The options `snnsim src` and `snnsim tune-src` share (on the common layer: --config, --json,
// --quiet, --threads 0 = all cores, --seed random and announced, --data, --out, --force), the
// network/sleep/recording options that turn a preset into an ann::ProtocolConfig, and loading
// the data set.
#include <cstdint>
#include <string>

#include "ann/data.hpp"
#include "ann/protocol.hpp"
#include "common.hpp"

namespace snnsim::cli {

struct SrcOptions {
  CommonOptions common;
  std::string data_dir, out, preset;
  bool force = false;
  int seeds = 1;
  std::size_t max_train = 0, max_test = 0;
  // flags that switch a preset's choice (the valued overrides are read from the variables map)
  bool pool_sample_once = false, norm_w = false, no_ranks = false;
};

/// Declares every shared SRC option, bound to `o` where it has no preset-dependent default.
void add_src_options(po::options_description& d, SrcOptions& o);
/// After parse(): the preset with every given override applied and checked (UsageError).
ann::ProtocolConfig src_config(const po::variables_map& vm, const SrcOptions& o);
/// Checks --out, --seeds and --threads (setting the OpenMP thread count) and returns the first
/// seed (random and announced when --seed is absent). `out_optional`: no --out is allowed (no run file).
std::uint64_t check_src_options(const po::variables_map& vm, const SrcOptions& o, const std::string& command,
                                bool out_optional = false);

struct SrcData {
  ann::Dataset train, test;
};
/// The training set (and the test set when `need_test`), at most --max-train/--max-test images.
SrcData load_src_data(const SrcOptions& o, bool need_test);

/// "0.1,2" -> {0.1, 2}; UsageError naming --option for an item that is not a number.
std::vector<double> parse_numbers(const std::string& option, const std::string& text);
/// Non-empty items of a comma-separated list.
std::vector<std::string> split_list(const std::string& text);

}  // namespace snnsim::cli
