#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "population.hpp"

namespace snnsim::sim {

/// Independent Poisson spike sources. A schedule (rates for a window of steps) is turned into
/// spike events up front by drawing geometric inter-spike intervals, which is exactly a
/// Bernoulli(rate*dt) draw per step at one random number per spike instead of one per step.
class PoissonSource final : public Population {
 public:
  PoissonSource(std::string name, std::size_t size, double dt_ms, std::uint64_t seed);

  /// Sources fire with `rates_Hz[i]` during steps [from, until); the draws come from the
  /// streams (seed, purpose, major, i), so the same (purpose, major) gives the same spikes.
  void schedule(std::span<const double> rates_Hz, Step from, Step until, std::uint32_t purpose,
                std::uint32_t major);
  void silence() { schedule_from_ = schedule_until_ = 0; }
  void update(Step now) override;
  void reset_dynamics() override;
  std::string model() const override { return "poisson_source"; }
  std::size_t scheduled_spikes() const { return ids_.size(); }

 private:
  double dt_ms_;
  std::uint64_t seed_;
  Step schedule_from_ = 0, schedule_until_ = 0;
  // Spikes bucketed by step (counting sort): ids_[offsets_[s] .. offsets_[s+1]).
  std::vector<std::uint32_t> offsets_;
  std::vector<NeuronId> ids_;
  std::vector<Step> scratch_steps_;
  std::vector<NeuronId> scratch_ids_;
  std::vector<std::uint32_t> cursor_;
};

}  // namespace snnsim::sim
