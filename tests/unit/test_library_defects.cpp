// Library defects of issue 21 (item 5), each pinned by a test that failed before its fix.
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <unistd.h>
#include <random>
#include <stdexcept>
#include <string>

#include "experiments/frozen.hpp"
#include "experiments/progress.hpp"
#include "experiments/run_file.hpp"
#include "io/error.hpp"
#include "io/h5.hpp"

using namespace snnsim;
namespace fs = std::filesystem;

namespace {

io::LabelledImages random_images(std::size_t count) {
  io::LabelledImages d;
  d.images.count = count;
  d.images.rows = d.images.cols = 28;
  d.images.pixels.resize(count * 784);
  std::mt19937 rng(5);
  for (auto& px : d.images.pixels) px = static_cast<std::uint8_t>(rng() % 256);
  d.labels.resize(count);
  for (std::size_t k = 0; k < count; ++k) d.labels[k] = static_cast<std::uint8_t>(k % 10);
  return d;
}

fs::path temp_file(const std::string& name) {
  return fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".h5");
}

}  // namespace

// An exception inside the parallel image loop (here from the progress callback, called on
// thread 0 after an image) used to leave the OpenMP worksharing loop, which OpenMP forbids:
// the other thread could wait at the loop's barrier forever. Now the loop stops, the region
// ends and the one exception comes out.
TEST(FrozenPass, AnImageThatThrowsEndsTheEvaluationWithItsErrorNotAHang) {
  models::DiehlCookParams p;
  p.n_exc = 10;
  auto s = models::initial_state(p, 3);
  s.labels.assign(p.n_exc, 0);
  const auto data = random_images(64);
  auto run = std::async(std::launch::async, [&] {
    int thrown = 0;
    const experiments::ProgressFn progress = [&](std::size_t done, std::size_t total) {
      if (done < total && thrown++ == 0) throw std::runtime_error("image failed");
    };
    try {
      experiments::evaluate(p, s, 3, data, data.images.count, 2, progress);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  });
  if (run.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
    ADD_FAILURE() << "evaluation hung after an image threw";
    std::_Exit(1);  // the hung thread cannot be joined
  }
  EXPECT_EQ(run.get(), "image failed");
}

// Writing an output that cannot be written is exit 5 (OutputError), not 4 (bad run file).
TEST(H5Errors, AFailedWriteIsAnOutputError) {
  const auto path = temp_file("snnsim-h5-write-error");
  { auto f = h5::File::create(path); f.root().create_group("g"); }
  {
    auto f = h5::File::open(path, h5::File::Mode::read_only);  // every write to it fails
    const auto root = f.root();
    auto expect_output_error = [&](const char* what, auto&& write) {
      try {
        write();
        ADD_FAILURE() << what << ": no exception";
      } catch (const OutputError&) {
      } catch (const std::exception& e) {
        ADD_FAILURE() << what << ": " << e.what() << " is not an OutputError";
      }
    };
    const std::vector<double> x = {1.0, 2.0};
    expect_output_error("create_group", [&] { root.create_group("h"); });
    expect_output_error("write", [&] { root.write<double>("x", x, {2}); });
    expect_output_error("write_string", [&] { root.write_string("s", "text"); });
    expect_output_error("append", [&] { root.append<double>("y", x); });
    expect_output_error("set_attr", [&] { root.set_attr<double>("a", 1.0); });
    expect_output_error("remove", [&] { root.remove("g"); });
    expect_output_error("move", [&] { root.move("g", "g2"); });
    // Reading what is not there stays a run-file error.
    EXPECT_THROW(root.open_group("missing"), RunFileError);
  }
  fs::remove(path);
}

// An evaluation of more images than an earlier one used to drop its predictions row silently,
// so /eval/predictions stopped lining up with /eval/results. The table now grows; earlier rows
// are padded with -2 like narrower rows are.
TEST(RunFileEval, AWiderEvaluationGrowsThePredictionsTable) {
  const auto path = temp_file("snnsim-eval-grow");
  auto f = h5::File::create(path);
  const auto root = f.root();
  std::array<std::uint32_t, 100> confusion{};
  io::EvalRow row;
  row.state = "trained";
  const std::vector<std::int8_t> narrow = {1, 2, 3}, wide = {4, 5, 6, 7, 8}, mid = {9, 0, 1, 2};
  io::append_eval(root, row, confusion, narrow);
  io::append_eval(root, row, confusion, wide);
  io::append_eval(root, row, confusion, mid);
  std::vector<hsize_t> dims;
  const auto got = root.read<std::int8_t>("eval/predictions", &dims);
  ASSERT_EQ(dims, (std::vector<hsize_t>{3, 5}));
  EXPECT_EQ(got, (std::vector<std::int8_t>{1, 2, 3, -2, -2, 4, 5, 6, 7, 8, 9, 0, 1, 2, -2}));
  EXPECT_EQ(root.shape("eval/results/accuracy"), (std::vector<hsize_t>{3}));
  EXPECT_EQ(root.shape("eval/confusion"), (std::vector<hsize_t>{3, 10, 10}));
  f.close();
  fs::remove(path);
}

// A resumed run's progress line counted the samples of the runs before it as done in this
// run's time: resumed at 11,145 of 60,000 N=6400 images, it showed 597/s and "ETA 80s" for a
// run going at 33/s. The rate and ETA now count only this run's work.
TEST(Progress, AResumedRunsRateAndEtaCountOnlyItsOwnWork) {
  const auto line = experiments::progress_line("train", 12000, 60000, 11000, 10.0, false, "");
  EXPECT_NE(line.find("12000/60000 (20.0%) 100.0/s ETA 480s"), std::string::npos) << line;
  const auto fresh = experiments::progress_line("train", 1000, 60000, 0, 10.0, false, "x");
  EXPECT_NE(fresh.find("1000/60000 (1.7%) 100.0/s ETA 590s  x"), std::string::npos) << fresh;
  const auto done = experiments::progress_line("sleep", 10, 10, 4, 3.0, true, "");
  EXPECT_NE(done.find("10/10 (100.0%) 2.0/s elapsed 3s"), std::string::npos) << done;
}
