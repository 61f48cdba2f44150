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

// One thread alone is a team of one: the barriers are no-ops and it runs every part itself.
void Engine::step() { step_in_team(0, 1, false, true); }

int Engine::split_threads() const {
  int threads = 1;
  for (const auto& pop : populations_) threads = std::max(threads, pop->parts());
  for (const auto& proj : projections_) threads = std::max(threads, proj->parts());
  return threads;
}

bool Engine::parts_aligned() const {
  for (const auto& proj : projections_)
    if (proj->parts() != proj->target().parts()) return false;
  return true;
}

bool Engine::split_channels_shared() const {
  for (const auto& a : projections_) {
    if (a->parts() == 1) continue;
    for (const auto& b : projections_)
      if (b != a && &b->target() == &a->target() && b->receptor() == a->receptor()) return true;
  }
  return false;
}

// The order of a step, the only place it is written: (1) deliver arrivals due now, (2) update
// every population (spikes of this step), (3) put the new spikes into flight and apply post-spike
// plasticity, (4) notify observers, (5) advance the clock. In a team of threads the split parts
// of (1) and (2) are shared out, and so is the post-spike plasticity of (3) where a projection's
// parts are its target's (post_split: each part's spikes walk that part's weight columns, right
// after the part's update); the rest runs on thread 0. Barriers separate the phases, except
// delivery from update where every projection is cut like its target. Every channel receives its additions in
// projection order and each neuron and synapse the same arithmetic, so the team's size does not
// change the results.
void Engine::step_in_team(int thread, int team, bool ordered_delivery, bool aligned) {
  // Alone, no barrier: step() may run inside somebody else's parallel region (each thread of a
  // frozen evaluation steps its own network), and a barrier there would bind to that team.
  const auto sync = [team] {
    if (team > 1) {
#pragma omp barrier
    }
  };
  const Step now = now_;
  for (auto& proj : projections_) {
    const int parts = proj->parts();
    if (parts == 1) {
      if (thread == 0) proj->deliver(now);
      continue;
    }
    if (ordered_delivery) sync();
    for (int p = thread; p < parts; p += team) proj->deliver_part(now, p);
    if (ordered_delivery) sync();
  }
  // Aligned parts (each projection cut like its target, both by range_begin, and part p on the
  // same thread in both loops): a thread's arrivals went only into the neurons it updates, so it
  // goes on without waiting for the others' deliveries.
  if (!(aligned && !ordered_delivery)) sync();
  for (auto& pop : populations_) {
    const int parts = pop->parts();
    if (parts == 1) {
      if (thread == 0) pop->update(now);
      continue;
    }
    for (int p = thread; p < parts; p += team) pop->update_part(now, p);
  }
  for (auto& proj : projections_)  // a part's post spikes walk only that part's weight columns
    if (proj->post_split())
      for (int p = thread; p < proj->parts(); p += team) proj->post_part(now, p);
  sync();
  if (thread == 0) {
    for (auto& pop : populations_)
      if (pop->parts() > 1) pop->finish_update(now);
    for (auto& proj : projections_) proj->propagate(now);
    for (auto& obs : observers_) obs->on_step(now);
    ++now_;
  }
  sync();
}

void Engine::advance(Step steps) {
  const int threads = split_threads();
  if (threads == 1 || omp_in_parallel()) {  // nested: a team of one would run it all anyway
    for (Step s = 0; s < steps; ++s) step();
    return;
  }
  const bool ordered = split_channels_shared(), aligned = parts_aligned();
#pragma omp parallel num_threads(threads)
  {
    // The team can be smaller than asked for (a thread limit); its threads then share the parts.
    const int thread = omp_get_thread_num(), team = omp_get_num_threads();
    for (Step s = 0; s < steps; ++s) step_in_team(thread, team, ordered, aligned);
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
