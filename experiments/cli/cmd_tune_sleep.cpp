// snnsim tune-sleep: grid search of the sleep knobs, scored on validation images held out from
// the END of the training set (never the test set, never an image the network trained on).
// Parse the options, run experiments::run_tune_sleep_job (candidates shared over MPI ranks), report.
#include <fmt/core.h>

#include <algorithm>

#include "command.hpp"
#include "common.hpp"
#include "experiments/tune_sleep_job.hpp"
#include "io/error.hpp"

namespace snnsim::cli {
namespace {

struct Lists {
  std::string leaks, excs, inhs, rates, durations;
};

void add_options(po::options_description& d, experiments::TuneSleepJob& j, Lists& l, std::size_t& top) {
  d.add_options()("run", po::value<std::string>(&j.run), "run file (required; results appended under /tune_sleep)")(
      "from", po::value<std::string>(&j.from)->default_value("trained"), "awake state to sleep")(
      "validation-images", po::value<std::size_t>(&j.validation_images)->default_value(1000),
      "score on the LAST V training images (must not overlap the trained ones)")(
      "label-images", po::value<std::size_t>(&j.label_images)->default_value(0), "default: the images trained on")(
      "leak-scales", po::value<std::string>(&l.leaks)->default_value("1,2,4"), "comma list")(
      "exc-scales", po::value<std::string>(&l.excs)->default_value("1,2,3"), "comma list")(
      "inh-scales", po::value<std::string>(&l.inhs)->default_value("0.5,1"), "comma list")(
      "input-rate-scales", po::value<std::string>(&l.rates)->default_value("0.5,1,2"), "comma list")(
      "durations-s", po::value<std::string>(&l.durations)->default_value("10,30"), "comma list")(
      "input", po::value<std::string>(&j.input)->default_value("mean-image"), "mean-image | window")(
      "top", po::value<std::size_t>(&top)->default_value(10), "rows of the ranking to print");
  add_data_option(d, j.data_dir);
}

nlohmann::json to_json(const experiments::TuneSleepJob& job, const experiments::TuneSleepResult& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : r.ranked)
    rows.push_back({{"leak_scale", c.o.leak_scale},
                    {"exc_scale", c.o.exc_scale},
                    {"inh_scale", c.o.inh_scale},
                    {"input_rate_scale", c.o.input_rate_scale},
                    {"duration_s", c.o.duration_s},
                    {"validation_accuracy", c.accuracy},
                    {"theta_rose_fraction", c.theta_rose_fraction},
                    {"exc_spikes", c.exc_spikes}});
  return {{"command", "tune-sleep"},
          {"run", job.run},
          {"awake_validation_accuracy", r.awake_accuracy},
          {"best", rows.empty() ? nlohmann::json() : rows[0]},
          {"candidates", rows},
          {"wall_s", r.wall_s}};
}

void print_text(const experiments::TuneSleepJob& job, const experiments::TuneSleepResult& r, std::size_t top) {
  fmt::print("awake validation accuracy {:.4f} ({} images); {} candidates in {:.0f} s\n", r.awake_accuracy,
             job.validation_images, r.candidates.size(), r.wall_s);
  fmt::print("{:>6} {:>6} {:>6} {:>6} {:>7} {:>9} {:>10} {:>9}\n", "leak", "exc", "inh", "rate", "dur_s", "val_acc",
             "theta_up%", "spikes");
  for (std::size_t k = 0; k < std::min(top, r.ranked.size()); ++k) {
    const auto& c = r.ranked[k];
    fmt::print("{:>6} {:>6} {:>6} {:>6} {:>7} {:>9.4f} {:>10.1f} {:>9}\n", c.o.leak_scale, c.o.exc_scale, c.o.inh_scale,
               c.o.input_rate_scale, c.o.duration_s, c.accuracy, 100 * c.theta_rose_fraction, c.exc_spikes);
  }
}

}  // namespace

int cmd_tune_sleep(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::TuneSleepJob job;
  Lists lists;
  std::size_t top = 0;
  po::options_description main("Options");
  add_options(main, job, lists, top);
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("tune-sleep", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(job.run, "--run RUN.h5", "tune-sleep");
  require_positive(vm, "validation-images");
  job.threads = resolve_threads(common.threads);
  job.show_progress = !common.quiet;
  job.leak_scales = parse_list(lists.leaks, "leak-scales", 1e-3, 1e3);
  job.exc_scales = parse_list(lists.excs, "exc-scales", 0, 1e3);
  job.inh_scales = parse_list(lists.inhs, "inh-scales", 0, 1e3);
  job.input_rate_scales = parse_list(lists.rates, "input-rate-scales", 0, 1e3);
  job.durations_s = parse_list(lists.durations, "durations-s", 1e-3, 1e4);

  const auto r = experiments::run_tune_sleep_job(job);
  if (!r.root) return kExitOk;  // only rank 0 reports
  if (common.json)
    print_json(to_json(job, r));
  else
    print_text(job, r, top);
  return kExitOk;
}

}  // namespace snnsim::cli
