// snnsim prune: pruning without sleep, the sleep study's control for "sleep is pruning". Silences
// (or drops from the vote) the neurons that responded least to the training images or whose
// receptive fields are noisiest, relabels, and saves the result as a new state. With
// --fraction auto the fraction is chosen on validation images held out from the END of the
// training set (never the test set).
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "command.hpp"
#include "common.hpp"
#include "experiments/controls.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_prune(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string run, from, to, data_dir, criterion_text, method_text, fraction_text, fractions_text;
  std::size_t validation = 0, label_images = 0;
  bool force = false;
  po::options_description main("Options");
  add_data_option(main, data_dir);
  main.add_options()("run", po::value<std::string>(&run), "run file (required; updated in place)")(
      "from", po::value<std::string>(&from)->default_value("trained"), "labelled state to prune")(
      "to", po::value<std::string>(&to)->default_value("pruned"), "name of the new state")(
      "criterion", po::value<std::string>(&criterion_text)->default_value("train-response"),
      "train-response: prune the neurons with the lowest mean rate in the labelling pass over the training images "
      "(the --from state's class rates); rf-variance: prune the noisiest receptive fields (highest mean 3x3 "
      "neighbourhood variance of the 28x28 weight image)")(
      "method", po::value<std::string>(&method_text)->default_value("silence"),
      "silence: zero the pruned neurons' input weights (they never fire: no vote, no inhibition); unvote: they "
      "keep firing but carry no label")(
      "fraction", po::value<std::string>(&fraction_text)->default_value("auto"),
      "fraction of the exc neurons to prune, in [0,1], or auto: the best of --fractions on validation images")(
      "fractions", po::value<std::string>(&fractions_text)->default_value("0,0.05,0.1,0.2,0.3,0.4,0.5"),
      "candidates of --fraction auto (ties go to the smaller fraction)")(
      "validation-images", po::value<std::size_t>(&validation)->default_value(1000),
      "--fraction auto scores on the LAST V training images (must not overlap the trained/labelled ones)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0),
      "relabel from the first M training images (default: as at training)")(
      "force", po::bool_switch(&force), "replace an existing --to state");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("prune", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "prune");
  if (to.empty() || to.find('/') != std::string::npos || to[0] == '.') throw UsageError("--to must be a plain name");
  if (to == from) throw UsageError("--to must differ from --from (states are never overwritten in place)");
  experiments::PruneCriterion criterion;
  experiments::PruneMethod method;
  try {
    criterion = experiments::prune_criterion_from_string(criterion_text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--criterion: ") + e.what());
  }
  try {
    method = experiments::prune_method_from_string(method_text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--method: ") + e.what());
  }
  const bool automatic = fraction_text == "auto";
  std::vector<double> fractions;
  if (automatic) {
    require_positive(vm, "validation-images");
    fractions = parse_list(fractions_text, "fractions", 0.0, 1.0);
  } else {
    fractions = parse_list(fraction_text, "fraction", 0.0, 1.0);
    if (fractions.size() != 1) throw UsageError("--fraction takes one number in [0,1] or auto");
  }
  const int threads = resolve_threads(common.threads);
  auto loaded = experiments::load_run(run, from);
  if (criterion == experiments::PruneCriterion::train_response && loaded.state.class_rate_Hz.empty())
    throw RunFileError(run + ": network/" + from + " has no labels (criterion train-response needs its labelling pass)");
  {
    auto f = h5::File::open(run, h5::File::Mode::read_only);
    if (io::has_state(f.root(), to) && !force)
      throw OutputError(run + ": state network/" + to + " exists; pass --force or choose another --to");
  }
  if (label_images == 0) label_images = loaded.train_images ? loaded.train_images : 1000;
  const auto data = io::load_split(data_dir, io::Split::train);
  if (label_images > data.size()) throw UsageError("--label-images exceeds the training set");
  const std::size_t used = std::max<std::size_t>(loaded.train_images, label_images);
  if (automatic && validation + used > data.size())
    throw UsageError(fmt::format("--validation-images {} would overlap the {} images trained/labelled on (of {})",
                                 validation, used, data.size()));
  auto txn = io::RunFileTransaction::update(run);

  const auto t0 = std::chrono::steady_clock::now();
  const auto order = experiments::prune_order(loaded.params, loaded.state, criterion);
  experiments::PruneSearch search;
  double fraction = fractions[0];
  if (automatic) {
    const auto val = experiments::validation_tail(data, validation);
    experiments::Progress progress("prune: choose fraction", fractions.size(), !common.quiet);
    search = experiments::choose_prune_fraction(loaded.params, loaded.state, loaded.seed, order, fractions, method, data,
                                                label_images, val, threads,
                                                [&](std::size_t d, std::size_t) { progress.update(d); });
    progress.finish();
    fraction = search.candidates[search.best].fraction;
  }
  auto s = experiments::prune(loaded.params, loaded.state, loaded.seed, order, fraction, method, data, label_images,
                              threads);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::size_t k = experiments::prune_count(fraction, loaded.params.n_exc);
  std::vector<std::uint32_t> pruned(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
  std::sort(pruned.begin(), pruned.end());

  auto root = txn.root();
  io::write_state(root, to, s, {"prune", from});
  auto st = root.open_group("network/" + to);
  st.set_attr("control", "pruning");
  root.remove("prune/" + to);
  auto g = root.require_group("prune/" + to);
  g.set_attr("from_state", from);
  g.set_attr("criterion", experiments::to_string(criterion));
  g.set_attr("method", experiments::to_string(method));
  g.set_attr<double>("fraction", fraction);
  g.set_attr<std::uint64_t>("label_images", label_images);
  g.set_attr<std::uint64_t>("validation_images", automatic ? validation : 0);
  g.set_attr("fraction_choice", automatic ? "best validation accuracy of candidate_fraction" : "given");
  g.set_attr<double>("wall_s", wall);
  g.write<std::uint32_t>("pruned_neurons", pruned, {pruned.size()});
  if (automatic) {
    std::vector<double> cf, ca;
    for (const auto& c : search.candidates) {
      cf.push_back(c.fraction);
      ca.push_back(c.validation_accuracy);
    }
    g.write<double>("candidate_fraction", cf, {cf.size()});
    g.write<double>("candidate_validation_accuracy", ca, {ca.size()});
  }
  txn.commit();

  if (common.json) {
    nlohmann::json cands = nlohmann::json::array();
    for (const auto& c : search.candidates)
      cands.push_back({{"fraction", c.fraction}, {"pruned", c.pruned}, {"validation_accuracy", c.validation_accuracy}});
    print_json({{"command", "prune"},
                {"run", run},
                {"from", from},
                {"to", to},
                {"criterion", experiments::to_string(criterion)},
                {"method", experiments::to_string(method)},
                {"fraction", fraction},
                {"pruned", k},
                {"validation_images", automatic ? validation : 0},
                {"candidates", cands},
                {"wall_s", wall}});
  } else {
    if (automatic) {
      fmt::print("{:>9} {:>7} {:>9}   (validation: last {} training images)\n", "fraction", "pruned", "val_acc",
                 validation);
      for (const auto& c : search.candidates)
        fmt::print("{:>9} {:>7} {:>9.4f}\n", c.fraction, c.pruned, c.validation_accuracy);
    }
    fmt::print("pruned {} of {} neurons of {} ({}, {}, fraction {}); saved network/{}\n", k, loaded.params.n_exc, from,
               experiments::to_string(criterion), experiments::to_string(method), fraction, to);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
