#include "engine.hpp"

#include <cmath>
#include <stdexcept>

namespace snnsim::sim {

Engine::Engine(double dt_ms) : dt_ms_(dt_ms) {
  if (!(dt_ms > 0.0) || !std::isfinite(dt_ms)) throw std::invalid_argument("dt_ms must be positive");
}

Step Engine::steps_for_ms(double ms) const { return static_cast<Step>(std::llround(ms / dt_ms_)); }

void Engine::step() {
  for (auto& proj : projections_) proj->deliver(now_);
  for (auto& pop : populations_) pop->update(now_);
  for (auto& proj : projections_) proj->propagate(now_);
  for (auto& obs : observers_) obs->on_step(now_);
  ++now_;
}

RunStatus Engine::run(Step steps) {
  for (Step s = 0; s < steps; ++s) step();
  for (auto& pop : populations_) {
    auto problem = pop->check_state();
    if (!problem.empty()) return {false, pop->name() + ": " + problem};
  }
  return {};
}

void Engine::set_parallelism(const Parallelism& p) {
  parallelism_ = p;
  for (auto& pop : populations_) pop->set_parallelism(p);
  for (auto& proj : projections_) proj->set_parallelism(p);
}

void Engine::reset_dynamics() {
  for (auto& pop : populations_) pop->reset_dynamics();
  for (auto& proj : projections_) proj->reset_dynamics();
}

}  // namespace snnsim::sim
