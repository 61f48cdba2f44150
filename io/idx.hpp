#pragma once
// IDX files (the MNIST container), raw or gzip-compressed. Every header field is checked
// against the real payload size before anything is allocated, so a lying header cannot make
// us allocate gigabytes or read past the end.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace snnsim::io {

/// Images as one contiguous uint8 block, row-major, image k at pixels[k*rows*cols].
struct ImageSet {
  std::size_t count = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint8_t> pixels;

  std::size_t pixels_per_image() const { return rows * cols; }
  std::span<const std::uint8_t> image(std::size_t k) const {
    return {pixels.data() + k * pixels_per_image(), pixels_per_image()};
  }
};

/// Images plus one label (0..9) per image.
struct LabelledImages {
  ImageSet images;
  std::vector<std::uint8_t> labels;
  std::size_t size() const { return labels.size(); }
};

enum class Split { train, test };

/// Reads a rank-3 uint8 IDX file (magic 0x00000803). Throws DataError naming file and field.
ImageSet read_idx_images(const std::filesystem::path& file);
/// Reads a rank-1 uint8 IDX file (magic 0x00000801); labels must lie in 0..9.
std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file);

/// Loads `train` or `t10k` images+labels from `dir`, accepting `X-idx3-ubyte` or `X-idx3-ubyte.gz`
/// and the `X.idx3-ubyte` spelling. `max_count` (0 = all) caps what is kept.
LabelledImages load_split(const std::filesystem::path& dir, Split split, std::size_t max_count = 0);

/// Whole file contents, transparently gunzipped when the file starts with the gzip magic.
/// Decompression stops with a DataError once `max_bytes` would be exceeded.
std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& file, std::size_t max_bytes);

}  // namespace snnsim::io
