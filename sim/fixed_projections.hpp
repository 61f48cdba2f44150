#pragma once
// Fixed-weight wiring patterns that need no matrix: D&C's exc->inh (one-to-one) and
// inh->exc (every source to every target except its partner).
#include "projection.hpp"
#include "spike_ring.hpp"

namespace snnsim::sim {

/// One weight for every synapse and one delay; spikes wait in a ring until they arrive.
class FixedWeightProjection : public Projection {
 public:
  FixedWeightProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                        int delay_steps);
  void propagate(Step now) override { ring_.push(now, source().spikes()); }
  void reset_dynamics() override { ring_.clear(); }
  int max_delay_steps() const override { return delay_; }
  std::vector<std::pair<Step, NeuronId>> in_flight() const override { return ring_.entries(); }
  void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& s) override { ring_.restore(s); }
  double weight() const { return weight_; }

 protected:
  const std::vector<NeuronId>& arriving(Step now) const { return ring_.at(now - delay_); }

 private:
  double weight_;
  int delay_;
  SpikeRing ring_;
};

class OneToOneProjection final : public FixedWeightProjection {
 public:
  OneToOneProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                     int delay_steps);
  void deliver(Step now) override;
  std::string rule() const override { return "one_to_one"; }
};

class AllButSelfProjection final : public FixedWeightProjection {
 public:
  using FixedWeightProjection::FixedWeightProjection;
  void deliver(Step now) override;
  std::string rule() const override { return "all_to_all_except_partner"; }
};

}  // namespace snnsim::sim
