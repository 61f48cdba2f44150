#include "engine.hpp"

#include <omp.h>

#include <algorithm>
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

int Engine::split_threads() const {
  int threads = 1;
  for (const auto& pop : populations_) threads = std::max(threads, pop->parts());
  for (const auto& proj : projections_) threads = std::max(threads, proj->parts());
  return threads;
}

bool Engine::split_channels_shared() const {
  for (const auto& a : projections_) {
    if (a->parts() == 1) continue;
    for (const auto& b : projections_)
      if (b != a && &b->target() == &a->target() && b->receptor() == a->receptor()) return true;
  }
  return false;
}

// The same order as step(): every channel receives its additions in projection order, each
// neuron is integrated by the same arithmetic, and everything serial runs on thread 0.
void Engine::step_in_team(int thread, int team, bool ordered_delivery) {
  const Step now = now_;
  for (auto& proj : projections_) {
    const int parts = proj->parts();
    if (parts == 1) {
      if (thread == 0) proj->deliver(now);
      continue;
    }
    if (ordered_delivery) {
#pragma omp barrier
    }
    for (int p = thread; p < parts; p += team) proj->deliver_part(now, p);
    if (ordered_delivery) {
#pragma omp barrier
    }
  }
#pragma omp barrier
  for (auto& pop : populations_) {
    const int parts = pop->parts();
    if (parts == 1) {
      if (thread == 0) pop->update(now);
      continue;
    }
    for (int p = thread; p < parts; p += team) pop->update_part(now, p);
  }
#pragma omp barrier
  if (thread == 0) {
    for (auto& pop : populations_)
      if (pop->parts() > 1) pop->finish_update(now);
    for (auto& proj : projections_) proj->propagate(now);
    for (auto& obs : observers_) obs->on_step(now);
    ++now_;
  }
#pragma omp barrier
}

void Engine::advance(Step steps) {
  const int threads = split_threads();
  if (threads == 1) {
    for (Step s = 0; s < steps; ++s) step();
    return;
  }
  const bool ordered = split_channels_shared();
#pragma omp parallel num_threads(threads)
  {
    // The team can be smaller than asked for (nested inside another parallel region, or a
    // thread limit); its threads then share the parts.
    const int thread = omp_get_thread_num(), team = omp_get_num_threads();
    for (Step s = 0; s < steps; ++s) step_in_team(thread, team, ordered);
  }
}

RunStatus Engine::run(Step steps) {
  advance(steps);
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
