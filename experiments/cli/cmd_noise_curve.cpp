// snnsim noise-curve: accuracy of a labelled state under one corruption at many levels, on
// validation images held out from the END of the training set (never the test set). This is how
// the study's noise grids are chosen (docs/sleep-study.md); the run file is not changed.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "command.hpp"
#include "common.hpp"
#include "experiments/controls.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_noise_curve(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string run, state, data_dir, noise, levels_text;
  std::size_t validation = 0;
  std::uint64_t noise_seed = 1;
  po::options_description main("Options");
  add_data_option(main, data_dir);
  main.add_options()("run", po::value<std::string>(&run), "run file (required; read only)")(
      "state", po::value<std::string>(&state)->default_value("trained"), "labelled state to score")(
      "noise", po::value<std::string>(&noise)->default_value("gaussian"), "gaussian | saltpepper | blur")(
      "levels", po::value<std::string>(&levels_text),
      "comma-separated levels, 0 = clean (gaussian: variance on [0,1] pixels; saltpepper: fraction of pixels; "
      "blur: sigma in pixels); default: the study's grid for that noise")(
      "validation-images", po::value<std::size_t>(&validation)->default_value(1000),
      "score on the LAST V training images (must not overlap the images trained or labelled on)")(
      "noise-seed", po::value<std::uint64_t>(&noise_seed)->default_value(1), "seed of the noise stream");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("noise-curve", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "noise-curve");
  require_positive(vm, "validation-images");
  experiments::NoiseType type;
  try {
    type = experiments::noise_from_string(noise);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--noise: ") + e.what());
  }
  if (type == experiments::NoiseType::none) throw UsageError("--noise must be gaussian, saltpepper or blur");
  std::vector<double> levels = experiments::default_levels(type);
  if (!levels_text.empty())
    levels = parse_list(levels_text, "levels", 0.0, type == experiments::NoiseType::saltpepper ? 1.0 : 1e6);
  const int threads = resolve_threads(common.threads);

  auto loaded = experiments::load_run(run, state);
  if (loaded.state.labels.empty())
    throw RunFileError(run + ": network/" + state + " has no labels (run snnsim label first)");
  const auto all = io::load_split(data_dir, io::Split::train);
  const std::size_t used = std::max<std::size_t>(loaded.train_images, 1000);
  if (validation + used > all.size())
    throw UsageError(fmt::format("--validation-images {} would overlap the {} images trained/labelled on (of {})",
                                 validation, used, all.size()));
  const auto val = experiments::validation_tail(all, validation);
  experiments::Progress progress("noise-curve " + noise, levels.size(), !common.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  const auto points = experiments::noise_curve(loaded.params, loaded.state, loaded.seed, val, validation, type, levels,
                                               noise_seed, threads, [&](std::size_t d, std::size_t) { progress.update(d); });
  progress.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (common.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& q : points)
      rows.push_back({{"level", q.level}, {"accuracy", q.accuracy}, {"n_samples", q.n_samples}, {"n_silent", q.n_silent}});
    print_json({{"command", "noise-curve"},
                {"run", run},
                {"state", state},
                {"noise", noise},
                {"noise_seed", noise_seed},
                {"validation_images", validation},
                {"validation_split", "last validation_images of the training set"},
                {"points", rows},
                {"wall_s", wall}});
  } else {
    fmt::print("{} on the last {} training images (validation), noise {}:\n", state, validation, noise);
    fmt::print("{:>10} {:>9} {:>7}\n", "level", "accuracy", "silent");
    for (const auto& q : points) fmt::print("{:>10} {:>9.4f} {:>7}\n", q.level, q.accuracy, q.n_silent);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
