#pragma once
// The D&C presentation protocol shared by training, labelling and testing: present an image;
// if the exc layer fired fewer than min_exc_spikes in the window, raise the intensity and
// present it again (capped by max_tries).
#include <cstdint>
#include <span>
#include <vector>

#include "models/diehl_cook.hpp"

namespace snnsim::experiments {

struct PresentOutcome {
  std::uint32_t exc_spikes = 0;  // in the last try's window
  std::uint64_t exc_spikes_all_tries = 0;
  std::uint32_t tries = 0;
  double intensity = 0.0;        // of the last try
  bool capped = false;           // still below min_exc_spikes after max_tries
};

enum class TrialMode {
  training,  // normalise weights before every try; each try is followed by the rest period
  frozen,    // each try starts from a network at rest (no rest period needed after it)
  chained,   // learning off, nothing reset: each try is followed by the rest period, as in training
};

/// Presents `image` until the exc layer responds. Try k draws its input from stream
/// (purpose, major_base + k). `counts` receives the last try's per-neuron spike counts.
PresentOutcome present_with_retry(models::DiehlCookNetwork& net, std::span<const std::uint8_t> image, TrialMode mode,
                                  std::uint32_t purpose, std::uint32_t major_base, std::vector<std::uint32_t>& counts,
                                  std::vector<double>& rates_scratch);

/// D&C readout: the class whose assigned neurons have the highest mean count; -1 when no
/// assigned neuron fired. Ties go to the lower class.
int predict_class(std::span<const std::uint32_t> counts, std::span<const std::int16_t> labels);

}  // namespace snnsim::experiments
