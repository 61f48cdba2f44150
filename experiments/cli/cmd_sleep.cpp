// snnsim sleep: switch a saved state to the sleep regime, run it with plasticity on, relabel,
// and save the result as a new state beside the old one (with sleep statistics).
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "command.hpp"
#include "common.hpp"
#include "experiments/checkpoint.hpp"
#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "experiments/sleep.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "io/sonata.hpp"
#include "run_access.hpp"

namespace snnsim::cli {

int cmd_sleep(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::SleepOptions o;
  std::string run, from, to, data_dir, input, record;
  std::size_t mean_images = 0, label_images = 0;
  bool no_relabel = false, force = false, resume = false;
  double checkpoint_every_s = 0.0;
  po::options_description main("Options");
  main.add_options()("run", po::value<std::string>(&run), "run file (required; updated in place)")(
      "from", po::value<std::string>(&from)->default_value("trained"), "state to start from")(
      "to", po::value<std::string>(&to)->default_value("slept"), "name of the new state")(
      "duration-s", po::value<double>(&o.duration_s)->default_value(o.duration_s), "simulated sleep time")(
      "leak-scale", po::value<double>(&o.leak_scale)->default_value(o.leak_scale), "gain on the exc leak term")(
      "exc-scale", po::value<double>(&o.exc_scale)->default_value(o.exc_scale), "gain on input->exc conductance")(
      "inh-scale", po::value<double>(&o.inh_scale)->default_value(o.inh_scale), "gain on inh->exc conductance")(
      "input-rate-scale", po::value<double>(&o.input_rate_scale)->default_value(o.input_rate_scale),
      "input rate relative to wake (pixel/4 Hz)")(
      "input", po::value<std::string>(&input)->default_value("mean-image"), "mean-image | window (random 11x11 patch)")(
      "block-ms", po::value<double>(&o.block_ms)->default_value(o.block_ms), "weights normalised every block")(
      "data", po::value<std::string>(&data_dir)->default_value("data/mnist"), "MNIST IDX directory")(
      "mean-images", po::value<std::size_t>(&mean_images)->default_value(0),
      "mean image of the first M training images (default: those the state was trained on)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0),
      "relabel from the first M training images (default: as at training)")(
      "no-relabel", po::bool_switch(&no_relabel), "keep the new state unlabelled")(
      "seed", po::value<std::uint64_t>(), "seed of the sleep input streams (default: the run's master seed)")(
      "record-spikes", po::value<std::string>(&record)->default_value("none"),
      "none | exc | all: write a SONATA spike file next to the run file")(
      "force", po::bool_switch(&force), "replace an existing --to state")(
      "checkpoint-every", po::value<double>(&checkpoint_every_s)->default_value(0.0),
      "write RUN.h5.sleep-<to>.ckpt every S simulated seconds (0 = only on SIGINT/SIGTERM)")(
      "resume", po::bool_switch(&resume), "continue from RUN.h5.sleep-<to>.ckpt (its settings are used)");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("sleep", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  if (run.empty()) throw UsageError("--run RUN.h5 is required (see snnsim sleep --help)");
  if (!(checkpoint_every_s >= 0.0) || !std::isfinite(checkpoint_every_s))
    throw UsageError("--checkpoint-every must be a number of seconds >= 0");
  if (to.empty() || to.find('/') != std::string::npos || to[0] == '.') throw UsageError("--to must be a plain name");
  const auto ckpt_file = experiments::sleep_checkpoint_path(run, to);
  experiments::SleepCheckpoint ck;
  if (resume) {
    if (!std::filesystem::exists(ckpt_file))
      throw UsageError(ckpt_file.string() + ": no checkpoint to resume from (drop --resume to start a new sleep)");
    ck = experiments::read_sleep_checkpoint(ckpt_file);
    o = ck.options;
    from = ck.from;
    input = ck.input;
    record = ck.record;
    mean_images = ck.mean_images;
    label_images = ck.label_images;
    no_relabel = ck.no_relabel;
    if (!common.quiet)
      fmt::print(stderr, "resuming {} at {:.1f} of {} s (settings from the checkpoint)\n", ckpt_file.string(),
                 static_cast<double>(ck.cursor.done) * ck.params.dt_ms * 1e-3, o.duration_s);
  }
  if (input == "mean-image") o.input = experiments::SleepInput::mean_image;
  else if (input == "window") o.input = experiments::SleepInput::window;
  else throw UsageError("--input must be mean-image or window, not '" + input + "'");
  if (record != "none" && record != "exc" && record != "all")
    throw UsageError("--record-spikes must be none, exc or all, not '" + record + "'");
  if (to == from) throw UsageError("--to must differ from --from (states are never overwritten in place)");
  try {
    experiments::validate(o);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--") + e.what());
  }
  const int threads = resolve_threads(common.threads);
  o.threads = threads;
  auto loaded = load_run(run, from);
  if (resume) {
    if (loaded.state.weights != ck.awake.weights || loaded.state.theta_mV != ck.awake.theta_mV)
      throw OutputError(run + ": state network/" + from + " changed since " + ckpt_file.string() +
                        " was written; start the sleep again without --resume");
  } else {
    o.seed = vm.count("seed") ? vm["seed"].as<std::uint64_t>() : loaded.seed;
  }
  const std::size_t trained_on = loaded.train_images;
  {
    auto f = h5::File::open(run, h5::File::Mode::read_only);
    if (io::has_state(f.root(), to) && !force)
      throw OutputError(run + ": state network/" + to + " exists; pass --force or choose another --to");
  }
  if (mean_images == 0) mean_images = trained_on ? trained_on : 1000;
  if (label_images == 0) label_images = trained_on ? trained_on : 1000;
  const auto data = io::load_split(data_dir, io::Split::train);
  if (mean_images > data.size() || label_images > data.size())
    throw UsageError("--mean-images/--label-images exceed the " + std::to_string(data.size()) + " training images");
  auto txn = io::RunFileTransaction::update(run);

  const auto mean = experiments::mean_image(data.images, mean_images);
  experiments::Progress progress("sleep", static_cast<std::size_t>(o.duration_s), !common.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return ck.sleep_wall_s + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto signals = std::make_unique<StopSignals>();
  experiments::SleepHooks hooks;
  hooks.progress = [&](double done_s, double) { progress.update(static_cast<std::size_t>(done_s)); };
  if (resume) hooks.resume_from = &ck.cursor;
  double next_checkpoint_s = 0.0;
  if (checkpoint_every_s > 0.0) {
    const double start_s = resume ? static_cast<double>(ck.cursor.done) * loaded.params.dt_ms * 1e-3 : 0.0;
    next_checkpoint_s = (std::floor(start_s / checkpoint_every_s + 1e-9) + 1.0) * checkpoint_every_s;
  }
  hooks.after_bin = [&](double done_s, const std::function<experiments::SleepCursor()>& cursor) {
    const bool stop = signals->caught() != 0;
    const bool due = checkpoint_every_s > 0.0 && done_s + 1e-9 >= next_checkpoint_s;
    if (due)
      while (next_checkpoint_s <= done_s + 1e-9) next_checkpoint_s += checkpoint_every_s;
    if (stop || due) {
      experiments::SleepCheckpoint k;
      k.params = loaded.params;
      k.command_line = joined_command_line();
      k.options = o;
      k.from = from;
      k.to = to;
      k.input = input;
      k.record = record;
      k.mean_images = mean_images;
      k.label_images = label_images;
      k.no_relabel = no_relabel;
      k.awake = loaded.state;
      k.cursor = cursor();
      k.sleep_wall_s = elapsed();
      experiments::write_sleep_checkpoint(ckpt_file, k);
    }
    return stop;
  };
  auto rep = experiments::sleep(loaded.params, loaded.state, mean, o, record != "none", record == "all", hooks);
  const double sleep_s = elapsed();
  if (rep.interrupted) {
    progress.finish("interrupted");
    fmt::print(stderr, "snnsim sleep: interrupted; checkpoint {} (continue with --resume)\n", ckpt_file.string());
    return signals->exit_code();
  }
  signals.reset();  // relabelling and writing are short: a signal now stops the process (nothing is half-written)
  progress.finish(fmt::format("{} exc spikes", rep.exc_spikes));
  if (!no_relabel)
    relabel(loaded.params, rep.state, loaded.seed, data, label_images, threads, !common.quiet, "label " + to);

  std::string spikes_file;
  if (record != "none") {
    const auto dir = std::filesystem::path(run).parent_path() / "spikes";
    std::filesystem::create_directories(dir);
    spikes_file = "spikes/sleep_" + to + ".h5";
    std::vector<io::PopulationSpikes> pops;
    auto convert = [&](const char* name, const std::vector<std::int64_t>& steps, const std::vector<std::uint32_t>& ids) {
      io::PopulationSpikes ps{name, {}, {}};
      for (auto s : steps) ps.timestamps_ms.push_back(static_cast<double>(s) * loaded.params.dt_ms);
      ps.node_ids.assign(ids.begin(), ids.end());
      pops.push_back(std::move(ps));
    };
    convert("exc", rep.spike_steps, rep.spike_ids);
    if (record == "all") convert("inh", rep.inh_spike_steps, rep.inh_spike_ids);
    io::write_sonata_spikes(std::filesystem::path(run).parent_path() / spikes_file, pops);
  }

  auto root = txn.root();
  io::write_state(root, to, rep.state, {"sleep", from});
  auto st = root.open_group("network/" + to);
  st.set_attr("spikes_file", spikes_file);
  root.remove("sleep/" + to);
  auto g = root.require_group("sleep/" + to);
  g.set_attr("from_state", from);
  g.set_attr<double>("duration_s", o.duration_s);
  g.set_attr<double>("leak_scale", o.leak_scale);
  g.set_attr<double>("exc_scale", o.exc_scale);
  g.set_attr<double>("inh_scale", o.inh_scale);
  g.set_attr<double>("input_rate_scale", o.input_rate_scale);
  g.set_attr("input", input);
  g.set_attr<double>("block_ms", o.block_ms);
  g.set_attr<std::uint64_t>("seed", o.seed);
  g.set_attr<std::uint64_t>("mean_images", mean_images);
  g.set_attr<double>("wall_s", sleep_s);
  g.set_attr("spikes_file", spikes_file);
  g.write<float>("exc_rate_Hz", rep.exc_rate_Hz, {rep.exc_rate_Hz.size()});
  g.dataset_attributes("exc_rate_Hz").set_attr<double>("bin_ms", o.rate_bin_ms);
  g.write<double>("theta_change_mV", rep.theta_change_mV, {rep.theta_change_mV.size()});
  g.write<double>("weight_change_abs_mean", rep.weight_change_abs, {rep.weight_change_abs.size()});
  g.write<double>("mean_image", mean, {mean.size()});
  txn.commit();
  std::error_code ec;
  std::filesystem::remove(ckpt_file, ec);
  io::remove_orphaned_temps(ckpt_file);

  std::size_t rose = 0, fell = 0;
  for (double d : rep.theta_change_mV) (d > 0 ? rose : fell) += d != 0;
  const double sim_per_wall = o.duration_s / sleep_s;
  if (common.json) {
    print_json({{"command", "sleep"},
                {"run", run},
                {"from", from},
                {"to", to},
                {"duration_s", o.duration_s},
                {"wall_s", sleep_s},
                {"simulated_s_per_wall_s", sim_per_wall},
                {"exc_spikes", rep.exc_spikes},
                {"theta_rose", rose},
                {"theta_fell", fell},
                {"spikes_file", spikes_file}});
  } else {
    fmt::print("slept {} s ({:.1f} s wall, {:.0f}x real time): {} exc spikes; theta rose in {} and fell in {} of {} neurons; "
               "saved network/{}\n",
               o.duration_s, sleep_s, sim_per_wall, rep.exc_spikes, rose, fell, loaded.params.n_exc, to);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
