#pragma once
// SNNSIM_AVX2_CLONES before a hot-loop function: GCC builds an AVX2 and a baseline version and
// picks one when the program starts. Without FMA contraction both clones do the same arithmetic
// in the same order, so results do not depend on the CPU. Off under AddressSanitizer, whose
// instrumentation does not combine with ifunc resolution.
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define SNNSIM_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SNNSIM_AVX2_CLONES
#endif
