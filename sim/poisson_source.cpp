#include "poisson_source.hpp"

#include <cmath>

#include "rng.hpp"

namespace snnsim::sim {

PoissonSource::PoissonSource(std::string name, std::size_t size, double dt_ms, std::uint64_t seed)
    : Population(std::move(name), size), dt_ms_(dt_ms), seed_(seed) {}

void PoissonSource::schedule(std::span<const double> rates_Hz, Step from, Step until, std::uint32_t purpose,
                             std::uint32_t major) {
  schedule_from_ = from;
  schedule_until_ = until;
  const auto window = static_cast<std::size_t>(until - from);
  scratch_steps_.clear();
  scratch_ids_.clear();
  for (std::size_t i = 0; i < size() && i < rates_Hz.size(); ++i) {
    const double p = rates_Hz[i] * dt_ms_ * 1e-3;  // probability of a spike in one step
    if (!(p > 0.0)) continue;
    RandomStream rng(seed_, purpose, major, static_cast<std::uint32_t>(i));
    if (p >= 1.0) {
      for (std::size_t s = 0; s < window; ++s) {
        scratch_steps_.push_back(static_cast<Step>(s));
        scratch_ids_.push_back(static_cast<NeuronId>(i));
      }
      continue;
    }
    const double log_q = std::log1p(-p);
    // Steps to the next spike ~ Geometric(p) on {1, 2, ...}: ceil(log U / log(1-p)).
    double s = -1.0;
    while (true) {
      s += std::ceil(std::log(rng.uniform()) / log_q);
      if (s >= static_cast<double>(window)) break;
      scratch_steps_.push_back(static_cast<Step>(s));
      scratch_ids_.push_back(static_cast<NeuronId>(i));
    }
  }
  offsets_.assign(window + 1, 0);
  for (auto s : scratch_steps_) ++offsets_[static_cast<std::size_t>(s) + 1];
  for (std::size_t s = 0; s < window; ++s) offsets_[s + 1] += offsets_[s];
  ids_.resize(scratch_ids_.size());
  // Ids were generated in ascending order, so each step's bucket comes out sorted.
  cursor_.assign(offsets_.begin(), offsets_.end() - 1);
  for (std::size_t k = 0; k < scratch_ids_.size(); ++k)
    ids_[cursor_[static_cast<std::size_t>(scratch_steps_[k])]++] = scratch_ids_[k];
}

void PoissonSource::update(Step now) {
  spikes_.clear();
  if (now < schedule_from_ || now >= schedule_until_) return;
  const auto s = static_cast<std::size_t>(now - schedule_from_);
  spikes_.assign(ids_.begin() + offsets_[s], ids_.begin() + offsets_[s + 1]);
}

void PoissonSource::reset_dynamics() {
  Population::reset_dynamics();
  silence();
}

}  // namespace snnsim::sim
