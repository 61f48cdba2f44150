#pragma once
// The Diehl & Cook run file (run.h5): config, saved network states, training log and
// evaluation rows, written inside an io::RunFileTransaction. Layout in docs/run-file.md.
// It lives in experiments/ because it knows the model; io/ knows none (README, "Layers").
// The functions keep the namespace snnsim::io they had when this file was part of io/.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "io/h5.hpp"
#include "io/run_file.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::io {

/// /config: one attribute per model parameter (param_table names) plus `source_text`.
void write_config(const h5::Group& root, const models::DiehlCookParams& p, const std::string& config_text);
models::DiehlCookParams read_config(const h5::Group& root);

struct StateInfo {
  std::string phase;   // train | label | sleep
  std::string parent;  // state this one was derived from ("" for none)
};
/// How a state is stored. Run files compress the weights and delays and add receptive_fields
/// (the weights as 28x28 images, for readers). Checkpoints, read only by --resume and rewritten
/// every few thousand images, do neither: gzip of float weights that barely compress took 1.7 s
/// of every N=6400 training checkpoint, about 5 % of training with --checkpoint-every 2000.
struct StateStorage {
  bool compress = true;
  bool receptive_fields = true;
};
inline constexpr StateStorage kCheckpointStorage{false, false};
void write_state(const h5::Group& root, const std::string& name, const models::NetworkState& s, const StateInfo& info,
                 const StateStorage& storage = {});
/// Reads and validates shapes, types and values (no NaN/Inf, weights and theta finite).
models::NetworkState read_state(const h5::Group& root, const std::string& name, const models::DiehlCookParams& p);
bool has_state(const h5::Group& root, const std::string& name);
std::vector<std::string> state_names(const h5::Group& root);

struct TrainLogColumns {
  std::vector<std::uint64_t> sample_index;
  std::vector<std::uint32_t> image_index;
  std::vector<std::uint8_t> label, tries;
  std::vector<std::uint32_t> exc_spikes;
  std::vector<float> input_intensity, running_accuracy;
};
void append_train_log(const h5::Group& root, const TrainLogColumns& rows);

struct EvalRow {
  std::string state, noise_type = "none";
  double noise_level = 0.0;
  std::uint64_t noise_seed = 0;
  std::uint32_t n_samples = 0, n_correct = 0, n_silent = 0;
  double accuracy = 0.0, wall_s = 0.0;
  std::string spikes_file;
  std::uint32_t frozen_chain_images = 1;  // images per chain of the frozen pass (1 = each from rest)
};
/// Appends one row to /eval/results, its confusion matrix and its predictions.
void append_eval(const h5::Group& root, const EvalRow& row, const std::array<std::uint32_t, 100>& confusion,
                 const std::vector<std::int8_t>& predictions);

}  // namespace snnsim::io
