#include "dense_kernels.hpp"

#include "avx2_clones.hpp"

namespace snnsim::sim {

SNNSIM_AVX2_CLONES
void add_conductance(double* __restrict g, double gain, const float* __restrict w, const std::uint16_t* __restrict post,
                     std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) g[post[k]] += gain * static_cast<double>(w[k]);
}

SNNSIM_AVX2_CLONES
void add_gathered(double* __restrict sum, const float* __restrict w_row, const std::uint16_t* __restrict slot_of,
                  std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) sum[j] += static_cast<double>(w_row[slot_of[j]]);
}

SNNSIM_AVX2_CLONES
void scale_gathered(float* __restrict w, const std::uint16_t* __restrict post, const double* __restrict factor,
                    std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) w[k] = static_cast<float>(static_cast<double>(w[k]) * factor[post[k]]);
}

}  // namespace snnsim::sim
