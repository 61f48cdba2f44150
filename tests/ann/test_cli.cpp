// `snnsim src` / `tune-src`: error paths (exit codes via exception types) and one small
// end-to-end run on synthetic IDX files that checks the JSON and the HDF5 layout.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ann/results.hpp"
#include "io/error.hpp"
#include "io/h5.hpp"
#include "synthetic.hpp"

namespace snnsim::cli {
int cmd_src(const std::vector<std::string>& args);
int cmd_tune_src(const std::vector<std::string>& args);
}  // namespace snnsim::cli

namespace fs = std::filesystem;
using snnsim::cli::cmd_src;
using snnsim::cli::cmd_tune_src;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("snnsim_ann_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

const std::vector<std::string> kSmall = {"--hidden", "32,24", "--per-task", "20", "--batch", "10", "--epochs", "3",
                                         "--sleep-steps", "200", "--sleep-steps-per-task", "50", "--quiet"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST(AnnCli, HelpSucceeds) {
  testing::internal::CaptureStdout();
  EXPECT_EQ(cmd_src({"--help"}), 0);
  EXPECT_EQ(cmd_tune_src({"--help"}), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("--method"), std::string::npos);
  EXPECT_NE(out.find("--trials"), std::string::npos);
}

TEST(AnnCli, ErrorPaths) {
  const fs::path dir = temp_dir("err");
  snnsim::ann::synth::write_idx_dir(dir / "data", 6, 2);
  const std::string data = (dir / "data").string(), out = (dir / "r.h5").string();
  // Missing required options, unknown method, malformed values: usage errors.
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src"}), snnsim::UsageError);  // no --out
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--threads", "-1"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--out", out}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "dream", "--out", out}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--beta", "1,2"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--beta", "1,x,2"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--gate", "tanh"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--dropout", "1"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--no-such-option"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "lowdata", "--out", out, "--fraction", "0"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--preset", "cifar"}), snnsim::UsageError);
  EXPECT_THROW(cmd_tune_src({"--data", data, "--out", out, "--tune", "gamma"}), snnsim::UsageError);
  EXPECT_THROW(cmd_src({"--data", data, "--method", "src", "--out", out, "--seeds", "0"}), snnsim::UsageError);
  EXPECT_THROW(cmd_tune_src({"--data", data, "--out", out, "--seeds", "0"}), snnsim::UsageError);
  EXPECT_FALSE(fs::exists(out)) << "a usage error must not leave a run file";
  // Missing data directory / malformed IDX: data errors.
  EXPECT_THROW(cmd_src({"--data", (dir / "nope").string(), "--method", "src", "--out", out}), snnsim::DataError);
  fs::create_directories(dir / "bad");
  {
    std::ofstream f(dir / "bad" / "train-images-idx3-ubyte", std::ios::binary);
    f << "not an idx file";
  }
  EXPECT_THROW(cmd_src({"--data", (dir / "bad").string(), "--method", "src", "--out", out}), snnsim::DataError);
  // Existing output without --force, and an unwritable location: output errors.
  { std::ofstream f(out); }
  EXPECT_THROW(cmd_src(with({"--data", data, "--method", "sequential", "--out", out}, kSmall)), snnsim::OutputError);
  EXPECT_THROW(cmd_src(with({"--data", data, "--method", "sequential", "--out", (dir / "no" / "r.h5").string()}, kSmall)),
               snnsim::OutputError);
  fs::remove_all(dir);
}

TEST(AnnCli, EndToEndSrcRunWritesJsonAndHdf5) {
  const fs::path dir = temp_dir("e2e");
  snnsim::ann::synth::write_idx_dir(dir / "data", 30, 5);
  const std::string out = (dir / "run.h5").string();
  testing::internal::CaptureStdout();
  const int rc = cmd_src(with({"--data", (dir / "data").string(), "--method", "sequential,src", "--seed", "1", "--seeds",
                               "2", "--out", out, "--json", "--save-weights", "all", "--trajectory-every", "100"},
                              kSmall));
  const std::string js = testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  // Exactly one JSON object on one line.
  ASSERT_FALSE(js.empty());
  EXPECT_EQ(js.front(), '{');
  EXPECT_EQ(js.find('\n'), js.size() - 1);
  EXPECT_NE(js.find("\"summary\""), std::string::npos);
  EXPECT_NE(js.find("\"src\""), std::string::npos);
  // The convention of every command: wall time under wall_s (the top level and each sleep).
  EXPECT_NE(js.find("\"wall_s\""), std::string::npos);
  EXPECT_EQ(js.find("\"seconds\""), std::string::npos);

  using namespace snnsim;
  auto f = h5::File::open(out, h5::File::Mode::read_only);
  auto root = f.root();
  EXPECT_EQ(root.get_attr_string("format"), "snnsim-src");
  // Provenance as in run files.
  for (const char* a : {"snnsim_version", "git_commit", "created_utc", "hdf5_version", "command_line"})
    EXPECT_TRUE(root.has_attr(a)) << a;
  EXPECT_NE(root.get_attr_string("command_line").find("--method sequential,src"), std::string::npos);
  auto res = root.open_group("eval").open_group("results");
  const auto method = res.read_strings("method");
  const auto seed = res.read<std::uint64_t>("seed");
  const auto task = res.read<std::int32_t>("task");
  const auto acc = res.read<double>("accuracy");
  const auto acc1 = res.read<double>("acc_task1");
  // sequential: 5 rows per seed; src: 10 rows per seed.
  ASSERT_EQ(method.size(), 2u * 5 + 2u * 10);
  EXPECT_EQ(seed.size(), method.size());
  EXPECT_EQ(acc1.size(), method.size());
  EXPECT_EQ(method.front(), "sequential");
  EXPECT_EQ(method.back(), "src");
  EXPECT_EQ(seed.front(), 1u);
  EXPECT_EQ(seed.back(), 2u);
  EXPECT_EQ(task.front(), 1);
  EXPECT_EQ(task.back(), 5);
  for (double a : acc) {
    EXPECT_GE(a, 0.0);
    EXPECT_LE(a, 1.0);
  }
  auto sl = root.open_group("sleep").open_group("src_s1").open_group("task3");
  EXPECT_EQ(sl.get_attr<std::int32_t>("steps"), 300);
  EXPECT_EQ(sl.shape("snapshots")[1], 784u);
  EXPECT_EQ(sl.read<std::int32_t>("trajectory_steps").back(), 300);
  const auto sr = root.open_group("eval").open_group("stable_rank").read<double>("value");
  EXPECT_EQ(sr.size(), 2u * 3 + 2u * (5 * 2 * 3 + 3));
  f.close();
  const auto net = snnsim::ann::read_state(out, "src_s2", "task2_sleep");
  EXPECT_EQ(net.sizes, (std::vector<int>{784, 32, 24, 10}));
  EXPECT_EQ(net.W[1].rows(), 24);
  fs::remove_all(dir);
}

TEST(AnnCli, TuneSrcNeverReadsTheTestSet) {
  const fs::path dir = temp_dir("tune");
  snnsim::ann::synth::write_idx_dir(dir / "data", 40, 2);
  // Remove the test files: tuning must still work because it only uses held-out training data.
  fs::remove(dir / "data" / "t10k-images-idx3-ubyte");
  fs::remove(dir / "data" / "t10k-labels-idx1-ubyte");
  const std::string out = (dir / "tune.h5").string();
  testing::internal::CaptureStdout();
  const int rc = cmd_tune_src(with({"--data", (dir / "data").string(), "--out", out, "--trials", "3", "--val", "10",
                                    "--json", "--seed", "4"},
                                   kSmall));
  const std::string js = testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  EXPECT_NE(js.find("\"best\""), std::string::npos);
  auto f = snnsim::h5::File::open(out, snnsim::h5::File::Mode::read_only);
  const auto val = f.root().open_group("tune").read<double>("val_accuracy");
  ASSERT_EQ(val.size(), 3u);
  fs::remove_all(dir);
}

TEST(AnnCli, TuneSrcScoresTheMeanOverSeeds) {
  const fs::path dir = temp_dir("tune_seeds");
  snnsim::ann::synth::write_idx_dir(dir / "data", 40, 2);
  auto trial0 = [&](const std::string& name, std::vector<std::string> extra) {
    const std::string out = (dir / (name + ".h5")).string();
    std::vector<std::string> a{"--data", (dir / "data").string(), "--out", out, "--trials", "1", "--val", "10"};
    a.insert(a.end(), extra.begin(), extra.end());
    testing::internal::CaptureStdout();
    const int rc = cmd_tune_src(with(a, kSmall));
    testing::internal::GetCapturedStdout();
    EXPECT_EQ(rc, 0);
    auto f = snnsim::h5::File::open(out, snnsim::h5::File::Mode::read_only);
    return f.root().open_group("tune").read<double>("val_accuracy").at(0);
  };
  const double s4 = trial0("s4", {"--seed", "4"}), s5 = trial0("s5", {"--seed", "5"});
  const double both = trial0("both", {"--seed", "4", "--seeds", "2"});
  EXPECT_NEAR(both, (s4 + s5) / 2, 1e-12);
  EXPECT_NE(s4, s5) << "two seeds with the same score cannot show that both were run";
  fs::remove_all(dir);
}

TEST(AnnCli, SrcTakesConfigThreadsZeroAndAnnouncesARandomSeed) {
  const fs::path dir = temp_dir("conv");
  snnsim::ann::synth::write_idx_dir(dir / "data", 30, 5);
  const std::string out = (dir / "run.h5").string(), ini = (dir / "src.ini").string();
  {
    std::ofstream f(ini);
    f << "method = sequential\ntasks = 2\nthreads = 0\nsnapshot-every = 0\nno-ranks = true\n";
  }
  // no --quiet: the seed announcement goes to stderr
  auto args = with({"--data", (dir / "data").string(), "--config", ini, "--out", out, "--json"}, kSmall);
  args.erase(std::find(args.begin(), args.end(), "--quiet"));
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int rc = cmd_src(args);
  const std::string js = testing::internal::GetCapturedStdout(), err = testing::internal::GetCapturedStderr();
  ASSERT_EQ(rc, 0) << err;
  const auto at = err.find("no --seed given; using --seed ");
  ASSERT_NE(at, std::string::npos) << err;
  const std::uint64_t seed = std::stoull(err.substr(at + 30));
  auto f = snnsim::h5::File::open(out, snnsim::h5::File::Mode::read_only);
  const auto res = f.root().open_group("eval").open_group("results");
  const auto seeds = res.read<std::uint64_t>("seed");
  ASSERT_EQ(seeds.size(), 2u);  // the config's two tasks, one evaluation each
  EXPECT_EQ(seeds.front(), seed);
  EXPECT_NE(js.find("\"sequential\""), std::string::npos);
  f.close();
  fs::remove_all(dir);
}

TEST(AnnResults, AnUnfinishedWriterLeavesTheOldFileIntact) {
  // --force over an existing file: until commit() the old file stays as it was, and a writer
  // dropped without commit (an error mid-run) leaves no half-written file or temporary behind.
  const fs::path dir = temp_dir("atomic");
  const fs::path out = dir / "run.h5";
  { std::ofstream(out) << "the previous results"; }
  {
    snnsim::ann::ResultsWriter w(out, /*force=*/true, "snnsim src --force", "{}", 5);
    snnsim::ann::RunResult r;
    r.method = "sequential";
    r.seed = 1;
    w.add(r);
    std::ifstream in(out);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "the previous results") << "the old file was replaced before the run finished";
  }
  std::ifstream in(out);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "the previous results");
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";
  {
    snnsim::ann::ResultsWriter w(out, true, "snnsim src --force", "{}", 5);
    w.commit();
  }
  auto f = snnsim::h5::File::open(out, snnsim::h5::File::Mode::read_only);
  EXPECT_EQ(f.root().get_attr_string("format"), "snnsim-src");
  f.close();
  fs::remove_all(dir);
}
