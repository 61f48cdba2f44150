#pragma once
// The controls of the sleep study (issue 19 item 4) and the validation-set tools around them:
//  - extra wake: the same K training images once more, learning on, from a saved state (the fair
//    "same data" baseline for sleep);
//  - pruning without sleep: silence (or drop from the vote) the neurons that responded least to
//    the training images or whose receptive fields are noisiest, with the fraction chosen on
//    validation images;
//  - accuracy under a noise grid on validation images (how the study's noise levels are chosen).
// Validation images are always the LAST images of the training set (as tune-sleep holds them out),
// never the test set.
#include <cstdint>
#include <string>
#include <vector>

#include "frozen.hpp"
#include "io/idx.hpp"
#include "models/diehl_cook.hpp"
#include "noise.hpp"

namespace snnsim::experiments {

/// The last `count` images of `all` (throws std::invalid_argument when count > all.size()).
io::LabelledImages validation_tail(const io::LabelledImages& all, std::size_t count);

/// Extra wake: `epochs` more passes, in order, over the first `train_images` images of `train`,
/// learning on, from a network built from `s` (put at rest; the input streams continue after
/// s.presentations, so no presentation reuses a training one). Returns the new state, unlabelled,
/// with samples_seen advanced. Throws std::runtime_error when a training guard stops the run.
models::NetworkState extra_wake(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                                const io::LabelledImages& train, std::size_t train_images, std::size_t epochs,
                                int threads, const ProgressFn& progress = {});

enum class PruneCriterion {
  train_response,  // lowest mean rate (over the 10 classes) in the labelling pass on the training images
  rf_variance,     // highest receptive-field variance (noisiest fields)
  high_response    // highest mean rate in that labelling pass (neurons that answer every class, e.g. those
                   // with a threshold just above rest: the N=6400 epoch-2 dip in bench/README.md)
};
enum class PruneMethod {
  silence,  // input weights of the pruned neurons set to 0: they never fire (no vote, no inhibition)
  unvote    // they keep firing (and inhibiting) but carry no label, so they drop out of the vote
};
PruneCriterion prune_criterion_from_string(const std::string& s);  // throws std::invalid_argument
PruneMethod prune_method_from_string(const std::string& s);        // throws std::invalid_argument
std::string to_string(PruneCriterion c);
std::string to_string(PruneMethod m);

/// Neurons in pruning order (first = pruned first); ties keep index order. train_response and
/// high_response need a labelled state (its class_rate_Hz); throws std::invalid_argument otherwise.
std::vector<std::uint32_t> prune_order(const models::DiehlCookParams& p, const models::NetworkState& s,
                                       PruneCriterion criterion);

/// How many neurons a fraction prunes: round(fraction * n_exc).
std::size_t prune_count(double fraction, std::size_t n_exc);

/// `s` with the first prune_count(fraction) neurons of `order` pruned by `method`, relabelled from
/// the first `label_images` images of `train` (pruned neurons always end with label -1).
models::NetworkState prune(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                           const std::vector<std::uint32_t>& order, double fraction, PruneMethod method,
                           const io::LabelledImages& train, std::size_t label_images, int threads);

struct PruneCandidate {
  double fraction = 0.0;
  std::size_t pruned = 0;
  double validation_accuracy = 0.0;
};

struct PruneSearch {
  std::vector<PruneCandidate> candidates;  // in the order of `fractions`
  std::size_t best = 0;                    // highest validation accuracy; ties: the smaller fraction
};

/// Scores every fraction on `validation` (pruned, relabelled, evaluated on all its images).
PruneSearch choose_prune_fraction(const models::DiehlCookParams& p, const models::NetworkState& s,
                                  std::uint64_t seed, const std::vector<std::uint32_t>& order,
                                  const std::vector<double>& fractions, PruneMethod method,
                                  const io::LabelledImages& train, std::size_t label_images,
                                  const io::LabelledImages& validation, int threads,
                                  const ProgressFn& progress = {});

/// Default fractions of the validation search.
std::vector<double> default_prune_fractions();

struct NoisePoint {
  double level = 0.0;
  double accuracy = 0.0;
  std::size_t n_samples = 0, n_silent = 0;
};

/// Accuracy of a labelled state on the first `count` images of `data` under each level of one
/// corruption (level 0 of gaussian/saltpepper/blur is the clean set).
std::vector<NoisePoint> noise_curve(const models::DiehlCookParams& p, const models::NetworkState& s,
                                    std::uint64_t seed, const io::LabelledImages& data, std::size_t count,
                                    NoiseType type, const std::vector<double>& levels, std::uint64_t noise_seed,
                                    int threads, const ProgressFn& progress = {});

}  // namespace snnsim::experiments
