#include "idx.hpp"

#include <zlib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include "error.hpp"

namespace snnsim::io {
namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{1} << 31;  // 2 GiB: far above any IDX we read

[[noreturn]] void fail(const std::filesystem::path& f, const std::string& what) {
  throw DataError(f.string() + ": " + what);
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::vector<std::uint8_t> read_raw(const std::filesystem::path& file, std::size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(file, "file not found or not a regular file");
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) fail(file, "cannot read file size: " + ec.message());
  if (size > max_bytes) fail(file, "file is larger than " + std::to_string(max_bytes) + " bytes");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open for reading");
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) fail(file, "short read");
  return bytes;
}

std::vector<std::uint8_t> gunzip(const std::filesystem::path& file, const std::vector<std::uint8_t>& in,
                                 std::size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) fail(file, "zlib init failed");
  std::vector<std::uint8_t> out;
  std::array<std::uint8_t, 1 << 16> buf{};
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf.data();
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      fail(file, std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "inflate error") + ")");
    }
    const std::size_t produced = buf.size() - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&zs);
      fail(file, "decompressed size exceeds " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), buf.data(), buf.data() + produced);
    if (rc != Z_STREAM_END && zs.avail_in == 0 && produced == 0) {
      inflateEnd(&zs);
      fail(file, "truncated gzip stream");
    }
  }
  inflateEnd(&zs);
  return out;
}

struct Header {
  std::uint8_t rank;
  std::vector<std::size_t> dims;
  std::size_t payload;  // product of dims
};

// Validates magic, element type, rank and that the payload matches the dims exactly.
Header parse_header(const std::filesystem::path& file, const std::vector<std::uint8_t>& b,
                    std::uint8_t expect_rank) {
  if (b.size() < 4) fail(file, "too short for an IDX header (" + std::to_string(b.size()) + " bytes)");
  if (b[0] != 0 || b[1] != 0) fail(file, "bad magic: first two bytes must be zero (not an IDX file)");
  if (b[2] != 0x08) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", b[2]);
    fail(file, std::string("unsupported IDX element type ") + hex + " (expected 0x08 = uint8)");
  }
  Header h{b[3], {}, 1};
  if (h.rank != expect_rank)
    fail(file, "rank " + std::to_string(h.rank) + " in magic, expected " + std::to_string(expect_rank));
  const std::size_t header_bytes = 4 + 4 * std::size_t{h.rank};
  if (b.size() < header_bytes) fail(file, "truncated header: dims missing");
  for (std::size_t d = 0; d < h.rank; ++d) {
    const std::size_t dim = be32(&b[4 + 4 * d]);
    if (dim == 0) fail(file, "dimension " + std::to_string(d) + " is zero");
    // Guard the product before it can overflow; any real payload is below the file cap.
    if (h.payload > kMaxFileBytes / dim) fail(file, "dimensions claim an absurd size");
    h.payload *= dim;
    h.dims.push_back(dim);
  }
  const std::size_t have = b.size() - header_bytes;
  if (have < h.payload)
    fail(file, "truncated data: header claims " + std::to_string(h.payload) + " bytes, file has " +
                   std::to_string(have));
  if (have > h.payload)
    fail(file, "trailing data: " + std::to_string(have - h.payload) + " bytes after the declared payload");
  return h;
}

std::filesystem::path find_file(const std::filesystem::path& dir, const std::string& stem, const char* kind) {
  const std::string names[] = {stem + "-" + kind + "-ubyte", stem + "-" + kind + "-ubyte.gz",
                               stem + "." + kind + "-ubyte", stem + "." + kind + "-ubyte.gz"};
  for (const auto& n : names)
    if (std::filesystem::exists(dir / n)) return dir / n;
  throw DataError((dir / names[0]).string() + ": file not found (also tried .gz); run scripts/setup.sh to fetch MNIST");
}

}  // namespace

std::vector<std::uint8_t> read_maybe_gzip(const std::filesystem::path& file, std::size_t max_bytes) {
  auto bytes = read_raw(file, max_bytes);
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) return gunzip(file, bytes, max_bytes);
  return bytes;
}

ImageSet read_idx_images(const std::filesystem::path& file) {
  auto b = read_maybe_gzip(file, kMaxFileBytes);
  const Header h = parse_header(file, b, 3);
  ImageSet s;
  s.count = h.dims[0];
  s.rows = h.dims[1];
  s.cols = h.dims[2];
  s.pixels.assign(b.begin() + 16, b.end());
  return s;
}

std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& file) {
  auto b = read_maybe_gzip(file, kMaxFileBytes);
  parse_header(file, b, 1);
  std::vector<std::uint8_t> labels(b.begin() + 8, b.end());
  for (std::size_t k = 0; k < labels.size(); ++k)
    if (labels[k] > 9)
      fail(file, "label " + std::to_string(labels[k]) + " at index " + std::to_string(k) + " is outside 0..9");
  return labels;
}

LabelledImages load_split(const std::filesystem::path& dir, Split split, std::size_t max_count) {
  const std::string stem = split == Split::train ? "train" : "t10k";
  const auto img_file = find_file(dir, stem, "images-idx3");
  const auto lbl_file = find_file(dir, stem, "labels-idx1");
  LabelledImages d{read_idx_images(img_file), read_idx_labels(lbl_file)};
  if (d.images.count != d.labels.size())
    fail(lbl_file, "holds " + std::to_string(d.labels.size()) + " labels but " + img_file.filename().string() +
                       " holds " + std::to_string(d.images.count) + " images");
  if (max_count > 0 && max_count < d.size()) {
    d.images.count = max_count;
    d.images.pixels.resize(max_count * d.images.pixels_per_image());
    d.labels.resize(max_count);
  }
  return d;
}

}  // namespace snnsim::io
