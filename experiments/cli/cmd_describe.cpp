// snnsim describe: the population graph of the network a run (or the defaults) would build.
#include <iostream>

#include "command.hpp"
#include "common.hpp"
#include "experiments/describe.hpp"
#include "io/error.hpp"
#include "experiments/run_access.hpp"

namespace snnsim::cli {

int cmd_describe(const std::vector<std::string>& args) {
  CommonOptions common;
  models::DiehlCookParams params;
  ModelOptions model(params);
  bool dot = false;
  std::string run, state;
  po::options_description main("Options");
  main.add_options()("dot", po::bool_switch(&dot), "GraphViz DOT instead of text")(
      "neurons", po::value<std::size_t>(&params.n_exc)->default_value(params.n_exc), "excitatory neurons N (1..65535)")(
      "run", po::value<std::string>(&run), "describe the network of this run file instead of the defaults")(
      "state", po::value<std::string>(&state)->default_value("trained"), "state of --run to describe");
  add_common_options(main, common);
  po::options_description all;
  all.add(main).add(model.description());
  po::variables_map vm;
  if (!parse("describe", "[--dot] [options]", args, all, vm, common)) return kExitOk;
  model.apply(vm);
  require_positive(vm, "neurons");
  models::NetworkState s;
  std::uint64_t seed = 1;
  if (!run.empty()) {
    auto loaded = experiments::load_run(run, state);
    params = loaded.params;
    s = std::move(loaded.state);
    seed = loaded.seed;
  } else {
    s = models::initial_state(params, seed);
  }
  models::DiehlCookNetwork net(params, s, seed);
  experiments::describe(net.engine(), dot, std::cout);
  return kExitOk;
}

}  // namespace snnsim::cli
