#include "run_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <chrono>
#include <cmath>
#include <ctime>
#include <random>

#include "error.hpp"
#include "models/param_table.hpp"
#include "snnsim_version.hpp"

namespace snnsim::io {
namespace fs = std::filesystem;

namespace {

fs::path temp_sibling(const fs::path& target) {
  remove_orphaned_temps(target);
  std::random_device rd;
  return target.parent_path() / (target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                                 std::to_string(rd() % 1000000));
}

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// The creation time, or SOURCE_DATE_EPOCH's when set (the reproducible-builds convention:
// the same inputs then give the same file bytes).
std::string utc_now() {
  std::time_t t = std::time(nullptr);
  if (const char* e = std::getenv("SOURCE_DATE_EPOCH"); e && *e) t = static_cast<std::time_t>(std::strtoll(e, nullptr, 10));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

h5::Compression column_chunks(std::size_t n_input, std::size_t n_exc) {
  // One chunk = 784 x 64 floats = 196 KiB: 64 whole receptive fields.
  return {true, {n_input, std::min<std::size_t>(n_exc, 64)}, 4};
}

}  // namespace

// A process killed with SIGKILL cannot remove its temporary sibling; the next write to the same
// target removes those of processes that no longer exist (the target itself is never touched).
void remove_orphaned_temps(const fs::path& target) {
  const auto dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789-") != std::string::npos) continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
}

// ---- transaction -------------------------------------------------------------------------

RunFileTransaction::RunFileTransaction(fs::path target, fs::path temp, h5::File file)
    : target_(std::move(target)), temp_(std::move(temp)), file_(std::move(file)) {}

RunFileTransaction::RunFileTransaction(RunFileTransaction&& o) noexcept
    : target_(std::move(o.target_)), temp_(std::move(o.temp_)), file_(std::move(o.file_)), committed_(o.committed_) {
  o.committed_ = true;  // the moved-from shell owns nothing
}

RunFileTransaction::~RunFileTransaction() {
  if (committed_) return;
  file_.reset();
  std::error_code ec;
  fs::remove(temp_, ec);
}

RunFileTransaction RunFileTransaction::create(const fs::path& target, bool force) {
  check_target(target, force);
  auto temp = temp_sibling(target);
  auto file = h5::File::create(temp);
  return RunFileTransaction(target, temp, std::move(file));
}

void RunFileTransaction::check_target(const fs::path& target, bool force) {
  std::error_code ec;
  if (fs::exists(target, ec) && !force)
    throw OutputError(target.string() + ": exists; pass --force to replace it, or choose another --out");
  if (fs::is_directory(target, ec)) throw OutputError(target.string() + ": is a directory");
  const auto dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (!fs::is_directory(dir, ec)) throw OutputError(target.string() + ": directory " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw OutputError(target.string() + ": directory is not writable");
}

RunFileTransaction RunFileTransaction::update(const fs::path& target) {
  {
    auto f = h5::File::open(target, h5::File::Mode::read_only);
    check_header(f.root());
  }
  return update_any(target);
}

RunFileTransaction RunFileTransaction::update_any(const fs::path& target) {
  const auto dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  if (::access(dir.c_str(), W_OK) != 0) throw OutputError(target.string() + ": directory is not writable");
  auto temp = temp_sibling(target);
  std::error_code ec;
  fs::copy_file(target, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) throw OutputError(temp.string() + ": cannot copy run file: " + ec.message());
  try {
    auto file = h5::File::open(temp, h5::File::Mode::read_write);
    return RunFileTransaction(target, temp, std::move(file));
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
}

void RunFileTransaction::commit() {
  file_->flush();
  file_.reset();  // close before rename so every byte is on disk
  fsync_path(temp_);
  std::error_code ec;
  fs::rename(temp_, target_, ec);
  if (ec) throw OutputError(target_.string() + ": cannot move finished file into place: " + ec.message());
  fsync_path(target_.parent_path().empty() ? fs::path(".") : target_.parent_path());
  committed_ = true;
}

// ---- header and config -------------------------------------------------------------------

void write_header(const h5::Group& root, const std::string& command_line) {
  root.set_attr("format", kRunFormat);
  root.set_attr_array<std::uint32_t>("format_version", kRunFormatVersion);
  root.set_attr("snnsim_version", kVersion);
  root.set_attr("git_commit", kGitCommit);
  root.set_attr<std::uint8_t>("git_dirty", static_cast<std::uint8_t>(kGitDirty));
  root.set_attr("created_utc", utc_now());
  root.set_attr("hdf5_version", h5::library_version());
  root.set_attr("command_line", command_line);
}

void check_header(const h5::Group& root) {
  if (!root.has_attr("format") || root.get_attr_string("format") != kRunFormat)
    root.fail("@format", "not an snnsim run file (root attribute format != \"snnsim-run\")");
  const auto v = root.get_attr_array<std::uint32_t>("format_version");
  if (v.size() != 2 || v[0] != kRunFormatVersion[0])
    root.fail("@format_version", "unsupported format version (this snnsim reads " +
                                     std::to_string(kRunFormatVersion[0]) + ".x)");
}

void write_config(const h5::Group& root, const models::DiehlCookParams& p_in, const std::string& config_text) {
  auto cfg = root.require_group("config");
  auto p = p_in;
  for (const auto& f : models::param_fields(p)) {
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, double>) cfg.set_attr<double>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, std::size_t>) cfg.set_attr<std::uint64_t>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, std::uint32_t>) cfg.set_attr<std::uint32_t>(f.key, *ptr);
          else if constexpr (std::is_same_v<T, bool>) cfg.set_attr<std::uint8_t>(f.key, *ptr ? 1 : 0);
          else cfg.set_attr(f.key, models::to_string(*ptr));
        },
        f.target);
  }
  cfg.set_attr("rng", "philox4x32-10");
  cfg.write_string("source_text", config_text);
}

models::DiehlCookParams read_config(const h5::Group& root) {
  check_header(root);
  auto cfg = root.open_group("config");
  models::DiehlCookParams p;
  for (const auto& f : models::param_fields(p)) {
    if (!cfg.has_attr(f.key)) {
      if (f.may_be_absent) continue;
      cfg.fail("@" + f.key, "config attribute missing");
    }
    std::visit(
        [&](auto* ptr) {
          using T = std::remove_pointer_t<decltype(ptr)>;
          if constexpr (std::is_same_v<T, double>) *ptr = cfg.get_attr<double>(f.key);
          else if constexpr (std::is_same_v<T, std::size_t>) *ptr = cfg.get_attr<std::uint64_t>(f.key);
          else if constexpr (std::is_same_v<T, std::uint32_t>) *ptr = cfg.get_attr<std::uint32_t>(f.key);
          else if constexpr (std::is_same_v<T, bool>) *ptr = cfg.get_attr<std::uint8_t>(f.key) != 0;
          else {
            try {
              *ptr = models::integrator_from_string(cfg.get_attr_string(f.key));
            } catch (const std::invalid_argument& e) {
              cfg.fail("@" + f.key, e.what());
            }
          }
        },
        f.target);
  }
  try {
    models::validate(p);
  } catch (const std::invalid_argument& e) {
    cfg.fail("", std::string("invalid parameter: ") + e.what());
  }
  return p;
}

// ---- network states ----------------------------------------------------------------------

bool has_state(const h5::Group& root, const std::string& name) { return root.has("network/" + name); }

std::vector<std::string> state_names(const h5::Group& root) {
  if (!root.has("network")) return {};
  return root.open_group("network").children();
}

void write_state(const h5::Group& root, const std::string& name, const models::NetworkState& s, const StateInfo& info) {
  auto net = root.require_group("network");
  const std::string tmp = ".incomplete_" + name;
  net.remove(tmp);
  auto g = net.create_group(tmp);
  g.set_attr("phase", info.phase);
  g.set_attr("parent_state", info.parent);
  g.set_attr<double>("t_sim_ms", s.t_sim_ms);
  g.set_attr<std::uint64_t>("samples_seen", s.samples_seen);
  g.set_attr<std::uint64_t>("presentations", s.presentations);
  const hsize_t ni = s.n_input, ne = s.n_exc;
  auto edges = g.create_group("edges/input_to_exc");
  edges.write<float>("weight", s.weights, {ni, ne}, column_chunks(s.n_input, s.n_exc));
  edges.set_attr("source_population", "input");
  edges.set_attr("target_population", "exc");
  edges.set_attr("layout", "pre_by_post");
  edges.write<std::uint8_t>("delay_steps", s.delay_steps, {ni, ne}, column_chunks(s.n_input, s.n_exc));
  auto exc = g.create_group("nodes/exc");
  exc.write<double>("theta_mV", s.theta_mV, {ne});
  if (!s.labels.empty()) {
    exc.write<std::int16_t>("label", s.labels, {ne});
    exc.write<float>("class_rate_Hz", s.class_rate_Hz, {ne, 10});
  }
  const auto side = static_cast<hsize_t>(std::llround(std::sqrt(static_cast<double>(s.n_input))));
  if (side * side == ni) {
    std::vector<float> rf(s.weights.size());
    for (std::size_t j = 0; j < s.n_exc; ++j)
      for (std::size_t i = 0; i < s.n_input; ++i) rf[j * s.n_input + i] = s.weights[i * s.n_exc + j];
    g.write<float>("receptive_fields", rf, {ne, side, side}, {true, {std::min<hsize_t>(ne, 64), side, side}, 4});
  }
  net.remove(name);
  net.move(tmp, name);
}

models::NetworkState read_state(const h5::Group& root, const std::string& name, const models::DiehlCookParams& p) {
  check_header(root);
  if (!has_state(root, name)) {
    std::string have;
    for (const auto& n : state_names(root)) have += (have.empty() ? "" : ", ") + n;
    root.fail("network/" + name, "state missing (states in this file: " + (have.empty() ? "none" : have) + ")");
  }
  auto g = root.open_group("network/" + name);
  models::NetworkState s;
  s.n_input = p.n_input;
  s.n_exc = p.n_exc;
  const hsize_t ni = p.n_input, ne = p.n_exc;
  auto edges = g.open_group("edges/input_to_exc");
  s.weights = edges.read_shaped<float>("weight", {ni, ne});
  for (std::size_t k = 0; k < s.weights.size(); ++k)
    if (!std::isfinite(s.weights[k]))
      edges.fail("weight", "non-finite value at flat index " + std::to_string(k));
  s.delay_steps = edges.read_shaped<std::uint8_t>("delay_steps", {ni, ne});
  for (auto d : s.delay_steps)
    if (d < 1) edges.fail("delay_steps", "delays must be at least one step");
  auto exc = g.open_group("nodes/exc");
  s.theta_mV = exc.read_shaped<double>("theta_mV", {ne});
  for (std::size_t j = 0; j < s.theta_mV.size(); ++j)
    if (!std::isfinite(s.theta_mV[j])) exc.fail("theta_mV", "non-finite value at neuron " + std::to_string(j));
  if (exc.has("label")) {
    s.labels = exc.read_shaped<std::int16_t>("label", {ne});
    for (auto l : s.labels)
      if (l < -1 || l > 9) exc.fail("label", "labels must be -1..9");
    s.class_rate_Hz = exc.read_shaped<float>("class_rate_Hz", {ne, 10});
  }
  s.samples_seen = g.get_attr<std::uint64_t>("samples_seen");
  s.presentations = g.get_attr<std::uint64_t>("presentations");
  s.t_sim_ms = g.get_attr<double>("t_sim_ms");
  return s;
}

// ---- tables ------------------------------------------------------------------------------

void append_train_log(const h5::Group& root, const TrainLogColumns& r) {
  auto g = root.require_group("train/log");
  g.append<std::uint64_t>("sample_index", r.sample_index, {}, 1024);
  g.append<std::uint32_t>("image_index", r.image_index, {}, 1024);
  g.append<std::uint8_t>("label", r.label, {}, 1024);
  g.append<std::uint8_t>("tries", r.tries, {}, 1024);
  g.append<std::uint32_t>("exc_spikes", r.exc_spikes, {}, 1024);
  g.append<float>("input_intensity", r.input_intensity, {}, 1024);
  g.append<float>("running_accuracy", r.running_accuracy, {}, 1024);
}

void append_eval(const h5::Group& root, const EvalRow& row, const std::array<std::uint32_t, 100>& confusion,
                 const std::vector<std::int8_t>& predictions) {
  auto g = root.require_group("eval/results");
  g.append_strings("state", {row.state});
  g.append_strings("noise_type", {row.noise_type});
  g.append<double>("noise_level", std::span<const double>(&row.noise_level, 1), {}, 64);
  g.append<std::uint64_t>("noise_seed", std::span<const std::uint64_t>(&row.noise_seed, 1), {}, 64);
  g.append<std::uint32_t>("n_samples", std::span<const std::uint32_t>(&row.n_samples, 1), {}, 64);
  g.append<std::uint32_t>("n_correct", std::span<const std::uint32_t>(&row.n_correct, 1), {}, 64);
  g.append<std::uint32_t>("n_silent", std::span<const std::uint32_t>(&row.n_silent, 1), {}, 64);
  g.append<double>("accuracy", std::span<const double>(&row.accuracy, 1), {}, 64);
  g.append<double>("wall_s", std::span<const double>(&row.wall_s, 1), {}, 64);
  g.append_strings("spikes_file", {row.spikes_file});
  auto e = root.open_group("eval");
  e.append<std::uint32_t>("confusion", confusion, {10, 10}, 16);
  // Predictions have one column per test image; rows with fewer images are padded with -2.
  std::vector<std::int8_t> padded = predictions;
  if (e.has("predictions")) {
    const auto shape = e.shape("predictions");
    if (shape.size() == 2 && shape[1] != predictions.size()) {
      if (predictions.size() > shape[1]) return;  // wider rows would not fit; predictions for this row are skipped
      padded.resize(shape[1], static_cast<std::int8_t>(-2));
    }
  }
  if (!padded.empty()) e.append<std::int8_t>("predictions", padded, {padded.size()}, 1);
}

}  // namespace snnsim::io
