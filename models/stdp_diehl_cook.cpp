#include "stdp_diehl_cook.hpp"

#include "sim/cpu_dispatch.hpp"
#include "sim/avx512_lanes.hpp"

namespace snnsim::models {

namespace detail {

// One pass over the arriving synapses: each weight and target id is loaded once. The
// conductance scatter keeps this scalar (gathers would not pay on CPUs without scatters); the
// AVX2 clone still pays, because three-operand instructions drop the register copies that the
// two-operand SSE form needs for every synapse.
SNNSIM_AVX2_CLONES
void deliver_and_depress_scalar(double* __restrict g, double gain, float* __restrict w,
                                const std::uint16_t* __restrict post, const sim::Bucket* buckets,
                                std::size_t n_buckets, const double* __restrict depression, double w_min,
                                double w_max) {
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

#if SNNSIM_HAVE_AVX512_KERNELS
// The scalar loop 8 synapses at a time (sim/avx512_lanes.hpp), then the same 8 weights
// depressed and clipped; the masked store leaves the slots after a bucket's tail alone. The
// depression is gathered first: it does not depend on the conductance scatter, and issued
// after it, it waited for it (kernel 798 -> 714 ns in BM_ArrivalDeliverAndDepress/1).
SNNSIM_AVX512_KERNEL
void deliver_and_depress_avx512(double* __restrict g, double gain, float* __restrict w,
                                const std::uint16_t* __restrict post, const sim::Bucket* buckets,
                                std::size_t n_buckets, const double* __restrict depression, double w_min,
                                double w_max) {
  const __m512d v_gain = _mm512_set1_pd(gain), v_min = _mm512_set1_pd(w_min), v_max = _mm512_set1_pd(w_max);
  for (std::size_t a = 0; a < n_buckets; ++a) {
    if (a + sim::kPrefetchBucketsAhead < n_buckets) sim::prefetch_bucket(w, post, buckets[a + sim::kPrefetchBucketsAhead]);
    float* wb = w + buckets[a].first;
    const std::uint16_t* pb = post + buckets[a].first;
    const std::size_t n = buckets[a].count;
    for (std::size_t k = 0; k < n; k += 8) {
      sim::ArrivalLanes l = sim::arrival_lanes(pb, k, n);
      const __mmask8 m = l.mask;
      const __m512d dep = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), m, l.post, depression, 8);
      sim::add_conductance_lanes(g, v_gain, wb, k, l);
      __m512d nw = _mm512_sub_pd(l.w, dep);
      // clip_weight's two comparisons, in its order (an equal value keeps its own sign of zero).
      nw = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(nw, v_min, _CMP_LT_OQ), nw, v_min);
      nw = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(nw, v_max, _CMP_GT_OQ), nw, v_max);
      _mm256_mask_storeu_ps(wb + k, m, _mm512_maskz_cvtpd_ps(m, nw));
    }
  }
}
#endif

}  // namespace detail

void deliver_and_depress(double* g, double gain, float* w, const std::uint16_t* post, const sim::Bucket* buckets,
                         std::size_t n_buckets, const double* depression, double w_min, double w_max) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (sim::avx512_scatter_preferred())
    return detail::deliver_and_depress_avx512(g, gain, w, post, buckets, n_buckets, depression, w_min, w_max);
#endif
  detail::deliver_and_depress_scalar(g, gain, w, post, buckets, n_buckets, depression, w_min, w_max);
}

}  // namespace snnsim::models
