#pragma once
// Loading what a command needs from an existing run file: the model parameters from /config
// and one named state; plus the master seed for streams that must match the training run.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "experiments/frozen.hpp"
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

/// Labels `s` from a frozen pass over the first `count` training images, with progress. Returns
/// the pass's counts (its labels and rates are moved into `s`).
experiments::Labelling relabel(const models::DiehlCookParams& p, models::NetworkState& s, std::uint64_t seed,
                               const io::LabelledImages& data, std::size_t count, int threads, bool show,
                               const std::string& what);

/// What the outputs say about a state's labels and thresholds (issue 24: at N=6400 hundreds of
/// neurons ended below the rest-firing point and, class-flat, all voted for class 0).
struct StateReport {
  std::size_t neurons = 0;
  models::LabelCounts labels;     // from the state's labels and class rates
  std::size_t fire_at_rest = 0;   // exc neurons whose threshold lies below v_rest
  double theta_rest_mV = 0.0;     // theta below which a neuron fires at rest
  std::optional<std::size_t> tied;  // labelled with the first of tied classes (only right after labelling)
};
StateReport state_report(const models::DiehlCookParams& p, const models::NetworkState& s,
                         const experiments::Labelling* fresh = nullptr);
/// Adds neurons_labelled, neurons_unlabelled_silent, neurons_unlabelled_flat,
/// neurons_fire_at_rest (and neurons_tied_first_class when known) to `j`.
void add_state_report(nlohmann::json& j, const StateReport& r);
/// "380 of 400 neurons labelled (12 silent, 8 class-flat unlabelled)".
std::string labelled_text(const StateReport& r);
/// One line on stderr when exc neurons fire at rest; nothing otherwise.
void warn_fire_at_rest(const std::string& command, const std::string& state, const StateReport& r);

}  // namespace snnsim::experiments
