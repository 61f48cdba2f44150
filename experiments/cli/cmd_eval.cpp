// snnsim eval: score a labelled state on the test set (weights and theta frozen) and append
// one row per condition to /eval/results.
#include <fmt/core.h>

#include <chrono>

#include "command.hpp"
#include "common.hpp"
#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "run_access.hpp"

namespace snnsim::cli {

int cmd_eval(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string data_dir, run, state;
  std::size_t test_images = 0;
  po::options_description main("Options");
  main.add_options()("data", po::value<std::string>(&data_dir)->default_value("data/mnist"), "MNIST IDX directory")(
      "run", po::value<std::string>(&run), "run file (required)")(
      "state", po::value<std::string>(&state)->default_value("trained"), "network state to evaluate")(
      "test-images", po::value<std::size_t>(&test_images)->default_value(10000), "the first M test images");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("eval", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  if (run.empty()) throw UsageError("--run RUN.h5 is required (see snnsim eval --help)");
  require_positive(vm, "test-images");
  const int threads = resolve_threads(common.threads);
  const bool show = !common.quiet;

  auto loaded = load_run(run, state);
  if (loaded.state.labels.empty())
    throw RunFileError(run + ": network/" + state + " has no labels (run snnsim label first)");
  auto data = io::load_split(data_dir, io::Split::test);
  if (test_images > data.size())
    throw UsageError("--test-images " + std::to_string(test_images) + " exceeds the " + std::to_string(data.size()) +
                     " test images in " + data_dir);
  auto txn = io::RunFileTransaction::update(run);

  experiments::Progress progress("eval " + state, test_images, show);
  const auto t0 = std::chrono::steady_clock::now();
  const auto e = experiments::evaluate(loaded.params, loaded.state, loaded.seed, data, test_images, threads,
                                       [&](std::size_t d, std::size_t) { progress.update(d); });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish(fmt::format("accuracy {:.4f}", e.accuracy()));

  io::EvalRow row;
  row.state = state;
  row.n_samples = static_cast<std::uint32_t>(e.n_samples);
  row.n_correct = static_cast<std::uint32_t>(e.n_correct);
  row.n_silent = static_cast<std::uint32_t>(e.n_silent);
  row.accuracy = e.accuracy();
  row.wall_s = wall;
  io::append_eval(txn.root(), row, e.confusion, e.predictions);
  txn.commit();

  if (common.json) {
    nlohmann::json rows = nlohmann::json::array();
    rows.push_back({{"state", state},
                    {"noise_type", "none"},
                    {"noise_level", 0.0},
                    {"accuracy", e.accuracy()},
                    {"n_samples", e.n_samples},
                    {"n_correct", e.n_correct},
                    {"n_silent", e.n_silent}});
    print_json({{"command", "eval"},
                {"run", run},
                {"state", state},
                {"accuracy", e.accuracy()},
                {"images", e.n_samples},
                {"silent_images", e.n_silent},
                {"wall_s", wall},
                {"images_per_s", static_cast<double>(e.n_samples) / wall},
                {"threads", threads},
                {"results", rows}});
  } else {
    fmt::print("{} on {} test images: accuracy {:.2f}% ({} correct, {} silent) in {:.1f} s ({:.0f} images/s)\n", state,
               e.n_samples, 100.0 * e.accuracy(), e.n_correct, e.n_silent, wall,
               static_cast<double>(e.n_samples) / wall);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
