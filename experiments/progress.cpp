#include "progress.hpp"

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace snnsim::experiments {

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

Progress::Progress(std::string what, std::size_t total, bool enabled)
    : what_(std::move(what)), total_(total), enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0) {
  start_ = last_print_ = std::chrono::steady_clock::now();
}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::size_t done, const std::string& extra) {
  last_done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  if (since < (tty_ ? 0.25 : 10.0)) return;
  last_print_ = now;
  print(done, extra, false);
}

void Progress::finish(const std::string& extra) {
  if (enabled_) print(last_done_, extra, true);
}

std::string progress_line(const std::string& what, std::size_t done, std::size_t total, std::size_t start_done,
                          double t, bool final, const std::string& extra) {
  const double this_run = done >= start_done ? static_cast<double>(done - start_done) : 0.0;
  const double rate = t > 0 ? this_run / t : 0.0;
  const double eta = rate > 0 && total >= done ? static_cast<double>(total - done) / rate : 0.0;
  const double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  return fmt::format("{}: {}/{} ({:.1f}%) {:.1f}/s {} {:.0f}s{}{}", what, done, total, pct, rate,
                     final ? "elapsed" : "ETA", final ? t : eta, extra.empty() ? "" : "  ", extra);
}

void Progress::print(std::size_t done, const std::string& extra, bool final) {
  const std::string line = progress_line(what_, done, total_, start_done_, elapsed_s(), final, extra);
  if (tty_)
    fmt::print(stderr, "\r\033[K{}{}", line, final ? "\n" : "");
  else
    fmt::print(stderr, "{}\n", line);
  std::fflush(stderr);
}

}  // namespace snnsim::experiments
