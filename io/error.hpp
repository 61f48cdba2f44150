#pragma once
// Errors that carry the documented process exit code, so the CLI can map any failure to
// one line on stderr and the right status without string matching.
#include <stdexcept>
#include <string>

namespace snnsim {

/// Exit codes of every snnsim command (documented in README.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitRuntime = 1,      // the simulation stopped: guard tripped, runaway activity, NaN
  kExitUsage = 2,        // bad options or config file
  kExitInputData = 3,    // dataset (IDX) missing or malformed
  kExitRunFile = 4,      // run file missing, not snnsim's, wrong version/shape/values
  kExitOutput = 5,       // output exists (no --force) or cannot be written
  kExitInterrupted = 130,
  kExitTerminated = 143,
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

struct UsageError : Error {
  explicit UsageError(const std::string& w) : Error(kExitUsage, w) {}
};
struct DataError : Error {
  explicit DataError(const std::string& w) : Error(kExitInputData, w) {}
};
struct RunFileError : Error {
  explicit RunFileError(const std::string& w) : Error(kExitRunFile, w) {}
};
struct OutputError : Error {
  explicit OutputError(const std::string& w) : Error(kExitOutput, w) {}
};

}  // namespace snnsim
