#include "train_job.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "checkpoint.hpp"
#include "frozen.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_file.hpp"
#include "progress.hpp"
#include "train.hpp"
#include "within_step.hpp"

namespace snnsim::experiments {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

void append_train_log_rows(io::TrainLogColumns& c, const std::vector<TrainLogRow>& log, std::uint64_t sample_offset) {
  for (const auto& r : log) {
    c.sample_index.push_back(sample_offset + r.sample_index);
    c.image_index.push_back(r.image_index);
    c.label.push_back(r.label);
    c.tries.push_back(r.tries);
    c.exc_spikes.push_back(r.exc_spikes);
    c.input_intensity.push_back(r.input_intensity);
    c.running_accuracy.push_back(r.running_accuracy);
  }
}

namespace {

template <typename V>
void mean_sd(const V& v, double& mean, double& sd) {
  mean = sd = 0;
  if (v.empty()) return;
  for (auto x : v) mean += static_cast<double>(x);
  mean /= static_cast<double>(v.size());
  for (auto x : v) sd += (static_cast<double>(x) - mean) * (static_cast<double>(x) - mean);
  sd = std::sqrt(sd / static_cast<double>(v.size()));
}

/// The job's settings, or the checkpoint's when resuming (then `ck` holds it).
TrainOptions settle(TrainJob& job, TrainCheckpoint& ck, const std::filesystem::path& ckpt_file) {
  TrainOptions topt;
  if (job.resume) {
    if (!std::filesystem::exists(ckpt_file))
      throw UsageError(ckpt_file.string() + ": no checkpoint to resume from (drop --resume to start a new run)");
    ck = read_checkpoint(ckpt_file);
    job.params = ck.params;
    topt = ck.options;
    job.seed = topt.seed;
    job.label_images = ck.label_images;
    job.no_label = ck.no_label;
    job.epoch_files = job.epoch_files || ck.epoch_files;
    if (job.checkpoint_every == 0) job.checkpoint_every = ck.checkpoint_every;  // a value given replaces it
    job.train_images = topt.train_images;
    job.epochs = topt.epochs;
    job.config_text = ck.config_text;
    if (job.show_progress)
      fmt::print(stderr, "resuming {} at sample {} of {} (settings from the checkpoint)\n", ckpt_file.string(),
                 ck.cursor.next_sample, topt.train_images * topt.epochs);
  } else {
    topt.train_images = job.train_images;
    topt.epochs = job.epochs;
    topt.shuffle = job.shuffle;
    topt.seed = job.seed;
    topt.log_window = std::clamp<std::size_t>(job.train_images * job.epochs / 4, 50, 1000);
  }
  topt.max_capped_in_a_row = job.max_capped_in_a_row;
  return topt;
}

void check_data(TrainJob& job, const io::LabelledImages& data) {
  if (data.images.pixels_per_image() != job.params.n_input)
    throw DataError(job.data_dir + ": images have " + std::to_string(data.images.pixels_per_image()) +
                    " pixels; n_input is " + std::to_string(job.params.n_input));
  if (job.train_images > data.size())
    throw UsageError("--train-images " + std::to_string(job.train_images) + " exceeds the " +
                     std::to_string(data.size()) + " images in " + job.data_dir);
  if (job.label_images == 0) job.label_images = job.train_images;
  if (job.label_images > data.size()) throw UsageError("--label-images exceeds the training set");
  if (job.epochs > 1000) throw UsageError("--epochs must be at most 1000");
}

void write_spikes(const TrainJob& job, models::DiehlCookNetwork& net, sim::Step record_start) {
  std::vector<io::PopulationSpikes> pops;
  for (auto* rec : {&net.exc_recorder(), &net.inh_recorder()})
    if (rec->enabled())
      pops.push_back(population_spikes(rec->population().name(), rec->steps(), rec->ids(), job.params.dt_ms, record_start));
  write_spike_file(job.out, "spikes/train.h5", pops);
}

// Statistics that say what was simulated (bench/compare checks them against Brian2).
void describe(const TrainJob& job, const models::NetworkState& init, const models::NetworkState& trained,
              TrainJobResult& r) {
  auto normalized_init = init;
  {
    models::DiehlCookNetwork tmp(job.params, init, job.seed);
    tmp.normalize_weights();
    auto w = tmp.input_exc().weights();
    normalized_init.weights.assign(w.begin(), w.end());
  }
  double abs_change = 0.0;
  for (std::size_t k = 0; k < trained.weights.size(); ++k)
    abs_change += std::abs(static_cast<double>(trained.weights[k]) - normalized_init.weights[k]);
  r.weight_abs_change_mean = abs_change / static_cast<double>(trained.weights.size());
  mean_sd(trained.theta_mV, r.theta_mean_mV, r.theta_std_mV);
  mean_sd(trained.weights, r.weight_mean, r.weight_std);
  for (auto l : trained.labels) r.neurons_labelled += l >= 0;
}

// What every run file written by a training job shares: settings, seed, initial state.
TrainedRun run_header(const TrainJob& job, const TrainOptions& topt, const models::NetworkState& init) {
  TrainedRun w;
  w.params = job.params;
  w.config_text = job.config_text;
  w.command_line = job.command_line;
  w.data_dir = std::filesystem::absolute(job.data_dir).string();
  w.seed = job.seed;
  w.train_images = job.train_images;
  w.epochs = job.epochs;
  w.shuffle = topt.shuffle;
  w.threads = job.threads;
  w.init = init;
  return w;
}

}  // namespace

std::filesystem::path epoch_file_path(const std::filesystem::path& out, std::size_t epoch) {
  auto p = out;
  const auto ext = p.has_extension() ? p.extension().string() : std::string(".h5");
  p.replace_extension();
  return std::filesystem::path(p.string() + ".epoch" + std::to_string(epoch) + ext);
}

void write_trained_run(const std::string& out, bool force, const TrainedRun& r) {
  auto txn = io::RunFileTransaction::create(out, force);
  auto root = txn.root();
  io::write_header(root, r.command_line);
  io::write_config(root, r.params, r.config_text);
  auto cfg = root.open_group("config");
  cfg.set_attr<std::uint64_t>("master_seed", r.seed);
  cfg.set_attr<std::uint64_t>("train_images", r.train_images);
  cfg.set_attr<std::uint64_t>("epochs", r.epochs);
  cfg.set_attr<std::uint8_t>("shuffle", r.shuffle ? 1 : 0);
  cfg.set_attr<std::uint64_t>("label_images", r.label_images);
  cfg.set_attr<std::uint32_t>("threads", static_cast<std::uint32_t>(r.threads));
  cfg.set_attr("data_dir", r.data_dir);
  io::write_state(root, "init", r.init, {"init", ""});
  io::write_state(root, r.state_name, r.state, r.info);
  root.open_group("network/" + r.state_name).set_attr("spikes_file", r.spikes_file);
  io::append_train_log(root, r.log);
  auto train = root.open_group("train");
  train.set_attr<double>("wall_s", r.wall_s);
  const auto& counts = r.neuron_counts;
  if (counts.spikes.size() == r.params.n_exc) {
    train.write<std::uint64_t>("exc_spike_count", counts.spikes, {counts.spikes.size()});
    train.write<std::uint64_t>("exc_active_samples", counts.active_samples, {counts.active_samples.size()});
    train.set_attr<std::uint64_t>("counts_from_sample", counts.counted_from);
  }
  txn.commit();
}

TrainJobResult run_train_job(TrainJob job) {
  // Check the output first: a bad path fails before minutes of training.
  io::RunFileTransaction::check_target(job.out, job.force || job.resume);
  const auto ckpt_file = checkpoint_path(job.out);
  TrainCheckpoint ck;
  const TrainOptions topt = settle(job, ck, ckpt_file);
  if (job.epoch_files)
    for (std::size_t e = 1; e < topt.epochs; ++e)
      io::RunFileTransaction::check_target(epoch_file_path(job.out, e), job.force || job.resume);
  const auto data = io::load_split(job.data_dir, io::Split::train);
  check_data(job, data);

  const auto init = job.resume ? ck.init : models::initial_state(job.params, job.seed);
  models::DiehlCookNetwork net(job.params, job.resume ? ck.current : init, job.seed);
  set_within_step_threads(net, job.threads);
  TrainCursor cursor;
  io::TrainLogColumns log_columns;
  if (job.resume) {
    try {
      net.restore_dynamic(ck.dynamic);
    } catch (const std::invalid_argument& e) {
      throw RunFileError(ckpt_file.string() + ": /dynamic does not fit the network: " + e.what());
    }
    cursor = ck.cursor;
    log_columns = ck.log;
  }
  TrainJobResult r;
  r.seed = job.seed;
  r.neurons = job.params.n_exc;
  r.images = job.train_images * job.epochs;
  r.checkpoint = ckpt_file.string();
  Progress progress("train", r.images, job.show_progress);
  progress.resumed_at(cursor.next_sample);
  TrainHooks hooks;
  hooks.progress = [&](std::uint64_t done, std::uint64_t, float acc) {
    progress.update(done, std::isnan(acc) ? std::string{} : fmt::format("running acc {:.3f}", acc));
  };
  TrainReport report;
  const auto t0 = Clock::now();
  const double cpu0 = process_cpu_s();
  auto save_checkpoint = [&](const TrainCursor& c, const TrainReport& so_far) {
    TrainCheckpoint k;
    k.params = job.params;
    k.config_text = job.config_text;
    k.command_line = job.command_line;
    k.options = topt;
    k.label_images = job.label_images;
    k.no_label = job.no_label;
    k.epoch_files = job.epoch_files;
    k.checkpoint_every = job.checkpoint_every;
    k.init = init;
    k.current = net.state(init);
    k.current.samples_seen = c.next_sample;
    k.dynamic = net.dynamic_state();
    k.cursor = c;
    k.log = log_columns;
    append_train_log_rows(k.log, so_far.log);
    k.capped_images = ck.capped_images + so_far.capped_images;
    k.presentations = ck.presentations + so_far.presentations;
    k.exc_spikes = ck.exc_spikes + so_far.exc_spikes;
    k.train_wall_s = ck.train_wall_s + since(t0);
    write_checkpoint(ckpt_file, k);
  };
  // Recorded spikes cover this invocation (after a resume: from the resume on).
  net.exc_recorder().enable(job.record != RecordSpikes::none);
  net.inh_recorder().enable(job.record == RecordSpikes::all);
  const sim::Step record_start = net.engine().now();
  // The run file of the network as it stands (unlabelled), for --epoch-files.
  auto write_epoch_file = [&](const TrainCursor& c, const TrainReport& so_far) {
    TrainedRun w = run_header(job, topt, init);
    w.epochs = c.next_sample / job.train_images;
    w.label_images = 0;
    w.state = net.state(init);
    w.state.samples_seen = c.next_sample;
    w.state.labels.clear();
    w.state.class_rate_Hz.clear();
    w.log = log_columns;
    append_train_log_rows(w.log, so_far.log);
    w.wall_s = ck.train_wall_s + since(t0);
    w.neuron_counts = c.neuron;
    write_trained_run(epoch_file_path(job.out, w.epochs).string(), true, w);
  };
  hooks.after_sample = [&](const TrainCursor& c) {
    if (job.epoch_files && c.next_sample % job.train_images == 0 && c.next_sample < r.images)
      write_epoch_file(c, report);
    const bool stop = job.stop_requested && job.stop_requested();
    if (stop || (job.checkpoint_every && c.next_sample % job.checkpoint_every == 0 && c.next_sample < r.images))
      save_checkpoint(c, report);
    return stop;
  };
  hooks.report = &report;
  train(net, data, topt, cursor, hooks);
  r.wall_s = ck.train_wall_s + since(t0);
  r.train_cpu_s = process_cpu_s() - cpu0;
  r.within_step_threads = net.engine().split_threads();
  r.capped_images = report.capped_images + ck.capped_images;
  r.presentations = report.presentations + ck.presentations;
  r.exc_spikes = report.exc_spikes + ck.exc_spikes;
  r.next_sample = cursor.next_sample;
  r.stopped = report.stopped;
  progress.finish(fmt::format("{} presentations, {} capped", r.presentations, r.capped_images));
  if ((r.interrupted = report.interrupted)) return r;
  if (r.capped_images)
    fmt::print(stderr, "warning: {} image(s) stayed below {} exc spikes after {} tries (max_tries)\n", r.capped_images,
               job.params.min_exc_spikes, job.params.max_tries);

  models::NetworkState trained = net.state(init);
  trained.samples_seen = cursor.next_sample;
  trained.labels.clear();
  trained.class_rate_Hz.clear();
  r.label_images = job.no_label ? 0 : job.label_images;
  Labelling lab;
  if (report.stopped.empty() && !job.no_label) {
    Progress lp("label", job.label_images, job.show_progress);
    const auto t1 = Clock::now();
    lab = assign_labels(job.params, trained, job.seed, data, job.label_images, job.threads,
                             [&](std::size_t d, std::size_t) { lp.update(d); });
    r.label_wall_s = since(t1);
    lp.finish();
    trained.labels = std::move(lab.labels);
    trained.class_rate_Hz = std::move(lab.class_rate_Hz);
  }
  append_train_log_rows(log_columns, report.log);
  std::string spikes_file;
  if (job.record != RecordSpikes::none) {
    spikes_file = "spikes/train.h5";
    write_spikes(job, net, record_start);
  }
  r.labels = state_report(job.params, trained, report.stopped.empty() && !job.no_label ? &lab : nullptr);
  {
    TrainedRun w = run_header(job, topt, init);
    w.label_images = job.no_label ? 0 : job.label_images;
    w.state = std::move(trained);
    w.state_name = r.stopped.empty() ? "trained" : "stopped";
    w.log = std::move(log_columns);
    w.wall_s = r.wall_s;
    w.spikes_file = spikes_file;
    w.neuron_counts = cursor.neuron;
    write_trained_run(job.out, true, w);
    trained = std::move(w.state);
  }
  std::error_code ec;
  std::filesystem::remove(ckpt_file, ec);
  io::remove_orphaned_temps(ckpt_file);
  describe(job, init, trained, r);
  return r;
}

}  // namespace snnsim::experiments
