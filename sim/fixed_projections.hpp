#pragma once
// Fixed-weight wiring patterns that need no matrix: D&C's exc->inh (one-to-one) and
// inh->exc (every source to every target except its partner).
#include <algorithm>
#include <cstddef>

#include "parallel.hpp"
#include "projection.hpp"
#include "spike_ring.hpp"

namespace snnsim::sim {

/// One weight for every synapse and one delay; spikes wait in a ring until they arrive. With
/// within-step threads the targets are cut like their population (range_begin), so part p's
/// arrivals land only in the neurons that part p of the target updates.
class FixedWeightProjection : public Projection {
 public:
  FixedWeightProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                        int delay_steps);
  void deliver(Step now) override { deliver_range(now, 0, target().size()); }
  int parts() const override { return parts_; }
  void deliver_part(Step now, int part) override {
    const std::size_t n = target().size();
    deliver_range(now, range_begin(n, parts_, part), range_begin(n, parts_, part + 1));
  }
  void set_parallelism(const Parallelism& p) override { parts_ = p.parts(target().size()); }
  void propagate(Step now) override { ring_.push(now, source().spikes()); }
  void reset_dynamics() override { ring_.clear(); }
  int max_delay_steps() const override { return delay_; }
  std::vector<std::pair<Step, NeuronId>> in_flight() const override { return ring_.entries(); }
  void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& s) override { ring_.restore(s); }
  double weight() const { return weight_; }

 protected:
  const std::vector<NeuronId>& arriving(Step now) const { return ring_.at(now - delay_); }
  /// The arrivals due now into targets [lo, hi), with the arithmetic of the whole delivery.
  virtual void deliver_range(Step now, std::size_t lo, std::size_t hi) = 0;

 private:
  double weight_;
  int delay_;
  int parts_ = 1;
  SpikeRing ring_;
};

class OneToOneProjection final : public FixedWeightProjection {
 public:
  OneToOneProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                     int delay_steps);
  std::string rule() const override { return "one_to_one"; }

 protected:
  void deliver_range(Step now, std::size_t lo, std::size_t hi) override;
};

class AllButSelfProjection final : public FixedWeightProjection {
 public:
  using FixedWeightProjection::FixedWeightProjection;
  std::string rule() const override { return "all_to_all_except_partner"; }

 protected:
  void deliver_range(Step now, std::size_t lo, std::size_t hi) override;
};

}  // namespace snnsim::sim
