#include "frozen.hpp"

#include <omp.h>

#include <atomic>
#include <exception>
#include <optional>
#include <stdexcept>

#include "presentation.hpp"

namespace snnsim::experiments {

std::vector<ImageResponse> frozen_responses(const models::DiehlCookParams& p, const models::NetworkState& s,
                                            std::uint64_t seed, const io::ImageSet& images, std::size_t count,
                                            std::uint32_t purpose, int threads, const ProgressFn& progress,
                                            bool record_spikes) {
  if (count > images.count) throw std::invalid_argument("more images requested than the set holds");
  if (images.pixels_per_image() != p.n_input)
    throw std::invalid_argument("images have " + std::to_string(images.pixels_per_image()) + " pixels, network has " +
                                std::to_string(p.n_input) + " inputs");
  std::vector<ImageResponse> out(count);
  std::atomic<std::size_t> done{0};
  // Chains of `chain` images in a row (the last one shorter), each from rest: which thread runs a
  // chain does not matter. chain = 1 is every image (and every retry) from rest.
  const std::size_t chain = p.frozen_chain_images, chains = (count + chain - 1) / chain;
  const TrialMode mode = chain == 1 ? TrialMode::frozen : TrialMode::chained;
  // An exception must not leave the `omp for` (OpenMP forbids it; GCC ends the process): each
  // one is caught where it happens, the first is kept, the remaining images are skipped, and it
  // is rethrown once the parallel region has ended.
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  const auto keep_failure = [&] {
#pragma omp critical(snnsim_frozen_failure)
    if (!failure) failure = std::current_exception();
    stop.store(true, std::memory_order_relaxed);
  };
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
  {
    // Every thread reaches the `omp for`, also one whose network could not be built.
    std::optional<models::DiehlCookNetwork> net;
    sim::Step window = 0, after_window = 0;
    try {
      net.emplace(p, s, seed);
      net->set_learning(false);
      net->exc_recorder().enable(record_spikes);
      window = net->engine().steps_for_ms(p.t_present_ms);
      if (mode == TrialMode::chained) after_window = net->engine().steps_for_ms(p.t_rest_ms);
    } catch (...) {
      keep_failure();
    }
    std::vector<double> rates;
#pragma omp for schedule(dynamic, chain == 1 ? 8 : 1)
    for (std::size_t c = 0; c < chains; ++c) {
      if (stop.load(std::memory_order_relaxed)) continue;
      try {
        if (mode == TrialMode::chained) net->rest();
        for (std::size_t k = c * chain; k < std::min(count, (c + 1) * chain); ++k) {
          auto& recorder = net->exc_recorder();
          auto& r = out[k];
          const auto o = present_with_retry(*net, images.image(k), mode, purpose, static_cast<std::uint32_t>(k * 64),
                                            r.counts, rates);
          r.tries = o.tries;
          r.capped = o.capped;
          if (record_spikes) {
            const sim::Step start = net->engine().now() - after_window - window;  // the last try's window
            const sim::Step end = start + window;
            for (std::size_t q = 0; q < recorder.steps().size(); ++q)
              if (recorder.steps()[q] >= start && recorder.steps()[q] < end) {
                r.spike_step.push_back(static_cast<std::uint32_t>(recorder.steps()[q] - start));
                r.spike_id.push_back(recorder.ids()[q]);
              }
            recorder.clear();
          }
          const std::size_t d = ++done;
          if (progress && omp_get_thread_num() == 0) progress(d, count);
        }
      } catch (...) {
        keep_failure();
      }
    }
    if (net && !stop.load(std::memory_order_relaxed)) {
      try {
        net->check_state();
      } catch (...) {
        keep_failure();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (progress) progress(count, count);
  return out;
}

Labelling assign_labels(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                        const io::LabelledImages& data, std::size_t count, int threads, const ProgressFn& progress) {
  const auto responses = frozen_responses(p, s, seed, data.images, count, models::kStreamLabelInput, threads, progress);
  const std::size_t n = p.n_exc;
  std::vector<double> sum(n * 10, 0.0);
  std::array<std::size_t, 10> per_class{};
  for (std::size_t k = 0; k < count; ++k) {
    const int c = data.labels[k];
    ++per_class[c];
    for (std::size_t j = 0; j < n; ++j) sum[j * 10 + c] += responses[k].counts[j];
  }
  return assign_from_class_sums(sum, per_class, p.t_present_ms * 1e-3);
}

Labelling assign_from_class_sums(std::span<const double> sum, const std::array<std::size_t, 10>& per_class,
                                 double window_s) {
  if (sum.size() % 10 != 0) throw std::invalid_argument("class sums must be [n][10]");
  const std::size_t n = sum.size() / 10;
  std::size_t shown = 0;
  for (auto k : per_class) shown += k > 0;
  Labelling l;
  l.labels.assign(n, -1);
  l.class_rate_Hz.assign(n * 10, 0.0f);
  for (std::size_t j = 0; j < n; ++j) {
    double best = 0.0;
    int best_class = -1;
    std::size_t at_best = 0;
    for (int c = 0; c < 10; ++c) {
      if (per_class[c] == 0) continue;
      const double mean = sum[j * 10 + c] / static_cast<double>(per_class[c]);
      l.class_rate_Hz[j * 10 + c] = static_cast<float>(mean / window_s);
      if (mean > best) {
        best = mean;
        best_class = c;
        at_best = 1;
      } else if (best_class >= 0 && mean == best) {
        ++at_best;
      }
    }
    if (best_class < 0) {
      ++l.silent;
    } else if (shown > 1 && at_best == shown) {
      ++l.flat;
    } else {
      if (at_best > 1) ++l.tied;
      l.labels[j] = static_cast<std::int16_t>(best_class);
    }
  }
  return l;
}

Evaluation evaluate(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                    const io::LabelledImages& data, std::size_t count, int threads, const ProgressFn& progress,
                    bool record_spikes, bool keep_counts) {
  if (s.labels.size() != p.n_exc) throw std::invalid_argument("state has no labels: run label assignment first");
  auto responses =
      frozen_responses(p, s, seed, data.images, count, models::kStreamEvalInput, threads, progress, record_spikes);
  Evaluation e;
  e.n_samples = count;
  e.predictions.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    const int predicted = predict_class(responses[k].counts, s.labels);
    e.predictions[k] = static_cast<std::int8_t>(predicted);
    if (responses[k].capped) ++e.capped;
    if (predicted < 0) {
      ++e.n_silent;
      continue;
    }
    ++e.confusion[data.labels[k] * 10 + predicted];
    if (predicted == data.labels[k]) ++e.n_correct;
  }
  if (record_spikes || keep_counts) e.responses = std::move(responses);
  return e;
}

}  // namespace snnsim::experiments
