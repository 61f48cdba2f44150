#pragma once
// Row kernels of DenseProjection, out of line so that they can be cloned for AVX2 or written
// with AVX-512; every version does the same arithmetic in the same order, so results do not
// depend on the CPU.
#include <cstddef>
#include <cstdint>

namespace snnsim::sim {

/// The synapses of one row that a spike reaches in the same step: slots [first, first + count)
/// of the projection's weight and target-id arrays.
struct Bucket {
  std::size_t first, count;
};

/// Weights and ids of the bucket this many places ahead are prefetched: they lie scattered
/// over the whole matrix, and waiting for them costs more than the arithmetic.
inline constexpr std::size_t kPrefetchBucketsAhead = 4;
inline void prefetch_bucket(const float* w, const std::uint16_t* post, const Bucket& b) {
  __builtin_prefetch(w + b.first, 1);
  __builtin_prefetch(w + b.first + b.count - 1, 1);
  __builtin_prefetch(post + b.first, 0);
  __builtin_prefetch(post + b.first + b.count - 1, 0);
}

/// For each bucket in order, g[post[k]] += gain * w[k] over its synapses: a step's arrivals
/// without plasticity, in one call. The ids within a bucket are distinct. AVX-512 gathers and
/// scatters where the CPU prefers them (avx512_scatter_preferred), else the interleaved scalar
/// loop cloned for the three-operand AVX forms (the plain one with SNNSIM_SCATTER=plain).
void add_conductance(double* g, double gain, const float* w, const std::uint16_t* post, const Bucket* buckets,
                     std::size_t n_buckets);
namespace detail {
/// The two versions add_conductance chooses between, for the test that they agree; the AVX-512
/// one exists on x86-64 builds and may be called only where avx512_kernels_available().
void add_conductance_scalar(double* g, double gain, const float* w, const std::uint16_t* post,
                            const Bucket* buckets, std::size_t n_buckets);
/// The scalar loop four synapses at a time: their four conductances are read and summed before
/// any is written back. A bucket's ids are distinct, so no read sees one of the four writes,
/// and each conductance gets the same additions in the same order as in the plain loop. Up to
/// 8 % faster frozen passes on Zen 4 (bench/README.md, 2026-12-06).
void add_conductance_interleaved(double* g, double gain, const float* w, const std::uint16_t* post,
                                 const Bucket* buckets, std::size_t n_buckets);
void add_conductance_avx512(double* g, double gain, const float* w, const std::uint16_t* post,
                            const Bucket* buckets, std::size_t n_buckets);
}  // namespace detail
/// sum[j] += w_row[slot_of[j]] for j < n.
void add_gathered(double* sum, const float* w_row, const std::uint16_t* slot_of, std::size_t n);
/// w[k] = float(w[k] * factor[post[k]]) for k < n.
void scale_gathered(float* w, const std::uint16_t* post, const double* factor, std::size_t n);
namespace detail {
/// The versions of the two normalisation kernels, as for add_conductance.
void add_gathered_portable(double* sum, const float* w_row, const std::uint16_t* slot_of, std::size_t n);
void add_gathered_avx512(double* sum, const float* w_row, const std::uint16_t* slot_of, std::size_t n);
void scale_gathered_portable(float* w, const std::uint16_t* post, const double* factor, std::size_t n);
void scale_gathered_avx512(float* w, const std::uint16_t* post, const double* factor, std::size_t n);
}  // namespace detail

}  // namespace snnsim::sim
