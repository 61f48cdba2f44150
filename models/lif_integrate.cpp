// relax_phi_into<__m512d> is always inlined into the AVX-512 kernel and takes its vectors by
// reference, so no call ever passes one across the ABI GCC warns about (as ann/gemm.cpp).
#pragma GCC diagnostic ignored "-Wpsabi"

#include "lif_integrate.hpp"

#include "relax.hpp"
#include "sim/cpu_dispatch.hpp"

#if SNNSIM_HAVE_AVX512_KERNELS
#include <immintrin.h>
#endif

namespace snnsim::models {
namespace {

// Most steps of most neurons come in one of two kinds, and a block of 8 neurons of one kind
// skips work:
// - Quiet: the conductances are too small to change g_total or num in double precision
//   (always true once they are 0), so the step is that of a neuron without input, whose
//   constant is computed once. That holds for most inhibitory neurons most of the time (their
//   only input, from one excitatory partner, fades within 40 ms of the partner's spike) and
//   for excitatory ones late in the rest between images. The test is on the exact values, so
//   skipping changes no bit.
// - Driven within the series' range (x = a g_total <= kRelaxPolyMax): relax_poly. A lane
//   beyond it (an inhibitory neuron a few steps after its partner's spike, or an excitatory
//   one under the inhibition of several neurons at once) takes relax_exact. The choice is per
//   neuron, so it does not depend on how neurons are blocked or shared among threads.
struct Quiet {
  double g_total, num;
  RelaxConstant step;
  static Quiet of(const MembraneConstants& c) {
    const double zero = 0.0;
    Quiet q;
    q.g_total = c.k_leak + zero + zero;
    q.num = c.k_leak * c.e_rest + zero * c.e_exc + zero * c.e_inh;
    q.step = RelaxConstant::of(q.g_total, q.num, c.a);
    return q;
  }
};

constexpr std::size_t kBlock = 8;

// Neurons [0, m) of a block (m <= kBlock; a constant m lets the compiler vectorise fully).
[[gnu::always_inline]] inline void integrate_block(std::size_t m, double* __restrict v, double* __restrict ge,
                                                   double* __restrict gi, const MembraneConstants& c,
                                                   const ConductanceDecay& d, const Quiet& q) {
  const double k_leak = c.k_leak, e_rest = c.e_rest, e_exc = c.e_exc, e_inh = c.e_inh, a = c.a;
  double g_total[kBlock], num[kBlock];
  // Bit 0: some lane is driven; bit 1: some lane needs the exact form (one reduction for both).
  int flags = 0;
#pragma omp simd reduction(| : flags)
  for (std::size_t k = 0; k < m; ++k) {
    g_total[k] = k_leak + ge[k] + gi[k];
    num[k] = k_leak * e_rest + ge[k] * e_exc + gi[k] * e_inh;
    flags |= static_cast<int>((g_total[k] != q.g_total) | (num[k] != q.num)) |
             (static_cast<int>(!(a * g_total[k] <= kRelaxPolyMax)) << 1);
  }
  if (flags & 2) {
    for (std::size_t k = 0; k < m; ++k) {
      const double x = a * g_total[k];
      v[k] = x <= kRelaxPolyMax ? relax_poly(v[k], g_total[k], num[k], a, x) : relax_exact(v[k], g_total[k], num[k], a);
    }
  } else if (flags & 1) {
#pragma omp simd
    for (std::size_t k = 0; k < m; ++k) v[k] = relax_poly(v[k], g_total[k], num[k], a, a * g_total[k]);
  } else if (q.step.poly) {
    const double coefficient = q.step.coefficient, g_total_q = q.g_total, num_q = q.num;
#pragma omp simd
    for (std::size_t k = 0; k < m; ++k) v[k] = v[k] + coefficient * (num_q - g_total_q * v[k]);
  } else {
    const double v_inf = q.step.v_inf, factor = q.step.factor;
#pragma omp simd
    for (std::size_t k = 0; k < m; ++k) v[k] = v_inf + (v[k] - v_inf) * factor;
  }
#pragma omp simd
  for (std::size_t k = 0; k < m; ++k) {
    ge[k] = decayed(ge[k], d.ge, d.ge_flush_below);
    gi[k] = decayed(gi[k], d.gi, d.gi_flush_below);
  }
}

// The membrane step and conductance decay of n neurons, block by block. Called only where the
// AVX-512 kernel is not (a CPU without AVX-512 F, BW and VL), so it has no AVX-512 clone.
SNNSIM_AVX2_CLONES
void integrate_exponential_euler_portable(std::size_t n, double* __restrict v, double* __restrict ge,
                                          double* __restrict gi, const MembraneConstants& c,
                                          const ConductanceDecay& d) {
  const Quiet q = Quiet::of(c);
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) integrate_block(kBlock, v + i, ge + i, gi + i, c, d, q);
  if (i < n) integrate_block(n - i, v + i, ge + i, gi + i, c, d, q);
}

}  // namespace

namespace detail {

bool update_exponential_euler_portable(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                                       const ConductanceDecay& d, const ThresholdStep& t) {
  integrate_exponential_euler_portable(n, v, ge, gi, c, d);
  if (t.decay_theta) decay_thresholds(n, t.theta, t.theta_factor);
  return clamp_refractory_and_find_crossings(n, v, t.theta, t.refractory_until, t.now, t.v_reset, t.base);
}

#if SNNSIM_HAVE_AVX512_KERNELS
// integrate_block 8 lanes at a time with masks: the block tests are a compare into a mask
// register instead of a reduction across the vector. Every operation is the portable one, in
// its order (no FMA), so the bits are the same; a block with a lane beyond the series' range
// goes to the portable block.
struct Avx512Step {
  const MembraneConstants& c;
  const ConductanceDecay& d;
  const Quiet& q;
  __m512d k_leak, leak_num, e_exc, e_inh, a, x_max, g_quiet, num_quiet, quiet_coefficient, quiet_v_inf, quiet_factor;
  __m512d decay_e, decay_i, flush_e, flush_i;

  SNNSIM_AVX512_KERNEL Avx512Step(const MembraneConstants& c_, const ConductanceDecay& d_, const Quiet& q_)
      : c(c_), d(d_), q(q_) {
    k_leak = _mm512_set1_pd(c.k_leak);
    leak_num = _mm512_set1_pd(c.k_leak * c.e_rest);
    e_exc = _mm512_set1_pd(c.e_exc);
    e_inh = _mm512_set1_pd(c.e_inh);
    a = _mm512_set1_pd(c.a);
    x_max = _mm512_set1_pd(kRelaxPolyMax);
    g_quiet = _mm512_set1_pd(q.g_total);
    num_quiet = _mm512_set1_pd(q.num);
    quiet_coefficient = _mm512_set1_pd(q.step.coefficient);
    quiet_v_inf = _mm512_set1_pd(q.step.v_inf);
    quiet_factor = _mm512_set1_pd(q.step.factor);
    decay_e = _mm512_set1_pd(d.ge);
    decay_i = _mm512_set1_pd(d.gi);
    flush_e = _mm512_set1_pd(d.ge_flush_below);
    flush_i = _mm512_set1_pd(d.gi_flush_below);
  }

  // Lanes m of the block at i (of n neurons): returns the new v (not stored); ge and gi are
  // decayed and stored.
  [[gnu::always_inline]] SNNSIM_AVX512_KERNEL inline __m512d lanes(std::size_t i, std::size_t n, __mmask8 m,
                                                                    double* v, double* ge, double* gi) const {
    const __m512d e = _mm512_maskz_loadu_pd(m, ge + i), h = _mm512_maskz_loadu_pd(m, gi + i);
    // Conductances all +0 (bit for bit): the quiet step, and ge, gi stay +0 (decayed(+0) = +0),
    // so nothing else needs computing or storing. Most inhibitory blocks, most of the time.
    if (q.step.poly && _mm512_mask_test_epi64_mask(m, _mm512_castpd_si512(e), _mm512_castpd_si512(e)) == 0 &&
        _mm512_mask_test_epi64_mask(m, _mm512_castpd_si512(h), _mm512_castpd_si512(h)) == 0) {
      const __m512d v0 = _mm512_maskz_loadu_pd(m, v + i);
      return _mm512_add_pd(v0, _mm512_mul_pd(quiet_coefficient, _mm512_sub_pd(num_quiet, _mm512_mul_pd(g_quiet, v0))));
    }
    const __m512d g_total = _mm512_add_pd(_mm512_add_pd(k_leak, e), h);
    const __m512d num = _mm512_add_pd(_mm512_add_pd(leak_num, _mm512_mul_pd(e, e_exc)), _mm512_mul_pd(h, e_inh));
    const __m512d x = _mm512_mul_pd(a, g_total);
    if (_mm512_mask_cmp_pd_mask(m, x, x_max, _CMP_NLE_UQ) != 0) {
      integrate_block(n - i >= kBlock ? kBlock : n - i, v + i, ge + i, gi + i, c, d, q);
      return _mm512_maskz_loadu_pd(m, v + i);
    }
    const __m512d v0 = _mm512_maskz_loadu_pd(m, v + i);
    __m512d v1;
    if ((_mm512_mask_cmp_pd_mask(m, g_total, g_quiet, _CMP_NEQ_UQ) |
         _mm512_mask_cmp_pd_mask(m, num, num_quiet, _CMP_NEQ_UQ)) != 0) {
      // relax_poly: relax_phi's template on 8 lanes.
      __m512d phi;
      relax_phi_into(x, phi);
      const __m512d coefficient = _mm512_mul_pd(a, phi);
      v1 = _mm512_add_pd(v0, _mm512_mul_pd(coefficient, _mm512_sub_pd(num, _mm512_mul_pd(g_total, v0))));
    } else if (q.step.poly) {
      v1 = _mm512_add_pd(v0, _mm512_mul_pd(quiet_coefficient, _mm512_sub_pd(num_quiet, _mm512_mul_pd(g_quiet, v0))));
    } else {
      v1 = _mm512_add_pd(quiet_v_inf, _mm512_mul_pd(_mm512_sub_pd(v0, quiet_v_inf), quiet_factor));
    }
    _mm512_mask_storeu_pd(ge + i, m, _mm512_maskz_mul_pd(_mm512_cmp_pd_mask(e, flush_e, _CMP_GE_OQ), e, decay_e));
    _mm512_mask_storeu_pd(gi + i, m, _mm512_maskz_mul_pd(_mm512_cmp_pd_mask(h, flush_i, _CMP_GE_OQ), h, decay_i));
    return v1;
  }
};

[[gnu::always_inline]] SNNSIM_AVX512_KERNEL inline __mmask8 lane_mask(std::size_t i, std::size_t n) {
  return n - i >= kBlock ? __mmask8(0xFF) : static_cast<__mmask8>((1u << (n - i)) - 1u);
}

// The threshold step on the new v while it is in a register, with the operations of
// decay_thresholds and clamp_refractory_and_find_crossings.
SNNSIM_AVX512_KERNEL
bool update_exponential_euler_avx512(std::size_t n, double* __restrict v, double* __restrict ge,
                                     double* __restrict gi, const MembraneConstants& c, const ConductanceDecay& d,
                                     const ThresholdStep& t) {
  const Quiet q = Quiet::of(c);
  const Avx512Step step(c, d, q);
  const __m512d v_reset = _mm512_set1_pd(t.v_reset), base = _mm512_set1_pd(t.base),
                theta_factor = _mm512_set1_pd(t.theta_factor);
  const __m512i now = _mm512_set1_epi64(static_cast<long long>(t.now));
  static_assert(sizeof(sim::Step) == 8);
  __mmask8 crossed = 0;
  for (std::size_t i = 0; i < n; i += kBlock) {
    const __mmask8 m = lane_mask(i, n);
    __m512d v1 = step.lanes(i, n, m, v, ge, gi);
    __m512d theta = _mm512_maskz_loadu_pd(m, t.theta + i);
    if (t.decay_theta) {
      theta = _mm512_mul_pd(theta, theta_factor);
      _mm512_mask_storeu_pd(t.theta + i, m, theta);
    }
    const __mmask8 refractory =
        _mm512_mask_cmpgt_epi64_mask(m, _mm512_maskz_loadu_epi64(m, t.refractory_until + i), now);
    v1 = _mm512_mask_mov_pd(v1, refractory, v_reset);
    _mm512_mask_storeu_pd(v + i, m, v1);
    crossed |= _mm512_mask_cmp_pd_mask(static_cast<__mmask8>(m & ~refractory), v1, _mm512_add_pd(base, theta),
                                       _CMP_GT_OQ);
  }
  return crossed != 0;
}
#endif

}  // namespace detail

SNNSIM_WIDE_CLONES
void decay_thresholds(std::size_t n, double* __restrict theta, double factor) {
  for (std::size_t i = 0; i < n; ++i) theta[i] *= factor;
}

SNNSIM_WIDE_CLONES
bool clamp_refractory_and_find_crossings(std::size_t n, double* __restrict v, const double* __restrict theta,
                                         const sim::Step* __restrict refractory_until, sim::Step now,
                                         double v_reset, double base) {
  int crossed = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool refractory = now < refractory_until[i];
    v[i] = refractory ? v_reset : v[i];
    crossed |= static_cast<int>(!refractory & (v[i] > base + theta[i]));
  }
  return crossed != 0;
}

bool update_exponential_euler(std::size_t n, double* v, double* ge, double* gi, const MembraneConstants& c,
                              const ConductanceDecay& d, const ThresholdStep& t) {
#if SNNSIM_HAVE_AVX512_KERNELS
  if (sim::avx512_kernels_available()) return detail::update_exponential_euler_avx512(n, v, ge, gi, c, d, t);
#endif
  return detail::update_exponential_euler_portable(n, v, ge, gi, c, d, t);
}

}  // namespace snnsim::models
