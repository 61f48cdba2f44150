#pragma once
// Within-step parallelism: a population's neurons, or a projection's targets, are cut into a
// few contiguous ranges, one per thread (Engine::advance runs them). Every neuron and every
// synapse is still computed by the same operations in the same order, only on another thread,
// so results do not depend on the thread count. It pays only when a step has a lot of work: a
// step costs three barriers of about half a microsecond. Measured in D&C training on 2 cores
// (100 images, 1 -> 2 threads): N=1600 117 -> 95 images/s, N=2400 74 -> 85, N=3200 56 -> 74
// (2026-12-03, Intel Xeon). The commands take SNNSIM_MIN_NEURONS_PER_THREAD over the default
// (experiments/within_step.hpp): the break-even moved with the CPU and the code since.
#include <algorithm>
#include <cstddef>

namespace snnsim::sim {

struct Parallelism {
  int threads = 1;
  /// Below this many neurons (or targets) per thread, a loop stays on one thread.
  std::size_t min_per_thread = 1024;

  /// How many ranges to cut n items into.
  int parts(std::size_t n) const {
    if (threads <= 1 || min_per_thread == 0) return 1;
    return static_cast<int>(std::clamp<std::size_t>(n / min_per_thread, 1, static_cast<std::size_t>(threads)));
  }
};

/// Start of range p of `parts` over [0, n): boundaries on multiples of 8 so that each range's
/// vector loop starts aligned like the whole one.
inline std::size_t range_begin(std::size_t n, int parts, int p) {
  if (p >= parts) return n;
  const std::size_t b = n * static_cast<std::size_t>(p) / static_cast<std::size_t>(parts);
  return std::min(n, b & ~std::size_t{7});
}

}  // namespace snnsim::sim
