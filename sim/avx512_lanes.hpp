#pragma once
// The step both AVX-512 arrival kernels share (dense_kernels.cpp, stdp_diehl_cook.cpp): up to 8
// synapses of one bucket add their weights to their targets' conductances at once.
#include <cstddef>
#include <cstdint>

#include "cpu_dispatch.hpp"

#if SNNSIM_HAVE_AVX512_KERNELS
#include <immintrin.h>

namespace snnsim::sim {

struct ArrivalLanes {
  __mmask8 mask;  // lanes inside the bucket
  __m256i post;   // target ids
  __m512d w;      // weights as double
};

/// The lanes of synapses [k, min(k + 8, n)) of a bucket whose ids start at post: their mask
/// and target ids. Masked loads stop at the bucket's end.
SNNSIM_AVX512_KERNEL inline ArrivalLanes arrival_lanes(const std::uint16_t* post, std::size_t k, std::size_t n) {
  ArrivalLanes lanes;
  lanes.mask = n - k >= 8 ? __mmask8(0xFF) : static_cast<__mmask8>((1u << (n - k)) - 1u);
  lanes.post = _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(lanes.mask, post + k));
  lanes.w = _mm512_setzero_pd();
  return lanes;
}

/// For those lanes, with the bucket's weights starting at w: g[post] += gain * w (a multiply,
/// then an add, as the scalar loop does); the weights, as double, are left in lanes.w. The ids
/// within a bucket are distinct, so no lane's write hides another's.
SNNSIM_AVX512_KERNEL inline void add_conductance_lanes(double* g, __m512d gain, const float* w, std::size_t k,
                                                        ArrivalLanes& lanes) {
  lanes.w = _mm512_maskz_cvtps_pd(lanes.mask, _mm256_maskz_loadu_ps(lanes.mask, w + k));
  const __m512d g_post = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), lanes.mask, lanes.post, g, 8);
  _mm512_mask_i32scatter_pd(g, lanes.mask, lanes.post, _mm512_add_pd(g_post, _mm512_mul_pd(gain, lanes.w)), 8);
}

}  // namespace snnsim::sim
#endif
