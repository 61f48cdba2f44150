#include "describe.hpp"

// Boost.Graph 1.74 trips GCC 12's maybe-uninitialized analysis inside its own iterators.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <map>
#include <stdexcept>

#include <fmt/core.h>

namespace snnsim::experiments {
namespace {
struct PopVertex {
  std::string name, model;
  std::size_t size = 0;
};
struct ProjEdge {
  std::string name, rule, receptor;
  int max_delay_steps = 0;
  double gain = 1.0;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, PopVertex, ProjEdge>;
}  // namespace

void describe(const sim::Engine& engine, bool dot, std::ostream& out) {
  Graph g;
  std::map<const sim::Population*, Graph::vertex_descriptor> vertex;
  for (const auto& p : engine.populations()) vertex[p.get()] = boost::add_vertex({p->name(), p->model(), p->size()}, g);
  for (const auto& pr : engine.projections()) {
    auto s = vertex.find(&pr->source()), t = vertex.find(&pr->target());
    if (s == vertex.end() || t == vertex.end()) throw std::logic_error("projection " + pr->name() + " leaves the engine");
    boost::add_edge(s->second, t->second,
                    {pr->name(), pr->rule(), pr->receptor() == sim::Receptor::excitatory ? "excitatory" : "inhibitory",
                     pr->max_delay_steps(), pr->gain()},
                    g);
  }
  if (dot) {
    boost::write_graphviz(
        out, g,
        [&](std::ostream& o, auto v) { o << "[label=\"" << g[v].name << "\\n" << g[v].model << " x " << g[v].size << "\"]"; },
        [&](std::ostream& o, auto e) {
          o << "[label=\"" << g[e].name << "\\n" << g[e].rule << ", " << g[e].receptor << ", delay<=" << g[e].max_delay_steps
            << " steps\"" << (g[e].receptor == "inhibitory" ? ", style=dashed" : "") << "]";
        });
    return;
  }
  out << fmt::format("populations ({}):\n", boost::num_vertices(g));
  for (auto v : boost::make_iterator_range(boost::vertices(g)))
    out << fmt::format("  {:<8} {:>6} x {}\n", g[v].name, g[v].size, g[v].model);
  out << fmt::format("projections ({}), dt = {} ms:\n", boost::num_edges(g), engine.dt_ms());
  for (auto e : boost::make_iterator_range(boost::edges(g)))
    out << fmt::format("  {:<12} {} -> {}  {}, {}, delay 1..{} steps, gain {}\n", g[e].name,
                       g[boost::source(e, g)].name, g[boost::target(e, g)].name, g[e].rule, g[e].receptor,
                       g[e].max_delay_steps, g[e].gain);
}

}  // namespace snnsim::experiments
