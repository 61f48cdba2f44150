// Fuzzes the IDX reader (io/idx.cpp): raw and gzip-compressed images and labels.
// Contract: return a consistent result or throw snnsim::DataError; never crash, hang,
// read out of bounds or allocate far beyond the input (libFuzzer's -malloc_limit_mb).
#include <cstdlib>

#include "fuzz_common.hpp"
#include "io/error.hpp"
#include "io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snnsim;
  static const auto path = fuzz::temp_file(".idx");
  fuzz::write_file(path, data, size);

  fuzz::expect_only<DataError>([&] {
    const auto s = io::read_idx_images(path);
    // A returned set must be self-consistent: image(k) is read without further checks.
    if (s.count == 0 || s.rows == 0 || s.cols == 0 || s.pixels.size() != s.count * s.rows * s.cols) std::abort();
  });
  fuzz::expect_only<DataError>([&] {
    const auto labels = io::read_idx_labels(path);
    for (auto l : labels)
      if (l > 9) std::abort();
  });
  // A small cap exercises the "decompressed size exceeds" path on gzip inputs.
  fuzz::expect_only<DataError>([&] {
    const auto bytes = io::read_maybe_gzip(path, 1 << 16);
    if (bytes.size() > (1 << 16)) std::abort();
  });
  return 0;
}
