#pragma once
// The engine: owns populations, projections and observers, and advances them in one fixed
// order per step (Engine::step). It knows nothing of datasets, learning protocols or sleep.
#include <memory>
#include <string>
#include <vector>

#include "population.hpp"
#include "projection.hpp"

namespace snnsim::sim {

class Engine;

/// Sees every step after spikes are known. Observers only buffer; writing files is io/'s job.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_step(Step now) = 0;
};

/// Outcome of Engine::run: either ok, or what the guard found.
struct RunStatus {
  bool ok = true;
  std::string message;
};

class Engine {
 public:
  explicit Engine(double dt_ms);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  double dt_ms() const { return dt_ms_; }
  Step now() const { return now_; }
  void set_now(Step t) { now_ = t; }
  Step steps_for_ms(double ms) const;

  template <typename P, typename... Args>
  P& add_population(Args&&... args) {
    auto p = std::make_unique<P>(std::forward<Args>(args)...);
    P& ref = *p;
    ref.set_parallelism(parallelism_);
    populations_.push_back(std::move(p));
    return ref;
  }
  template <typename P, typename... Args>
  P& add_projection(Args&&... args) {
    auto p = std::make_unique<P>(std::forward<Args>(args)...);
    P& ref = *p;
    ref.set_parallelism(parallelism_);
    projections_.push_back(std::move(p));
    return ref;
  }
  template <typename O, typename... Args>
  O& add_observer(Args&&... args) {
    auto o = std::make_unique<O>(std::forward<Args>(args)...);
    O& ref = *o;
    observers_.push_back(std::move(o));
    return ref;
  }

  /// One step: (1) deliver arrivals due now, (2) update every population (spikes of this step),
  /// (3) put the new spikes into flight and apply post-spike plasticity, (4) notify observers,
  /// (5) advance the clock.
  void step();
  /// `steps` steps. With within-step threads (set_parallelism) they run in one parallel region:
  /// the split parts of delivery, of population updates (with their spike passes) and of
  /// post-spike plasticity on all threads, the rest (joining spike lists, propagation,
  /// observers) on one, with a barrier between phases. Same results.
  void advance(Step steps);
  /// advance(steps), then the state guard (NaN/Inf, out-of-range state) of every population.
  RunStatus run(Step steps);
  /// Threads for the work inside a step, passed to every population and projection (also to
  /// those added later). Results are the same for any setting.
  void set_parallelism(const Parallelism& p);
  const Parallelism& parallelism() const { return parallelism_; }
  /// Clears everything in flight and every population's dynamic state; learned state stays.
  void reset_dynamics();

  const std::vector<std::unique_ptr<Population>>& populations() const { return populations_; }
  const std::vector<std::unique_ptr<Projection>>& projections() const { return projections_; }
  /// Threads advance() uses: the most parts any population or projection splits into (1 when
  /// the network is too small for set_parallelism's neurons per thread).
  int split_threads() const;

 private:
  // Whether a split projection shares a target channel with another projection (then each
  // split delivery gets barriers of its own, so the order of additions into a channel stays).
  bool split_channels_shared() const;
  // Whether every projection is cut into the same parts as its target population (then a
  // thread's deliveries land only in the neurons it updates next, and no barrier is needed
  // between delivery and update).
  bool parts_aligned() const;
  // One step as thread `thread` of `team` inside advance()'s parallel region.
  void step_in_team(int thread, int team, bool ordered_delivery, bool aligned);

  double dt_ms_;
  Step now_ = 0;
  Parallelism parallelism_;
  std::vector<std::unique_ptr<Population>> populations_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<std::unique_ptr<Observer>> observers_;
};

}  // namespace snnsim::sim
