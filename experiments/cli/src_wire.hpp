#pragma once
// One SRC run (ann::RunResult) as bytes, for sending it from the rank that ran it to rank 0,
// the only writer (experiments/sweep.hpp). Carries everything ann::ResultsWriter and the
// --json report read; of the saved networks only what the writer stores (sizes and weights,
// not the momentum buffers).
#include <string>

#include "ann/protocol.hpp"

namespace snnsim::cli {

std::string encode_src_run(const ann::RunResult& r);
ann::RunResult decode_src_run(const std::string& bytes);

}  // namespace snnsim::cli
