#pragma once
// How a training or sleep step is split among threads. The split never changes a result (each
// neuron and synapse gets the same operations in the same order, sim/parallel.hpp); it pays only
// when a thread's share of a step outweighs the step's barriers, and where that break-even lies
// depends on the machine (bench/README.md: on 2 Zen 5 cores N=1600 split gained 1.1-1.4x, N=800
// lost). SNNSIM_MIN_NEURONS_PER_THREAD moves it for benchmarks and for machines that differ.
#include <cstddef>

#include "models/diehl_cook.hpp"

namespace snnsim::experiments {

/// sim::Parallelism's neurons per thread, or SNNSIM_MIN_NEURONS_PER_THREAD when set (a whole
/// number >= 1; anything else is a UsageError naming the variable).
std::size_t min_neurons_per_thread();

/// net.set_threads(threads) with min_neurons_per_thread().
void set_within_step_threads(models::DiehlCookNetwork& net, int threads);

}  // namespace snnsim::experiments
