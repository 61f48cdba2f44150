// Micro-benchmarks of the hot kernels (Google Benchmark). Run: build/bench/snnsim_micro
#include <benchmark/benchmark.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "models/conductance_lif.hpp"
#include "models/diehl_cook.hpp"
#include "models/stdp_diehl_cook.hpp"
#include "sim/cpu_dispatch.hpp"
#include "sim/dense_kernels.hpp"
#include "sim/engine.hpp"
#include "sim/poisson_source.hpp"

using namespace snnsim;

// One step of N excitatory neurons (exponential Euler, theta adaptation, threshold pass).
static void BM_ExcNeuronStep(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  models::LifParams p = models::DiehlCookParams::exc_defaults();
  models::ConductanceLif pop("exc", n, p, 0.5);
  for (std::size_t i = 0; i < n; ++i) pop.ge()[i] = 0.01 * static_cast<double>(i % 7);
  sim::Step t = 0;
  for (auto _ : state) {
    pop.update(t++);
    benchmark::DoNotOptimize(pop.v_mV().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_ExcNeuronStep)->Arg(400)->Arg(1600)->Arg(6400);

// The same step with every neuron driven (conductances restored before each step, a 3.2 KB copy
// per 400 neurons, included in the time): the series path that excitatory neurons take during
// an input, where BM_ExcNeuronStep soon measures the quiet path (its conductances decay to 0).
static void BM_DrivenExcNeuronStep(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  models::LifParams p = models::DiehlCookParams::exc_defaults();
  models::ConductanceLif pop("exc", n, p, 0.5);
  std::vector<double> ge(n), gi(n);
  for (std::size_t i = 0; i < n; ++i) {
    ge[i] = 0.05 + 0.01 * static_cast<double>(i % 7);
    gi[i] = i % 5 == 0 ? 3.0 : 0.0;
  }
  sim::Step t = 0;
  for (auto _ : state) {
    std::copy(ge.begin(), ge.end(), pop.ge().begin());
    std::copy(gi.begin(), gi.end(), pop.gi().begin());
    pop.update(t++);
    benchmark::DoNotOptimize(pop.v_mV().data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_DrivenExcNeuronStep)->Arg(400)->Arg(6400);

// A whole D&C presentation step mix: 350 ms of an MNIST-like input (~8 Hz mean per pixel)
// plus the 150 ms rest, learning on; items = synaptic events.
static void BM_TrainingPresentation(benchmark::State& state) {
  models::DiehlCookParams p;
  p.n_exc = static_cast<std::size_t>(state.range(0));
  models::DiehlCookNetwork net(p, models::initial_state(p, 1), 1);
  std::vector<double> rates(784, 0.0);
  for (std::size_t i = 0; i < 784; ++i) rates[i] = (i % 5 == 0) ? 42.0 : 0.0;  // ~8.4 Hz mean
  std::uint32_t major = 0;
  for (auto _ : state) {
    net.normalize_weights();
    benchmark::DoNotOptimize(net.present(rates, models::kStreamTrainInput, major++).data());
  }
  state.counters["presentations/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainingPresentation)->Arg(400)->Arg(1600)->Unit(benchmark::kMillisecond);

// Frozen presentation (evaluation path): no STDP, no rest, starts from rest.
static void BM_FrozenPresentation(benchmark::State& state) {
  models::DiehlCookParams p;
  p.n_exc = static_cast<std::size_t>(state.range(0));
  models::DiehlCookNetwork net(p, models::initial_state(p, 1), 1);
  net.set_learning(false);
  net.normalize_weights();
  std::vector<double> rates(784, 0.0);
  for (std::size_t i = 0; i < 784; ++i) rates[i] = (i % 5 == 0) ? 42.0 : 0.0;
  std::uint32_t major = 0;
  for (auto _ : state) {
    net.rest();
    benchmark::DoNotOptimize(net.present(rates, models::kStreamEvalInput, major++, false).data());
  }
  state.counters["presentations/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FrozenPresentation)->Arg(400)->Arg(1600)->Arg(6400)->Unit(benchmark::kMillisecond);

// Per-neuron normalisation of the 784 x N input weights.
static void BM_NormalizeWeights(benchmark::State& state) {
  models::DiehlCookParams p;
  p.n_exc = static_cast<std::size_t>(state.range(0));
  models::DiehlCookNetwork net(p, models::initial_state(p, 1), 1);
  for (auto _ : state) net.normalize_weights();
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(784 * p.n_exc));
}
BENCHMARK(BM_NormalizeWeights)->Arg(400)->Arg(6400);

// Drawing one presentation's Poisson input (784 sources, 350 ms).
static void BM_PoissonSchedule(benchmark::State& state) {
  sim::PoissonSource src("in", 784, 0.5, 1);
  std::vector<double> rates(784, 8.3);
  std::uint32_t major = 0;
  for (auto _ : state) {
    src.schedule(rates, 0, 700, 3, major++);
    benchmark::DoNotOptimize(src.scheduled_spikes());
  }
}
BENCHMARK(BM_PoissonSchedule);

// One step's arrivals in training: about 45 input spikes' buckets of N/20 synapses each (20
// delay steps), distinct random targets per bucket, spread over a 784 x N matrix (N=6400: 30 MB
// of weights and ids, beyond this machine's share of L3). Args: the kernel (0 the plain scalar
// loop, 1 AVX-512 gathers and scatters where the CPU has them, 2 the interleaved scalar loop of
// add_conductance), N. items = synapses.
namespace {
struct ArrivalBench {
  std::vector<float> w;
  std::vector<std::uint16_t> post;
  std::vector<sim::Bucket> buckets;
  std::vector<double> g, depression;
  std::size_t synapses = 0;  // arriving per step
  explicit ArrivalBench(std::size_t n) : g(n, 0.0), depression(n, 1e-6) {
    std::mt19937 rng(1);
    const std::size_t per_bucket = n / 20, rows = 784;
    std::vector<std::uint16_t> ids(n);
    std::iota(ids.begin(), ids.end(), 0);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t d = 0; d < 20; ++d) {
        std::shuffle(ids.begin(), ids.end(), rng);
        std::sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(per_bucket));  // as laid out
        post.insert(post.end(), ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(per_bucket));
      }
    w.assign(post.size(), 0.1f);
    std::uniform_int_distribution<std::size_t> bucket(0, rows * 20 - 1);
    for (int k = 0; k < 45; ++k) buckets.push_back({bucket(rng) * per_bucket, per_bucket});
    for (const auto& bk : buckets) synapses += bk.count;
  }
};

bool skip_unavailable(benchmark::State& state, int kernel) {
  if (kernel != 1) return false;
#if SNNSIM_HAVE_AVX512_KERNELS
  if (sim::avx512_kernels_available()) return false;
  state.SkipWithError("no AVX-512 gathers and scatters on this CPU");
#else
  state.SkipWithError("no AVX-512 kernels in this build");
#endif
  return true;
}
}  // namespace

// Times call(bench, kernel) on one step's buckets; args as above. items = synapses.
template <typename Call>
void time_arrivals(benchmark::State& state, Call call) {
  const int kernel = static_cast<int>(state.range(0));
  if (skip_unavailable(state, kernel)) return;
  ArrivalBench b(static_cast<std::size_t>(state.range(1)));
  for (auto _ : state) {
    call(b, kernel);
    benchmark::DoNotOptimize(b.g.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(b.synapses));
}

static void BM_ArrivalDeliverAndDepress(benchmark::State& state) {
  time_arrivals(state, [](ArrivalBench& b, int kernel) {
#if SNNSIM_HAVE_AVX512_KERNELS
    if (kernel == 1)
      return models::detail::deliver_and_depress_avx512(b.g.data(), 1.0, b.w.data(), b.post.data(), b.buckets.data(),
                                                        b.buckets.size(), b.depression.data(), 0.0, 1.0);
#endif
    models::detail::deliver_and_depress_scalar(b.g.data(), 1.0, b.w.data(), b.post.data(), b.buckets.data(),
                                               b.buckets.size(), b.depression.data(), 0.0, 1.0);
  });
}
BENCHMARK(BM_ArrivalDeliverAndDepress)->ArgsProduct({{0, 1}, {400, 1600, 6400}});

// The frozen passes' arrivals (no plasticity), the same buckets.
static void BM_ArrivalAddConductance(benchmark::State& state) {
  time_arrivals(state, [](ArrivalBench& b, int kernel) {
    decltype(&sim::detail::add_conductance_scalar) kernel_fn =
        kernel == 2 ? &sim::detail::add_conductance_interleaved : &sim::detail::add_conductance_scalar;
#if SNNSIM_HAVE_AVX512_KERNELS
    if (kernel == 1) kernel_fn = &sim::detail::add_conductance_avx512;
#endif
    kernel_fn(b.g.data(), 1.0, b.w.data(), b.post.data(), b.buckets.data(), b.buckets.size());
  });
}
BENCHMARK(BM_ArrivalAddConductance)->ArgsProduct({{0, 1, 2}, {400, 1600, 6400}});

BENCHMARK_MAIN();
