#include "eval_job.hpp"

#include <fmt/core.h>

#include <chrono>

#include "frozen.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "io/sonata.hpp"
#include "progress.hpp"
#include "run_file.hpp"
#include "spike_file.hpp"

namespace snnsim::experiments {
namespace {

/// The condition's exc spikes (last try of every image), windows laid end to end.
void write_eval_spikes(const EvalJob& job, const LoadedRun& loaded, const Evaluation& e, const io::LabelledImages& input,
                       const std::string& spikes_file) {
  io::PopulationSpikes ps{"exc", {}, {}};
  io::StimulusTable stim;
  const double window_ms = loaded.params.t_present_ms;
  for (std::size_t k = 0; k < e.responses.size(); ++k) {
    const double start_ms = static_cast<double>(k) * window_ms;
    for (std::size_t q = 0; q < e.responses[k].spike_step.size(); ++q) {
      ps.timestamps_ms.push_back(start_ms + e.responses[k].spike_step[q] * loaded.params.dt_ms);
      ps.node_ids.push_back(e.responses[k].spike_id[q]);
    }
    stim.sample_index.push_back(k);
    stim.label.push_back(input.labels[k]);
    stim.t_start_ms.push_back(start_ms);
    stim.t_stop_ms.push_back(start_ms + window_ms);
  }
  write_spike_file(job.run, spikes_file, {ps}, &stim);
}

/// Evaluates one level and appends its row.
EvalJobRow run_level(const EvalJob& job, const LoadedRun& loaded, const io::LabelledImages& data, double level,
                     io::RunFileTransaction& txn) {
  const bool clean = job.noise_type == NoiseType::none;
  io::LabelledImages noisy;
  const io::LabelledImages* input = &data;
  if (!clean) {
    noisy.images = corrupt(data.images, job.test_images, job.noise_type, level, job.noise_seed);
    noisy.labels.assign(data.labels.begin(), data.labels.begin() + static_cast<std::ptrdiff_t>(job.test_images));
    input = &noisy;
  }
  const std::string what = clean ? "eval " + job.state : fmt::format("eval {} {} {}", job.state, job.noise, level);
  Progress progress(what, job.test_images, job.show_progress);
  const auto t0 = std::chrono::steady_clock::now();
  const auto e = evaluate(loaded.params, loaded.state, loaded.seed, *input, job.test_images, job.threads,
                          [&](std::size_t d, std::size_t) { progress.update(d); }, job.record_exc);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish(fmt::format("accuracy {:.4f}", e.accuracy()));
  io::EvalRow row;
  row.state = job.state;
  row.noise_type = job.noise;
  row.noise_level = clean ? 0.0 : level;
  row.noise_seed = clean ? 0 : job.noise_seed;
  row.n_samples = static_cast<std::uint32_t>(e.n_samples);
  row.n_correct = static_cast<std::uint32_t>(e.n_correct);
  row.n_silent = static_cast<std::uint32_t>(e.n_silent);
  row.accuracy = e.accuracy();
  row.wall_s = wall;
  row.frozen_chain_images = loaded.params.frozen_chain_images;
  if (job.record_exc) {
    row.spikes_file = clean ? fmt::format("spikes/eval_{}.h5", job.state)
                            : fmt::format("spikes/eval_{}_{}_{}.h5", job.state, job.noise, level);
    write_eval_spikes(job, loaded, e, *input, row.spikes_file);
  }
  io::append_eval(txn.root(), row, e.confusion, e.predictions);
  EvalJobRow r;
  r.clean = clean;
  r.level = level;
  r.noise_level = row.noise_level;
  r.n_samples = e.n_samples;
  r.n_correct = e.n_correct;
  r.n_silent = e.n_silent;
  r.accuracy = e.accuracy();
  r.wall_s = wall;
  return r;
}

}  // namespace

EvalJobResult run_eval_job(const EvalJob& job, const std::function<void(const EvalJobRow&)>& row_done) {
  auto loaded = load_run(job.run, job.state);
  if (loaded.state.labels.empty())
    throw RunFileError(job.run + ": network/" + job.state + " has no labels (run snnsim label first)");
  if (job.frozen_chain_images) loaded.params.frozen_chain_images = job.frozen_chain_images;
  EvalJobResult result;
  result.frozen_chain_images = loaded.params.frozen_chain_images;
  result.labels = state_report(loaded.params, loaded.state);
  warn_fire_at_rest("eval", job.state, result.labels);
  auto data = io::load_split(job.data_dir, io::Split::test);
  if (job.test_images > data.size())
    throw UsageError("--test-images " + std::to_string(job.test_images) + " exceeds the " +
                     std::to_string(data.size()) + " test images in " + job.data_dir);
  auto txn = io::RunFileTransaction::update(job.run);
  for (const double level : job.levels) {
    result.rows.push_back(run_level(job, loaded, data, level, txn));
    if (row_done) row_done(result.rows.back());
  }
  txn.commit();
  return result;
}

}  // namespace snnsim::experiments
