#include "stdp_diehl_cook.hpp"

#include "sim/avx2_clones.hpp"

namespace snnsim::models {

// Out of line so that they can be cloned for AVX2 (gathers of per-neuron values).
SNNSIM_AVX2_CLONES
void depress_on_arrival(float* __restrict w, const sim::NeuronId* __restrict post, std::size_t n,
                        const double* __restrict depression, double w_min, double w_max) {
  for (std::size_t k = 0; k < n; ++k) w[k] = clip_weight(static_cast<double>(w[k]) - depression[post[k]], w_min, w_max);
}

SNNSIM_AVX2_CLONES
void scaled_traces(const TraceTable& table, const sim::Step* __restrict last_spike, sim::Step now, double scale,
                   double* __restrict out, std::size_t n) {
  const double* values = table.data();
  const sim::Step last = table.last();
  for (std::size_t j = 0; j < n; ++j) {
    const sim::Step k = now - last_spike[j];
    out[j] = scale * values[k < last ? k : last];
  }
}

}  // namespace snnsim::models
