// snnsim src: Sleep Replay Consolidation for ANNs on class-incremental MNIST (docs/src.md):
// run_src_command (src_command.hpp) parses, runs and builds the report; this prints it.
#include <fmt/format.h>

#include "ann/results.hpp"
#include "command.hpp"
#include "common.hpp"
#include "io/error.hpp"
#include "src_command.hpp"

namespace snnsim::cli {

int cmd_src(const std::vector<std::string>& args) {
  const auto r = run_src_command(args);
  if (!r.ran) return kExitOk;
  if (r.json) {
    print_json(r.report);
    return kExitOk;
  }
  for (const auto& run : r.runs) fmt::print("{:<24} accuracy {:.4f}\n", ann::run_name(run), run.final_acc.overall);
  return kExitOk;
}

}  // namespace snnsim::cli
