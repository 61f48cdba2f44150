// snnsim train: build the D&C network, train on the first K images for E epochs, label the
// neurons from a frozen pass, and write a new run file (states init and trained, train log).
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>

#include "command.hpp"
#include "common.hpp"
#include "experiments/checkpoint.hpp"
#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "experiments/train.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_file.hpp"
#include "io/sonata.hpp"

namespace snnsim::cli {
namespace {

void append_rows(io::TrainLogColumns& c, const std::vector<experiments::TrainLogRow>& log) {
  for (const auto& r : log) {
    c.sample_index.push_back(r.sample_index);
    c.image_index.push_back(r.image_index);
    c.label.push_back(r.label);
    c.tries.push_back(r.tries);
    c.exc_spikes.push_back(r.exc_spikes);
    c.input_intensity.push_back(r.input_intensity);
    c.running_accuracy.push_back(r.running_accuracy);
  }
}

struct Stats {
  double mean = 0, sd = 0;
};
template <typename V>
Stats stats(const V& v) {
  Stats s;
  if (v.empty()) return s;
  for (auto x : v) s.mean += static_cast<double>(x);
  s.mean /= static_cast<double>(v.size());
  for (auto x : v) s.sd += (static_cast<double>(x) - s.mean) * (static_cast<double>(x) - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(v.size()));
  return s;
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  CommonOptions common;
  models::DiehlCookParams params;
  ModelOptions model(params);
  std::string data_dir, out;
  std::size_t train_images = 0, epochs = 1, label_images = 0;
  bool force = false, shuffle = false, no_label = false, resume = false;
  std::size_t checkpoint_every = 0;
  std::string record;
  std::uint32_t max_capped_in_a_row = 10;
  po::options_description main("Options");
  main.add_options()("data", po::value<std::string>(&data_dir)->default_value("data/mnist"), "MNIST IDX directory")(
      "neurons", po::value<std::size_t>(&params.n_exc)->default_value(params.n_exc), "excitatory neurons N (1..65535)")(
      "train-images", po::value<std::size_t>(&train_images)->default_value(1000), "train on the first K images")(
      "epochs", po::value<std::size_t>(&epochs)->default_value(1), "passes over the K images")(
      "shuffle", po::bool_switch(&shuffle), "seeded random order in each epoch (default: in order)")(
      "seed", po::value<std::uint64_t>(), "master seed (default: random, printed and stored)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0),
      "images for label assignment (default: the K trained on)")(
      "no-label", po::bool_switch(&no_label), "skip label assignment")(
      "out", po::value<std::string>(&out), "run file to write (required)")(
      "force", po::bool_switch(&force), "replace an existing run file")(
      "checkpoint-every", po::value<std::size_t>(&checkpoint_every)->default_value(0),
      "write RUN.h5.ckpt every K samples (0 = only on SIGINT/SIGTERM)")(
      "resume", po::bool_switch(&resume), "continue from RUN.h5.ckpt (its settings are used)")(
      "record-spikes", po::value<std::string>(&record)->default_value("none"),
      "none | exc | all: write the training spikes as a SONATA file spikes/train.h5 next to the run file")(
      "max-capped-in-a-row", po::value<std::uint32_t>(&max_capped_in_a_row)->default_value(10),
      "stop when this many images in a row stay silent after max_tries (0 = never; single ones are counted)");
  add_common_options(main, common);
  po::options_description all;
  all.add(main).add(model.description());
  po::variables_map vm;
  if (!parse("train", "--out RUN.h5 [options]", args, all, vm, common)) return kExitOk;
  if (out.empty()) throw UsageError("--out RUN.h5 is required (see snnsim train --help)");
  for (const char* k : {"train-images", "epochs", "neurons"}) require_positive(vm, k);
  model.apply(vm);
  const int threads = resolve_threads(common.threads);
  const bool show = !common.quiet;

  if (record != "none" && record != "exc" && record != "all")
    throw UsageError("--record-spikes must be none, exc or all");
  // Check the output first: a bad path fails before minutes of training.
  io::RunFileTransaction::check_target(out, force || resume);
  const auto ckpt_file = experiments::checkpoint_path(out);
  experiments::TrainCheckpoint ck;
  std::string config_text = read_config_text(common.config_file);
  experiments::TrainOptions topt;
  std::uint64_t seed = 0;
  if (resume) {
    if (!std::filesystem::exists(ckpt_file))
      throw UsageError(ckpt_file.string() + ": no checkpoint to resume from (drop --resume to start a new run)");
    ck = experiments::read_checkpoint(ckpt_file);
    params = ck.params;
    topt = ck.options;
    seed = topt.seed;
    label_images = ck.label_images;
    no_label = ck.no_label;
    train_images = topt.train_images;
    epochs = topt.epochs;
    config_text = ck.config_text;
    if (show)
      fmt::print(stderr, "resuming {} at sample {} of {} (settings from the checkpoint)\n", ckpt_file.string(),
                 ck.cursor.next_sample, topt.train_images * topt.epochs);
  } else {
    seed = resolve_seed(vm, "seed", common.quiet);
    topt.train_images = train_images;
    topt.epochs = epochs;
    topt.shuffle = shuffle;
    topt.seed = seed;
    topt.log_window = std::clamp<std::size_t>(train_images * epochs / 4, 50, 1000);
  }
  topt.max_capped_in_a_row = max_capped_in_a_row;
  const auto data = io::load_split(data_dir, io::Split::train);
  if (data.images.pixels_per_image() != params.n_input)
    throw DataError(data_dir + ": images have " + std::to_string(data.images.pixels_per_image()) +
                    " pixels; n_input is " + std::to_string(params.n_input));
  if (train_images > data.size())
    throw UsageError("--train-images " + std::to_string(train_images) + " exceeds the " + std::to_string(data.size()) +
                     " images in " + data_dir);
  if (label_images == 0) label_images = train_images;
  if (label_images > data.size()) throw UsageError("--label-images exceeds the training set");
  if (epochs > 1000) throw UsageError("--epochs must be at most 1000");

  const auto init = resume ? ck.init : models::initial_state(params, seed);
  models::DiehlCookNetwork net(params, resume ? ck.current : init, seed);
  net.set_threads(threads);
  experiments::TrainCursor cursor;
  io::TrainLogColumns log_columns;
  if (resume) {
    net.restore_dynamic(ck.dynamic);
    cursor = ck.cursor;
    log_columns = ck.log;
  }
  const std::size_t total = train_images * epochs;
  experiments::Progress progress("train", total, show);
  experiments::TrainHooks hooks;
  hooks.progress = [&](std::uint64_t done, std::uint64_t, float acc) {
    progress.update(done, std::isnan(acc) ? std::string{} : fmt::format("running acc {:.3f}", acc));
  };
  experiments::TrainReport report;
  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  auto save_checkpoint = [&](const experiments::TrainCursor& c, const experiments::TrainReport& so_far) {
    experiments::TrainCheckpoint k;
    k.params = params;
    k.config_text = config_text;
    k.command_line = joined_command_line();
    k.options = topt;
    k.label_images = label_images;
    k.no_label = no_label;
    k.init = init;
    k.current = net.state(init);
    k.current.samples_seen = c.next_sample;
    k.dynamic = net.dynamic_state();
    k.cursor = c;
    k.log = log_columns;
    append_rows(k.log, so_far.log);
    k.capped_images = ck.capped_images + so_far.capped_images;
    k.presentations = ck.presentations + so_far.presentations;
    k.exc_spikes = ck.exc_spikes + so_far.exc_spikes;
    k.train_wall_s = ck.train_wall_s + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    experiments::write_checkpoint(ckpt_file, k);
  };
  // Recorded spikes cover this invocation (after a resume: from the resume on).
  net.exc_recorder().enable(record != "none");
  net.inh_recorder().enable(record == "all");
  const sim::Step record_start = net.engine().now();
  StopSignals signals;
  hooks.after_sample = [&](const experiments::TrainCursor& c) {
    const bool stop = signals.caught() != 0;
    if (stop || (checkpoint_every && c.next_sample % checkpoint_every == 0 && c.next_sample < total))
      save_checkpoint(c, report);
    return stop;
  };
  hooks.report = &report;
  experiments::train(net, data, topt, cursor, hooks);
  const double train_s =
      ck.train_wall_s + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double train_cpu_s = cpu_seconds() - cpu0;
  report.capped_images += ck.capped_images;
  report.presentations += ck.presentations;
  report.exc_spikes += ck.exc_spikes;
  progress.finish(fmt::format("{} presentations, {} capped", report.presentations, report.capped_images));
  if (report.interrupted) {
    const int sig = signals.caught();
    fmt::print(stderr, "snnsim train: interrupted at sample {} of {}; checkpoint {} (continue with --resume)\n",
               cursor.next_sample, total, ckpt_file.string());
    return sig == SIGTERM ? kExitTerminated : kExitInterrupted;
  }
  if (report.capped_images)
    fmt::print(stderr, "warning: {} image(s) stayed below {} exc spikes after {} tries (max_tries)\n",
               report.capped_images, params.min_exc_spikes, params.max_tries);

  models::NetworkState trained = net.state(init);
  trained.samples_seen = cursor.next_sample;
  trained.labels.clear();
  trained.class_rate_Hz.clear();
  double label_s = 0.0;
  if (report.stopped.empty() && !no_label) {
    experiments::Progress lp("label", label_images, show);
    const auto t1 = std::chrono::steady_clock::now();
    auto lab = experiments::assign_labels(params, trained, seed, data, label_images, threads,
                                          [&](std::size_t d, std::size_t) { lp.update(d); });
    label_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    lp.finish();
    trained.labels = std::move(lab.labels);
    trained.class_rate_Hz = std::move(lab.class_rate_Hz);
  }
  append_rows(log_columns, report.log);

  std::string spikes_file;
  if (record != "none") {
    spikes_file = "spikes/train.h5";
    std::vector<io::PopulationSpikes> pops;
    for (auto* rec : {&net.exc_recorder(), &net.inh_recorder()}) {
      if (!rec->enabled()) continue;
      io::PopulationSpikes ps{rec->population().name(), {}, {}};
      for (std::size_t q = 0; q < rec->steps().size(); ++q) {
        ps.timestamps_ms.push_back(static_cast<double>(rec->steps()[q] - record_start) * params.dt_ms);
        ps.node_ids.push_back(rec->ids()[q]);
      }
      pops.push_back(std::move(ps));
    }
    const auto dir = std::filesystem::path(out).parent_path();
    std::filesystem::create_directories(dir / "spikes");
    io::write_sonata_spikes(dir / spikes_file, pops);
  }

  auto txn = io::RunFileTransaction::create(out, true);
  auto root = txn.root();
  io::write_header(root, joined_command_line());
  io::write_config(root, params, config_text);
  auto cfg = root.open_group("config");
  cfg.set_attr<std::uint64_t>("master_seed", seed);
  cfg.set_attr<std::uint64_t>("train_images", train_images);
  cfg.set_attr<std::uint64_t>("epochs", epochs);
  cfg.set_attr<std::uint8_t>("shuffle", topt.shuffle ? 1 : 0);
  cfg.set_attr<std::uint64_t>("label_images", no_label ? 0 : label_images);
  cfg.set_attr<std::uint32_t>("threads", static_cast<std::uint32_t>(threads));
  cfg.set_attr("data_dir", std::filesystem::absolute(data_dir).string());
  io::write_state(root, "init", init, {"init", ""});
  io::write_state(root, report.stopped.empty() ? "trained" : "stopped", trained, {"train", "init"});
  root.open_group(report.stopped.empty() ? "network/trained" : "network/stopped").set_attr("spikes_file", spikes_file);
  io::append_train_log(root, log_columns);
  root.open_group("train").set_attr<double>("wall_s", train_s);
  txn.commit();
  std::error_code ec;
  std::filesystem::remove(ckpt_file, ec);
  io::remove_orphaned_temps(ckpt_file);

  // Statistics that say what was simulated (bench/compare checks them against Brian2).
  auto normalized_init = init;
  {
    models::DiehlCookNetwork tmp(params, init, seed);
    tmp.normalize_weights();
    auto w = tmp.input_exc().weights();
    normalized_init.weights.assign(w.begin(), w.end());
  }
  double abs_change = 0.0;
  for (std::size_t k = 0; k < trained.weights.size(); ++k)
    abs_change += std::abs(static_cast<double>(trained.weights[k]) - normalized_init.weights[k]);
  abs_change /= static_cast<double>(trained.weights.size());
  const auto th = stats(trained.theta_mV);
  const auto ws = stats(trained.weights);
  std::size_t assigned = 0;
  for (auto l : trained.labels) assigned += l >= 0;

  if (!report.stopped.empty()) {
    fmt::print(stderr, "snnsim train: error: stopped: {}; state saved as network/stopped in {}\n", report.stopped, out);
    return kExitRuntime;
  }
  if (common.json) {
    nlohmann::json j = {
        {"command", "train"},
        {"out", out},
        {"seed", seed},
        {"neurons", params.n_exc},
        {"images", total},
        {"presentations", report.presentations},
        {"retries", report.presentations - total},
        {"capped_images", report.capped_images},
        {"wall_s", train_s},
        {"images_per_s", static_cast<double>(total) / train_s},
        {"label_images", no_label ? 0 : label_images},
        {"label_wall_s", label_s},
        {"neurons_labelled", assigned},
        {"mean_exc_spikes_per_presentation",
         static_cast<double>(report.exc_spikes) / static_cast<double>(std::max<std::uint64_t>(report.presentations, 1))},
        {"theta_mean_mV", th.mean},
        {"theta_std_mV", th.sd},
        {"weight_mean", ws.mean},
        {"weight_std", ws.sd},
        {"weight_abs_change_mean", abs_change},
        {"threads", threads},
        {"peak_rss_MiB", peak_rss_MiB()},
        {"train_cpu_s", train_cpu_s},
        {"process_cpu_s", cpu_seconds()},
    };
    print_json(j);
  } else {
    fmt::print("trained {} images ({} presentations) in {:.1f} s ({:.1f} images/s); {} of {} neurons labelled; wrote {}\n",
               total, report.presentations, train_s, static_cast<double>(total) / train_s, assigned, params.n_exc, out);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
