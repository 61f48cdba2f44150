// The product kernel: every kernel, every split among threads and the three wrappers give the
// bits of the plain triple loop that sums each element in increasing k.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstring>
#include <random>
#include <vector>

#include "ann/gemm.hpp"
#include "ann/net.hpp"

using namespace snnsim::ann;

namespace {

// The order gemm promises: s = 0; s = s + a_p * b_p for p = 0, 1, ..., one rounding each.
void reference(const float* A, std::ptrdiff_t lda, const float* B, std::ptrdiff_t ldb, float* C, std::ptrdiff_t ldc,
               std::ptrdiff_t m, std::ptrdiff_t n, std::ptrdiff_t k) {
  for (std::ptrdiff_t i = 0; i < m; ++i)
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      float s = 0.0f;
      for (std::ptrdiff_t p = 0; p < k; ++p) {
        const float t = A[i * lda + p] * B[p * ldb + j];
        s = s + t;
      }
      C[i * ldc + j] = s;
    }
}

std::vector<float> random_values(std::size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = u(g);
  return v;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

struct Shape {
  std::ptrdiff_t m, n, k;
};
// Row and column counts around every kernel's block sizes (2..6 rows, 4..64 columns), k = 0,
// and k across the 1024-long chunks whose partial sums go through C. 5 x 300 x 2100 has two
// chunks of B over 1 MiB (panels outermost) and a third under it (rows outermost).
const Shape kShapes[] = {{1, 1, 1},     {3, 17, 5},      {7, 33, 2000}, {13, 100, 1100}, {100, 64, 3}, {6, 16, 0},
                         {25, 130, 2500}, {2, 250, 7},   {12, 112, 1024}, {5, 3, 1025},  {5, 300, 2100}};

}  // namespace

TEST(AnnGemm, EveryKernelHasTheBitsOfTheOrderedTripleLoop) {
  std::vector<std::pair<const char*, detail::GemmKernel>> kernels{{"portable", detail::gemm_portable}};
  if (detail::gemm_avx2_available()) kernels.emplace_back("avx2", detail::gemm_avx2);
  if (detail::gemm_avx512_available()) kernels.emplace_back("avx512", detail::gemm_avx512);
  unsigned seed = 1;
  for (const auto& s : kShapes) {
    // Leading dimensions wider than the matrices, as for views into bigger ones.
    const std::ptrdiff_t lda = s.k + 3, ldb = s.n + 5, ldc = s.n + 2;
    const auto A = random_values(static_cast<std::size_t>(s.m * lda), seed++);
    const auto B = random_values(static_cast<std::size_t>(std::max<std::ptrdiff_t>(s.k, 1) * ldb), seed++);
    std::vector<float> want(static_cast<std::size_t>(s.m * ldc), -7.0f);
    reference(A.data(), lda, B.data(), ldb, want.data(), ldc, s.m, s.n, s.k);
    for (const auto& [name, kernel] : kernels) {
      std::vector<float> got(want.size(), -7.0f);  // the padding between rows must stay untouched
      kernel(A.data(), lda, B.data(), ldb, got.data(), ldc, s.m, s.n, s.k);
      EXPECT_TRUE(same_bits(got, want)) << name << " " << s.m << "x" << s.n << "x" << s.k;
    }
  }
}

TEST(AnnGemm, ThreadSplitsByRowsAndByColumnsKeepTheBits) {
  const int saved = omp_get_max_threads();
  // Tall (split by rows) and wide (split by columns), both above the parallel threshold.
  for (const Shape s : {Shape{300, 112, 400}, Shape{40, 1000, 300}}) {
    const auto A = random_values(static_cast<std::size_t>(s.m * s.k), 5);
    const auto B = random_values(static_cast<std::size_t>(s.k * s.n), 6);
    std::vector<float> want(static_cast<std::size_t>(s.m * s.n));
    reference(A.data(), s.k, B.data(), s.n, want.data(), s.n, s.m, s.n, s.k);
    for (int t : {1, 2, 3}) {
      omp_set_num_threads(t);
      std::vector<float> got(want.size());
      gemm(A.data(), s.k, B.data(), s.n, got.data(), s.n, s.m, s.n, s.k);
      EXPECT_TRUE(same_bits(got, want)) << t << " threads, " << s.m << "x" << s.n << "x" << s.k;
    }
  }
  omp_set_num_threads(saved);
}

TEST(AnnGemm, WrappersComputeTheirProducts) {
  const auto a = random_values(37 * 50, 7), b = random_values(29 * 50, 8), c = random_values(37 * 29, 9);
  const Mat A = Eigen::Map<const Mat>(a.data(), 37, 50), B = Eigen::Map<const Mat>(b.data(), 29, 50);
  const Mat D = Eigen::Map<const Mat>(c.data(), 37, 29);
  auto check = [](const Mat& got, const Mat& lhs, const Mat& rhs) {
    Mat want(lhs.rows(), rhs.cols());
    reference(lhs.data(), lhs.cols(), rhs.data(), rhs.cols(), want.data(), want.cols(), lhs.rows(), rhs.cols(),
              lhs.cols());
    ASSERT_EQ(got.rows(), want.rows());
    ASSERT_EQ(got.cols(), want.cols());
    EXPECT_EQ(got, want);
  };
  Mat C;
  mul_abt(A, B, C);  // 37 x 29 = A B^T
  check(C, A, Mat(B.transpose()));
  mul_atb(A, D, C);  // 50 x 29 = A^T D
  check(C, Mat(A.transpose()), D);
  mul_ab(D, B, C);  // 37 x 50 = D B
  check(C, D, B);
  mul_abt(Mat(0, 50), B, C);  // no rows
  EXPECT_EQ(C.rows(), 0);
  EXPECT_EQ(C.cols(), 29);
}
