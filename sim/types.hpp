#pragma once
#include <cstdint>

namespace snnsim::sim {

/// Simulation time in integer steps of dt; 64-bit so paper-scale runs never wrap.
using Step = std::int64_t;
using NeuronId = std::uint32_t;

/// Which conductance a projection drives on its target.
enum class Receptor { excitatory, inhibitory };

}  // namespace snnsim::sim
