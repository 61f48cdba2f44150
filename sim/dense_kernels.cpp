#include "dense_kernels.hpp"

#include "avx2_clones.hpp"
#include "avx512_lanes.hpp"

namespace snnsim::sim {

namespace detail {

SNNSIM_AVX2_CLONES
void add_conductance_scalar(double* __restrict g, double gain, const float* __restrict w,
                            const std::uint16_t* __restrict post, const Bucket* buckets, std::size_t n_buckets) {
  for (std::size_t a = 0; a < n_buckets; ++a) {
    if (a + kPrefetchBucketsAhead < n_buckets) prefetch_bucket(w, post, buckets[a + kPrefetchBucketsAhead]);
    const float* __restrict wb = w + buckets[a].first;
    const std::uint16_t* __restrict pb = post + buckets[a].first;
    const std::size_t n = buckets[a].count;
    for (std::size_t k = 0; k < n; ++k) g[pb[k]] += gain * static_cast<double>(wb[k]);
  }
}

#if SNNSIM_HAVE_AVX512_SCATTER
// 8 synapses at a time (avx512_lanes.hpp).
SNNSIM_AVX512_SCATTER
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
#if SNNSIM_HAVE_AVX512_SCATTER
  if (avx512_scatter_available()) return detail::add_conductance_avx512(g, gain, w, post, buckets, n_buckets);
#endif
  detail::add_conductance_scalar(g, gain, w, post, buckets, n_buckets);
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
