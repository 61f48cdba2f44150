#include "ann/gemm.hpp"

#include <omp.h>

#include <algorithm>

// load() and store() return and take wide vectors by value; they are always inlined into a
// kernel built for that width, so no call ever passes one across the ABI GCC warns about.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace snnsim::ann {

namespace {

using Index = std::ptrdiff_t;

// Vectors of 4, 8 and 16 floats (one xmm, ymm or zmm register), used by the portable, AVX2
// and AVX-512 kernels. Their operations act element by element, so every width does the same
// arithmetic on each element.
typedef float v4 __attribute__((vector_size(16)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));

// k is walked in chunks so that a chunk of the B panel (kKChunk x NV vectors, 256 KiB for the
// AVX-512 kernel) stays in L2 while every row block of A passes over it. A chunk's partial
// sums are stored in C as floats and reloaded for the next chunk: the same value, so the same
// bits.
constexpr Index kKChunk = 1024;

template <typename V>
constexpr Index lanes() {
  return static_cast<Index>(sizeof(V) / sizeof(float));
}
template <typename V>
[[gnu::always_inline]] inline V load(const float* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
[[gnu::always_inline]] inline void store(float* p, const V& v) {
  __builtin_memcpy(p, &v, sizeof v);
}

// MR rows x NV vectors of columns of C over k in [0, kc): starts from 0 (first chunk) or from C.
template <typename V, int MR, int NV>
[[gnu::always_inline]] inline void tile(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc,
                                        Index kc, bool accumulate) {
  constexpr Index L = lanes<V>();
  V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NV; ++c) acc[r][c] = accumulate ? load<V>(C + r * ldc + L * c) : V{};
  for (Index p = 0; p < kc; ++p) {
    V b[NV];
    for (int c = 0; c < NV; ++c) b[c] = load<V>(B + p * ldb + L * c);
    for (int r = 0; r < MR; ++r) {
      const float a = A[r * lda + p];
      for (int c = 0; c < NV; ++c) acc[r][c] = acc[r][c] + a * b[c];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int c = 0; c < NV; ++c) store<V>(C + r * ldc + L * c, acc[r][c]);
}

// The last rows < MR of a panel as one tile of that many rows (a batch of 100 leaves 4).
template <typename V, int R, int NV>
[[gnu::always_inline]] inline void rest_rows(Index rows, const float* A, Index lda, const float* B, Index ldb,
                                             float* C, Index ldc, Index kc, bool accumulate) {
  if constexpr (R > 1) {
    if (rows < R) return rest_rows<V, R - 1, NV>(rows, A, lda, B, ldb, C, ldc, kc, accumulate);
  }
  tile<V, R, NV>(A, lda, B, ldb, C, ldc, kc, accumulate);
}

// Rows [0, m) of one panel of NV vectors of columns, MR at a time.
template <typename V, int MR, int NV>
[[gnu::always_inline]] inline void panel(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc,
                                         Index m, Index kc, bool accumulate) {
  Index i = 0;
  for (; i + MR <= m; i += MR) tile<V, MR, NV>(A + i * lda, lda, B, ldb, C + i * ldc, ldc, kc, accumulate);
  if constexpr (MR > 1) {
    if (i < m) rest_rows<V, MR - 1, NV>(m - i, A + i * lda, lda, B, ldb, C + i * ldc, ldc, kc, accumulate);
  }
}

template <typename V, int MR, int NVmax>
[[gnu::always_inline]] inline void panel_of_width(int nv, const float* A, Index lda, const float* B, Index ldb,
                                                  float* C, Index ldc, Index m, Index kc, bool accumulate) {
  if constexpr (NVmax > 1) {
    if (nv < NVmax) return panel_of_width<V, MR, NVmax - 1>(nv, A, lda, B, ldb, C, ldc, m, kc, accumulate);
  }
  panel<V, MR, NVmax>(A, lda, B, ldb, C, ldc, m, kc, accumulate);
}

// The whole product on one thread: panels of NVmax vectors of columns (then one narrower
// panel, then single columns), k in chunks. When a chunk of all of B fits in L2 (the forward
// pass, where B holds a batch's activations) each row block of A crosses every panel in turn,
// so A (the weights) is read once; otherwise each panel of B is kept while every row block
// crosses it (the backward pass, where B is the weight matrix).
constexpr Index kBChunkBytes = Index(1) << 20;
template <typename V, int MR, int NVmax>
[[gnu::always_inline]] inline void gemm_blocked(const float* A, Index lda, const float* B, Index ldb, float* C,
                                                Index ldc, Index m, Index n, Index k) {
  constexpr Index L = lanes<V>();
  const Index n_vec = n / L * L;
  for (Index k0 = 0; k0 == 0 || k0 < k; k0 += kKChunk) {
    const Index kc = std::min(kKChunk, k - k0);
    const bool accumulate = k0 > 0;
    const auto width = [&](Index j) { return static_cast<int>(std::min<Index>(NVmax, (n_vec - j) / L)); };
    if (kc * n_vec * static_cast<Index>(sizeof(float)) <= kBChunkBytes) {
      for (Index i = 0; i < m; i += MR)
        for (Index j = 0; j < n_vec; j += L * NVmax)
          panel_of_width<V, MR, NVmax>(width(j), A + i * lda + k0, lda, B + k0 * ldb + j, ldb, C + i * ldc + j, ldc,
                                       std::min<Index>(MR, m - i), kc, accumulate);
    } else {
      for (Index j = 0; j < n_vec; j += L * NVmax)
        panel_of_width<V, MR, NVmax>(width(j), A + k0, lda, B + k0 * ldb + j, ldb, C + j, ldc, m, kc, accumulate);
    }
    for (Index i = 0; i < m; ++i)
      for (Index j = n_vec; j < n; ++j) {
        float s = accumulate ? C[i * ldc + j] : 0.0f;
        for (Index p = k0; p < k0 + kc; ++p) s = s + A[i * lda + p] * B[p * ldb + j];
        C[i * ldc + j] = s;
      }
  }
}

detail::GemmKernel chosen_kernel() {
  if (detail::gemm_avx512_available()) return detail::gemm_avx512;
  if (detail::gemm_avx2_available()) return detail::gemm_avx2;
  return detail::gemm_portable;
}

// Below this many multiply-adds one thread is faster than waking a team.
constexpr double kParallelMacs = 2.0e6;

}  // namespace

namespace detail {

// Register blocking per target (accumulators + B vectors fit the register file); it changes
// which elements are computed together, not any element's order of operations.
void gemm_portable(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n,
                   Index k) {
  gemm_blocked<v4, 4, 2>(A, lda, B, ldb, C, ldc, m, n, k);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
bool gemm_avx2_available() {
  static const bool ok = __builtin_cpu_supports("avx2");
  return ok;
}
__attribute__((target("avx2"))) void gemm_avx2(const float* A, Index lda, const float* B, Index ldb, float* C,
                                               Index ldc, Index m, Index n, Index k) {
  gemm_blocked<v8, 4, 2>(A, lda, B, ldb, C, ldc, m, n, k);
}
bool gemm_avx512_available() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}
__attribute__((target("avx512f"))) void gemm_avx512(const float* A, Index lda, const float* B, Index ldb, float* C,
                                                    Index ldc, Index m, Index n, Index k) {
  gemm_blocked<v16, 6, 4>(A, lda, B, ldb, C, ldc, m, n, k);
}
#else
bool gemm_avx2_available() { return false; }
void gemm_avx2(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n,
               Index k) {
  gemm_portable(A, lda, B, ldb, C, ldc, m, n, k);
}
bool gemm_avx512_available() { return false; }
void gemm_avx512(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n,
                 Index k) {
  gemm_portable(A, lda, B, ldb, C, ldc, m, n, k);
}
#endif

}  // namespace detail

void gemm(const float* A, Index lda, const float* B, Index ldb, float* C, Index ldc, Index m, Index n, Index k) {
  if (m <= 0 || n <= 0) return;
  static const detail::GemmKernel kernel = chosen_kernel();
  const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (threads == 1 || static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) < kParallelMacs) {
    kernel(A, lda, B, ldb, C, ldc, m, n, k);
    return;
  }
  // Each thread takes a contiguous range of rows of C, or of columns when C is wide (then each
  // streams only its share of B). Any split gives the same bits.
  const bool by_rows = m >= n;
  const Index extent = by_rows ? m : n;
  const Index grain = by_rows ? 12 : 64;
#pragma omp parallel num_threads(threads)
  {
    const Index nt = omp_get_num_threads(), t = omp_get_thread_num();
    const Index per = (extent + nt - 1) / nt;
    const Index share = (per + grain - 1) / grain * grain;
    const Index lo = std::min(extent, t * share), hi = std::min(extent, lo + share);
    if (hi > lo) {
      if (by_rows)
        kernel(A + lo * lda, lda, B, ldb, C + lo * ldc, ldc, hi - lo, n, k);
      else
        kernel(A, lda, B + lo, ldb, C + lo, ldc, m, hi - lo, k);
    }
  }
}

}  // namespace snnsim::ann
