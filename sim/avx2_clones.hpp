#pragma once
// SNNSIM_AVX2_CLONES before a hot-loop function: GCC builds an AVX2 and a baseline version and
// picks one when the program starts. Without FMA contraction both clones do the same arithmetic
// in the same order, so results do not depend on the CPU. Off under AddressSanitizer, whose
// instrumentation does not combine with ifunc resolution.
// SNNSIM_WIDE_CLONES adds an AVX-512 version, for the dense arithmetic of the neuron update
// (8 doubles per instruction); the scatter loops stay at AVX2, where AVX-512 was slower.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SNNSIM_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#define SNNSIM_WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SNNSIM_AVX2_CLONES
#define SNNSIM_WIDE_CLONES
#endif
