#include "sleep_study.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "analysis/statistics.hpp"
#include "controls.hpp"
#include "frozen.hpp"
#include "noise.hpp"
#include "sleep_job.hpp"
#include "train.hpp"
#include "within_step.hpp"

namespace snnsim::experiments {

std::size_t condition_work(const StudyOptions& o, std::size_t k) {
  const std::size_t label = std::min(k, o.label_cap);
  const std::size_t grid = o.test_images + (o.gaussian_levels.size() + o.blur_levels.size()) * o.noise_test_images;
  const std::size_t controls =
      o.controls ? k + 2 * (label + grid) + o.prune_fractions.size() * (label + o.validation_images) : 0;
  return k + 4 * label + 2 * grid + 2 * o.test_images + controls + o.durations_s.size() * (label + o.test_images);
}

ThresholdAnalysis analyse_thresholds(const std::vector<double>& dtheta, const std::vector<double>& rf_var) {
  ThresholdAnalysis a;
  for (double d : dtheta) (d > 0 ? a.rose : d < 0 ? a.fell : a.unchanged)++;
  a.mean_change_mV = analysis::mean_sd(dtheta).mean;
  const auto pe = analysis::pearson(rf_var, dtheta);
  const auto sp = analysis::spearman(rf_var, dtheta);
  a.pearson_r = pe.r;
  a.pearson_p = pe.p_two_sided;
  a.spearman_r = sp.r;
  a.spearman_p = sp.p_two_sided;
  std::vector<std::size_t> order(rf_var.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto x, auto y) { return rf_var[x] < rf_var[y]; });
  const std::size_t q = std::max<std::size_t>(1, order.size() / 4);
  for (std::size_t k = 0; k < q; ++k) {
    a.change_best_quartile_mV += dtheta[order[k]] / static_cast<double>(q);
    a.change_worst_quartile_mV += dtheta[order[order.size() - 1 - k]] / static_cast<double>(q);
  }
  return a;
}

ConditionResult run_condition(const models::DiehlCookParams& p, const io::LabelledImages& train,
                              const io::LabelledImages& test, const StudyOptions& o, std::uint64_t seed,
                              std::size_t k, const std::function<void(std::size_t)>& progress) {
  const auto t0 = std::chrono::steady_clock::now();
  auto report = [&](std::size_t units) {
    if (progress) progress(units);
  };
  ConditionResult c;
  c.seed = seed;
  c.train_images = k;
  const std::size_t label_n = std::min(k, o.label_cap);

  // Train (sequential order, one epoch) and label.
  const auto init = models::initial_state(p, seed);
  models::DiehlCookNetwork net(p, init, seed);
  set_within_step_threads(net, o.threads);
  TrainOptions topt;
  topt.train_images = k;
  topt.seed = seed;
  topt.log_window = std::clamp<std::size_t>(k / 4, 50, 1000);
  TrainCursor cursor;
  const auto tr = experiments::train(net, train, topt, cursor);
  if (!tr.stopped.empty()) throw std::runtime_error("training stopped: " + tr.stopped);
  c.trained = net.state(init);
  c.trained.samples_seen = cursor.next_sample;
  report(k);
  auto relabel = [&](models::NetworkState& s) {
    auto lab = assign_labels(p, s, seed, train, label_n, o.threads);
    s.labels = std::move(lab.labels);
    s.class_rate_Hz = std::move(lab.class_rate_Hz);
    report(label_n);
  };
  relabel(c.trained);

  // The noisy test sets are the same for every state of every condition (one noise seed).
  auto evaluate_grid = [&](const models::NetworkState& s, const std::string& name, bool with_noise) {
    auto push = [&](const io::LabelledImages& d, std::size_t n, const std::string& type, double level) {
      const auto e = evaluate(p, s, seed, d, n, o.threads);
      c.evals.push_back({name, type, level, e.accuracy(), static_cast<std::uint32_t>(n),
                         static_cast<std::uint32_t>(e.n_silent)});
      report(n);
    };
    push(test, o.test_images, "none", 0.0);
    if (!with_noise) return;
    for (auto [type, levels] : {std::pair{NoiseType::gaussian, &o.gaussian_levels}, {NoiseType::blur, &o.blur_levels}})
      for (double level : *levels) {
        io::LabelledImages noisy;
        noisy.images = corrupt(test.images, o.noise_test_images, type, level, o.noise_seed);
        noisy.labels.assign(test.labels.begin(), test.labels.begin() + static_cast<std::ptrdiff_t>(o.noise_test_images));
        push(noisy, o.noise_test_images, to_string(type), level);
      }
  };
  evaluate_grid(c.trained, "trained", true);

  // Sleep on the mean of the images this network was trained on, then relabel.
  auto so = o.sleep;
  so.threads = o.threads;
  so.seed = seed;
  // The states part-way (durations_s) are end states of shorter sleeps: a sleep normalises the
  // weights at the start of each block, never at its end, and its input chunks end at rate bins.
  std::vector<std::pair<double, models::NetworkState>> part_way;
  SleepHooks hooks;
  if (!o.durations_s.empty())
    hooks.after_bin = [&](double done_s, const std::function<SleepCursor()>& take_cursor) {
      const std::size_t next = part_way.size();
      if (next < o.durations_s.size() && std::fabs(done_s - o.durations_s[next]) < 1e-9 * std::max(1.0, done_s))
        part_way.emplace_back(o.durations_s[next], take_cursor().state);
      return false;
    };
  c.sleep_report = sleep(p, c.trained, mean_image(train.images, k), so, /*record_exc=*/true, /*record_inh=*/false, hooks);
  if (part_way.size() != o.durations_s.size())
    throw std::invalid_argument("sleep durations must lie on the 0.1 s rate bins and be shorter than the sleep");
  c.slept = c.sleep_report.state;
  relabel(c.slept);
  evaluate_grid(c.slept, "slept", true);
  for (auto& [t, s] : part_way) {
    relabel(s);
    evaluate_grid(s, snapshot_state_name("slept", t), false);
  }

  // 2x2 ablation: which of weights and thresholds carries the change.
  for (int variant = 0; variant < 2; ++variant) {
    auto mixed = variant == 0 ? c.trained : c.slept;
    mixed.theta_mV = variant == 0 ? c.slept.theta_mV : c.trained.theta_mV;
    relabel(mixed);
    evaluate_grid(mixed, variant == 0 ? "trained_weights+slept_theta" : "slept_weights+trained_theta", false);
  }

  if (o.controls) {
    // Extra wake: the same K images once more from the trained state.
    auto wake = extra_wake(p, c.trained, seed, train, k, 1, o.threads);
    report(k);
    relabel(wake);
    evaluate_grid(wake, "extra_wake", true);
    // Pruning without sleep: the least responsive neurons silenced, fraction chosen on validation images.
    const auto order = prune_order(p, c.trained, PruneCriterion::train_response);
    const auto search = choose_prune_fraction(p, c.trained, seed, order, o.prune_fractions, PruneMethod::silence, train,
                                              label_n, validation_tail(train, o.validation_images), o.threads);
    report(o.prune_fractions.size() * (label_n + o.validation_images));
    const auto pruned = prune(p, c.trained, seed, order, search.candidates[search.best].fraction, PruneMethod::silence,
                              train, label_n, o.threads);
    report(label_n);
    evaluate_grid(pruned, "pruned", true);
  }

  c.rf_variance = analysis::receptive_field_variance(c.trained.weights, p.n_input, p.n_exc);
  c.theta_change_mV = c.sleep_report.theta_change_mV;
  c.thresholds = analyse_thresholds(c.theta_change_mV, c.rf_variance);
  c.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return c;
}

}  // namespace snnsim::experiments
