#pragma once
// `snnsim src` as a call: parse its arguments (the command line, or keyword arguments turned into
// one by the Python module), run every run of the plan and build the --json report. The CLI
// prints the report; the Python module (snnsim.src.run) returns it. One code path, one set of
// checks and messages.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ann/protocol.hpp"

namespace snnsim::cli {

struct SrcOutcome {
  bool ran = false;             // false: --help was printed, or this is an MPI rank other than 0
  bool json = false;            // --json was given
  nlohmann::json report;        // what --json prints: command, out, wall_s, config, summary, runs, ...
  std::vector<ann::RunResult> runs;  // without their weights (those are in the run file)
};

/// Parses `args` as `snnsim src` does (UsageError, DataError, OutputError as the CLI), runs the
/// plan and builds the report. With `out_optional`, no --out means no run file (the Python
/// module) rather than the CLI's "--out RUN.h5 is required".
SrcOutcome run_src_command(const std::vector<std::string>& args, bool out_optional = false);

/// Whether `snnsim src` has the option --`name` and whether it takes a value (false: a switch
/// such as --force); nullopt when there is no such option.
std::optional<bool> src_option_takes_value(const std::string& name);

}  // namespace snnsim::cli
