#include "common.hpp"

#include <csignal>

#include <fmt/core.h>
#include <omp.h>

#include <cmath>
#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "io/error.hpp"
#include "boost_guard.hpp"
#include "experiments/progress.hpp"
#include "experiments/spike_file.hpp"
#include "models/param_table.hpp"

namespace snnsim::cli {

namespace {
std::string g_command_line;

}  // namespace

void set_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  g_command_line = s;
}

std::string joined_command_line() { return g_command_line; }

std::string command_line_or(const std::string& command, const std::vector<std::string>& args) {
  if (!g_command_line.empty()) return g_command_line;
  std::string s = "snnsim " + command;
  for (const auto& a : args) s += " " + a;
  return s;
}

void add_common_options(po::options_description& d, CommonOptions& c, const char* threads_help) {
  d.add_options()("help,h", po::bool_switch(&c.help), "show this help")(
      "config", po::value<std::string>(&c.config_file), "INI file with the same keys as these options")(
      "threads", po::value<int>(&c.threads)->default_value(0),
      threads_help ? threads_help
                   : "OpenMP threads (0 = all cores): images in parallel when labelling and testing, each step split "
                     "for training and sleep from 1024 neurons per thread (SNNSIM_MIN_NEURONS_PER_THREAD); results do not depend on it")(
      "json", po::bool_switch(&c.json), "print one JSON object with the results on stdout")(
      "quiet,q", po::bool_switch(&c.quiet), "no progress on stderr");
}

void add_data_option(po::options_description& d, std::string& dir, const char* help) {
  d.add_options()("data", po::value<std::string>(&dir)->default_value("data/mnist"), help);
}

void add_sleep_options(po::options_description& d, experiments::SleepOptions& o) {
  d.add_options()("duration-s", po::value<double>(&o.duration_s)->default_value(o.duration_s), "simulated sleep time")(
      "leak-scale", po::value<double>(&o.leak_scale)->default_value(o.leak_scale), "gain on the exc leak term")(
      "exc-scale", po::value<double>(&o.exc_scale)->default_value(o.exc_scale), "gain on input->exc conductance")(
      "inh-scale", po::value<double>(&o.inh_scale)->default_value(o.inh_scale), "gain on inh->exc conductance")(
      "input-rate-scale", po::value<double>(&o.input_rate_scale)->default_value(o.input_rate_scale),
      "input rate relative to wake (pixel/4 Hz)");
}

void add_record_spikes_option(po::options_description& d, std::string& text, const char* help) {
  d.add_options()("record-spikes", po::value<std::string>(&text)->default_value("none"), help);
}

experiments::RecordSpikes record_spikes(const std::string& text, bool allow_all) {
  try {
    const auto r = experiments::record_spikes_from_string(text);
    if (r != experiments::RecordSpikes::all || allow_all) return r;
  } catch (const std::invalid_argument&) {
  }
  throw UsageError(std::string("--record-spikes must be ") + (allow_all ? "none, exc or all" : "none or exc") +
                   ", not '" + text + "'");
}

void require_file(const std::string& value, const std::string& what, const std::string& command) {
  if (value.empty()) throw UsageError(what + " is required (see snnsim " + command + " --help)");
}

ModelOptions::ModelOptions(models::DiehlCookParams& p) : p_(p) {
  for (const auto& f : models::param_fields(p_)) {
    if (f.key == "n_exc") continue;  // set through --neurons
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, models::Integrator>) {
            storage_.push_back(std::make_unique<std::string>(models::to_string(*ptr)));
            integrators_.emplace_back(f.key, storage_.back().get());
            desc_.add_options()(f.key.c_str(), po::value<std::string>(storage_.back().get())->default_value(*storage_.back()),
                                f.help.c_str());
          } else if constexpr (std::is_same_v<T, bool>) {
            desc_.add_options()(f.key.c_str(), po::value<bool>(ptr)->default_value(*ptr), f.help.c_str());
          } else {
            desc_.add_options()(f.key.c_str(), po::value<T>(ptr)->default_value(*ptr), f.help.c_str());
          }
        },
        f.target);
  }
}

void ModelOptions::apply(const po::variables_map&) {
  auto fields = models::param_fields(p_);
  for (const auto& [key, text] : integrators_)
    for (auto& f : fields)
      if (f.key == key) {
        try {
          *std::get<models::Integrator*>(f.target) = models::integrator_from_string(*text);
        } catch (const std::invalid_argument& e) {
          throw UsageError("--" + key + ": " + e.what());
        }
      }
  try {
    models::validate(p_);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("invalid model parameter: ") + e.what());
  }
}

bool parse(const std::string& command, const std::string& usage, const std::vector<std::string>& args,
           po::options_description& visible, po::variables_map& vm, CommonOptions& common,
           const po::positional_options_description* positional) {
  for (const auto& a : args) refuse_boost_placeholders("command line", a);
  try {
    po::command_line_parser parser(args);
    parser.options(visible);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    // notify early so --help and --config are known before the config file is read
    if (vm.count("help") && vm["help"].as<bool>()) {
      std::cout << "usage: snnsim " << command << " " << usage << "\n\n" << visible << "\n";
      return false;
    }
    if (vm.count("config")) {
      const auto path = vm["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) throw UsageError(path + ": cannot open config file");
      std::stringstream in;
      in << file.rdbuf();
      in.clear();  // an empty file leaves failbit set; it parses as no options, as before
      refuse_boost_placeholders(path, in.str());
      try {
        po::store(po::parse_config_file(in, visible, /*allow_unregistered=*/false), vm);
      } catch (const po::error& e) {
        throw UsageError(path + ": " + e.what());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + " (see snnsim " + command + " --help)");
  }
  (void)common;
  return true;
}

std::string read_config_text(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int resolve_threads(int requested) {
  if (requested < 0) throw UsageError("--threads must be >= 0");
  if (requested > 1024) throw UsageError("--threads must be <= 1024");
  return requested == 0 ? omp_get_num_procs() : requested;
}

std::uint64_t resolve_seed(const po::variables_map& vm, const std::string& key, bool quiet) {
  if (vm.count(key)) return vm[key].as<std::uint64_t>();
  std::random_device rd;
  const std::uint64_t seed = (std::uint64_t{rd()} << 32 | rd()) & ((std::uint64_t{1} << 53) - 1);
  if (!quiet) fmt::print(stderr, "no --seed given; using --seed {} (stored in the run file)\n", seed);
  return seed;
}

double peak_rss_MiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

double cpu_seconds() { return experiments::process_cpu_s(); }

void print_json(const nlohmann::json& j) { std::cout << j.dump() << std::endl; }

void require_positive(const po::variables_map& vm, const std::string& key) {
  if (!vm.count(key)) return;
  const auto& v = vm[key].value();
  bool ok = true;
  if (auto* x = boost::any_cast<std::size_t>(&v)) ok = *x > 0;
  if (auto* x = boost::any_cast<double>(&v)) ok = *x > 0;
  if (auto* x = boost::any_cast<int>(&v)) ok = *x > 0;
  if (!ok) throw UsageError("--" + key + " must be positive");
}

std::vector<double> parse_list(const std::string& text, const std::string& option, double lo, double hi) {
  std::vector<double> out;
  std::size_t pos = 0;
  while (true) {
    const auto comma = text.find(',', pos);
    const auto item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    double v = 0.0;
    std::size_t used = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size() || !std::isfinite(v) || v < lo || v > hi)
      throw UsageError("--" + option + ": '" + item + "' is not a number in [" + fmt::format("{}", lo) + ", " +
                       fmt::format("{}", hi) + "]");
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

namespace {
volatile std::sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }
}  // namespace

StopSignals::StopSignals() {
  g_stop_signal = 0;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}
StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}
int StopSignals::caught() const { return g_stop_signal; }
int StopSignals::exit_code() const { return g_stop_signal == SIGTERM ? kExitTerminated : kExitInterrupted; }

}  // namespace snnsim::cli
