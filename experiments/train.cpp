#include "train.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "presentation.hpp"
#include "sim/rng.hpp"

namespace snnsim::experiments {
namespace {

// Running accuracy as the authors' training monitor computes it: neurons are labelled from
// the previous window's responses and each sample of this window is scored with those labels.
class RunningAccuracy {
 public:
  RunningAccuracy(RunningAccuracyState& s, std::size_t n_exc, std::size_t window)
      : s_(s), n_(n_exc), window_(std::max<std::size_t>(window, 1)) {
    if (s_.response.size() != n_exc * 10) s_.response.assign(n_exc * 10, 0.0);
  }

  float score_and_add(std::span<const std::uint32_t> counts, int label) {
    if (!s_.labels.empty()) {
      ++s_.scored;
      if (predict_class(counts, s_.labels) == label) ++s_.correct;
    }
    for (std::size_t j = 0; j < n_; ++j) s_.response[j * 10 + label] += counts[j];
    ++s_.class_count[label];
    const float acc = s_.scored ? static_cast<float>(s_.correct) / static_cast<float>(s_.scored)
                                : std::numeric_limits<float>::quiet_NaN();
    if (++s_.seen == window_) roll();
    return acc;
  }

 private:
  void roll() {
    s_.labels.assign(n_, -1);
    for (std::size_t j = 0; j < n_; ++j) {
      double best = 0.0;
      for (int c = 0; c < 10; ++c) {
        if (s_.class_count[c] == 0) continue;
        const double mean = s_.response[j * 10 + c] / s_.class_count[c];
        if (mean > best) {
          best = mean;
          s_.labels[j] = static_cast<std::int16_t>(c);
        }
      }
    }
    std::fill(s_.response.begin(), s_.response.end(), 0.0);
    s_.class_count.fill(0);
    s_.seen = s_.scored = s_.correct = 0;
  }

  RunningAccuracyState& s_;
  std::size_t n_, window_;
};

}  // namespace

std::vector<std::uint32_t> presentation_order(const TrainOptions& o) {
  std::vector<std::uint32_t> order;
  order.reserve(o.train_images * o.epochs);
  std::vector<std::uint32_t> epoch(o.train_images);
  for (std::size_t e = 0; e < o.epochs; ++e) {
    std::iota(epoch.begin(), epoch.end(), 0u);
    if (o.shuffle) {
      sim::RandomStream rng(o.seed, models::kStreamShuffle, static_cast<std::uint32_t>(e));
      for (std::size_t k = epoch.size(); k > 1; --k) std::swap(epoch[k - 1], epoch[rng.below(static_cast<std::uint32_t>(k))]);
    }
    order.insert(order.end(), epoch.begin(), epoch.end());
  }
  return order;
}

TrainReport train(models::DiehlCookNetwork& net, const io::LabelledImages& data, const TrainOptions& o,
                  TrainCursor& cursor, const TrainHooks& hooks) {
  if (o.train_images == 0 || o.train_images > data.size())
    throw std::invalid_argument("train_images must be in 1.." + std::to_string(data.size()));
  const auto order = presentation_order(o);
  const auto& p = net.params();
  const std::uint64_t max_spikes =
      static_cast<std::uint64_t>(static_cast<double>(p.n_exc) * p.t_present_ms / 2.0);  // 500 Hz each
  TrainReport local;
  TrainReport& report = hooks.report ? *hooks.report : local;
  RunningAccuracy running(cursor.running, p.n_exc, o.log_window);
  std::vector<std::uint32_t> counts;
  std::vector<double> rates;
  std::uint32_t capped_in_a_row = 0;
  auto& nc = cursor.neuron;
  if (nc.spikes.size() != p.n_exc || nc.active_samples.size() != p.n_exc) {
    nc.spikes.assign(p.n_exc, 0);
    nc.active_samples.assign(p.n_exc, 0);
    nc.counted_from = cursor.next_sample;
  }
  net.set_learning(true);
  while (cursor.next_sample < order.size()) {
    const std::uint32_t k = order[cursor.next_sample];
    const std::uint64_t before = net.presentations();
    const auto outcome = present_with_retry(net, data.images.image(k), TrialMode::training, models::kStreamTrainInput,
                                            static_cast<std::uint32_t>(before), counts, rates);
    report.presentations += net.presentations() - before;
    report.exc_spikes += outcome.exc_spikes_all_tries;
    if (outcome.capped) ++report.capped_images;
    const int label = data.labels[k];
    const float acc = running.score_and_add(counts, label);
    for (std::size_t j = 0; j < p.n_exc; ++j) {
      nc.spikes[j] += counts[j];
      nc.active_samples[j] += counts[j] != 0;
    }
    report.log.push_back({cursor.next_sample, k, static_cast<std::uint8_t>(label),
                          static_cast<std::uint8_t>(outcome.tries), outcome.exc_spikes,
                          static_cast<float>(outcome.intensity), acc});
    ++cursor.next_sample;
    try {
      net.check_state();
    } catch (const std::exception& e) {
      report.stopped = std::string("non-finite state after sample ") + std::to_string(cursor.next_sample) + ": " + e.what();
      return report;
    }
    capped_in_a_row = outcome.capped ? capped_in_a_row + 1 : 0;
    if (o.max_capped_in_a_row && capped_in_a_row >= o.max_capped_in_a_row) {
      report.stopped = std::to_string(capped_in_a_row) + " images in a row (up to sample " +
                       std::to_string(cursor.next_sample) + ") stayed below min_exc_spikes after max_tries = " +
                       std::to_string(p.max_tries) + " presentations: the network is silent";
      return report;
    }
    if (outcome.exc_spikes > max_spikes) {
      report.stopped = "runaway activity: " + std::to_string(outcome.exc_spikes) + " exc spikes in one window (limit " +
                       std::to_string(max_spikes) + ") at sample " + std::to_string(cursor.next_sample);
      return report;
    }
    if (hooks.progress) hooks.progress(cursor.next_sample, order.size(), acc);
    if (hooks.after_sample && hooks.after_sample(cursor)) {
      report.interrupted = cursor.next_sample < order.size();
      if (report.interrupted) return report;
    }
  }
  return report;
}

}  // namespace snnsim::experiments
