#pragma once
#include <string>
#include <vector>

#include "parallel.hpp"
#include "types.hpp"

namespace snnsim::sim {

/// A group of neurons (or spike sources) updated together once per step. The engine calls
/// update() once per step; it must fill spikes_ with this step's spiking ids in ascending order.
class Population {
 public:
  Population(std::string name, std::size_t size) : name_(std::move(name)), size_(size) {}
  virtual ~Population() = default;
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  const std::vector<NeuronId>& spikes() const { return spikes_; }

  virtual void update(Step now) = 0;
  /// Conductance array a projection adds into, or nullptr if the population has no such input.
  virtual double* receptor(Receptor) { return nullptr; }
  /// Back to the state of a freshly built population, keeping learned quantities.
  virtual void reset_dynamics() { spikes_.clear(); }
  /// Empty when all state is finite and in range; otherwise a description of what is not.
  virtual std::string check_state() const { return {}; }
  /// Model name for descriptions (e.g. "conductance_lif").
  virtual std::string model() const = 0;
  /// How many threads the update may use (the engine passes its setting on; a population
  /// that does not split ignores it).
  virtual void set_parallelism(const Parallelism& /*p*/) {}
  /// Within-step threads: the engine may run update() as update_part(now, p) for p < parts(),
  /// concurrently (each part touches only its own neurons), then finish_update(now) on one
  /// thread. A population that does not split keeps parts() == 1 and is updated whole.
  virtual int parts() const { return 1; }
  virtual void update_part(Step /*now*/, int /*part*/) {}
  virtual void finish_update(Step /*now*/) {}
  /// This step's spikes of part p (ascending), once update_part(now, p) has run; on the thread
  /// that ran it, before finish_update. A population that does not split returns spikes().
  virtual const std::vector<NeuronId>& part_spikes(int /*part*/) const { return spikes_; }

 protected:
  std::vector<NeuronId> spikes_;

 private:
  std::string name_;
  std::size_t size_;
};

}  // namespace snnsim::sim
