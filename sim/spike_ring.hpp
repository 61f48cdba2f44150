#pragma once
#include <vector>

#include "types.hpp"

namespace snnsim::sim {

/// The last `depth` steps of one population's spikes, so a projection can read what was
/// emitted d steps ago. Buffers keep their capacity: no allocation once warmed up.
class SpikeRing {
 public:
  explicit SpikeRing(std::size_t depth) : slots_(depth), stamp_(depth, -1) {}
  void push(Step now, const std::vector<NeuronId>& spikes) {
    const auto k = slot(now);
    slots_[k].assign(spikes.begin(), spikes.end());
    stamp_[k] = now;
  }
  /// Spikes emitted at step `when`; empty if that step is older than the ring or not recorded.
  const std::vector<NeuronId>& at(Step when) const {
    if (when < 0) return empty_;
    const auto k = slot(when);
    return stamp_[k] == when ? slots_[k] : empty_;
  }
  void clear() {
    for (auto& s : slots_) s.clear();
    std::fill(stamp_.begin(), stamp_.end(), Step{-1});
  }

 private:
  std::size_t slot(Step t) const { return static_cast<std::size_t>(t % static_cast<Step>(slots_.size())); }
  std::vector<std::vector<NeuronId>> slots_;
  std::vector<Step> stamp_;
  std::vector<NeuronId> empty_;
};

}  // namespace snnsim::sim
