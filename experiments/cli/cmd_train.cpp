// snnsim train: build the D&C network, train on the first K images for E epochs, label the
// neurons from a frozen pass, and write a new run file (states init and trained, train log).
// Parse the options, run experiments::run_train_job, report.
#include <fmt/core.h>

#include "command.hpp"
#include "common.hpp"
#include "experiments/train_job.hpp"
#include "io/error.hpp"

namespace snnsim::cli {
namespace {

void add_options(po::options_description& d, experiments::TrainJob& j, std::string& record) {
  add_data_option(d, j.data_dir);
  d.add_options()("neurons", po::value<std::size_t>(&j.params.n_exc)->default_value(j.params.n_exc),
                  "excitatory neurons N (1..65535)")(
      "train-images", po::value<std::size_t>(&j.train_images)->default_value(1000), "train on the first K images")(
      "epochs", po::value<std::size_t>(&j.epochs)->default_value(1), "passes over the K images")(
      "shuffle", po::bool_switch(&j.shuffle), "seeded random order in each epoch (default: in order)")(
      "seed", po::value<std::uint64_t>(), "master seed (default: random, printed and stored)")(
      "label-images", po::value<std::size_t>(&j.label_images)->default_value(0),
      "images for label assignment (default: the K trained on)")(
      "no-label", po::bool_switch(&j.no_label), "skip label assignment")(
      "out", po::value<std::string>(&j.out), "run file to write (required)")(
      "force", po::bool_switch(&j.force), "replace an existing run file")(
      "checkpoint-every", po::value<std::size_t>(&j.checkpoint_every)->default_value(0),
      "write RUN.h5.ckpt every K samples (0 = only on SIGINT/SIGTERM); kept on --resume, where a value given replaces it")(
      "resume", po::bool_switch(&j.resume), "continue from RUN.h5.ckpt (its settings are used)")(
      "epoch-files", po::bool_switch(&j.epoch_files),
      "after each epoch but the last, also write RUN.epochE.h5: a run file of the network then, unlabelled "
      "(label and eval it like any run: accuracy per epoch); kept on --resume");
  add_record_spikes_option(
      d, record, "none | exc | all: write the training spikes as a SONATA file spikes/train.h5 next to the run file");
  d.add_options()("max-capped-in-a-row", po::value<std::uint32_t>(&j.max_capped_in_a_row)->default_value(10),
                  "stop when this many images in a row stay silent after max_tries (0 = never; single ones are counted)");
}

nlohmann::json to_json(const experiments::TrainJobResult& r, const std::string& out, int threads) {
  return {
      {"command", "train"},
      {"out", out},
      {"seed", r.seed},
      {"neurons", r.neurons},
      {"images", r.images},
      {"presentations", r.presentations},
      {"retries", r.presentations - r.images},
      {"capped_images", r.capped_images},
      {"wall_s", r.wall_s},
      {"images_per_s", static_cast<double>(r.images) / r.wall_s},
      {"label_images", r.label_images},
      {"label_wall_s", r.label_wall_s},
      {"mean_exc_spikes_per_presentation",
       static_cast<double>(r.exc_spikes) / static_cast<double>(std::max<std::uint64_t>(r.presentations, 1))},
      {"theta_mean_mV", r.theta_mean_mV},
      {"theta_std_mV", r.theta_std_mV},
      {"weight_mean", r.weight_mean},
      {"weight_std", r.weight_std},
      {"weight_abs_change_mean", r.weight_abs_change_mean},
      {"threads", threads},
      {"within_step_threads", r.within_step_threads},
      {"peak_rss_MiB", peak_rss_MiB()},
      {"train_cpu_s", r.train_cpu_s},
      {"process_cpu_s", cpu_seconds()},
  };
}

}  // namespace

int cmd_train(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::TrainJob job;
  ModelOptions model(job.params);
  std::string record;
  po::options_description main("Options");
  add_options(main, job, record);
  add_common_options(main, common);
  po::options_description all;
  all.add(main).add(model.description());
  po::variables_map vm;
  if (!parse("train", "--out RUN.h5 [options]", args, all, vm, common)) return kExitOk;
  require_file(job.out, "--out RUN.h5", "train");
  for (const char* k : {"train-images", "epochs", "neurons"}) require_positive(vm, k);
  model.apply(vm);
  job.threads = resolve_threads(common.threads);
  job.show_progress = !common.quiet;
  job.record = record_spikes(record, true);
  job.config_text = read_config_text(common.config_file);
  job.command_line = joined_command_line();
  if (!job.resume) job.seed = resolve_seed(vm, "seed", common.quiet);
  StopSignals signals;
  job.stop_requested = [&] { return signals.caught() != 0; };

  const auto r = experiments::run_train_job(job);
  if (r.interrupted) {
    fmt::print(stderr, "snnsim train: interrupted at sample {} of {}; checkpoint {} (continue with --resume)\n",
               r.next_sample, r.images, r.checkpoint);
    return signals.exit_code();
  }
  if (!r.stopped.empty()) {
    fmt::print(stderr, "snnsim train: error: stopped: {}; state saved as network/stopped in {}\n", r.stopped, job.out);
    return kExitRuntime;
  }
  experiments::warn_fire_at_rest("train", "trained", r.labels);
  if (common.json) {
    auto j = to_json(r, job.out, job.threads);
    experiments::add_state_report(j, r.labels);
    print_json(j);
  } else {
    fmt::print("trained {} images ({} presentations) in {:.1f} s ({:.1f} images/s); {}; wrote {}\n", r.images,
               r.presentations, r.wall_s, static_cast<double>(r.images) / r.wall_s, experiments::labelled_text(r.labels),
               job.out);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
