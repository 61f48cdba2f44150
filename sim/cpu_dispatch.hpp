#pragma once
// SNNSIM_AVX2_CLONES before a hot-loop function: GCC builds an AVX2 and a baseline version and
// picks one when the program starts. Without FMA contraction (-ffp-contract=off in
// CMakeLists.txt; the AVX-512 target implies FMA) every clone does the same arithmetic in the
// same order, so results do not depend on the CPU. Off under AddressSanitizer, whose
// instrumentation does not combine with ifunc resolution.
// SNNSIM_WIDE_CLONES adds an AVX-512 version, for the threshold loops of the neuron update
// that the forward-Euler path calls (8 doubles per instruction; the exponential-Euler step has
// its own AVX-512 kernel). A plain AVX-512 clone of the scalar scatter loops was slower;
// those use the hand-written gather/scatter kernels below instead.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SNNSIM_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#define SNNSIM_WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SNNSIM_AVX2_CLONES
#define SNNSIM_WIDE_CLONES
#endif

// SNNSIM_AVX512_KERNEL marks a kernel written with AVX-512 F, BW and VL intrinsics, called only
// when avx512_kernels_available() says the CPU has all three. The arrival loops use gathers and
// scatters (a bucket's target ids are distinct, so 8 conductances can be read, added to and
// written back at once without a conflict); the membrane step (models/lif_integrate.cpp) uses
// masked lanes. The intrinsics do the scalar code's operations element by element (a multiply
// then an add, no FMA; the same comparisons for clipping), so the bits are the same.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SNNSIM_HAVE_AVX512_KERNELS 1
#include <cstdlib>
#include <string_view>
#define SNNSIM_AVX512_KERNEL __attribute__((target("avx512f,avx512bw,avx512vl")))
namespace snnsim::sim {
inline bool avx512_kernels_available() {
  static const bool available = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("avx512vl");
  return available;
}
/// Whether the arrival kernels (a scatter of conductances per 8 synapses) should use AVX-512
/// gathers and scatters. Not on AMD: Zen 4 has the instructions but runs a scatter as slow
/// microcode, and the scalar loop is faster there (bench/README.md, 2026-12-06: one frozen
/// presentation's arrivals at N=6400, 2.2-2.8 against 1.3-1.8 ns per synapse). The choice
/// changes speed only: both versions give the same bits. SNNSIM_SCATTER=avx512, =scalar or
/// =plain overrides it (benchmarks; plain_scatter_forced).
inline bool avx512_scatter_preferred() {
  static const bool preferred = [] {
    if (!avx512_kernels_available()) return false;
    if (const char* e = std::getenv("SNNSIM_SCATTER")) return std::string_view(e) == "avx512";
    return !__builtin_cpu_is("amd");
  }();
  return preferred;
}
}  // namespace snnsim::sim
#else
#define SNNSIM_HAVE_AVX512_KERNELS 0
#endif

#include <cstdlib>
#include <string_view>
namespace snnsim::sim {
/// Where add_conductance's scalar loop runs, it is the interleaved one (four synapses' loads
/// before their stores, dense_kernels.hpp) unless SNNSIM_SCATTER=plain asks for the plain loop,
/// so that one build can time the two (bench/README.md). Same bits either way. (The learning
/// path's deliver_and_depress gained nothing end to end from the same change and keeps its loop.)
inline bool plain_scatter_forced() {
  static const bool forced = [] {
    const char* e = std::getenv("SNNSIM_SCATTER");
    return e != nullptr && std::string_view(e) == "plain";
  }();
  return forced;
}
}  // namespace snnsim::sim
