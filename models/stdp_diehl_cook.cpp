#include "stdp_diehl_cook.hpp"

namespace snnsim::models {

// Out of line so that it can be cloned for AVX2 (gathers of the per-neuron depression); the
// arithmetic is the same in both clones, so results do not depend on the CPU.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
void depress_on_arrival(float* __restrict w, const sim::NeuronId* __restrict post, std::size_t n,
                        const double* __restrict depression, double w_min, double w_max) {
  for (std::size_t k = 0; k < n; ++k) {
    double x = static_cast<double>(w[k]) - depression[post[k]];
    x = x < w_min ? w_min : x;
    w[k] = static_cast<float>(x > w_max ? w_max : x);
  }
}

namespace {
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("avx2", "default")))
#endif
void scaled_lookup(const double* __restrict table, sim::Step last, const sim::Step* __restrict last_spike, sim::Step now,
                   double scale, double* __restrict out, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    const sim::Step k = now - last_spike[j];
    out[j] = scale * table[k < last ? k : last];
  }
}
}  // namespace

void scaled_traces(const TraceTable& table, const sim::Step* last_spike, sim::Step now, double scale, double* out,
                   std::size_t n) {
  scaled_lookup(table.data(), table.last(), last_spike, now, scale, out, n);
}

}  // namespace snnsim::models
