#pragma once
// Fixed-weight wiring patterns that need no matrix: D&C's exc->inh (one-to-one) and
// inh->exc (every source to every target except its partner).
#include "projection.hpp"
#include "spike_ring.hpp"

namespace snnsim::sim {

class OneToOneProjection final : public Projection {
 public:
  OneToOneProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                     int delay_steps);
  void deliver(Step now) override;
  void propagate(Step now) override { ring_.push(now, source().spikes()); }
  void reset_dynamics() override { ring_.clear(); }
  std::vector<std::pair<Step, NeuronId>> in_flight() const override { return ring_.entries(); }
  void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& s) override { ring_.restore(s); }
  std::string rule() const override { return "one_to_one"; }
  int max_delay_steps() const override { return delay_; }
  double weight() const { return weight_; }

 private:
  double weight_;
  int delay_;
  SpikeRing ring_;
};

class AllButSelfProjection final : public Projection {
 public:
  AllButSelfProjection(std::string name, Population& source, Population& target, Receptor r, double weight,
                       int delay_steps);
  void deliver(Step now) override;
  void propagate(Step now) override { ring_.push(now, source().spikes()); }
  void reset_dynamics() override { ring_.clear(); }
  std::vector<std::pair<Step, NeuronId>> in_flight() const override { return ring_.entries(); }
  void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& s) override { ring_.restore(s); }
  std::string rule() const override { return "all_to_all_except_partner"; }
  int max_delay_steps() const override { return delay_; }
  double weight() const { return weight_; }

 private:
  double weight_;
  int delay_;
  SpikeRing ring_;
};

}  // namespace snnsim::sim
