// Micro-benchmarks of the ANN's product kernel (Google Benchmark), one thread, at the shapes of
// one SGD step of the replica's 784-4000-4000-10 net with a batch of 100 (padded to 112 where it
// is the vector dimension). items_per_second = multiply-adds per second.
// Run: build/bench/snnsim_ann_micro
#include <benchmark/benchmark.h>

#include <Eigen/Dense>

#include "ann/gemm.hpp"

namespace {

using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Shape {
  const char* what;
  long m, n, k;
};
// The forward pass as computed (C^T = W A^T), the delta back through W, the weight gradient.
constexpr Shape kShapes[] = {{"forward", 4000, 112, 4000}, {"backward", 100, 4000, 4000}, {"gradient", 4000, 4000, 100}};

// range(0): shape; range(1): 0 portable, 1 AVX2, 2 AVX-512, 3 Eigen's own product (as the
// ANN used before commit b82465c, built for the same target as this binary).
void BM_Gemm(benchmark::State& state) {
  const Shape& s = kShapes[state.range(0)];
  const Mat A = Mat::Random(s.m, s.k), B = Mat::Random(s.k, s.n);
  Mat C(s.m, s.n);
  const int kernel = static_cast<int>(state.range(1));
  using snnsim::ann::detail::GemmKernel;
  GemmKernel fn = snnsim::ann::detail::gemm_portable;
  if (kernel == 1) fn = snnsim::ann::detail::gemm_avx2;
  if (kernel == 2) fn = snnsim::ann::detail::gemm_avx512;
  if ((kernel == 1 && !snnsim::ann::detail::gemm_avx2_available()) ||
      (kernel == 2 && !snnsim::ann::detail::gemm_avx512_available())) {
    state.SkipWithError("this CPU lacks the kernel's instructions");
    return;
  }
  Eigen::setNbThreads(1);
  for (auto _ : state) {
    if (kernel == 3)
      C.noalias() = A * B;
    else
      fn(A.data(), s.k, B.data(), s.n, C.data(), s.n, s.m, s.n, s.k);
    benchmark::DoNotOptimize(C.data());
  }
  state.SetLabel(s.what);
  state.SetItemsProcessed(state.iterations() * s.m * s.n * s.k);
}
BENCHMARK(BM_Gemm)->ArgsProduct({{0, 1, 2}, {0, 1, 2, 3}})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
