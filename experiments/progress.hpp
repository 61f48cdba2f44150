#pragma once
// Progress on stderr for long loops: done/total, rate, ETA and an optional figure of merit.
// A live \r line on a terminal; a plain line every ~10 s otherwise; nothing when quiet.
#include <chrono>
#include <cstddef>
#include <string>

namespace snnsim::experiments {

/// CPU seconds (user + system) this process has used so far (getrusage).
double process_cpu_s();

/// The progress line for `done` of `total` after `elapsed_s`, when this run started at
/// `start_done` (a resumed run: the rate and ETA count only this run's work).
std::string progress_line(const std::string& what, std::size_t done, std::size_t total, std::size_t start_done,
                          double elapsed_s, bool final, const std::string& extra);

class Progress {
 public:
  Progress(std::string what, std::size_t total, bool enabled);
  /// A resumed run starts at `done`: the rate and ETA then count only what this run does.
  void resumed_at(std::size_t done) { start_done_ = last_done_ = done; }
  /// Cheap to call often: prints at most a few times per second.
  void update(std::size_t done, const std::string& extra = {});
  void finish(const std::string& extra = {});
  double elapsed_s() const;

 private:
  void print(std::size_t done, const std::string& extra, bool final);
  std::string what_;
  std::size_t total_;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  std::size_t last_done_ = 0, start_done_ = 0;
};

}  // namespace snnsim::experiments
