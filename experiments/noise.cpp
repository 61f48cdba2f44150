#include "noise.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/diehl_cook.hpp"
#include "sim/rng.hpp"

namespace snnsim::experiments {
namespace {
std::uint8_t to_pixel(double x01) { return static_cast<std::uint8_t>(std::lround(std::clamp(x01, 0.0, 1.0) * 255.0)); }
}  // namespace

NoiseType noise_from_string(const std::string& s) {
  if (s == "none") return NoiseType::none;
  if (s == "gaussian") return NoiseType::gaussian;
  if (s == "blur") return NoiseType::blur;
  if (s == "saltpepper") return NoiseType::saltpepper;
  throw std::invalid_argument("unknown noise '" + s + "' (none | gaussian | blur | saltpepper)");
}

std::string to_string(NoiseType t) {
  switch (t) {
    case NoiseType::gaussian: return "gaussian";
    case NoiseType::blur: return "blur";
    case NoiseType::saltpepper: return "saltpepper";
    default: return "none";
  }
}

std::vector<double> default_levels(NoiseType t) {
  switch (t) {
    case NoiseType::gaussian: return {0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0};
    case NoiseType::blur: return {0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0};
    case NoiseType::saltpepper: return {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4};
    default: return {0.0};
  }
}

void add_gaussian(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, double variance, std::uint64_t seed,
                  std::uint32_t image_index) {
  if (!(variance >= 0.0)) throw std::invalid_argument("gaussian noise variance must be >= 0");
  sim::RandomStream rng(seed, models::kStreamEvalNoise, image_index, 1);
  const double sd = std::sqrt(variance);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = to_pixel(in[i] / 255.0 + sd * rng.normal());
}

void gaussian_blur(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::size_t rows, std::size_t cols,
                   double sigma) {
  if (!(sigma >= 0.0)) throw std::invalid_argument("blur sigma must be >= 0");
  if (sigma == 0.0) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  const int radius = static_cast<int>(std::ceil(3.0 * sigma));
  std::vector<double> kernel(2 * radius + 1);
  double sum = 0.0;
  for (int k = -radius; k <= radius; ++k) sum += kernel[k + radius] = std::exp(-0.5 * k * k / (sigma * sigma));
  for (auto& k : kernel) k /= sum;
  std::vector<double> tmp(rows * cols, 0.0);
  const int R = static_cast<int>(rows), C = static_cast<int>(cols);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      double acc = 0.0;
      for (int k = -radius; k <= radius; ++k)
        if (c + k >= 0 && c + k < C) acc += kernel[k + radius] * in[r * C + c + k];
      tmp[r * C + c] = acc;
    }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      double acc = 0.0;
      for (int k = -radius; k <= radius; ++k)
        if (r + k >= 0 && r + k < R) acc += kernel[k + radius] * tmp[(r + k) * C + c];
      out[r * C + c] = to_pixel(acc / 255.0);
    }
}

void salt_and_pepper(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, double fraction,
                     std::uint64_t seed, std::uint32_t image_index) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) throw std::invalid_argument("salt-and-pepper fraction must be in [0,1]");
  sim::RandomStream rng(seed, models::kStreamEvalNoise, image_index, 2);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double u = rng.uniform();
    out[i] = u < fraction ? (u < fraction / 2 ? 0 : 255) : in[i];
  }
}

io::ImageSet corrupt(const io::ImageSet& images, std::size_t count, NoiseType type, double level, std::uint64_t seed) {
  io::ImageSet out = images;
  out.count = count;
  out.pixels.resize(count * images.pixels_per_image());
  for (std::size_t k = 0; k < count; ++k) {
    auto src = images.image(k);
    std::span<std::uint8_t> dst(out.pixels.data() + k * images.pixels_per_image(), images.pixels_per_image());
    const auto idx = static_cast<std::uint32_t>(k);
    switch (type) {
      case NoiseType::none: std::copy(src.begin(), src.end(), dst.begin()); break;
      case NoiseType::gaussian: add_gaussian(src, dst, level, seed, idx); break;
      case NoiseType::blur: gaussian_blur(src, dst, images.rows, images.cols, level); break;
      case NoiseType::saltpepper: salt_and_pepper(src, dst, level, seed, idx); break;
    }
  }
  return out;
}

}  // namespace snnsim::experiments
