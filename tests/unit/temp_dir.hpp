#pragma once
// A per-test scratch directory, removed when the test ends.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace snnsim::test {

struct TempDir {
  std::filesystem::path dir;
  explicit TempDir(const std::string& prefix) {
    dir = std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()) + "_" +
                                                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir);
  }
  ~TempDir() { std::filesystem::remove_all(dir); }
};

}  // namespace snnsim::test
