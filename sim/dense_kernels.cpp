#include "dense_kernels.hpp"

#include "cpu_dispatch.hpp"
#include "avx512_lanes.hpp"

namespace snnsim::sim {

namespace detail {

// Runs body(weights, ids, count) on each bucket in order, prefetching a few buckets ahead.
template <typename Body>
[[gnu::always_inline]] inline void for_each_bucket(const float* w, const std::uint16_t* post, const Bucket* buckets,
                                                   std::size_t n_buckets, Body&& body) {
  for (std::size_t a = 0; a < n_buckets; ++a) {
    if (a + kPrefetchBucketsAhead < n_buckets) prefetch_bucket(w, post, buckets[a + kPrefetchBucketsAhead]);
    body(w + buckets[a].first, post + buckets[a].first, buckets[a].count);
  }
}

SNNSIM_AVX2_CLONES
void add_conductance_scalar(double* __restrict g, double gain, const float* __restrict w,
                            const std::uint16_t* __restrict post, const Bucket* buckets, std::size_t n_buckets) {
  for_each_bucket(w, post, buckets, n_buckets, [&](const float* __restrict wb, const std::uint16_t* __restrict pb,
                                                   std::size_t n) __attribute__((always_inline)) {
    for (std::size_t k = 0; k < n; ++k) g[pb[k]] += gain * static_cast<double>(wb[k]);
  });
}

SNNSIM_AVX2_CLONES
void add_conductance_interleaved(double* __restrict g, double gain, const float* __restrict w,
                                 const std::uint16_t* __restrict post, const Bucket* buckets, std::size_t n_buckets) {
  for_each_bucket(w, post, buckets, n_buckets, [&](const float* __restrict wb, const std::uint16_t* __restrict pb,
                                                   std::size_t n) __attribute__((always_inline)) {
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4) {
      const std::size_t j0 = pb[k], j1 = pb[k + 1], j2 = pb[k + 2], j3 = pb[k + 3];
      const double s0 = g[j0] + gain * static_cast<double>(wb[k]);
      const double s1 = g[j1] + gain * static_cast<double>(wb[k + 1]);
      const double s2 = g[j2] + gain * static_cast<double>(wb[k + 2]);
      const double s3 = g[j3] + gain * static_cast<double>(wb[k + 3]);
      g[j0] = s0;
      g[j1] = s1;
      g[j2] = s2;
      g[j3] = s3;
    }
    for (; k < n; ++k) g[pb[k]] += gain * static_cast<double>(wb[k]);
  });
}

#if SNNSIM_HAVE_AVX512_KERNELS
// 8 synapses at a time (avx512_lanes.hpp).
SNNSIM_AVX512_KERNEL
void add_conductance_avx512(double* __restrict g, double gain, const float* __restrict w,
                            const std::uint16_t* __restrict post, const Bucket* buckets, std::size_t n_buckets) {
  const __m512d v_gain = _mm512_set1_pd(gain);
  for (std::size_t a = 0; a < n_buckets; ++a) {
    if (a + kPrefetchBucketsAhead < n_buckets) prefetch_bucket(w, post, buckets[a + kPrefetchBucketsAhead]);
    const float* wb = w + buckets[a].first;
    const std::uint16_t* pb = post + buckets[a].first;
    const std::size_t n = buckets[a].count;
    for (std::size_t k = 0; k < n; k += 8) {
      ArrivalLanes lanes = arrival_lanes(pb, k, n);
      add_conductance_lanes(g, v_gain, wb, k, lanes);
    }
  }
}
#endif

}  // namespace detail

void add_conductance(double* g, double gain, const float* w, const std::uint16_t* post, const Bucket* buckets,
                     std::size_t n_buckets) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (avx512_scatter_preferred()) return detail::add_conductance_avx512(g, gain, w, post, buckets, n_buckets);
#endif
  if (plain_scatter_forced()) return detail::add_conductance_scalar(g, gain, w, post, buckets, n_buckets);
  detail::add_conductance_interleaved(g, gain, w, post, buckets, n_buckets);
}

namespace detail {

SNNSIM_AVX2_CLONES
void add_gathered_portable(double* __restrict sum, const float* __restrict w_row,
                           const std::uint16_t* __restrict slot_of, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) sum[j] += static_cast<double>(w_row[slot_of[j]]);
}

SNNSIM_AVX2_CLONES
void scale_gathered_portable(float* __restrict w, const std::uint16_t* __restrict post,
                             const double* __restrict factor, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) w[k] = static_cast<float>(static_cast<double>(w[k]) * factor[post[k]]);
}

#if SNNSIM_HAVE_AVX512_KERNELS
// 8 lanes at a time, masked at the tail; the same conversions, adds and multiplies.
SNNSIM_AVX512_KERNEL
void add_gathered_avx512(double* __restrict sum, const float* __restrict w_row,
                         const std::uint16_t* __restrict slot_of, std::size_t n) {
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) {  // one 16-lane gather, then two halves as double
    // (maskz forms with full masks: the unmasked ones trip GCC 12's -Wmaybe-uninitialized)
    const __m512i slots = _mm512_maskz_cvtepu16_epi32(0xFFFF, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(slot_of + j)));
    const __m512 w = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, slots, w_row, 4);
    const __m256 lo = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(w), 0));
    const __m256 hi = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xF, _mm512_castps_pd(w), 1));
    _mm512_storeu_pd(sum + j, _mm512_add_pd(_mm512_loadu_pd(sum + j), _mm512_maskz_cvtps_pd(0xFF, lo)));
    _mm512_storeu_pd(sum + j + 8, _mm512_add_pd(_mm512_loadu_pd(sum + j + 8), _mm512_maskz_cvtps_pd(0xFF, hi)));
  }
  for (; j < n; j += 8) {
    const __mmask8 m = n - j >= 8 ? __mmask8(0xFF) : static_cast<__mmask8>((1u << (n - j)) - 1u);
    const __m256i slots = _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(m, slot_of + j));
    const __m256 w = _mm256_mmask_i32gather_ps(_mm256_setzero_ps(), m, slots, w_row, 4);
    _mm512_mask_storeu_pd(sum + j, m, _mm512_add_pd(_mm512_maskz_loadu_pd(m, sum + j), _mm512_maskz_cvtps_pd(m, w)));
  }
}

SNNSIM_AVX512_KERNEL
void scale_gathered_avx512(float* __restrict w, const std::uint16_t* __restrict post,
                           const double* __restrict factor, std::size_t n) {
  for (std::size_t k = 0; k < n; k += 8) {
    const __mmask8 m = n - k >= 8 ? __mmask8(0xFF) : static_cast<__mmask8>((1u << (n - k)) - 1u);
    const __m256i ids = _mm256_cvtepu16_epi32(_mm_maskz_loadu_epi16(m, post + k));
    const __m512d f = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, ids, factor, 8);
    const __m512d wk = _mm512_maskz_cvtps_pd(m, _mm256_maskz_loadu_ps(m, w + k));
    _mm256_mask_storeu_ps(w + k, m, _mm512_maskz_cvtpd_ps(m, _mm512_mul_pd(wk, f)));
  }
}
#endif

}  // namespace detail

void add_gathered(double* sum, const float* w_row, const std::uint16_t* slot_of, std::size_t n) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (avx512_kernels_available()) return detail::add_gathered_avx512(sum, w_row, slot_of, n);
#endif
  detail::add_gathered_portable(sum, w_row, slot_of, n);
}

void scale_gathered(float* w, const std::uint16_t* post, const double* factor, std::size_t n) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (avx512_kernels_available()) return detail::scale_gathered_avx512(w, post, factor, n);
#endif
  detail::scale_gathered_portable(w, post, factor, n);
}

}  // namespace snnsim::sim
