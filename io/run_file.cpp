#include "run_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <chrono>
#include <ctime>
#include <random>

#include "error.hpp"
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

void write_text_atomic(const fs::path& target, std::string_view text) {
  const auto dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw OutputError(target.string() + ": directory " + dir.string() + " does not exist");
  const auto temp = temp_sibling(target);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw OutputError(target.string() + ": cannot write: " + std::strerror(errno));
  const auto fail = [&](const char* step) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    fs::remove(temp, ec);
    throw OutputError(target.string() + ": cannot " + step + ": " + why);
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("write");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) fail("write");
  fs::rename(temp, target, ec);
  if (ec) {
    errno = ec.value();
    fail("move the finished file into place");
  }
  fsync_path(dir);
}

// ---- header ------------------------------------------------------------------------------

void write_header(const h5::Group& root, const std::string& command_line) {
  root.set_attr("format", kRunFormat);
  root.set_attr_array<std::uint32_t>("format_version", kRunFormatVersion);
  write_provenance(root, command_line);
}

void write_provenance(const h5::Group& root, const std::string& command_line) {
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

}  // namespace snnsim::io
