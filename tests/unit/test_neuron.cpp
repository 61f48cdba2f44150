#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "models/conductance_lif.hpp"
#include "models/relax.hpp"

using namespace snnsim;
using models::ConductanceLif;
using models::LifParams;

namespace {
LifParams quiet_exc() {
  LifParams p;
  p.v_thresh_mV = 100.0;  // never fires in these tests
  return p;
}
}  // namespace

// With no conductance the membrane relaxes exactly: v(t) = E_rest + (v0 - E_rest) exp(-t/tau).
TEST(ConductanceLif, LeakDecayMatchesClosedForm) {
  ConductanceLif n("exc", 1, quiet_exc(), 0.5);
  n.v_mV()[0] = -105.0;
  for (int s = 1; s <= 200; ++s) {
    n.update(s);
    const double want = -65.0 + (-105.0 + 65.0) * std::exp(-0.5 * s / 100.0);
    ASSERT_NEAR(n.v_mV()[0], want, 1e-9) << "step " << s;
  }
}

// With g_e held constant the membrane relaxes to v_inf = (E_rest + g E_exc)/(1 + g) at rate (1+g)/tau.
TEST(ConductanceLif, ConstantConductanceRelaxesToVInf) {
  auto p = quiet_exc();
  p.tau_ge_ms = 1e12;  // effectively constant conductance
  ConductanceLif n("exc", 1, p, 0.5);
  n.v_mV()[0] = -65.0;
  const double g = 0.3;
  n.ge()[0] = g;
  const double v_inf = (-65.0 + g * 0.0) / (1.0 + g);
  for (int s = 1; s <= 100; ++s) n.update(s);
  const double want = v_inf + (-65.0 - v_inf) * std::exp(-0.5 * 100 * (1.0 + g) / 100.0);
  EXPECT_NEAR(n.v_mV()[0], want, 1e-6);
}

TEST(ConductanceLif, ConductancesDecayExponentially) {
  ConductanceLif n("exc", 1, quiet_exc(), 0.5);
  n.ge()[0] = 2.0;
  n.gi()[0] = 3.0;
  for (int s = 1; s <= 10; ++s) n.update(s);
  EXPECT_NEAR(n.ge()[0], 2.0 * std::exp(-5.0 / 1.0), 1e-12);
  EXPECT_NEAR(n.gi()[0], 3.0 * std::exp(-5.0 / 2.0), 1e-12);
}

TEST(ConductanceLif, ForwardEulerDecaysEveryVariableAsBrian1) {
  auto p = quiet_exc();
  p.integrator = models::Integrator::forward_euler;
  p.adaptive_threshold = true;
  p.tau_theta_ms = 1000.0;
  ConductanceLif n("exc", 1, p, 0.5);
  n.ge()[0] = 2.0;
  n.gi()[0] = 3.0;
  n.v_mV()[0] = -65.0;
  // One step from rest with g_e = 2: v += dt/tau_m * g_e * (0 - v), then g decays.
  n.update(1);
  EXPECT_NEAR(n.v_mV()[0], -65.0 + 0.005 * (2.0 * 65.0 + 3.0 * (-100.0 + 65.0)), 1e-12);
  EXPECT_NEAR(n.theta_mV()[0], 20.0 * (1.0 - 0.5 / 1000.0), 1e-12);
  for (int s = 2; s <= 10; ++s) n.update(s);
  EXPECT_NEAR(n.ge()[0], 2.0 * std::pow(0.5, 10), 1e-15);   // 1 - dt/tau_ge
  EXPECT_NEAR(n.gi()[0], 3.0 * std::pow(0.75, 10), 1e-15);  // 1 - dt/tau_gi
  p.tau_ge_ms = 0.25;  // shorter than a step: forward Euler would flip the sign of g
  EXPECT_THROW(ConductanceLif("exc", 1, p, 0.5), std::invalid_argument);
}

// The Brian2 failure: ~24 near-coincident inhibitory spikes push forward Euler past its
// stability limit. Exponential Euler must keep v between E_inh and E_exc for any conductance.
TEST(ConductanceLif, LargeInhibitoryVolleyStaysBounded) {
  auto p = quiet_exc();
  ConductanceLif stable("exc", 1, p, 0.5);
  p.integrator = models::Integrator::forward_euler;
  ConductanceLif euler("exc", 1, p, 0.5);
  stable.v_mV()[0] = euler.v_mV()[0] = -65.0;
  bool euler_left_range = false;
  for (int s = 0; s < 200; ++s) {
    if (s % 2 == 0 && s < 60) {
      stable.gi()[0] += 17.0 * 30;
      euler.gi()[0] += 17.0 * 30;
    }
    stable.update(s);
    euler.update(s);
    ASSERT_GE(stable.v_mV()[0], -100.0 - 1e-9);
    ASSERT_LE(stable.v_mV()[0], 0.0 + 1e-9);
    if (!(euler.v_mV()[0] >= -100.0 && euler.v_mV()[0] <= 0.0)) euler_left_range = true;
  }
  EXPECT_TRUE(euler_left_range) << "forward Euler should diverge for this volley (the reason for the default)";
}

TEST(ConductanceLif, ThetaGrowsPerSpikeAndDecays) {
  LifParams p;
  p.adaptive_threshold = true;
  p.tau_theta_ms = 1000.0;
  ConductanceLif n("exc", 1, p, 0.5);
  // Drive it over threshold once.
  n.v_mV()[0] = -40.0;
  n.update(0);
  ASSERT_EQ(n.spikes().size(), 1u);
  EXPECT_NEAR(n.theta_mV()[0], 20.0 * std::exp(-0.5 / 1000.0) + 0.05, 1e-12);
  const double after = n.theta_mV()[0];
  for (int s = 1; s <= 100; ++s) n.update(s);
  EXPECT_NEAR(n.theta_mV()[0], after * std::exp(-50.0 / 1000.0), 1e-9);
}

TEST(ConductanceLif, FrozenThetaNeitherGrowsNorDecays) {
  LifParams p;
  p.adaptive_threshold = true;
  p.tau_theta_ms = 100.0;
  ConductanceLif n("exc", 1, p, 0.5);
  n.set_theta_plastic(false);
  n.v_mV()[0] = -40.0;
  n.update(0);
  ASSERT_EQ(n.spikes().size(), 1u);
  for (int s = 1; s <= 100; ++s) n.update(s);
  EXPECT_EQ(n.theta_mV()[0], 20.0);
}

// Threshold is v_thresh + theta - offset: with theta at its start value it is v_thresh.
TEST(ConductanceLif, ThresholdIncludesThetaMinusOffset) {
  LifParams p;
  p.adaptive_threshold = true;
  p.tau_m_ms = 1e12;
  ConductanceLif hold("exc", 2, p, 0.5);  // no leak: v stays where put; neuron 1 threshold -42 mV
  hold.set_theta_plastic(false);
  hold.theta_mV()[1] = 30.0;
  hold.v_mV() = {-52.1, -42.1};
  hold.update(0);
  EXPECT_TRUE(hold.spikes().empty());
  hold.v_mV() = {-51.9, -41.9};
  hold.update(1);
  EXPECT_EQ(hold.spikes(), (std::vector<sim::NeuronId>{0, 1}));
}

TEST(ConductanceLif, RefractoryClampHoldsResetForItsDuration) {
  LifParams p = quiet_exc();
  p.v_thresh_mV = -52.0;
  p.adaptive_threshold = false;
  p.theta_offset_mV = 0.0;
  p.refractory_ms = 5.0;  // 10 steps
  p.tau_ge_ms = 1e12;
  ConductanceLif n("exc", 1, p, 0.5);
  n.v_mV()[0] = -50.0;
  n.ge()[0] = 1000.0;  // overwhelming drive: fires again on the first step it is allowed to
  std::vector<sim::Step> spikes;
  for (int s = 0; s < 40; ++s) {
    n.update(s);
    if (!n.spikes().empty()) spikes.push_back(s);
    if (!spikes.empty() && s > spikes.back() && s < spikes.back() + 10) {
      ASSERT_EQ(n.v_mV()[0], -65.0) << s;
    }
  }
  ASSERT_GE(spikes.size(), 2u);
  EXPECT_EQ(spikes[1] - spikes[0], 10) << "5 ms at dt 0.5 ms: the next spike comes exactly 10 steps later";
}

TEST(ConductanceLif, SpikeBlockLimitsRate) {
  LifParams p = quiet_exc();
  p.v_thresh_mV = -52.0;
  p.theta_offset_mV = 0.0;
  p.spike_block_ms = 50.0;
  p.tau_ge_ms = 1e12;
  ConductanceLif n("exc", 1, p, 0.5);
  n.ge()[0] = 5.0;
  int count = 0;
  for (int s = 0; s < 700; ++s) {  // 350 ms
    n.update(s);
    count += static_cast<int>(n.spikes().size());
  }
  EXPECT_EQ(count, 7);  // at most one spike per 50 ms
}

TEST(ConductanceLif, ValidationNamesTheField) {
  LifParams p;
  p.tau_m_ms = -1;
  try {
    ConductanceLif n("exc", 1, p, 0.5);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("tau_m_ms"), std::string::npos);
  }
}

// Blocks of neurons without conductance skip the exponential, and a conductance about to turn
// subnormal is set to 0: neither may change a single bit of v. A neuron alone (the scalar tail)
// is the reference for every neuron of a 19-neuron population mixing quiet and driven ones.
TEST(ConductanceLif, QuietBlocksAndFlushedConductancesGiveTheSameMembraneBits) {
  constexpr std::size_t kN = 19;
  const double tiny = std::numeric_limits<double>::min() * 1.2;  // subnormal after one decay step
  std::vector<double> ge0(kN, 0.0), gi0(kN, 0.0), v0(kN);
  for (std::size_t i = 0; i < kN; ++i) v0[i] = -100.0 + 2.5 * static_cast<double>(i);
  ge0[3] = 0.5;
  gi0[11] = 0.2;
  ge0[12] = tiny;
  gi0[17] = tiny;
  ConductanceLif all("exc", kN, quiet_exc(), 0.5);
  std::copy(v0.begin(), v0.end(), &all.v_mV()[0]);
  std::copy(ge0.begin(), ge0.end(), &all.ge()[0]);
  std::copy(gi0.begin(), gi0.end(), &all.gi()[0]);
  std::vector<std::unique_ptr<ConductanceLif>> alone;
  for (std::size_t i = 0; i < kN; ++i) {
    alone.push_back(std::make_unique<ConductanceLif>("exc", 1, quiet_exc(), 0.5));
    alone[i]->v_mV()[0] = v0[i];
    alone[i]->ge()[0] = ge0[i];
    alone[i]->gi()[0] = gi0[i];
  }
  ConductanceLif never_driven("exc", 1, quiet_exc(), 0.5);
  never_driven.v_mV()[0] = v0[12];
  for (int s = 1; s <= 40; ++s) {
    all.update(s);
    never_driven.update(s);
    for (std::size_t i = 0; i < kN; ++i) {
      alone[i]->update(s);
      ASSERT_EQ(all.v_mV()[i], alone[i]->v_mV()[0]) << "neuron " << i << ", step " << s;
    }
    // A conductance below DBL_MIN is lost in rounding next to the leak: v as if it were never there.
    ASSERT_EQ(all.v_mV()[12], never_driven.v_mV()[0]) << "step " << s;
  }
  EXPECT_EQ(all.ge()[12], 0.0) << "flushed instead of subnormal";
  EXPECT_EQ(all.gi()[17], 0.0);
  EXPECT_GT(all.ge()[3], 0.0) << "a normal conductance keeps decaying";
  EXPECT_NEAR(all.ge()[3], 0.5 * std::exp(-40 * 0.5 / 1.0), 1e-15);
  EXPECT_NE(all.v_mV()[3], alone[2]->v_mV()[0]);
}

// The vectorised update (the AVX-512 kernel, or an AVX2 or baseline clone, whichever this CPU
// runs) gives the bits of the formula evaluated one operation at a time. A clone that fused a multiply and an
// add (FMA contraction, which GCC does by default in C++ and the AVX-512 target allows) rounds
// once instead of twice and fails here; that would make results depend on the CPU.
TEST(ConductanceLif, VectorisedUpdateHasTheBitsOfTheScalarFormula) {
  constexpr std::size_t kN = 67;  // 8 full blocks and a tail of 3
  ConductanceLif n("exc", kN, quiet_exc(), 0.5);
  std::vector<double> v0(kN), ge0(kN), gi0(kN);
  for (std::size_t i = 0; i < kN; ++i) {
    v0[i] = -99.0 + 0.731 * static_cast<double>(i);
    ge0[i] = 0.013 * static_cast<double>((i * 7) % 23);
    gi0[i] = i % 3 == 0 ? 0.0 : 0.37 * static_cast<double>((i * 5) % 11);
    if (i % 17 == 5) gi0[i] = 60.0;  // a g_total = 0.3: beyond the series, the exact form
    n.v_mV()[i] = v0[i];
    n.ge()[i] = ge0[i];
    n.gi()[i] = gi0[i];
  }
  n.update(1);
  const LifParams p = quiet_exc();
  const double a = 0.5 / p.tau_m_ms;
  for (std::size_t i = 0; i < kN; ++i) {
    const double g_total = p.leak_gain + ge0[i] + gi0[i];
    const double num = p.leak_gain * p.v_rest_mV + ge0[i] * p.e_exc_mV + gi0[i] * p.e_inh_mV;
    const double x = a * g_total;
    const double want = x <= models::kRelaxPolyMax ? models::relax_poly(v0[i], g_total, num, a, x)
                                                   : models::relax_exact(v0[i], g_total, num, a);
    EXPECT_EQ(n.v_mV()[i], want) << "neuron " << i;
  }
}
