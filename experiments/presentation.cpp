#include "presentation.hpp"

#include <array>

namespace snnsim::experiments {

PresentOutcome present_with_retry(models::DiehlCookNetwork& net, std::span<const std::uint8_t> image, TrialMode mode,
                                  std::uint32_t purpose, std::uint32_t major_base, std::vector<std::uint32_t>& counts,
                                  std::vector<double>& rates) {
  const auto& p = net.params();
  PresentOutcome out;
  double intensity = p.input_intensity_start;
  for (std::uint32_t attempt = 0; attempt < p.max_tries; ++attempt) {
    const bool training = mode == TrialMode::training;
    if (training) net.normalize_weights();
    if (mode == TrialMode::frozen) net.rest();
    net.image_rates(image, intensity, rates);
    const auto& c = net.present(rates, purpose, major_base + attempt, /*with_rest=*/mode != TrialMode::frozen);
    net.count_presentation();
    std::uint32_t total = 0;
    for (auto x : c) total += x;
    counts.assign(c.begin(), c.end());
    const std::uint64_t all = out.exc_spikes_all_tries + total;
    out = {total, all, attempt + 1, intensity, false};
    if (total >= p.min_exc_spikes) return out;
    intensity += p.input_intensity_step;
  }
  out.capped = true;
  return out;
}

int predict_class(std::span<const std::uint32_t> counts, std::span<const std::int16_t> labels) {
  std::array<double, 10> sum{};
  std::array<std::uint32_t, 10> members{};
  for (std::size_t j = 0; j < counts.size() && j < labels.size(); ++j) {
    const int c = labels[j];
    if (c < 0 || c > 9) continue;
    sum[c] += counts[j];
    ++members[c];
  }
  int best = -1;
  double best_mean = 0.0;
  for (int c = 0; c < 10; ++c) {
    if (members[c] == 0) continue;
    const double mean = sum[c] / members[c];
    if (mean > best_mean) {
      best_mean = mean;
      best = c;
    }
  }
  return best;
}

}  // namespace snnsim::experiments
