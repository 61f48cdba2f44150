#pragma once
#include <ostream>

#include "sim/engine.hpp"

namespace snnsim::experiments {

/// The population graph (vertices = populations, edges = projections) as text or GraphViz DOT.
/// Built with Boost.Graph, which also checks that every projection's ends are populations
/// of this engine.
void describe(const sim::Engine& engine, bool dot, std::ostream& out);

}  // namespace snnsim::experiments
