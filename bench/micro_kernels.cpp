// Micro-benchmarks of the hot kernels (Google Benchmark). Run: build/bench/snnsim_micro
#include <benchmark/benchmark.h>

#include <vector>

#include "models/conductance_lif.hpp"
#include "models/diehl_cook.hpp"
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
BENCHMARK(BM_FrozenPresentation)->Arg(400)->Arg(1600)->Unit(benchmark::kMillisecond);

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

BENCHMARK_MAIN();
