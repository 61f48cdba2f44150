#include "tune_sleep_job.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <span>

#include "controls.hpp"
#include "frozen.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "progress.hpp"
#include "run_access.hpp"
#include "run_file.hpp"
#include "sweep.hpp"

namespace snnsim::experiments {
namespace {

std::vector<TuneSleepCandidate> grid(const TuneSleepJob& job, std::uint64_t seed) {
  std::vector<TuneSleepCandidate> cands;
  for (double l : job.leak_scales)
    for (double e : job.exc_scales)
      for (double i : job.inh_scales)
        for (double r : job.input_rate_scales)
          for (double d : job.durations_s) {
            TuneSleepCandidate c;
            c.o.leak_scale = l;
            c.o.exc_scale = e;
            c.o.inh_scale = i;
            c.o.input_rate_scale = r;
            c.o.duration_s = d;
            c.o.input = job.input == "window" ? SleepInput::window : SleepInput::mean_image;
            c.o.seed = seed;
            cands.push_back(c);
          }
  return cands;
}

void write_results(const TuneSleepJob& job, const TuneSleepResult& r) {
  auto txn = io::RunFileTransaction::update(job.run);
  auto g = txn.root().require_group("tune_sleep");
  for (const auto& c : r.candidates) {
    const double row[] = {c.o.leak_scale, c.o.exc_scale, c.o.inh_scale, c.o.input_rate_scale, c.o.duration_s,
                          c.accuracy, c.theta_rose_fraction, static_cast<double>(c.exc_spikes)};
    const char* names[] = {"leak_scale", "exc_scale", "inh_scale", "input_rate_scale", "duration_s",
                           "validation_accuracy", "theta_rose_fraction", "exc_spikes"};
    for (int q = 0; q < 8; ++q) g.append<double>(names[q], std::span<const double>(&row[q], 1), {}, 64);
    g.append_strings("input", {job.input});
    g.append_strings("from_state", {job.from});
  }
  g.set_attr<double>("awake_validation_accuracy", r.awake_accuracy);
  g.set_attr<std::uint64_t>("validation_images", job.validation_images);
  g.set_attr("validation_split", "last validation_images of the training set");
  txn.commit();
}

}  // namespace

TuneSleepResult run_tune_sleep_job(const TuneSleepJob& job) {
  if (job.input != "mean-image" && job.input != "window") throw UsageError("--input must be mean-image or window");
  const std::size_t validation = job.validation_images;
  const int threads = job.threads;
  auto loaded = load_run(job.run, job.from);
  const std::size_t trained_on = loaded.train_images;
  const std::size_t label_images = job.label_images ? job.label_images : images_trained_on_or_default(trained_on);
  const auto all = io::load_split(job.data_dir, io::Split::train);
  if (validation + std::max(trained_on, label_images) > all.size())
    throw UsageError(fmt::format("--validation-images {} would overlap the {} images trained/labelled on (of {})",
                                 validation, std::max(trained_on, label_images), all.size()));
  const auto val = validation_tail(all, validation);
  const auto mean = mean_image(all.images, trained_on ? trained_on : label_images);

  auto score = [&](models::NetworkState s) {
    auto lab = assign_labels(loaded.params, s, loaded.seed, all, label_images, threads);
    s.labels = lab.labels;
    return evaluate(loaded.params, s, loaded.seed, val, validation, threads).accuracy();
  };
  TuneSleepResult result;
  result.root = mpi_root();
  result.awake_accuracy = result.root ? score(loaded.state) : 0.0;  // only rank 0 reports
  if (job.show_progress && result.root)
    fmt::print(stderr, "awake baseline on {} validation images: {:.4f}\n", validation, result.awake_accuracy);

  auto& cands = result.candidates;
  cands = grid(job, loaded.seed);
  Progress progress("tune-sleep", cands.size(), job.show_progress && result.root);
  const auto t0 = std::chrono::steady_clock::now();
  // Candidates are independent: under MPI the ranks share them (sweep.hpp), longest sleeps first.
  std::vector<std::size_t> todo(cands.size());
  for (std::size_t k = 0; k < todo.size(); ++k) todo[k] = k;
  std::size_t n_done = 0;
  double best = -1.0;
  sweep(
      todo, [&](std::size_t k) { return cands[k].o.duration_s; },
      [&](std::size_t k) {
        auto rep = sleep(loaded.params, loaded.state, mean, cands[k].o, false, false);
        std::size_t rose = 0;
        for (double dth : rep.theta_change_mV) rose += dth > 0;
        ByteWriter w;
        w.put<std::uint64_t>(rep.exc_spikes);
        w.put<double>(static_cast<double>(rose) / static_cast<double>(loaded.params.n_exc));
        w.put<double>(score(rep.state));
        return w.take();
      },
      [&](std::size_t k, const std::string& bytes) {
        ByteReader r(bytes);
        auto& c = cands[k];
        c.exc_spikes = r.get<std::uint64_t>();
        c.theta_rose_fraction = r.get<double>();
        c.accuracy = r.get<double>();
        best = std::max(best, c.accuracy);
        progress.update(++n_done, fmt::format("best {:.4f}", best));
      });
  if (!result.root) return TuneSleepResult{false, 0.0, {}, {}, 0.0};  // only rank 0 reports
  progress.finish();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.ranked = cands;
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](auto& a, auto& b) { return a.accuracy > b.accuracy; });
  write_results(job, result);
  return result;
}

}  // namespace snnsim::experiments
