#pragma once
// The subcommand table: `snnsim <name> ...` dispatches here. Each command parses its own
// options (Boost.Program_options) and returns an exit code; errors are thrown as snnsim::Error
// and turned into one stderr line plus the documented code by main().
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace snnsim::cli {

using CommandFn = int (*)(const std::vector<std::string>& args);

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
};

std::span<const Command> commands();

// One declaration per command; each lives in its own cmd_<name>.cpp.
int cmd_train(const std::vector<std::string>& args);
int cmd_label(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_describe(const std::vector<std::string>& args);
int cmd_sleep(const std::vector<std::string>& args);
int cmd_tune_sleep(const std::vector<std::string>& args);
int cmd_experiment(const std::vector<std::string>& args);
int cmd_experiment_incremental(const std::vector<std::string>& args);  // `experiment incremental`
int cmd_wake(const std::vector<std::string>& args);
int cmd_prune(const std::vector<std::string>& args);
int cmd_noise_curve(const std::vector<std::string>& args);
#ifdef SNNSIM_HAVE_ANN
int cmd_src(const std::vector<std::string>& args);
int cmd_tune_src(const std::vector<std::string>& args);
#endif

}  // namespace snnsim::cli
