#pragma once
// Row kernels of DenseProjection, out of line so that they can be cloned for
// AVX2; both clones do the same arithmetic in the same order, so results do not depend on the CPU.
#include <cstddef>
#include <cstdint>

namespace snnsim::sim {

/// g[post[k]] += gain * w[k] for k < n: one bucket's arrivals without plasticity. Scalar (a
/// scatter), cloned for the three-operand AVX forms.
void add_conductance(double* g, double gain, const float* w, const std::uint16_t* post, std::size_t n);
/// sum[j] += w_row[slot_of[j]] for j < n.
void add_gathered(double* sum, const float* w_row, const std::uint16_t* slot_of, std::size_t n);
/// w[k] = float(w[k] * factor[post[k]]) for k < n.
void scale_gathered(float* w, const std::uint16_t* post, const double* factor, std::size_t n);

}  // namespace snnsim::sim
