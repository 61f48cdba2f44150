#pragma once
// Frozen passes (weights and theta fixed): labelling and testing. Each try of each image is presented to
// a network put at rest first, with its input drawn from stream (purpose, image index), so
// images are independent: they run in parallel, one network copy per thread, and the result
// is the same for any thread count.
#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "io/idx.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::experiments {

struct ImageResponse {
  std::vector<std::uint32_t> counts;  // exc spikes per neuron in the window of the last try
  std::uint32_t tries = 0;
  bool capped = false;
  // With recording on: exc spikes of the last try, steps from the start of its window.
  std::vector<std::uint32_t> spike_step, spike_id;
};

using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

/// Responses of the first `count` images. `progress` is called from one thread at a time.
std::vector<ImageResponse> frozen_responses(const models::DiehlCookParams& p, const models::NetworkState& s,
                                            std::uint64_t seed, const io::ImageSet& images, std::size_t count,
                                            std::uint32_t purpose, int threads, const ProgressFn& progress = {},
                                            bool record_spikes = false);

struct Labelling {
  std::vector<std::int16_t> labels;  // -1 = silent or class-flat (see assign_from_class_sums)
  std::vector<float> class_rate_Hz;  // [n_exc][10] mean rate per class over the window
  std::size_t silent = 0;            // unlabelled: no spike for any image
  std::size_t flat = 0;              // unlabelled: the same nonzero mean count for every class shown
  std::size_t tied = 0;              // labelled, but 2..9 classes shared the highest mean: the first won
};

/// The assignment rule. `sum` [n][10] holds each neuron's spike count summed over the images of
/// each class, `per_class` how many images of each class were shown. A neuron gets the class with
/// the highest mean count (classes not shown are skipped). It stays unlabelled (-1) when it never
/// fired, and when its mean is the same for every class shown (two or more): such a neuron answers
/// every image alike (e.g. its threshold lies below rest) and has no class to vote for; the
/// authors' first-class tie rule would give it class 0. A partial tie (some classes share the
/// highest mean) keeps their rule: the first of the tied classes. Means are compared exactly
/// (integer sums over integer counts), so ties are ties of the rationals.
Labelling assign_from_class_sums(std::span<const double> sum, const std::array<std::size_t, 10>& per_class,
                                 double window_s);

/// Each neuron gets the class with the highest mean response over the first `count` images
/// (assign_from_class_sums).
Labelling assign_labels(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                        const io::LabelledImages& data, std::size_t count, int threads, const ProgressFn& progress = {});

struct Evaluation {
  std::size_t n_samples = 0, n_correct = 0, n_silent = 0, capped = 0;
  std::array<std::uint32_t, 100> confusion{};  // [true][predicted]; silent images are not in it
  std::vector<std::int8_t> predictions;        // -1 = silent
  std::vector<ImageResponse> responses;        // kept only when spikes were recorded or counts asked for
  double accuracy() const { return n_samples ? static_cast<double>(n_correct) / static_cast<double>(n_samples) : 0.0; }
};

/// Scores the first `count` images of `data` with the labels in `s`. `keep_counts` keeps each
/// image's responses (per-neuron counts) in Evaluation::responses without recording spikes.
Evaluation evaluate(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                    const io::LabelledImages& data, std::size_t count, int threads, const ProgressFn& progress = {},
                    bool record_spikes = false, bool keep_counts = false);

}  // namespace snnsim::experiments
