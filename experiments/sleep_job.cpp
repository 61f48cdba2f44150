#include "sleep_job.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "checkpoint.hpp"
#include "frozen.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_file.hpp"
#include "progress.hpp"
#include "run_access.hpp"

namespace snnsim::experiments {
namespace {

/// The checkpoint's settings replace the job's when resuming.
void settle(SleepJob& job, SleepCheckpoint& ck, const std::filesystem::path& ckpt_file) {
  if (!job.resume) return;
  if (!std::filesystem::exists(ckpt_file))
    throw UsageError(ckpt_file.string() + ": no checkpoint to resume from (drop --resume to start a new sleep)");
  ck = read_sleep_checkpoint(ckpt_file);
  job.o = ck.options;
  job.from = ck.from;
  job.input = ck.input;
  job.record = ck.record;
  job.mean_images = ck.mean_images;
  job.label_images = ck.label_images;
  job.no_relabel = ck.no_relabel;
  if (job.checkpoint_every_s == 0.0) job.checkpoint_every_s = ck.checkpoint_every_s;  // a value given replaces it
  if (job.show_progress)
    fmt::print(stderr, "resuming {} at {:.1f} of {} s (settings from the checkpoint)\n", ckpt_file.string(),
               static_cast<double>(ck.cursor.done) * ck.params.dt_ms * 1e-3, job.o.duration_s);
}

void check(SleepJob& job) {
  job.o.threads = job.threads;
  if (job.snapshot_every_s != 0) {
    if (!on_rate_bins(job.o, job.snapshot_every_s))
      throw UsageError(fmt::format("--snapshot-every must be a positive multiple of {:g} s (the rate bin)",
                                   job.o.rate_bin_ms * 1e-3));
    if (!(job.snapshot_every_s < job.o.duration_s))
      throw UsageError("--snapshot-every must be shorter than --duration-s");
  }
  if (job.input == "mean-image") job.o.input = SleepInput::mean_image;
  else if (job.input == "window") job.o.input = SleepInput::window;
  else throw UsageError("--input must be mean-image or window, not '" + job.input + "'");
  try {
    record_spikes_from_string(job.record);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--record-spikes: ") + e.what());
  }
  if (job.to == job.from) throw UsageError("--to must differ from --from (states are never overwritten in place)");
  try {
    validate(job.o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--") + e.what());
  }
}

struct Snapshot {
  std::string name;
  double at_s = 0;
  models::NetworkState state;
};

void write_result(const SleepJob& job, io::RunFileTransaction& txn, const SleepReport& rep,
                  const std::vector<double>& mean, double wall_s, const std::string& spikes_file,
                  const std::vector<Snapshot>& snapshots) {
  const auto& o = job.o;
  auto root = txn.root();
  io::write_state(root, job.to, rep.state, {"sleep", job.from});
  root.open_group("network/" + job.to).set_attr("spikes_file", spikes_file);
  root.remove("sleep/" + job.to);
  auto g = root.require_group("sleep/" + job.to);
  g.set_attr("from_state", job.from);
  g.set_attr<double>("duration_s", o.duration_s);
  g.set_attr<double>("leak_scale", o.leak_scale);
  g.set_attr<double>("exc_scale", o.exc_scale);
  g.set_attr<double>("inh_scale", o.inh_scale);
  g.set_attr<double>("input_rate_scale", o.input_rate_scale);
  g.set_attr("input", job.input);
  g.set_attr<double>("block_ms", o.block_ms);
  g.set_attr<std::uint64_t>("seed", o.seed);
  g.set_attr<std::uint64_t>("mean_images", job.mean_images);
  g.set_attr<double>("wall_s", wall_s);
  g.set_attr("spikes_file", spikes_file);
  if (!snapshots.empty()) {
    // States along the way (--snapshot-every): each is the end state of a sleep that long.
    std::vector<double> t;
    std::string names;
    for (const auto& [name, at_s, state] : snapshots) {
      io::write_state(root, name, state, {"sleep", job.from});
      root.open_group("network/" + name).set_attr<double>("slept_s", at_s);
      t.push_back(at_s);
      names += (names.empty() ? "" : ",") + name;
    }
    g.set_attr<double>("snapshot_every_s", job.snapshot_every_s);
    g.set_attr("snapshot_states", names);
    g.write<double>("snapshot_t_s", t, {t.size()});
  }
  g.write<float>("exc_rate_Hz", rep.exc_rate_Hz, {rep.exc_rate_Hz.size()});
  g.dataset_attributes("exc_rate_Hz").set_attr<double>("bin_ms", o.rate_bin_ms);
  g.write<double>("theta_change_mV", rep.theta_change_mV, {rep.theta_change_mV.size()});
  g.write<double>("weight_change_abs_mean", rep.weight_change_abs, {rep.weight_change_abs.size()});
  g.write<double>("mean_image", mean, {mean.size()});
  txn.commit();
}

}  // namespace

std::string snapshot_state_name(const std::string& to, double t_s) { return fmt::format("{}_t{:g}s", to, t_s); }

SleepJobResult run_sleep_job(SleepJob job) {
  const auto ckpt_file = sleep_checkpoint_path(job.run, job.to);
  SleepCheckpoint ck;
  settle(job, ck, ckpt_file);
  check(job);
  auto awake = load_run(job.run, job.from);
  // A run saved from Python arrays records no data directory: the default data/mnist may not be
  // the images it was trained on, so the user names them.
  if (!job.data_given && awake.data_dir.empty())
    throw UsageError(job.run + " records no data directory (saved from Python without data_dir=): pass --data DIR "
                     "with the images it was trained on");
  if (job.resume) {
    if (awake.state.weights != ck.awake.weights || awake.state.theta_mV != ck.awake.theta_mV)
      throw OutputError(job.run + ": state network/" + job.from + " changed since " + ckpt_file.string() +
                        " was written; start the sleep again without --resume");
  } else if (!job.seed_given) {
    job.o.seed = awake.seed;
  }
  {
    auto f = h5::File::open(job.run, h5::File::Mode::read_only);
    if (io::has_state(f.root(), job.to) && !job.force)
      throw OutputError(job.run + ": state network/" + job.to + " exists; pass --force or choose another --to");
    for (double t = job.snapshot_every_s; job.snapshot_every_s > 0 && t < job.o.duration_s - 1e-9; t += job.snapshot_every_s)
      if (io::has_state(f.root(), snapshot_state_name(job.to, t)) && !job.force)
        throw OutputError(job.run + ": state network/" + snapshot_state_name(job.to, t) +
                          " exists; pass --force or choose another --to");
  }
  if (job.mean_images == 0) job.mean_images = images_trained_on_or_default(awake.train_images);
  if (job.label_images == 0) job.label_images = images_trained_on_or_default(awake.train_images);
  const auto data = io::load_split(job.data_dir, io::Split::train);
  if (job.mean_images > data.size() || job.label_images > data.size())
    throw UsageError("--mean-images/--label-images exceed the " + std::to_string(data.size()) + " training images");
  auto txn = io::RunFileTransaction::update(job.run);

  const auto mean = mean_image(data.images, job.mean_images);
  Progress progress("sleep", static_cast<std::size_t>(job.o.duration_s), job.show_progress);
  if (job.resume) progress.resumed_at(static_cast<std::size_t>(static_cast<double>(ck.cursor.done) * awake.params.dt_ms * 1e-3));
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return ck.sleep_wall_s + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  SleepHooks hooks;
  hooks.progress = [&](double done_s, double) { progress.update(static_cast<std::size_t>(done_s)); };
  if (job.resume) hooks.resume_from = &ck.cursor;
  double next_checkpoint_s = 0.0;
  const double every = job.checkpoint_every_s;
  if (every > 0.0) {
    const double start_s = job.resume ? static_cast<double>(ck.cursor.done) * awake.params.dt_ms * 1e-3 : 0.0;
    next_checkpoint_s = (std::floor(start_s / every + 1e-9) + 1.0) * every;
  }
  std::vector<Snapshot> snapshots;
  std::size_t next_snapshot = 1;
  hooks.after_bin = [&](double done_s, const std::function<SleepCursor()>& cursor) {
    const double snap_s = static_cast<double>(next_snapshot) * job.snapshot_every_s;
    if (job.snapshot_every_s > 0 && std::fabs(done_s - snap_s) < 1e-9 * std::max(1.0, snap_s)) {
      // The state here is the end state of a sleep of snap_s: a sleep normalises the weights at
      // the start of each block, never at its end, and its input chunks end at rate bins.
      auto s = cursor().state;
      s.labels.clear();
      s.class_rate_Hz.clear();
      const double t = std::round(snap_s * 1e9) / 1e9;  // 0.9, not 3 x 0.3 = 0.8999999999999999
      snapshots.push_back({snapshot_state_name(job.to, t), t, std::move(s)});
      ++next_snapshot;
    }
    const bool stop = job.stop_requested && job.stop_requested();
    const bool due = every > 0.0 && done_s + 1e-9 >= next_checkpoint_s;
    if (due)
      while (next_checkpoint_s <= done_s + 1e-9) next_checkpoint_s += every;
    if (stop || due) {
      SleepCheckpoint k;
      k.params = awake.params;
      k.command_line = job.command_line;
      k.options = job.o;
      k.from = job.from;
      k.to = job.to;
      k.input = job.input;
      k.record = job.record;
      k.mean_images = job.mean_images;
      k.label_images = job.label_images;
      k.no_relabel = job.no_relabel;
      k.checkpoint_every_s = job.checkpoint_every_s;
      k.awake = awake.state;
      k.cursor = cursor();
      k.sleep_wall_s = elapsed();
      write_sleep_checkpoint(ckpt_file, k);
    }
    return stop;
  };
  SleepJobResult r;
  r.checkpoint = ckpt_file.string();
  SleepReport rep;
  try {
    rep = sleep(awake.params, awake.state, mean, job.o, job.record != "none", job.record == "all", hooks);
  } catch (const std::invalid_argument& e) {
    if (!job.resume) throw;
    throw RunFileError(ckpt_file.string() + ": does not fit this sleep: " + e.what());
  }
  r.wall_s = elapsed();
  if ((r.interrupted = rep.interrupted)) {
    progress.finish("interrupted");
    return r;
  }
  if (job.stopping_is_over) job.stopping_is_over();  // relabelling and writing are short; nothing is half-written
  progress.finish(fmt::format("{} exc spikes", rep.exc_spikes));
  if (!job.no_relabel) {
    relabel(awake.params, rep.state, awake.seed, data, job.label_images, job.o.threads, job.show_progress,
            "label " + job.to);
    for (auto& s : snapshots)
      relabel(awake.params, s.state, awake.seed, data, job.label_images, job.o.threads, job.show_progress,
              "label " + s.name);
  }
  if (job.record != "none") {
    r.spikes_file = "spikes/sleep_" + job.to + ".h5";
    std::vector<io::PopulationSpikes> pops{population_spikes("exc", rep.spike_steps, rep.spike_ids, awake.params.dt_ms)};
    if (job.record == "all") pops.push_back(population_spikes("inh", rep.inh_spike_steps, rep.inh_spike_ids, awake.params.dt_ms));
    write_spike_file(job.run, r.spikes_file, pops);
  }
  write_result(job, txn, rep, mean, r.wall_s, r.spikes_file, snapshots);
  for (const auto& s : snapshots) r.snapshots.push_back(s.name);
  std::error_code ec;
  std::filesystem::remove(ckpt_file, ec);
  io::remove_orphaned_temps(ckpt_file);
  for (double d : rep.theta_change_mV) (d > 0 ? r.theta_rose : r.theta_fell) += d != 0;
  r.neurons = awake.params.n_exc;
  r.exc_spikes = rep.exc_spikes;
  r.duration_s = job.o.duration_s;
  return r;
}

}  // namespace snnsim::experiments
