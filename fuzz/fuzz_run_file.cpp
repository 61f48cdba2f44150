// Fuzzes the run-file loader (io/h5.cpp, io/run_file.cpp): the input is written to a file,
// opened read-only with h5::File::open and read the way `snnsim eval` reads a run: header,
// /config, the state list and the "trained" state; a state that loads must also build a
// network (small sizes only, so one input stays fast).
// Contract: succeed or throw snnsim::RunFileError; nothing else escapes, nothing crashes.
// Crashes inside libhdf5 itself are possible on corrupt files: see fuzz/README.md.
// After each input no HDF5 id may stay open (files, groups, datasets, attributes, committed
// types): on every path, the error paths included, snnsim must close what it opened. This is
// what tells a leak of snnsim's (an id it never closed, whose memory libhdf5 allocated) from a
// leak inside libhdf5 itself (issue 23).
#include <hdf5.h>

#include <cstdio>

#include "fuzz_common.hpp"
#include "io/error.hpp"
#include "experiments/run_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snnsim;
  static const auto path = fuzz::temp_file(".h5");
  fuzz::write_file(path, data, size);

  fuzz::expect_only<RunFileError>([&] {
    auto file = h5::File::open(path, h5::File::Mode::read_only);
    const auto root = file.root();
    io::check_header(root);
    const auto params = io::read_config(root);
    (void)io::state_names(root);
    const auto state = io::read_state(root, "trained", params);
    if (state.weights.size() != params.n_input * params.n_exc || state.theta_mV.size() != params.n_exc) std::abort();
    if (params.n_input * params.n_exc <= 4096) {
      try {
        models::DiehlCookNetwork net(params, state, 1);
      } catch (const std::invalid_argument&) {
        // A state that read_state accepted but the network refuses is a validation gap.
        std::abort();
      }
    }
  });
  if (const auto open_ids = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); open_ids != 0) {
    std::fprintf(stderr, "fuzz_run_file: %lld HDF5 ids left open after the input\n", static_cast<long long>(open_ids));
    std::abort();
  }
  return 0;
}
