// snnsim wake: extra wake from a saved state - the same K training images once more (learning on,
// in order), relabelled like a slept state. The sleep study's "same data" control: does sleep beat
// simply training another epoch?
#include <fmt/core.h>

#include <chrono>

#include "command.hpp"
#include "common.hpp"
#include "experiments/controls.hpp"
#include "experiments/progress.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_wake(const std::vector<std::string>& args) {
  CommonOptions common;
  std::string run, from, to, data_dir;
  std::size_t train_images = 0, epochs = 1, label_images = 0;
  bool force = false;
  po::options_description main("Options");
  add_data_option(main, data_dir);
  main.add_options()("run", po::value<std::string>(&run), "run file (required; updated in place)")(
      "from", po::value<std::string>(&from)->default_value("trained"), "state to continue from")(
      "to", po::value<std::string>(&to)->default_value("extra_wake"), "name of the new state")(
      "train-images", po::value<std::size_t>(&train_images)->default_value(0),
      "the first K training images (default: as many as the run was trained on)")(
      "epochs", po::value<std::size_t>(&epochs)->default_value(1), "passes over the K images (in order)")(
      "label-images", po::value<std::size_t>(&label_images)->default_value(0),
      "relabel from the first M training images (default: as at training)")(
      "force", po::bool_switch(&force), "replace an existing --to state");
  add_common_options(main, common);
  po::variables_map vm;
  if (!parse("wake", "--run RUN.h5 [options]", args, main, vm, common)) return kExitOk;
  require_file(run, "--run RUN.h5", "wake");
  require_positive(vm, "epochs");
  if (to.empty() || to.find('/') != std::string::npos || to[0] == '.') throw UsageError("--to must be a plain name");
  if (to == from) throw UsageError("--to must differ from --from (states are never overwritten in place)");
  const int threads = resolve_threads(common.threads);
  auto loaded = experiments::load_run(run, from);
  {
    auto f = h5::File::open(run, h5::File::Mode::read_only);
    if (io::has_state(f.root(), to) && !force)
      throw OutputError(run + ": state network/" + to + " exists; pass --force or choose another --to");
  }
  if (train_images == 0) train_images = loaded.train_images ? loaded.train_images : 1000;
  if (label_images == 0) label_images = loaded.train_images ? loaded.train_images : 1000;
  const auto data = io::load_split(data_dir, io::Split::train);
  if (train_images > data.size() || label_images > data.size())
    throw UsageError("--train-images/--label-images exceed the " + std::to_string(data.size()) + " training images");
  auto txn = io::RunFileTransaction::update(run);

  experiments::Progress progress("wake " + to, train_images * epochs, !common.quiet);
  const auto t0 = std::chrono::steady_clock::now();
  // A tripped training guard throws std::runtime_error: exit 1 (the simulation stopped), nothing written.
  auto s = experiments::extra_wake(loaded.params, loaded.state, loaded.seed, data, train_images, epochs, threads,
                                   [&](std::size_t d, std::size_t) { progress.update(d); });
  const double wake_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish();
  experiments::relabel(loaded.params, s, loaded.seed, data, label_images, threads, !common.quiet, "label " + to);

  auto root = txn.root();
  io::write_state(root, to, s, {"train", from});
  auto g = root.open_group("network/" + to);
  g.set_attr("control", "extra_wake");
  g.set_attr<std::uint64_t>("extra_train_images", train_images);
  g.set_attr<std::uint64_t>("extra_epochs", epochs);
  g.set_attr<std::uint64_t>("label_images", label_images);
  g.set_attr<double>("wall_s", wake_s);
  txn.commit();
  std::size_t labelled = 0;
  for (auto l : s.labels) labelled += l >= 0;
  if (common.json)
    print_json({{"command", "wake"},
                {"run", run},
                {"from", from},
                {"to", to},
                {"train_images", train_images},
                {"epochs", epochs},
                {"neurons_labelled", labelled},
                {"wall_s", wake_s}});
  else
    fmt::print("{} more epoch(s) over {} images from {} in {:.1f} s; {} of {} neurons labelled; saved network/{}\n", epochs,
               train_images, from, wake_s, labelled, loaded.params.n_exc, to);
  return kExitOk;
}

}  // namespace snnsim::cli
