#include "fixed_projections.hpp"

#include <algorithm>
#include <stdexcept>

namespace snnsim::sim {
namespace {
void check_delay(int d) {
  if (d < 1) throw std::invalid_argument("projection delay must be at least one step");
}
}  // namespace

FixedWeightProjection::FixedWeightProjection(std::string name, Population& source, Population& target, Receptor r,
                                             double weight, int delay_steps)
    : Projection(std::move(name), source, target, r), weight_(weight), delay_(delay_steps), ring_(delay_steps + 1) {
  check_delay(delay_steps);
  if (source.size() != target.size()) throw std::invalid_argument(this->name() + ": source and target sizes differ");
}

OneToOneProjection::OneToOneProjection(std::string name, Population& source, Population& target, Receptor r,
                                       double weight, int delay_steps)
    : FixedWeightProjection(std::move(name), source, target, r, weight, delay_steps) {}

void OneToOneProjection::deliver_range(Step now, std::size_t lo, std::size_t hi) {
  double* g = target_channel();
  const double w = weight() * gain();
  for (NeuronId i : arriving(now))
    if (i >= lo && i < hi) g[i] += w;
}

void AllButSelfProjection::deliver_range(Step now, std::size_t lo, std::size_t hi) {
  const auto& arrived = arriving(now);
  if (arrived.empty()) return;
  double* g = target_channel();
  const double w = weight() * gain();
  const double count = static_cast<double>(arrived.size());
  // `arrived` is sorted, so one merge pass finds each target's own partner.
  std::size_t k = static_cast<std::size_t>(std::lower_bound(arrived.begin(), arrived.end(), lo) - arrived.begin());
  for (std::size_t j = lo; j < hi; ++j) {
    double c = count;
    if (k < arrived.size() && arrived[k] == j) {
      c -= 1.0;
      ++k;
    }
    g[j] += w * c;
  }
}

}  // namespace snnsim::sim
