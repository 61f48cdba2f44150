// snnsim: command dispatch and the one place errors become an exit code and one stderr line.
// The code comes from the exception's type (snnsim::Error); a plain std::invalid_argument from a
// library check is not taken for a usage error: the layer that knows where the value came from
// (an option, a data set, a run file or checkpoint) rethrows it as UsageError, DataError or
// RunFileError naming it, and anything that still escapes is an internal error (exit 1).
#include <fmt/core.h>

#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "common.hpp"
#include "experiments/sweep.hpp"
#include "io/error.hpp"
#include "snnsim_version.hpp"

namespace {

void usage() {
  fmt::print("usage: snnsim <command> [options]    (snnsim <command> --help for its options)\n\ncommands:\n");
  for (const auto& c : snnsim::cli::commands()) fmt::print("  {:<10} {}\n", c.name, c.summary);
  fmt::print(
      "\nexit codes: 0 ok, 1 simulation stopped by a guard, 2 bad options/config, 3 bad dataset,\n"
      "            4 bad run file, 5 output not writable/exists, 130/143 interrupted\n");
}

}  // namespace

int main(int argc, char** argv) {
  snnsim::experiments::MpiSession mpi(&argc, &argv);  // a no-op unless started by mpirun/srun
  snnsim::cli::set_command_line(argc, argv);
  if (argc < 2) {
    usage();
    return snnsim::kExitUsage;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage();
    return snnsim::kExitOk;
  }
  if (name == "--version") {
    fmt::print("snnsim {} ({}{})\n", snnsim::kVersion, snnsim::kGitCommit, snnsim::kGitDirty ? ", modified" : "");
    return snnsim::kExitOk;
  }
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : snnsim::cli::commands()) {
    if (c.name != name) continue;
    snnsim::experiments::set_error_formatter([&name](std::exception_ptr ep) -> std::pair<std::string, int> {
      const std::string head = "snnsim " + name + ": error: ";
      try {
        std::rethrow_exception(ep);
      } catch (const snnsim::Error& e) {
        return {head + e.what(), e.code()};
      } catch (const std::bad_alloc&) {
        return {head + "out of memory", snnsim::kExitRuntime};
      } catch (const std::exception& e) {
        return {head + e.what(), snnsim::kExitRuntime};
      }
    });
    try {
      // Only these spread over MPI ranks (docs/mpi.md); any other would run R times over one output.
      if (snnsim::experiments::mpi_parallel() && name != "experiment" && name != "tune-sleep" && name != "src" &&
          name != "tune-src")
        throw snnsim::UsageError(name + " runs in one process: start it without mpirun/srun (docs/mpi.md)");
      return c.run(args);
    } catch (...) {
      // Prints the one error line; under MPI it ends every rank with this exit code.
      return snnsim::experiments::error_exit(std::current_exception());
    }
  }
  fmt::print(stderr, "snnsim: error: unknown command '{}' (snnsim --help lists them)\n", name);
  return snnsim::kExitUsage;
}
