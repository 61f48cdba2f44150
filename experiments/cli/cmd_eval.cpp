// snnsim eval: score a labelled state on the test set (weights and theta frozen) and append
// one row per condition to /eval/results.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <cmath>

#include "command.hpp"
#include "common.hpp"
#include "experiments/frozen.hpp"
#include "experiments/noise.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "io/sonata.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_eval(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string data_dir, run, state, noise, levels_text, record;
  std::size_t test_images = 0;
  std::uint64_t noise_seed = 1;
  po::options_description main("Options");
  add_data_option(main, data_dir);
  main.add_options()(
      "run", po::value<std::string>(&run), "run file (required)")(
      "state", po::value<std::string>(&state)->default_value("trained"), "network state to evaluate")(
      "test-images", po::value<std::size_t>(&test_images)->default_value(10000), "the first M test images")(
      "noise", po::value<std::string>(&noise)->default_value("none"), "none | gaussian | blur | saltpepper")(
      "levels", po::value<std::string>(&levels_text),
      "comma-separated levels (gaussian: variance on [0,1] pixels, default 0.001,0.003,0.01,0.03,0.1,0.3,1; blur: "
      "sigma in pixels, default 0.5..4; saltpepper: fraction, default 0.005,0.01,0.02,0.05,0.1,0.2,0.4)")(
      "noise-seed", po::value<std::uint64_t>(&noise_seed)->default_value(1),
      "seed of the noise stream (the same seed gives every state the same noisy images)");
  add_record_spikes_option(main, record,
                           "none | exc: write each condition's exc spikes (last try of every image, windows laid end to "
                           "end) as a SONATA file under spikes/ next to the run file");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("eval", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "eval");
  require_positive(vm, "test-images");
  const int threads = resolve_threads(common.threads);
  const bool show = !common.quiet;
  const bool record_exc = record_spikes(record, false) == experiments::RecordSpikes::exc;
  experiments::NoiseType noise_type;
  try {
    noise_type = experiments::noise_from_string(noise);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--noise: ") + e.what());
  }
  std::vector<double> levels = experiments::default_levels(noise_type);
  if (!levels_text.empty()) {
    if (noise_type == experiments::NoiseType::none) throw UsageError("--levels needs --noise gaussian|blur|saltpepper");
    levels = parse_list(levels_text, "levels", 0.0,
                        noise_type == experiments::NoiseType::saltpepper ? 1.0 : 1e6);
  }

  auto loaded = experiments::load_run(run, state);
  if (loaded.state.labels.empty())
    throw RunFileError(run + ": network/" + state + " has no labels (run snnsim label first)");
  const auto labels = experiments::state_report(loaded.params, loaded.state);
  experiments::warn_fire_at_rest("eval", state, labels);
  auto data = io::load_split(data_dir, io::Split::test);
  if (test_images > data.size())
    throw UsageError("--test-images " + std::to_string(test_images) + " exceeds the " + std::to_string(data.size()) +
                     " test images in " + data_dir);
  auto txn = io::RunFileTransaction::update(run);

  nlohmann::json rows = nlohmann::json::array();
  double first_accuracy = 0.0, total_wall = 0.0;
  std::size_t silent_first = 0;
  for (std::size_t li = 0; li < levels.size(); ++li) {
    const double level = levels[li];
    const bool clean = noise_type == experiments::NoiseType::none;
    io::LabelledImages noisy;
    const io::LabelledImages* input = &data;
    if (!clean) {
      noisy.images = experiments::corrupt(data.images, test_images, noise_type, level, noise_seed);
      noisy.labels.assign(data.labels.begin(), data.labels.begin() + static_cast<std::ptrdiff_t>(test_images));
      input = &noisy;
    }
    const std::string what = clean ? "eval " + state : fmt::format("eval {} {} {}", state, noise, level);
    experiments::Progress progress(what, test_images, show);
    const auto t0 = std::chrono::steady_clock::now();
    const auto e = experiments::evaluate(loaded.params, loaded.state, loaded.seed, *input, test_images, threads,
                                         [&](std::size_t d, std::size_t) { progress.update(d); }, record_exc);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.finish(fmt::format("accuracy {:.4f}", e.accuracy()));
    io::EvalRow row;
    row.state = state;
    row.noise_type = noise;
    row.noise_level = clean ? 0.0 : level;
    row.noise_seed = clean ? 0 : noise_seed;
    row.n_samples = static_cast<std::uint32_t>(e.n_samples);
    row.n_correct = static_cast<std::uint32_t>(e.n_correct);
    row.n_silent = static_cast<std::uint32_t>(e.n_silent);
    row.accuracy = e.accuracy();
    row.wall_s = wall;
    if (record_exc) {
      row.spikes_file = clean ? fmt::format("spikes/eval_{}.h5", state) : fmt::format("spikes/eval_{}_{}_{}.h5", state, noise, level);
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
        stim.label.push_back(input->labels[k]);
        stim.t_start_ms.push_back(start_ms);
        stim.t_stop_ms.push_back(start_ms + window_ms);
      }
      experiments::write_spike_file(run, row.spikes_file, {ps}, &stim);
    }
    io::append_eval(txn.root(), row, e.confusion, e.predictions);
    rows.push_back({{"state", state},
                    {"noise_type", noise},
                    {"noise_level", row.noise_level},
                    {"accuracy", e.accuracy()},
                    {"n_samples", e.n_samples},
                    {"n_correct", e.n_correct},
                    {"n_silent", e.n_silent},
                    {"wall_s", wall}});
    if (li == 0) {
      first_accuracy = e.accuracy();
      silent_first = e.n_silent;
    }
    total_wall += wall;
    if (!common.json)
      fmt::print("{}{} on {} test images: accuracy {:.2f}% ({} correct, {} silent) in {:.1f} s ({:.0f} images/s)\n",
                 state, clean ? std::string() : fmt::format(" [{} {}]", noise, level), e.n_samples,
                 100.0 * e.accuracy(), e.n_correct, e.n_silent, wall, static_cast<double>(e.n_samples) / wall);
  }
  txn.commit();

  if (common.json) {
    const std::size_t images = test_images * levels.size();
    nlohmann::json j = {{"command", "eval"},
                {"run", run},
                {"state", state},
                {"accuracy", first_accuracy},
                {"silent_images", silent_first},
                {"images", images},
                {"wall_s", total_wall},
                {"images_per_s", static_cast<double>(images) / total_wall},
                {"threads", threads},
                {"peak_rss_MiB", peak_rss_MiB()},
                {"results", rows}};
    experiments::add_state_report(j, labels);
    print_json(j);
  } else {
    fmt::print("{}: {}\n", state, experiments::labelled_text(labels));
  }
  return kExitOk;
}

}  // namespace snnsim::cli
