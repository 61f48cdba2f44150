#pragma once
// C = A * B for row-major float matrices: the one product kernel behind the ANN's training,
// prediction and alpha statistics.
//
// Every element of C is ((0 + a_0 b_0) + a_1 b_1) + ... over k in increasing order, with one
// rounding per multiply and one per add (no FMA: -ffp-contract=off, and no fused intrinsics).
// Vector width, register blocking and the thread count only decide which elements are computed
// side by side, never the order of one element's operations, so the bits are the same on every
// CPU and for every --threads. Eigen's products, which this replaces, block k by the CPU's
// cache sizes and fuse multiply-adds when built for AVX2, so their bits follow the machine; and
// built portably (SSE2) they reached 13-16 GMAC/s on one core at the replica net's shapes,
// against 29-49 for the AVX-512 kernel here (bench/ann_kernels.cpp).
#include <cstddef>

namespace snnsim::ann {

/// C[m x n] = A[m x k] * B[k x n]; ld* are the row strides in elements. C is overwritten.
/// Row blocks of C are shared among OpenMP threads when the product is large enough.
void gemm(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc,
          std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k);

namespace detail {
/// The kernels gemm() chooses between, one thread, for the test that they agree bit for bit.
/// Only call a kernel whose *_available() is true.
using GemmKernel = void (*)(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C,
                            std::ptrdiff_t ldc, std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k);
void gemm_portable(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C,
                   std::ptrdiff_t ldc, std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k);
bool gemm_avx2_available();
void gemm_avx2(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc,
               std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k);
bool gemm_avx512_available();
void gemm_avx512(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C,
                 std::ptrdiff_t ldc, std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k);
}  // namespace detail

}  // namespace snnsim::ann
