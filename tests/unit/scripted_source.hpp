#pragma once
// Test helper: a population that spikes exactly where a test says, and a probe population
// that records the conductance it receives each step.
#include <map>
#include <vector>

#include "sim/population.hpp"

namespace snnsim::test {

class ScriptedSource final : public sim::Population {
 public:
  explicit ScriptedSource(std::size_t n) : Population("scripted", n) {}
  void at(sim::Step t, sim::NeuronId id) { script_[t].push_back(id); }
  void update(sim::Step now) override {
    spikes_.clear();
    if (auto it = script_.find(now); it != script_.end()) spikes_ = it->second;
  }
  std::string model() const override { return "scripted"; }

 private:
  std::map<sim::Step, std::vector<sim::NeuronId>> script_;
};

/// Records, at each update, the excitatory conductance accumulated since the last step.
class ConductanceProbe final : public sim::Population {
 public:
  explicit ConductanceProbe(std::size_t n) : Population("probe", n), ge_(n, 0.0), gi_(n, 0.0) {}
  void update(sim::Step now) override {
    for (std::size_t j = 0; j < size(); ++j) {
      if (ge_[j] != 0.0) seen_ge.push_back({now, j, ge_[j]});
      if (gi_[j] != 0.0) seen_gi.push_back({now, j, gi_[j]});
    }
    std::fill(ge_.begin(), ge_.end(), 0.0);
    std::fill(gi_.begin(), gi_.end(), 0.0);
    spikes_.clear();
    for (auto [t, id] : fire_)
      if (t == now) spikes_.push_back(id);
  }
  double* receptor(sim::Receptor r) override { return r == sim::Receptor::excitatory ? ge_.data() : gi_.data(); }
  std::string model() const override { return "probe"; }
  void fire_at(sim::Step t, sim::NeuronId id) { fire_.push_back({t, id}); }

  struct Event {
    sim::Step step;
    std::size_t target;
    double value;
  };
  std::vector<Event> seen_ge, seen_gi;

 private:
  std::vector<double> ge_, gi_;
  std::vector<std::pair<sim::Step, sim::NeuronId>> fire_;
};

}  // namespace snnsim::test
