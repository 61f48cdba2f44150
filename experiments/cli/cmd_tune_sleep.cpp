// snnsim tune-sleep: grid search of the sleep knobs, scored on validation images held out from
// the END of the training set (never the test set, never an image the network trained on).
#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "command.hpp"
#include "common.hpp"
#include "experiments/controls.hpp"
#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "experiments/sleep.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {
namespace {

struct Candidate {
  experiments::SleepOptions o;
  double accuracy = 0.0;
  double theta_rose_fraction = 0.0;
  std::uint64_t exc_spikes = 0;
};

}  // namespace

int cmd_tune_sleep(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string run, from, data_dir, leaks, excs, inhs, rates, durations, input;
  std::size_t validation = 0, label_images = 0, top = 0;
  po::options_description main("Options");
  main.add_options()("run", po::value<std::string>(&run), "run file (required; results appended under /tune_sleep)")(
      "from", po::value<std::string>(&from)->default_value("trained"), "awake state to sleep")(
      "validation-images", po::value<std::size_t>(&validation)->default_value(1000),
      "score on the LAST V training images (must not overlap the trained ones)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0), "default: the images trained on")(
      "leak-scales", po::value<std::string>(&leaks)->default_value("1,2,4"), "comma list")(
      "exc-scales", po::value<std::string>(&excs)->default_value("1,2,3"), "comma list")(
      "inh-scales", po::value<std::string>(&inhs)->default_value("0.5,1"), "comma list")(
      "input-rate-scales", po::value<std::string>(&rates)->default_value("0.5,1,2"), "comma list")(
      "durations-s", po::value<std::string>(&durations)->default_value("10,30"), "comma list")(
      "input", po::value<std::string>(&input)->default_value("mean-image"), "mean-image | window")(
      "top", po::value<std::size_t>(&top)->default_value(10), "rows of the ranking to print");
  add_data_option(main, data_dir);
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("tune-sleep", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "tune-sleep");
  require_positive(vm, "validation-images");
  const int threads = resolve_threads(common.threads);
  const auto L = parse_list(leaks, "leak-scales", 1e-3, 1e3), E = parse_list(excs, "exc-scales", 0, 1e3),
             I = parse_list(inhs, "inh-scales", 0, 1e3), R = parse_list(rates, "input-rate-scales", 0, 1e3),
             D = parse_list(durations, "durations-s", 1e-3, 1e4);
  if (input != "mean-image" && input != "window") throw UsageError("--input must be mean-image or window");
  auto loaded = experiments::load_run(run, from);
  const std::size_t trained_on = loaded.train_images;
  if (label_images == 0) label_images = experiments::images_trained_on_or_default(trained_on);
  const auto all = io::load_split(data_dir, io::Split::train);
  if (validation + std::max(trained_on, label_images) > all.size())
    throw UsageError(fmt::format("--validation-images {} would overlap the {} images trained/labelled on (of {})",
                                 validation, std::max(trained_on, label_images), all.size()));
  const auto val = experiments::validation_tail(all, validation);
  const auto mean = experiments::mean_image(all.images, trained_on ? trained_on : label_images);

  auto score = [&](models::NetworkState s) {
    auto lab = experiments::assign_labels(loaded.params, s, loaded.seed, all, label_images, threads);
    s.labels = lab.labels;
    return experiments::evaluate(loaded.params, s, loaded.seed, val, validation, threads).accuracy();
  };
  const double baseline = experiments::mpi_root() ? score(loaded.state) : 0.0;  // only rank 0 reports
  if (!common.quiet && experiments::mpi_root()) fmt::print(stderr, "awake baseline on {} validation images: {:.4f}\n", validation, baseline);

  std::vector<Candidate> cands;
  for (double l : L)
    for (double e : E)
      for (double i : I)
        for (double r : R)
          for (double d : D) {
            Candidate c;
            c.o.leak_scale = l;
            c.o.exc_scale = e;
            c.o.inh_scale = i;
            c.o.input_rate_scale = r;
            c.o.duration_s = d;
            c.o.input = input == "window" ? experiments::SleepInput::window : experiments::SleepInput::mean_image;
            c.o.seed = loaded.seed;
            cands.push_back(c);
          }
  experiments::Progress progress("tune-sleep", cands.size(), !common.quiet && experiments::mpi_root());
  const auto t0 = std::chrono::steady_clock::now();
  // Candidates are independent: under MPI the ranks share them (sweep.hpp), longest sleeps first.
  std::vector<std::size_t> todo(cands.size());
  for (std::size_t k = 0; k < todo.size(); ++k) todo[k] = k;
  std::size_t n_done = 0;
  double best = -1.0;
  experiments::sweep(
      todo, [&](std::size_t k) { return cands[k].o.duration_s; },
      [&](std::size_t k) {
        auto rep = experiments::sleep(loaded.params, loaded.state, mean, cands[k].o, false, false);
        std::size_t rose = 0;
        for (double dth : rep.theta_change_mV) rose += dth > 0;
        experiments::ByteWriter w;
        w.put<std::uint64_t>(rep.exc_spikes);
        w.put<double>(static_cast<double>(rose) / static_cast<double>(loaded.params.n_exc));
        w.put<double>(score(rep.state));
        return w.take();
      },
      [&](std::size_t k, const std::string& bytes) {
        experiments::ByteReader r(bytes);
        auto& c = cands[k];
        c.exc_spikes = r.get<std::uint64_t>();
        c.theta_rose_fraction = r.get<double>();
        c.accuracy = r.get<double>();
        best = std::max(best, c.accuracy);
        progress.update(++n_done, fmt::format("best {:.4f}", best));
      });
  if (!experiments::mpi_root()) return kExitOk;
  progress.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto ranked = cands;
  std::stable_sort(ranked.begin(), ranked.end(), [](auto& a, auto& b) { return a.accuracy > b.accuracy; });

  auto txn = io::RunFileTransaction::update(run);
  auto g = txn.root().require_group("tune_sleep");
  for (const auto& c : cands) {
    const double row[] = {c.o.leak_scale, c.o.exc_scale, c.o.inh_scale, c.o.input_rate_scale, c.o.duration_s,
                          c.accuracy, c.theta_rose_fraction, static_cast<double>(c.exc_spikes)};
    const char* names[] = {"leak_scale", "exc_scale", "inh_scale", "input_rate_scale", "duration_s",
                           "validation_accuracy", "theta_rose_fraction", "exc_spikes"};
    for (int q = 0; q < 8; ++q) g.append<double>(names[q], std::span<const double>(&row[q], 1), {}, 64);
    g.append_strings("input", {input});
    g.append_strings("from_state", {from});
  }
  g.set_attr<double>("awake_validation_accuracy", baseline);
  g.set_attr<std::uint64_t>("validation_images", validation);
  g.set_attr("validation_split", "last validation_images of the training set");
  txn.commit();

  if (common.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& c : ranked)
      rows.push_back({{"leak_scale", c.o.leak_scale},
                      {"exc_scale", c.o.exc_scale},
                      {"inh_scale", c.o.inh_scale},
                      {"input_rate_scale", c.o.input_rate_scale},
                      {"duration_s", c.o.duration_s},
                      {"validation_accuracy", c.accuracy},
                      {"theta_rose_fraction", c.theta_rose_fraction},
                      {"exc_spikes", c.exc_spikes}});
    print_json({{"command", "tune-sleep"},
                {"run", run},
                {"awake_validation_accuracy", baseline},
                {"best", rows.empty() ? nlohmann::json() : rows[0]},
                {"candidates", rows},
                {"wall_s", wall}});
  } else {
    fmt::print("awake validation accuracy {:.4f} ({} images); {} candidates in {:.0f} s\n", baseline, validation,
               cands.size(), wall);
    fmt::print("{:>6} {:>6} {:>6} {:>6} {:>7} {:>9} {:>10} {:>9}\n", "leak", "exc", "inh", "rate", "dur_s", "val_acc",
               "theta_up%", "spikes");
    for (std::size_t k = 0; k < std::min(top, ranked.size()); ++k) {
      const auto& c = ranked[k];
      fmt::print("{:>6} {:>6} {:>6} {:>6} {:>7} {:>9.4f} {:>10.1f} {:>9}\n", c.o.leak_scale, c.o.exc_scale, c.o.inh_scale,
                 c.o.input_rate_scale, c.o.duration_s, c.accuracy, 100 * c.theta_rose_fraction, c.exc_spikes);
    }
  }
  return kExitOk;
}

}  // namespace snnsim::cli
