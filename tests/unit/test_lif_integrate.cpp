// The membrane step's two forms (models/relax.hpp) against a long-double reference, and the two
// versions of the neuron update (models/lif_integrate.hpp) against the scalar formula, bit
// for bit: driven, quiet and beyond-the-series lanes, vector tails, conductances near the
// subnormal flush.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "models/lif_integrate.hpp"
#include "models/relax.hpp"
#include "sim/cpu_dispatch.hpp"

using namespace snnsim;
using models::ConductanceDecay;
using models::MembraneConstants;

namespace {

long double step_reference(long double v, long double g_total, long double num, long double a) {
  const long double v_inf = num / g_total;
  return v_inf + (v - v_inf) * std::exp(-a * g_total);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

// phi(x) = (1 - e^-x) / x to within 2 ulp on the series' whole range (and phi(0) = 1).
TEST(Relax, SeriesMatchesPhiToTheLastBits) {
  EXPECT_EQ(models::relax_phi(0.0), 1.0);
  double worst = 0.0;
  for (int k = 1; k <= 2500; ++k) {
    const double x = models::kRelaxPolyMax * k / 2500.0;
    const long double want = (1.0L - std::exp(-static_cast<long double>(x))) / x;
    const double got = models::relax_phi(x);
    worst = std::max(worst, static_cast<double>(std::fabs((got - want) / want)));
  }
  EXPECT_LT(worst, 2 * std::numeric_limits<double>::epsilon()) << "worst relative error " << worst;
  EXPECT_GT(worst, 0.0);  // the reference has more bits: a zero would mean it was not used
}

// Both forms of the step agree with the long-double step to far below a microvolt's millionth:
// the series changes rounding, not the model.
TEST(Relax, BothFormsMatchTheExactStep) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> v_of(-110.0, -40.0), ge_of(0.0, 30.0), gi_of(0.0, 30.0);
  double worst_poly = 0.0, worst_exact = 0.0;
  for (const double a : {0.005, 0.05}) {  // tau_m 100 ms and 10 ms at dt 0.5 ms
    for (int trial = 0; trial < 20000; ++trial) {
      const double v = v_of(rng), ge = ge_of(rng) * (trial % 2 ? 1.0 : 0.01), gi = gi_of(rng) * (trial % 3 ? 0.01 : 1.0);
      const double g_total = 1.0 + ge + gi, num = -65.0 + ge * 0.0 + gi * -100.0;
      const double x = a * g_total;
      const long double want = step_reference(v, g_total, num, a);
      worst_exact = std::max(worst_exact, static_cast<double>(std::fabs(models::relax_exact(v, g_total, num, a) - want)));
      if (x <= models::kRelaxPolyMax)
        worst_poly = std::max(worst_poly, static_cast<double>(std::fabs(models::relax_poly(v, g_total, num, a, x) - want)));
    }
  }
  // A double near 100 mV has an ulp of 1.4e-14 mV. The exact form carries exp_nonpositive's
  // 1e-14 relative error times |v - v_inf|; the series is closer still.
  EXPECT_LT(worst_poly, 1e-13) << "exact form: " << worst_exact;
  EXPECT_LT(worst_exact, 1e-12);
  EXPECT_GT(worst_poly, 0.0);
}

namespace {

struct Neurons {
  std::vector<double> v, ge, gi;
};

// n neurons: driven lanes, whole quiet blocks (zero conductance, or too small to count), lanes
// beyond the series (large g), and conductances on both sides of the subnormal flush.
Neurons make_neurons(std::size_t n, std::uint64_t seed, const ConductanceDecay& d) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Neurons s{std::vector<double>(n), std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
  for (std::size_t i = 0; i < n; ++i) {
    s.v[i] = -105.0 + 70.0 * u(rng);
    const std::size_t block = i / 8;
    if (block % 3 == 1) continue;  // a quiet block
    const double r = u(rng);
    if (r < 0.15) {
      s.ge[i] = 1e-20 * u(rng);  // lost in rounding next to the leak: quiet
    } else if (r < 0.25) {
      s.gi[i] = d.gi_flush_below * (0.5 + u(rng));  // around the flush bound
      s.ge[i] = d.ge_flush_below * (0.5 + u(rng));
    } else if (r < 0.32) {
      s.gi[i] = 40.0 + 40.0 * u(rng);  // beyond the series for tau_m 100 ms
    } else {
      s.ge[i] = 3.0 * u(rng);
      s.gi[i] = u(rng) < 0.5 ? 0.0 : 8.0 * u(rng);
    }
  }
  return s;
}

// The formula one neuron at a time, as relax.hpp and lif_integrate.hpp define it.
Neurons reference_step(Neurons s, const MembraneConstants& c, const ConductanceDecay& d) {
  for (std::size_t i = 0; i < s.v.size(); ++i) {
    const double g_total = c.k_leak + s.ge[i] + s.gi[i];
    const double num = c.k_leak * c.e_rest + s.ge[i] * c.e_exc + s.gi[i] * c.e_inh;
    const double x = c.a * g_total;
    s.v[i] = x <= models::kRelaxPolyMax ? models::relax_poly(s.v[i], g_total, num, c.a, x)
                                        : models::relax_exact(s.v[i], g_total, num, c.a);
    s.ge[i] = models::decayed(s.ge[i], d.ge, d.ge_flush_below);
    s.gi[i] = models::decayed(s.gi[i], d.gi, d.gi_flush_below);
  }
  return s;
}

using UpdateKernel = bool (*)(std::size_t, double*, double*, double*, const MembraneConstants&,
                              const ConductanceDecay&, const models::ThresholdStep&);

// The membrane step and the conductance decay alone: the update with a threshold step that
// changes nothing (no refractory neuron, no theta decay, an infinite threshold).
void expect_kernel_matches_formula(UpdateKernel kernel, const char* name) {
  // Excitatory (tau_m 100 ms), inhibitory (10 ms: most driven lanes beyond the series) and a
  // raised leak (the sleep regime) at dt 0.5 ms.
  const MembraneConstants kinds[] = {{1.0, -65.0, 0.0, -100.0, 0.005},
                                     {1.0, -60.0, 0.0, -85.0, 0.05},
                                     {1.8, -65.0, 0.0, -100.0, 0.005}};
  const auto d = ConductanceDecay::of(std::exp(-0.5), std::exp(-0.25));
  int mismatches = 0, checked = 0;
  for (const auto& c : kinds) {
    for (std::size_t n = 0; n <= 41; ++n) {
      Neurons got = make_neurons(n, 100 + n, d);
      const Neurons want = reference_step(got, c, d);
      std::vector<double> theta(n, 0.0);
      const std::vector<sim::Step> refractory_until(n, 0);
      const models::ThresholdStep neutral{theta.data(), refractory_until.data(), 100, -65.0,
                                          std::numeric_limits<double>::infinity(), 1.0, false};
      EXPECT_FALSE(kernel(n, got.v.data(), got.ge.data(), got.gi.data(), c, d, neutral)) << name;
      for (std::size_t i = 0; i < n; ++i) {
        ++checked;
        if (!same_bits(got.v[i], want.v[i]) || !same_bits(got.ge[i], want.ge[i]) || !same_bits(got.gi[i], want.gi[i])) {
          if (++mismatches <= 5)
            ADD_FAILURE() << name << ": n " << n << " neuron " << i << " v " << got.v[i] << " want " << want.v[i];
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << name;
  EXPECT_GT(checked, 2000);
}

}  // namespace

TEST(LifIntegrate, PortableKernelHasTheBitsOfTheFormula) {
  expect_kernel_matches_formula(models::detail::update_exponential_euler_portable, "portable");
}

TEST(LifIntegrate, Avx512KernelHasTheBitsOfTheFormula) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (!sim::avx512_kernels_available()) GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL";
  expect_kernel_matches_formula(models::detail::update_exponential_euler_avx512, "avx512");
#else
  GTEST_SKIP() << "not an x86-64 build";
#endif
}

// The test data reach every branch of the kernels: quiet blocks, the series and the exact form.
TEST(LifIntegrate, TestNeuronsCoverQuietDrivenAndBeyondLanes) {
  const auto d = ConductanceDecay::of(std::exp(-0.5), std::exp(-0.25));
  const MembraneConstants c{1.0, -65.0, 0.0, -100.0, 0.005};
  int quiet = 0, series = 0, exact = 0, flushed = 0;
  for (std::size_t n = 0; n <= 41; ++n) {
    const Neurons s = make_neurons(n, 100 + n, d);
    for (std::size_t i = 0; i < n; ++i) {
      const double g_total = c.k_leak + s.ge[i] + s.gi[i];
      if (g_total == c.k_leak) ++quiet;
      else if (c.a * g_total <= models::kRelaxPolyMax) ++series;
      else ++exact;
      if (s.ge[i] > 0.0 && s.ge[i] < d.ge_flush_below) ++flushed;
    }
  }
  EXPECT_GT(quiet, 100);
  EXPECT_GT(series, 100);
  EXPECT_GT(exact, 10);
  EXPECT_GT(flushed, 5);
}

namespace {

// The fused update against the three steps done one after the other by the formula: v, ge,
// gi, theta to the bit, and the crossing flag, with refractory lanes, lanes just above and
// just below threshold, and theta decay on and off.
void expect_update_matches_steps(UpdateKernel kernel, const char* name) {
  const MembraneConstants c{1.0, -65.0, 0.0, -100.0, 0.005};
  const auto d = ConductanceDecay::of(std::exp(-0.5), std::exp(-0.25));
  // The reset lies above some thresholds, so a refractory lane counted as crossing would show.
  const double base = -72.0, v_reset = -52.0, theta_factor = std::exp(-0.5 / 1e7);
  const sim::Step now = 1000;
  int mismatches = 0, crossings_seen = 0, quiet_steps_seen = 0;
  for (const bool decay_theta : {true, false}) {
    for (std::size_t n = 0; n <= 41; ++n) {
      for (int variant = 0; variant < 2; ++variant) {
        Neurons got = make_neurons(n, 500 + n, d);
        std::mt19937_64 rng(900 + n);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        std::vector<double> theta(n);
        std::vector<sim::Step> refractory_until(n);
        for (std::size_t i = 0; i < n; ++i) {
          theta[i] = 15.0 + 10.0 * u(rng);
          refractory_until[i] = u(rng) < 0.2 ? now + 3 : (u(rng) < 0.5 ? now : now - 40);
          // variant 1: some lanes sit just above threshold (they cross), the rest well below
          if (variant == 1 && u(rng) < 0.1) got.v[i] = base + theta[i] + 0.5;
          else if (variant == 0) got.v[i] = std::min(got.v[i], base + theta[i] - 3.0);
        }
        Neurons want = reference_step(got, c, d);
        std::vector<double> want_theta = theta;
        if (decay_theta) models::decay_thresholds(n, want_theta.data(), theta_factor);
        const bool want_crossed = models::clamp_refractory_and_find_crossings(
            n, want.v.data(), want_theta.data(), refractory_until.data(), now, v_reset, base);
        const models::ThresholdStep t{theta.data(), refractory_until.data(), now, v_reset, base, theta_factor,
                                      decay_theta};
        const bool crossed = kernel(n, got.v.data(), got.ge.data(), got.gi.data(), c, d, t);
        crossings_seen += want_crossed ? 1 : 0;
        quiet_steps_seen += want_crossed ? 0 : 1;
        if (crossed != want_crossed) {
          ++mismatches;
          ADD_FAILURE() << name << ": n " << n << " variant " << variant << " crossed " << crossed;
        }
        for (std::size_t i = 0; i < n; ++i)
          if (!same_bits(got.v[i], want.v[i]) || !same_bits(got.ge[i], want.ge[i]) ||
              !same_bits(got.gi[i], want.gi[i]) || !same_bits(theta[i], want_theta[i]))
            if (++mismatches <= 5) ADD_FAILURE() << name << ": n " << n << " neuron " << i;
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << name;
  EXPECT_GT(crossings_seen, 20);
  EXPECT_GT(quiet_steps_seen, 20);
}

}  // namespace

TEST(LifIntegrate, PortableUpdateHasTheBitsOfTheSteps) {
  expect_update_matches_steps(models::detail::update_exponential_euler_portable, "portable");
}

TEST(LifIntegrate, Avx512UpdateHasTheBitsOfTheSteps) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (!sim::avx512_kernels_available()) GTEST_SKIP() << "this CPU has no AVX-512 F/BW/VL";
  expect_update_matches_steps(models::detail::update_exponential_euler_avx512, "avx512");
#else
  GTEST_SKIP() << "not an x86-64 build";
#endif
}
