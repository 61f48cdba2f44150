#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan, see fuzz/CMakeLists.txt) and fuzzes
# each for SECONDS (default 60). Prints executions per target; exits non-zero when any target
# found a crash, sanitizer report, timeout (> 10 s on one input), leak or oversized allocation.
#
#   bash fuzz/run.sh [SECONDS] [TARGET ...]     TARGET: idx config run_file (default: all)
#
# Environment: SNNSIM_FUZZ_BUILD (build dir, default build-fuzz), SNNSIM_FUZZ_JOBS (make -j, 2),
# SNNSIM_FUZZ_ARGS (extra libFuzzer flags, e.g. "-seed=1").
# The growing corpus is kept in $SNNSIM_FUZZ_BUILD/fuzz-work/corpus/<target> (reused by the
# next run); crash inputs land in $SNNSIM_FUZZ_BUILD/fuzz-work/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(idx config run_file)
build=${SNNSIM_FUZZ_BUILD:-build-fuzz}
jobs=${SNNSIM_FUZZ_JOBS:-2}

command -v clang++ >/dev/null || { echo "fuzz/run.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSNNSIM_FUZZ=ON -DSNNSIM_BUILD_TESTS=OFF -DSNNSIM_BUILD_BENCH=OFF -DSNNSIM_WITH_ANN=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_idx fuzz_config fuzz_run_file fuzz_make_run_seed >/dev/null

work=$build/fuzz-work
mkdir -p "$work/tmp" "$work/seeds/run_file"
# Run-file seeds are generated (valid files written by the same io code), not committed.
"$build/fuzz/fuzz_make_run_seed" "$work/seeds/run_file"
export SNNSIM_FUZZ_TMPDIR=$work/tmp
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  artifacts=$work/artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  seeds=(fuzz/corpus/"$t")
  extra=()
  [[ $t == run_file ]] && seeds+=("$work/seeds/run_file")
  [[ $t == config ]] && extra+=(-dict=fuzz/config.dict)
  env=()
  # libhdf5 leaks on some corrupt files (fuzz/lsan-hdf5.supp); matching its frames needs the
  # slow unwinder, as libhdf5 has no frame pointers.
  [[ $t == run_file ]] && env+=(ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
    LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan-hdf5.supp:print_suppressions=0")
  log=$work/$t.log
  rc=0
  # -timeout: one input running > 10 s is a hang; -malloc_limit_mb: one allocation > 1 GiB
  # (the inputs are at most a few hundred KB) is a failure to bound allocations.
  # shellcheck disable=SC2086
  env "${env[@]}" timeout $((secs + 300)) "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2560 \
    -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$artifacts" "${extra[@]}" \
    ${SNNSIM_FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  printf 'fuzz_%-9s %8s executions in %ss (%s/s), corpus %s files, exit %s\n' "$t" "${execs:-?}" "$secs" \
    "${rate:-?}" "$(find "$corpus" -type f | wc -l)" "$rc"
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "---- fuzz_$t found a problem (log: $log; input saved under $artifacts):" >&2
    grep -E -A40 'ERROR: |runtime error|==ERROR|SUMMARY|Test unit written' "$log" | head -80 >&2 || tail -60 "$log" >&2
  fi
done
rm -rf "$work/tmp"
exit $failed
