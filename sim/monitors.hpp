#pragma once
#include <cstdint>
#include <vector>

#include "engine.hpp"

namespace snnsim::sim {

/// Counts spikes per neuron of one population while enabled.
class SpikeCounter final : public Observer {
 public:
  explicit SpikeCounter(const Population& pop) : pop_(pop), counts_(pop.size(), 0) {}
  void on_step(Step) override {
    if (!enabled_) return;
    for (NeuronId i : pop_.spikes()) ++counts_[i];
  }
  void enable(bool on) { enabled_ = on; }
  void clear() { std::fill(counts_.begin(), counts_.end(), 0u); }
  const std::vector<std::uint32_t>& counts() const { return counts_; }
  std::uint64_t total() const {
    std::uint64_t t = 0;
    for (auto c : counts_) t += c;
    return t;
  }

 private:
  const Population& pop_;
  std::vector<std::uint32_t> counts_;
  bool enabled_ = false;
};

/// Buffers (step, id) of every spike of one population while enabled; io/ writes them out.
class SpikeRecorder final : public Observer {
 public:
  explicit SpikeRecorder(const Population& pop) : pop_(pop) {}
  void on_step(Step now) override {
    if (!enabled_) return;
    for (NeuronId i : pop_.spikes()) {
      steps_.push_back(now);
      ids_.push_back(i);
    }
  }
  void enable(bool on) { enabled_ = on; }
  bool enabled() const { return enabled_; }
  void clear() {
    steps_.clear();
    ids_.clear();
  }
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<NeuronId>& ids() const { return ids_; }
  const Population& population() const { return pop_; }

 private:
  const Population& pop_;
  std::vector<Step> steps_;
  std::vector<NeuronId> ids_;
  bool enabled_ = false;
};

}  // namespace snnsim::sim
