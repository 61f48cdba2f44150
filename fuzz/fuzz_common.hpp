#pragma once
// Shared by the fuzz targets: the parsers under test take a path, so each input is written to
// a per-process temporary file first.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace snnsim::fuzz {

inline std::filesystem::path temp_file(const char* suffix) {
  const char* dir = std::getenv("SNNSIM_FUZZ_TMPDIR");
  const std::filesystem::path base = dir ? std::filesystem::path(dir) : std::filesystem::temp_directory_path();
  // With SNNSIM_FUZZ_TMPDIR (fuzz/run.sh, which passes every other path absolute) the process
  // works inside that directory and the input's path is the same short relative name on every
  // run: the path appears in error messages, whose characters the parsers scan (the coverage of
  // those loops and branches), so a pid or random directory name in it would keep the test
  // suite's fuzz pass from repeating itself.
  if (dir) {
    static const bool entered = [&] {
      std::filesystem::current_path(base);
      return true;
    }();
    (void)entered;
    return std::string("snnsim-fuzz-input") + suffix;
  }
  return base / ("snnsim-fuzz-" + std::to_string(::getpid()) + suffix);
}

inline void write_file(const std::filesystem::path& p, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::perror(p.c_str());
    std::abort();  // the harness itself is broken (disk full?), not the code under test
  }
}

// The expected-error contract: `fn` may return or throw `Expected`; anything else (another
// exception type, a crash, a sanitizer report, a hang, a huge allocation) is a finding.
template <typename Expected, typename Fn>
void expect_only(Fn&& fn) {
  try {
    fn();
  } catch (const Expected&) {
  }
}

}  // namespace snnsim::fuzz
