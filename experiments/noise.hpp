#pragma once
// Image corruptions for robustness tests. Pure functions of (image, level, random stream): the
// same noise seed gives every network state exactly the same corrupted images.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/idx.hpp"

namespace snnsim::experiments {

enum class NoiseType { none, gaussian, blur, saltpepper };

NoiseType noise_from_string(const std::string& s);  // throws std::invalid_argument
std::string to_string(NoiseType t);
/// The study's grids, chosen on validation images so that a trained N=400 network (K=1000) falls
/// from near clean to near chance (docs/sleep-study.md, "Choosing the noise grids"): Gaussian
/// variance 0.001..1 (half-decade steps), salt-and-pepper 0.005..0.4; blur sigma 0.5..4 as in the
/// sleep paper. (The paper's Gaussian grid 0.1..0.9 put this network at chance from its second level.)
std::vector<double> default_levels(NoiseType t);

/// Additive Gaussian noise of the given variance on [0,1] pixels, clipped to [0,1].
void add_gaussian(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, double variance,
                  std::uint64_t seed, std::uint32_t image_index);
/// Separable Gaussian blur with standard deviation sigma (pixels), zero outside the image.
void gaussian_blur(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, std::size_t rows,
                   std::size_t cols, double sigma);
/// Each pixel becomes 0 or 255 (equally likely) with probability `fraction`.
void salt_and_pepper(std::span<const std::uint8_t> in, std::span<std::uint8_t> out, double fraction,
                     std::uint64_t seed, std::uint32_t image_index);

/// A corrupted copy of the first `count` images.
io::ImageSet corrupt(const io::ImageSet& images, std::size_t count, NoiseType type, double level,
                     std::uint64_t seed);

}  // namespace snnsim::experiments
