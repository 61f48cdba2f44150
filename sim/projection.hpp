#pragma once
#include <string>
#include <utility>
#include <vector>

#include "population.hpp"

namespace snnsim::sim {

/// Synapses from one population to another. A spike emitted at step t with delay d (d >= 1)
/// acts on the target at the start of step t+d, before the target is updated.
class Projection {
 public:
  Projection(std::string name, Population& source, Population& target, Receptor receptor)
      : name_(std::move(name)), source_(source), target_(target), receptor_(receptor) {}
  virtual ~Projection() = default;
  Projection(const Projection&) = delete;
  Projection& operator=(const Projection&) = delete;

  /// Apply every spike arriving at `now` (and the plasticity that acts on arrival).
  virtual void deliver(Step now) = 0;
  /// Take this step's source spikes into flight; apply plasticity on target spikes.
  virtual void propagate(Step now) = 0;
  virtual void reset_dynamics() = 0;
  virtual std::string rule() const = 0;  // connection pattern, for descriptions
  virtual int max_delay_steps() const = 0;
  /// Spikes emitted recently enough to be still in flight, (step, source id).
  virtual std::vector<std::pair<Step, NeuronId>> in_flight() const = 0;
  virtual void restore_in_flight(const std::vector<std::pair<Step, NeuronId>>& spikes) = 0;

  const std::string& name() const { return name_; }
  Population& source() const { return source_; }
  Population& target() const { return target_; }
  Receptor receptor() const { return receptor_; }
  /// Multiplies every delivered weight (used to scale a pathway without touching weights).
  double gain() const { return gain_; }
  void set_gain(double g) { gain_ = g; }
  /// How many threads deliver() and the rule may use (the engine passes its setting on; a
  /// projection that does not split ignores it).
  virtual void set_parallelism(const Parallelism& /*p*/) {}
  /// Within-step threads: the engine may run deliver() as deliver_part(now, p) for p < parts(),
  /// concurrently; each part touches only its own targets' state.
  virtual int parts() const { return 1; }
  virtual void deliver_part(Step /*now*/, int /*part*/) {}
  /// Within-step threads: true when the plasticity of this step's target spikes runs per part,
  /// as post_part(now, p) on the thread of part p right after the target's update_part(now, p)
  /// (then propagate() leaves it out). Only where the parts are the target's parts.
  virtual bool post_split() const { return false; }
  virtual void post_part(Step /*now*/, int /*part*/) {}

 protected:
  double* target_channel() const { return target_.receptor(receptor_); }

 private:
  std::string name_;
  Population& source_;
  Population& target_;
  Receptor receptor_;
  double gain_ = 1.0;
};

}  // namespace snnsim::sim
