#pragma once
// What every subcommand shares: option parsing (command line + --config INI file with the same
// keys), the model-parameter options generated from the parameter table, JSON output,
// progress, seeds and thread counts.
#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "experiments/sleep.hpp"
#include "experiments/spike_file.hpp"
#include "models/diehl_cook.hpp"

namespace snnsim::cli {

namespace po = boost::program_options;

/// Options every long-running command has.
struct CommonOptions {
  std::string config_file;
  bool json = false;
  bool quiet = false;
  int threads = 0;  // 0 = all cores
  bool help = false;
};

/// --help, --config, --threads, --json, --quiet; `threads_help` replaces the spiking commands'
/// description of --threads.
void add_common_options(po::options_description& d, CommonOptions& c, const char* threads_help = nullptr);
/// --data DIR (default data/mnist).
void add_data_option(po::options_description& d, std::string& dir, const char* help = "MNIST IDX directory");
/// The sleep knobs `snnsim sleep` and `snnsim experiment sleep` share: --duration-s,
/// --leak-scale, --exc-scale, --inh-scale, --input-rate-scale.
void add_sleep_options(po::options_description& d, experiments::SleepOptions& o);
/// Help of label's and eval's --frozen-chain-images (overrides the run's frozen_chain_images).
inline constexpr const char* kFrozenChainHelp =
    "images presented in a row, with the rest between them and nothing reset, as in the authors' test mode; "
    "each chain starts at rest, so results do not depend on --threads; 1 = every image from rest; "
    "0 = the run's frozen_chain_images (/config; 1 unless set at training)";
/// --record-spikes TEXT (default none) and its one check (UsageError naming the choices).
void add_record_spikes_option(po::options_description& d, std::string& text, const char* help);
experiments::RecordSpikes record_spikes(const std::string& text, bool allow_all);
/// The file a command cannot run without (--run, --out): UsageError "<what> is required (see
/// snnsim <command> --help)" when `value` is empty.
void require_file(const std::string& value, const std::string& what, const std::string& command);

/// Model parameters (names as in /config), e.g. --exc_tau_m_ms 100.
class ModelOptions {
 public:
  explicit ModelOptions(models::DiehlCookParams& p);
  po::options_description& description() { return desc_; }
  /// Copies parsed values (incl. integrator names) into the params; throws UsageError.
  void apply(const po::variables_map& vm);

 private:
  models::DiehlCookParams& p_;
  po::options_description desc_{"Model parameters (names and units as stored in /config)"};
  std::vector<std::pair<std::string, std::string*>> integrators_;
  std::vector<std::unique_ptr<std::string>> storage_;
};

/// Parses args (then the --config file, if any; the command line wins). Throws UsageError
/// naming the option or the config file and key. Returns false when --help was printed.
bool parse(const std::string& command, const std::string& usage, const std::vector<std::string>& args,
           po::options_description& visible, po::variables_map& vm, CommonOptions& common,
           const po::positional_options_description* positional = nullptr);

/// The config file's text, stored verbatim in the run file ("" when none).
std::string read_config_text(const std::string& path);

/// All cores when 0; the effective count otherwise (>= 1).
int resolve_threads(int requested);
/// A random seed when none was given, announced on stderr so it can be reused.
std::uint64_t resolve_seed(const po::variables_map& vm, const std::string& key, bool quiet);

/// The command line as typed, for the run file's `command_line` attribute.
std::string joined_command_line();
void set_command_line(int argc, char** argv);
/// joined_command_line(), or "snnsim <command> <args>" when the command was called in-process.
std::string command_line_or(const std::string& command, const std::vector<std::string>& args);

/// Peak resident memory of this process so far, MiB (getrusage).
double peak_rss_MiB();
/// CPU seconds (user + system) this process has used so far.
double cpu_seconds();

/// Prints exactly one JSON object on stdout.
void print_json(const nlohmann::json& j);

void require_positive(const po::variables_map& vm, const std::string& key);

/// "0.5,1,2" -> {0.5, 1, 2}; every item a finite number in [lo, hi], else UsageError naming --option.
std::vector<double> parse_list(const std::string& text, const std::string& option, double lo, double hi);

/// While alive, SIGINT/SIGTERM only set a flag: long commands finish the current unit of work,
/// checkpoint and exit with 128 + signal (kExitInterrupted / kExitTerminated).
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  /// The signal caught so far, 0 if none.
  int caught() const;
  /// The exit code for the caught signal.
  int exit_code() const;
};

}  // namespace snnsim::cli
