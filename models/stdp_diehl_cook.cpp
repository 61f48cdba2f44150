#include "stdp_diehl_cook.hpp"

#include "sim/avx2_clones.hpp"

namespace snnsim::models {

// One pass over the arriving synapses: each weight and target id is loaded once. The
// conductance scatter keeps this scalar (gathers would not pay on CPUs without scatters); the
// AVX2 clone still pays, because three-operand instructions drop the register copies that the
// two-operand SSE form needs for every synapse.
SNNSIM_AVX2_CLONES
void deliver_and_depress(double* __restrict g, double gain, float* __restrict w, const std::uint16_t* __restrict post,
                         const sim::Bucket* buckets, std::size_t n_buckets, const double* __restrict depression,
                         double w_min, double w_max) {
  for (std::size_t a = 0; a < n_buckets; ++a) {
    if (a + sim::kPrefetchBucketsAhead < n_buckets) sim::prefetch_bucket(w, post, buckets[a + sim::kPrefetchBucketsAhead]);
    float* __restrict wb = w + buckets[a].first;
    const std::uint16_t* __restrict pb = post + buckets[a].first;
    const std::size_t n = buckets[a].count;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t j = pb[k];
      const double wk = static_cast<double>(wb[k]);
      g[j] += gain * wk;  // Brian's on_pre: ge += w before w -= nu_pre * post1
      wb[k] = clip_weight(wk - depression[j], w_min, w_max);
    }
  }
}

// Out of line so that it can be cloned for AVX2 (gathers of per-neuron values).
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
