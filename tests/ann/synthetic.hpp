#pragma once
// A tiny MNIST-shaped dataset: class c is a bright 6x6 block at a class-specific place plus a
// deterministic speckle, so a small network learns it in a few epochs.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ann/data.hpp"

namespace snnsim::ann::synth {

inline std::uint8_t pixel(int cls, int k, int r, int c) {
  const int br = 2 + (cls % 5) * 5, bc = 4 + (cls / 5) * 12;
  const bool in = r >= br && r < br + 6 && c >= bc && c < bc + 6;
  const int speckle = ((k * 7919 + r * 131 + c * 31 + cls * 17) % 23 == 0) ? 120 : 0;
  return static_cast<std::uint8_t>(in ? 230 : speckle);
}

inline Dataset make_synthetic(int per_class, int salt) {
  Dataset d;
  const int n = 10 * per_class;
  d.X.resize(n, 784);
  for (int k = 0; k < n; ++k) {
    const int cls = k % 10;
    d.y.push_back(static_cast<std::uint8_t>(cls));
    for (int r = 0; r < 28; ++r)
      for (int c = 0; c < 28; ++c) d.X(k, r * 28 + c) = pixel(cls, k + salt, r, c) / 255.0f;
  }
  return d;
}

inline void write_be32(std::ofstream& f, std::uint32_t v) {
  const unsigned char b[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                              static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  f.write(reinterpret_cast<const char*>(b), 4);
}

/// Writes train-/t10k- IDX files of the synthetic data into `dir`.
inline void write_idx_dir(const std::filesystem::path& dir, int train_per_class, int test_per_class) {
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& prefix, int per_class, int salt) {
    const int n = 10 * per_class;
    std::ofstream im(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
    write_be32(im, 0x00000803);
    write_be32(im, static_cast<std::uint32_t>(n));
    write_be32(im, 28);
    write_be32(im, 28);
    for (int k = 0; k < n; ++k)
      for (int r = 0; r < 28; ++r)
        for (int c = 0; c < 28; ++c) {
          const char p = static_cast<char>(pixel(k % 10, k + salt, r, c));
          im.write(&p, 1);
        }
    std::ofstream lb(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
    write_be32(lb, 0x00000801);
    write_be32(lb, static_cast<std::uint32_t>(n));
    for (int k = 0; k < n; ++k) {
      const char l = static_cast<char>(k % 10);
      lb.write(&l, 1);
    }
  };
  write("train", train_per_class, 0);
  write("t10k", test_per_class, 100000);
}

}  // namespace snnsim::ann::synth
