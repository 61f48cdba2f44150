#include "controls.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "analysis/statistics.hpp"
#include "train.hpp"
#include "within_step.hpp"

namespace snnsim::experiments {

io::LabelledImages validation_tail(const io::LabelledImages& all, std::size_t count) {
  if (count > all.size())
    throw std::invalid_argument("validation images " + std::to_string(count) + " exceed the " +
                                std::to_string(all.size()) + " images of the set");
  io::LabelledImages v;
  v.images.rows = all.images.rows;
  v.images.cols = all.images.cols;
  v.images.count = count;
  const std::size_t first = all.size() - count, ppi = all.images.pixels_per_image();
  v.images.pixels.assign(all.images.pixels.begin() + static_cast<std::ptrdiff_t>(first * ppi),
                         all.images.pixels.begin() + static_cast<std::ptrdiff_t>(all.size() * ppi));
  v.labels.assign(all.labels.begin() + static_cast<std::ptrdiff_t>(first),
                  all.labels.begin() + static_cast<std::ptrdiff_t>(all.size()));
  return v;
}

models::NetworkState extra_wake(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                                const io::LabelledImages& train, std::size_t train_images, std::size_t epochs,
                                int threads, const ProgressFn& progress) {
  if (epochs == 0) throw std::invalid_argument("extra wake needs at least one epoch");
  models::DiehlCookNetwork net(p, s, seed);
  set_within_step_threads(net, threads);
  TrainOptions o;
  o.train_images = train_images;
  o.epochs = epochs;
  o.seed = seed;
  o.log_window = std::clamp<std::size_t>(train_images / 4, 50, 1000);
  TrainCursor cursor;
  TrainHooks hooks;
  if (progress) hooks.progress = [&](std::uint64_t done, std::uint64_t total, float) { progress(done, total); };
  const auto r = experiments::train(net, train, o, cursor, hooks);
  if (!r.stopped.empty()) throw std::runtime_error("extra wake stopped: " + r.stopped);
  models::NetworkState out = net.state(s);
  out.labels.clear();
  out.class_rate_Hz.clear();
  out.samples_seen = s.samples_seen + cursor.next_sample;
  return out;
}

PruneCriterion prune_criterion_from_string(const std::string& s) {
  if (s == "train-response") return PruneCriterion::train_response;
  if (s == "rf-variance") return PruneCriterion::rf_variance;
  if (s == "high-response") return PruneCriterion::high_response;
  throw std::invalid_argument("unknown criterion '" + s + "' (train-response | rf-variance | high-response)");
}

PruneMethod prune_method_from_string(const std::string& s) {
  if (s == "silence") return PruneMethod::silence;
  if (s == "unvote") return PruneMethod::unvote;
  throw std::invalid_argument("unknown method '" + s + "' (silence | unvote)");
}

std::string to_string(PruneCriterion c) {
  switch (c) {
    case PruneCriterion::rf_variance: return "rf-variance";
    case PruneCriterion::high_response: return "high-response";
    case PruneCriterion::train_response: break;
  }
  return "train-response";
}
std::string to_string(PruneMethod m) { return m == PruneMethod::unvote ? "unvote" : "silence"; }

std::vector<std::uint32_t> prune_order(const models::DiehlCookParams& p, const models::NetworkState& s,
                                       PruneCriterion criterion) {
  const std::size_t n = p.n_exc;
  std::vector<double> score(n);  // higher = pruned first
  if (criterion == PruneCriterion::rf_variance) {
    score = analysis::receptive_field_variance(s.weights, p.n_input, n);
  } else {
    if (s.class_rate_Hz.size() != n * 10)
      throw std::invalid_argument("criterion " + to_string(criterion) +
                                  " needs a labelled state (class rates of the labelling pass)");
    const double sign = criterion == PruneCriterion::high_response ? 1.0 : -1.0;
    for (std::size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (int c = 0; c < 10; ++c) sum += s.class_rate_Hz[j * 10 + c];
      score[j] = sign * sum / 10.0;
    }
  }
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return score[a] > score[b]; });
  return order;
}

std::size_t prune_count(double fraction, std::size_t n_exc) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("pruning fraction must be in [0, 1]");
  return std::min(n_exc, static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n_exc))));
}

models::NetworkState prune(const models::DiehlCookParams& p, const models::NetworkState& s, std::uint64_t seed,
                           const std::vector<std::uint32_t>& order, double fraction, PruneMethod method,
                           const io::LabelledImages& train, std::size_t label_images, int threads) {
  const std::size_t n = p.n_exc, k = prune_count(fraction, n);
  if (order.size() != n) throw std::invalid_argument("pruning order must list every exc neuron");
  models::NetworkState out = s;
  if (method == PruneMethod::silence)
    for (std::size_t q = 0; q < k; ++q)
      for (std::size_t i = 0; i < p.n_input; ++i) out.weights[i * n + order[q]] = 0.0f;
  auto lab = assign_labels(p, out, seed, train, label_images, threads);
  out.labels = std::move(lab.labels);
  out.class_rate_Hz = std::move(lab.class_rate_Hz);
  for (std::size_t q = 0; q < k; ++q) out.labels[order[q]] = -1;
  return out;
}

std::vector<double> default_prune_fractions() { return {0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5}; }

PruneSearch choose_prune_fraction(const models::DiehlCookParams& p, const models::NetworkState& s,
                                  std::uint64_t seed, const std::vector<std::uint32_t>& order,
                                  const std::vector<double>& fractions, PruneMethod method,
                                  const io::LabelledImages& train, std::size_t label_images,
                                  const io::LabelledImages& validation, int threads, const ProgressFn& progress) {
  if (fractions.empty()) throw std::invalid_argument("no pruning fractions to choose from");
  PruneSearch r;
  for (std::size_t q = 0; q < fractions.size(); ++q) {
    const auto pruned = prune(p, s, seed, order, fractions[q], method, train, label_images, threads);
    const auto e = evaluate(p, pruned, seed, validation, validation.size(), threads);
    r.candidates.push_back({fractions[q], prune_count(fractions[q], p.n_exc), e.accuracy()});
    if (progress) progress(q + 1, fractions.size());
  }
  for (std::size_t q = 1; q < r.candidates.size(); ++q) {
    const auto &c = r.candidates[q], &b = r.candidates[r.best];
    if (c.validation_accuracy > b.validation_accuracy ||
        (c.validation_accuracy == b.validation_accuracy && c.fraction < b.fraction))
      r.best = q;
  }
  return r;
}

std::vector<NoisePoint> noise_curve(const models::DiehlCookParams& p, const models::NetworkState& s,
                                    std::uint64_t seed, const io::LabelledImages& data, std::size_t count,
                                    NoiseType type, const std::vector<double>& levels, std::uint64_t noise_seed,
                                    int threads, const ProgressFn& progress) {
  if (count == 0 || count > data.size()) throw std::invalid_argument("noise curve: image count out of range");
  std::vector<NoisePoint> out;
  for (std::size_t q = 0; q < levels.size(); ++q) {
    io::LabelledImages noisy;
    noisy.images = corrupt(data.images, count, type, levels[q], noise_seed);
    noisy.labels.assign(data.labels.begin(), data.labels.begin() + static_cast<std::ptrdiff_t>(count));
    const auto e = evaluate(p, s, seed, noisy, count, threads);
    out.push_back({levels[q], e.accuracy(), e.n_samples, e.n_silent});
    if (progress) progress(q + 1, levels.size());
  }
  return out;
}

}  // namespace snnsim::experiments
