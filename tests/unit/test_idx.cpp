#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "io/error.hpp"
#include "temp_dir.hpp"
#include "io/idx.hpp"

using namespace snnsim;
namespace fs = std::filesystem;

namespace {
struct Scratch : test::TempDir {
  Scratch() : TempDir("snnsim_idx") {}
};

std::vector<std::uint8_t> header(std::uint8_t type, std::vector<std::uint32_t> dims) {
  std::vector<std::uint8_t> b = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  return b;
}

void write(const fs::path& p, const std::vector<std::uint8_t>& b) {
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

void write_gz(const fs::path& p, const std::vector<std::uint8_t>& b) {
  gzFile f = gzopen(p.c_str(), "wb");
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
}

std::vector<std::uint8_t> images(std::uint32_t n, std::uint32_t r, std::uint32_t c) {
  auto b = header(0x08, {n, r, c});
  for (std::uint32_t k = 0; k < n * r * c; ++k) b.push_back(static_cast<std::uint8_t>(k));
  return b;
}

std::vector<std::uint8_t> labels(std::vector<std::uint8_t> l) {
  auto b = header(0x08, {static_cast<std::uint32_t>(l.size())});
  b.insert(b.end(), l.begin(), l.end());
  return b;
}

void expect_error(const fs::path& p, bool is_images, const std::string& fragment) {
  try {
    if (is_images)
      io::read_idx_images(p);
    else
      io::read_idx_labels(p);
    FAIL() << "no error for " << fragment;
  } catch (const DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(p.string()), std::string::npos) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}
}  // namespace

TEST(Idx, ReadsRawAndGzipIdentically) {
  Scratch d;
  write(d.dir / "a", images(3, 2, 2));
  write_gz(d.dir / "a.gz", images(3, 2, 2));
  const auto raw = io::read_idx_images(d.dir / "a");
  const auto gz = io::read_idx_images(d.dir / "a.gz");
  EXPECT_EQ(raw.count, 3u);
  EXPECT_EQ(raw.rows, 2u);
  EXPECT_EQ(raw.pixels, gz.pixels);
  EXPECT_EQ(raw.image(2)[3], 11);
}

TEST(Idx, RejectsMalformedFilesNamingFileAndField) {
  Scratch d;
  auto bad_magic = images(1, 2, 2);
  bad_magic[0] = 1;
  write(d.dir / "magic", bad_magic);
  expect_error(d.dir / "magic", true, "magic");
  auto bad_type = images(1, 2, 2);
  bad_type[2] = 0x0D;
  write(d.dir / "type", bad_type);
  expect_error(d.dir / "type", true, "element type");
  write(d.dir / "rank", labels({1, 2}));
  expect_error(d.dir / "rank", true, "rank");
  auto truncated = images(4, 2, 2);
  truncated.resize(truncated.size() - 3);
  write(d.dir / "trunc", truncated);
  expect_error(d.dir / "trunc", true, "truncated data");
  auto trailing = images(1, 2, 2);
  trailing.push_back(0);
  write(d.dir / "trail", trailing);
  expect_error(d.dir / "trail", true, "trailing");
  write(d.dir / "short", {0, 0});
  expect_error(d.dir / "short", true, "too short");
  write(d.dir / "absurd", header(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}));
  expect_error(d.dir / "absurd", true, "absurd");
  write(d.dir / "zero", header(0x08, {0, 28, 28}));
  expect_error(d.dir / "zero", true, "zero");
  write(d.dir / "lbl", labels({1, 12, 3}));
  expect_error(d.dir / "lbl", false, "outside 0..9");
  expect_error(d.dir / "missing", true, "not found");
  auto gz = images(2, 2, 2);
  write_gz(d.dir / "corrupt.gz", gz);
  {
    std::fstream f(d.dir / "corrupt.gz", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12);
    f.write("\xff\xff\xff\xff\xff\xff", 6);
  }
  expect_error(d.dir / "corrupt.gz", true, "gzip");
  auto big = images(2, 2, 2);
  write_gz(d.dir / "cut.gz", big);
  fs::resize_file(d.dir / "cut.gz", fs::file_size(d.dir / "cut.gz") - 10);
  expect_error(d.dir / "cut.gz", true, "gzip");
}

TEST(Idx, LoadSplitChecksImageLabelCountAndCaps) {
  Scratch d;
  write(d.dir / "train-images-idx3-ubyte", images(5, 28, 28));
  write(d.dir / "train-labels-idx1-ubyte", labels({0, 1, 2, 3, 4}));
  const auto all = io::load_split(d.dir, io::Split::train);
  EXPECT_EQ(all.size(), 5u);
  const auto capped = io::load_split(d.dir, io::Split::train, 2);
  EXPECT_EQ(capped.size(), 2u);
  EXPECT_EQ(capped.images.pixels.size(), 2u * 784u);
  write(d.dir / "train-labels-idx1-ubyte", labels({0, 1, 2}));
  EXPECT_THROW(io::load_split(d.dir, io::Split::train), DataError);
  EXPECT_THROW(io::load_split(d.dir, io::Split::test), DataError);
}
