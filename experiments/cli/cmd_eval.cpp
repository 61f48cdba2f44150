// snnsim eval: score a labelled state on the test set (weights and theta frozen) and append
// one row per condition to /eval/results.
// Parse the options, run experiments::run_eval_job, report.
#include <fmt/core.h>

#include "command.hpp"
#include "common.hpp"
#include "experiments/eval_job.hpp"
#include "io/error.hpp"

namespace snnsim::cli {
namespace {

void add_options(po::options_description& d, experiments::EvalJob& j, std::string& levels, std::string& record) {
  add_data_option(d, j.data_dir);
  d.add_options()(
      "run", po::value<std::string>(&j.run), "run file (required)")(
      "state", po::value<std::string>(&j.state)->default_value("trained"), "network state to evaluate")(
      "test-images", po::value<std::size_t>(&j.test_images)->default_value(10000), "the first M test images")(
      "noise", po::value<std::string>(&j.noise)->default_value("none"), "none | gaussian | blur | saltpepper")(
      "levels", po::value<std::string>(&levels),
      "comma-separated levels (gaussian: variance on [0,1] pixels, default 0.001,0.003,0.01,0.03,0.1,0.3,1; blur: "
      "sigma in pixels, default 0.5..4; saltpepper: fraction, default 0.005,0.01,0.02,0.05,0.1,0.2,0.4)")(
      "noise-seed", po::value<std::uint64_t>(&j.noise_seed)->default_value(1),
      "seed of the noise stream (the same seed gives every state the same noisy images)")(
      "frozen-chain-images", po::value<std::uint32_t>(&j.frozen_chain_images)->default_value(0),
      kFrozenChainHelp);
  add_record_spikes_option(d, record,
                           "none | exc: write each condition's exc spikes (last try of every image, windows laid end to "
                           "end) as a SONATA file under spikes/ next to the run file");
}

/// --noise and --levels into the job's noise type and levels (UsageError naming the option).
void set_noise(experiments::EvalJob& j, const std::string& levels_text) {
  try {
    j.noise_type = experiments::noise_from_string(j.noise);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--noise: ") + e.what());
  }
  j.levels = experiments::default_levels(j.noise_type);
  if (!levels_text.empty()) {
    if (j.noise_type == experiments::NoiseType::none) throw UsageError("--levels needs --noise gaussian|blur|saltpepper");
    j.levels = parse_list(levels_text, "levels", 0.0, j.noise_type == experiments::NoiseType::saltpepper ? 1.0 : 1e6);
  }
}

nlohmann::json to_json(const experiments::EvalJob& job, const experiments::EvalJobResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  double total_wall = 0.0;
  for (const auto& row : r.rows) {
    rows.push_back({{"state", job.state},
                    {"noise_type", job.noise},
                    {"noise_level", row.noise_level},
                    {"accuracy", row.accuracy},
                    {"n_samples", row.n_samples},
                    {"n_correct", row.n_correct},
                    {"n_silent", row.n_silent},
                    {"wall_s", row.wall_s}});
    total_wall += row.wall_s;
  }
  const std::size_t images = job.test_images * job.levels.size();
  nlohmann::json j = {{"command", "eval"},
                      {"run", job.run},
                      {"state", job.state},
                      {"accuracy", r.rows.empty() ? 0.0 : r.rows[0].accuracy},
                      {"silent_images", r.rows.empty() ? std::size_t{0} : r.rows[0].n_silent},
                      {"images", images},
                      {"wall_s", total_wall},
                      {"images_per_s", static_cast<double>(images) / total_wall},
                      {"threads", job.threads},
                      {"frozen_chain_images", r.frozen_chain_images},
                      {"peak_rss_MiB", peak_rss_MiB()},
                      {"results", rows}};
  experiments::add_state_report(j, r.labels);
  return j;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::EvalJob job;
  std::string levels_text, record;
  po::options_description main("Options");
  add_options(main, job, levels_text, record);
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("eval", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(job.run, "--run RUN.h5", "eval");
  require_positive(vm, "test-images");
  job.threads = resolve_threads(common.threads);
  job.show_progress = !common.quiet;
  job.record_exc = record_spikes(record, false) == experiments::RecordSpikes::exc;
  set_noise(job, levels_text);

  const auto r = experiments::run_eval_job(job, [&](const experiments::EvalJobRow& row) {
    if (!common.json)
      fmt::print("{}{} on {} test images: accuracy {:.2f}% ({} correct, {} silent) in {:.1f} s ({:.0f} images/s)\n",
                 job.state, row.clean ? std::string() : fmt::format(" [{} {}]", job.noise, row.level), row.n_samples,
                 100.0 * row.accuracy, row.n_correct, row.n_silent, row.wall_s,
                 static_cast<double>(row.n_samples) / row.wall_s);
  });
  if (common.json)
    print_json(to_json(job, r));
  else
    fmt::print("{}: {}\n", job.state, experiments::labelled_text(r.labels));
  return kExitOk;
}

}  // namespace snnsim::cli
