// Writes small valid run files for the run-file fuzzer's corpus:
//   fuzz_make_run_seed DIR
// DIR/tiny.h5: n_input 4, n_exc 2, with labels; DIR/mnist2.h5: n_input 784, n_exc 2, no labels.
// Both carry the header, /config and the states "init" and "trained" as snnsim train writes them.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "io/error.hpp"
#include "experiments/run_file.hpp"

namespace {
void write_seed(const std::filesystem::path& out, std::size_t n_input, std::size_t n_exc, bool labels) {
  using namespace snnsim;
  models::DiehlCookParams p;
  p.n_input = n_input;
  p.n_exc = n_exc;
  auto init = models::initial_state(p, 1);
  auto trained = init;
  trained.samples_seen = 10;
  if (labels) {
    trained.labels.assign(n_exc, 3);
    trained.labels[0] = -1;
    trained.class_rate_Hz.assign(n_exc * 10, 0.5f);
  }
  auto txn = io::RunFileTransaction::create(out, /*force=*/true);
  auto root = txn.root();
  io::write_header(root, "fuzz_make_run_seed");
  io::write_config(root, p, "neurons = 2\n");
  io::write_state(root, "init", init, {"init", ""});
  io::write_state(root, "trained", trained, {"train", "init"});
  txn.commit();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  // The same bytes on every run of a commit: the test suite's fuzz pass (fuzz/run.sh) starts
  // from these files, and a creation time in them would change what it explores.
  ::setenv("SOURCE_DATE_EPOCH", "946684800", 1);
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  try {
    write_seed(dir / "tiny.h5", 4, 2, true);
    write_seed(dir / "mnist2.h5", 784, 2, false);
  } catch (const snnsim::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return e.code();
  }
  return 0;
}
