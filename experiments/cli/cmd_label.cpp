// snnsim label: (re)assign neuron labels of a saved state from a frozen pass over training
// images, e.g. after sleep changed how neurons respond.
#include <fmt/core.h>

#include "command.hpp"
#include "common.hpp"
#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_label(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string data_dir, run, state;
  std::size_t label_images = 0;
  std::uint32_t chain = 0;
  po::options_description main("Options");
  add_data_option(main, data_dir);
  main.add_options()(
      "run", po::value<std::string>(&run), "run file (required)")(
      "state", po::value<std::string>(&state)->default_value("trained"), "state to label (updated in place)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0),
      "first M training images (default: as many as the run was trained on)")(
      "frozen-chain-images", po::value<std::uint32_t>(&chain)->default_value(0), kFrozenChainHelp);
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("label", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "label");
  const int threads = resolve_threads(common.threads);
  auto loaded = experiments::load_run(run, state);
  if (chain) loaded.params.frozen_chain_images = chain;
  if (label_images == 0) label_images = experiments::images_trained_on_or_default(loaded.train_images);
  const auto data = io::load_split(data_dir, io::Split::train);
  if (label_images > data.size()) throw UsageError("--label-images exceeds the training set");
  auto txn = io::RunFileTransaction::update(run);
  const auto lab =
      experiments::relabel(loaded.params, loaded.state, loaded.seed, data, label_images, threads, !common.quiet, "label " + state);
  auto root = txn.root();
  auto g = root.open_group("network/" + state);
  const io::StateInfo info{g.get_attr_string("phase"), g.get_attr_string("parent_state")};
  io::write_state(root, state, loaded.state, info);
  auto written = root.open_group("network/" + state);  // write_state replaced the group
  written.set_attr<std::uint64_t>("label_images", label_images);
  written.set_attr<std::uint32_t>("frozen_chain_images", loaded.params.frozen_chain_images);
  txn.commit();
  const auto report = state_report(loaded.params, loaded.state, &lab);
  warn_fire_at_rest("label", state, report);
  if (common.json) {
    nlohmann::json j = {{"command", "label"},
                        {"run", run},
                        {"state", state},
                        {"images", label_images},
                        {"frozen_chain_images", loaded.params.frozen_chain_images}};
    add_state_report(j, report);
    print_json(j);
  } else {
    fmt::print("{}: {} from {} images\n", state, labelled_text(report), label_images);
  }
  return kExitOk;
}

}  // namespace snnsim::cli
