#!/usr/bin/env bash
# Set up (packages, MNIST, build) and run the whole test suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd build
ctest --output-on-failure -j"$(nproc)"

# --- Sanitizers and fuzzing (issue 4, items 6 and 7) ---------------------------------------
# The unit and CLI tests again, built with AddressSanitizer + UndefinedBehaviorSanitizer (gcc,
# leak checking on; the ANN part is left out), then a short libFuzzer run of each fuzz target
# (clang; fuzz/README.md). SNNSIM_SKIP_SANITIZERS=1 skips both; SNNSIM_FUZZ_SECONDS sets the
# seconds per fuzz target (default 60).
cd ..
if [ "${SNNSIM_SKIP_SANITIZERS:-0}" != 1 ]; then
  stage_start=$(date +%s)
  fuzz_packages=(clang libclang-rt-14-dev libomp-14-dev)
  missing=()
  for p in "${fuzz_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test: installing ${missing[*]} for the fuzz targets" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi

  # The ANN is included: its product kernel (ann/gemm.cpp) walks raw pointers with vector loads.
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSNNSIM_SANITIZE=ON -DSNNSIM_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j"$(nproc)" --target snnsim_unit_tests snnsim_ann_tests snnsim
  # Unit tests, the ANN tests and the CLI end-to-end tests (error paths, h5py schema) against
  # the sanitized binary. detect_leaks is gcc's LeakSanitizer; libgomp needs no suppressions
  # (its thread pool stays reachable). abort_on_error turns any report into SIGABRT, which no
  # test expects.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
  asan_end=$(date +%s)

  bash fuzz/run.sh "${SNNSIM_FUZZ_SECONDS:-60}"
  fuzz_end=$(date +%s)
  echo "test: sanitizer unit tests $((asan_end - stage_start)) s (build included), fuzzing $((fuzz_end - asan_end)) s" >&2
fi
