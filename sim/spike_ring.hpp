#pragma once
#include <algorithm>
#include <bit>
#include <utility>
#include <vector>

#include "types.hpp"

namespace snnsim::sim {

/// The last `depth` steps of one population's spikes, so a projection can read what was
/// emitted d steps ago. Buffers keep their capacity: no allocation once warmed up. The slot
/// count is rounded up to a power of two so that finding a slot is a mask, not a division
/// (a projection looks up every delay on every step).
class SpikeRing {
 public:
  explicit SpikeRing(std::size_t depth)
      : depth_(static_cast<Step>(depth)),
        mask_(std::bit_ceil(std::max<std::size_t>(depth, 1)) - 1),
        slots_(mask_ + 1),
        stamp_(mask_ + 1, -1) {}
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
  /// Every (step, id) of the last `depth` recorded steps, oldest step first: what is still in
  /// flight, for checkpoints.
  std::vector<std::pair<Step, NeuronId>> entries() const {
    std::vector<std::pair<Step, NeuronId>> out;
    std::vector<std::size_t> order(slots_.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return stamp_[a] < stamp_[b]; });
    const Step newest = *std::max_element(stamp_.begin(), stamp_.end());
    for (auto k : order)
      if (stamp_[k] >= 0 && stamp_[k] > newest - depth_)
        for (auto id : slots_[k]) out.emplace_back(stamp_[k], id);
    return out;
  }
  void restore(const std::vector<std::pair<Step, NeuronId>>& e) {
    clear();
    for (const auto& [step, id] : e) {
      const auto k = slot(step);
      if (stamp_[k] != step) {
        slots_[k].clear();
        stamp_[k] = step;
      }
      slots_[k].push_back(id);
    }
  }
  void clear() {
    for (auto& s : slots_) s.clear();
    std::fill(stamp_.begin(), stamp_.end(), Step{-1});
  }

 private:
  std::size_t slot(Step t) const { return static_cast<std::size_t>(t) & mask_; }
  Step depth_;
  std::size_t mask_;
  std::vector<std::vector<NeuronId>> slots_;
  std::vector<Step> stamp_;
  std::vector<NeuronId> empty_;
};

}  // namespace snnsim::sim
