// snnsim prune: pruning without sleep, the sleep study's control for "sleep is pruning". Silences
// (or drops from the vote) the neurons that responded least to the training images or whose
// receptive fields are noisiest, relabels, and saves the result as a new state. With
// --fraction auto the fraction is chosen on validation images held out from the END of the
// training set (never the test set).
#include <fmt/core.h>

#include "command.hpp"
#include "common.hpp"
#include "experiments/prune_job.hpp"
#include "io/error.hpp"

namespace snnsim::cli {

namespace {

// --criterion, --method and --fraction/--fractions into the job; UsageError naming the option.
void check(const po::variables_map& vm, const std::string& criterion, const std::string& method,
           const std::string& fraction, const std::string& fractions, experiments::PruneJob& job) {
  require_file(job.run, "--run RUN.h5", "prune");
  if (job.to.empty() || job.to.find('/') != std::string::npos || job.to[0] == '.')
    throw UsageError("--to must be a plain name");
  if (job.to == job.from) throw UsageError("--to must differ from --from (states are never overwritten in place)");
  try {
    job.criterion = experiments::prune_criterion_from_string(criterion);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--criterion: ") + e.what());
  }
  try {
    job.method = experiments::prune_method_from_string(method);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--method: ") + e.what());
  }
  job.automatic = fraction == "auto";
  if (job.automatic) {
    require_positive(vm, "validation-images");
    job.fractions = parse_list(fractions, "fractions", 0.0, 1.0);
  } else {
    job.fractions = parse_list(fraction, "fraction", 0.0, 1.0);
    if (job.fractions.size() != 1) throw UsageError("--fraction takes one number in [0,1] or auto");
  }
}

void report(const CommonOptions& common, const experiments::PruneJob& job, const experiments::PruneJobResult& r) {
  const auto criterion = experiments::to_string(job.criterion), method = experiments::to_string(job.method);
  if (common.json) {
    nlohmann::json cands = nlohmann::json::array();
    for (const auto& c : r.search.candidates)
      cands.push_back({{"fraction", c.fraction}, {"pruned", c.pruned}, {"validation_accuracy", c.validation_accuracy}});
    print_json({{"command", "prune"}, {"run", job.run}, {"from", job.from}, {"to", job.to}, {"criterion", criterion},
                {"method", method}, {"fraction", r.fraction}, {"pruned", r.pruned},
                {"validation_images", job.automatic ? job.validation : 0}, {"candidates", cands}, {"wall_s", r.wall_s}});
    return;
  }
  if (job.automatic) {
    fmt::print("{:>9} {:>7} {:>9}   (validation: last {} training images)\n", "fraction", "pruned", "val_acc",
               job.validation);
    for (const auto& c : r.search.candidates) fmt::print("{:>9} {:>7} {:>9.4f}\n", c.fraction, c.pruned, c.validation_accuracy);
  }
  fmt::print("pruned {} of {} neurons of {} ({}, {}, fraction {}); saved network/{}\n", r.pruned, r.neurons, job.from,
             criterion, method, r.fraction, job.to);
}

}  // namespace

int cmd_prune(const std::vector<std::string>& args) {
  CommonOptions common;
  experiments::PruneJob job;
  std::string criterion_text, method_text, fraction_text, fractions_text;
  po::options_description main("Options");
  add_data_option(main, job.data_dir);
  main.add_options()("run", po::value<std::string>(&job.run), "run file (required; updated in place)")(
      "from", po::value<std::string>(&job.from)->default_value("trained"), "labelled state to prune")(
      "to", po::value<std::string>(&job.to)->default_value("pruned"), "name of the new state")(
      "criterion", po::value<std::string>(&criterion_text)->default_value("train-response"),
      "train-response: prune the neurons with the lowest mean rate in the labelling pass over the training images "
      "(the --from state's class rates); rf-variance: prune the noisiest receptive fields (highest mean 3x3 "
      "neighbourhood variance of the 28x28 weight image); high-response: prune the neurons with the highest mean "
      "rate in that labelling pass (those that answer every class)")(
      "method", po::value<std::string>(&method_text)->default_value("silence"),
      "silence: zero the pruned neurons' input weights (they never fire: no vote, no inhibition); unvote: they "
      "keep firing but carry no label")(
      "fraction", po::value<std::string>(&fraction_text)->default_value("auto"),
      "fraction of the exc neurons to prune, in [0,1], or auto: the best of --fractions on validation images")(
      "fractions", po::value<std::string>(&fractions_text)->default_value("0,0.05,0.1,0.2,0.3,0.4,0.5"),
      "candidates of --fraction auto (ties go to the smaller fraction)")(
      "validation-images", po::value<std::size_t>(&job.validation)->default_value(1000),
      "--fraction auto scores on the LAST V training images (must not overlap the trained/labelled ones)")(
      "label-images", po::value<std::size_t>(&job.label_images)->default_value(0),
      "relabel from the first M training images (default: as at training)")(
      "force", po::bool_switch(&job.force), "replace an existing --to state");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("prune", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  check(vm, criterion_text, method_text, fraction_text, fractions_text, job);
  job.threads = resolve_threads(common.threads);
  job.show_progress = !common.quiet;
  report(common, job, experiments::run_prune_job(job));
  return kExitOk;
}

}  // namespace snnsim::cli
