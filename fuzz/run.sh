#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan, see fuzz/CMakeLists.txt) and fuzzes
# each for SECONDS (default 60). Prints executions per target. Exits non-zero when a target
# finds a problem in snnsim's code: a crash, sanitizer report, uncaught exception of another
# type, hang (> 10 s on one input), leak or oversized allocation. Crashes inside libhdf5 itself
# (HDF5 1.10.8 bugs on corrupt files, see fuzz/README.md) are listed but do not fail the run
# unless SNNSIM_FUZZ_STRICT=1; fuzzing then resumes for the time left.
#
#   bash fuzz/run.sh [SECONDS] [TARGET ...]     TARGET: idx config run_file (default: all)
#
# Environment: SNNSIM_FUZZ_BUILD (build dir, default build-fuzz), SNNSIM_FUZZ_JOBS (make -j, 2),
# SNNSIM_FUZZ_ARGS (extra libFuzzer flags), SNNSIM_FUZZ_STRICT (see above), SNNSIM_FUZZ_SEED
# (first libFuzzer seed; 1 when CI=true, else libFuzzer's own choice). A timeout is replayed
# alone with a 60 s limit: one that then finishes was a loaded machine, not a hang.
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
# CI explores the same mutation sequence every time (round r uses seed SEED + r - 1), so a CI
# finding can be replayed by running the same command here; elsewhere libFuzzer picks seeds.
seed=${SNNSIM_FUZZ_SEED:-}
[[ -z $seed && ${CI:-} == true ]] && seed=1

command -v clang++ >/dev/null || { echo "fuzz/run.sh: clang++ not found (apt-get install clang)" >&2; exit 2; }
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DSNNSIM_FUZZ=ON -DSNNSIM_BUILD_TESTS=OFF -DSNNSIM_BUILD_BENCH=OFF -DSNNSIM_WITH_ANN=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_idx fuzz_config fuzz_run_file fuzz_make_run_seed >/dev/null

work=$build/fuzz-work
mkdir -p "$work/seeds/run_file"
# Run-file seeds are generated (valid files written by the same io code), not committed.
"$build/fuzz/fuzz_make_run_seed" "$work/seeds/run_file"
# The parsers read paths, so each input goes through a file: keep those in memory when possible.
if [[ -d /dev/shm && -w /dev/shm ]]; then tmp=$(mktemp -d /dev/shm/snnsim-fuzz.XXXXXX); else tmp=$(mktemp -d); fi
trap 'rm -rf "$tmp"' EXIT
export SNNSIM_FUZZ_TMPDIR=$tmp
# allocator_may_return_null: an impossible malloc (libhdf5 asks for petabytes on some corrupt
# headers) returns NULL as glibc would, instead of aborting; allocations over
# -malloc_limit_mb that do succeed are still reported.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Who a finding belongs to, from its report. UBSan reports are snnsim's (libhdf5 is not
# instrumented). A leak is libhdf5's only when every leaked block was allocated inside libhdf5
# and none on a path that hands memory to snnsim (H5Aread/H5Dread of variable-length strings,
# freed by snnsim with H5free_memory/H5Dvlen_reclaim); libhdf5 leaks some of its own structures
# when opening corrupt objects fails (fuzz/README.md). Otherwise the first stack frame that is
# not the sanitizer runtime, libFuzzer or libc decides: inside libhdf5 -> "libhdf5", else "snnsim".
classify() {
  if grep -q 'runtime error:' "$1"; then echo snnsim; return; fi
  if grep -q 'LeakSanitizer' "$1"; then
    awk '/^(Direct|Indirect) leak/ { inblk = 1; decided = 0; next }
         inblk && /^ *#[0-9]+ 0x/ {
           if ($0 ~ /H5Aread|H5Dread|H5Dvlen_reclaim|H5Treclaim/) ours = 1
           if (!decided && $0 !~ /__sanitizer|__interceptor|__asan|__lsan| in (malloc|calloc|realloc) |operator new/) {
             decided = 1
             if ($0 !~ /libhdf5/) ours = 1
           }
           next
         }
         { inblk = 0 }
         END { print (ours ? "snnsim" : "libhdf5") }' "$1"
    return
  fi
  awk '/ERROR: / {err = 1}
       err && /^ *#[0-9]+ 0x/ {
         # The sanitizer runtime and libFuzzer live in the fuzz binary without source lines
         # (interceptors such as strdup, memcpy); snnsim frames carry file:line.
         # A timeout report starts inside the alarm handler, whose unwinding runs in libgcc_s.
         # glibc frames show as libc.so, or by glibc source path (sysdeps/...) where its debug
         # symbols are installed (a memcpy called from inside libhdf5).
         if ($0 ~ /__sanitizer|__interceptor|__asan|__lsan|__ubsan| in fuzzer::| in (malloc|calloc|realloc|free) |operator new|libc\.so|[ \/]sysdeps\/|libgcc_s\.so|_Unwind_|\/fuzz_[a-z_]+\+0x/) next
         print ($0 ~ /libhdf5/ ? "libhdf5" : "snnsim"); found = 1; exit
       }
       END { if (!found) print "snnsim" }' "$1"
}

failed=0
summary=()
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  artifacts=$work/artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  # Committed seeds where they exist (run-file seeds are generated, see above; git keeps no empty dirs).
  [[ -d fuzz/corpus/$t ]] && seeds+=(fuzz/corpus/"$t")
  extra=()
  [[ $t == run_file ]] && seeds+=("$work/seeds/run_file")
  [[ $t == config ]] && extra+=(-dict=fuzz/config.dict)
  env=()
  # libhdf5 leaks on some corrupt files (fuzz/lsan-hdf5.supp); matching its frames needs the
  # slow unwinder, as libhdf5 has no frame pointers.
  [[ $t == run_file ]] && env+=(ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
    LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan-hdf5.supp:print_suppressions=0")
  # libFuzzer stops at the first finding. A finding inside libhdf5 (a known class of HDF5 1.10
  # bugs on corrupt files, see fuzz/README.md) is reported and fuzzing resumes for the time
  # left; a finding in snnsim's code fails the run (SNNSIM_FUZZ_STRICT=1: any finding fails).
  deadline=$(($(date +%s) + secs))
  execs=0 round=0 hdf5_findings=() slow_inputs=() own_finding="" last_unit=""
  while :; do
    left=$((deadline - $(date +%s)))
    ((left >= 3 || round == 0)) || break
    ((left >= 1)) || left=1
    round=$((round + 1))
    log=$work/$t.$round.log
    seed_arg=()
    [[ -n $seed ]] && seed_arg=(-seed=$((seed + round - 1)))
    rc=0
    # -timeout: one input running > 10 s is a hang; -malloc_limit_mb: one allocation > 1 GiB
    # (the inputs are at most a few hundred KB) is a failure to bound allocations.
    # shellcheck disable=SC2086
    env "${env[@]}" timeout $((left + 300)) "$build/fuzz/fuzz_$t" -max_total_time="$left" -timeout=10 \
      -rss_limit_mb=2560 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$artifacts" "${extra[@]}" \
      "${seed_arg[@]}" ${SNNSIM_FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=$((execs + ${n:-0}))
    ((rc != 0)) || break
    unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    kind=$(classify "$log")
    if [[ $kind == snnsim && -n $unit ]] && grep -q 'out-of-memory' "$log"; then
      # The RSS watchdog may fire before the malloc-limit report prints its stack: replay the
      # input with only the malloc limit to see who asked for the memory.
      env "${env[@]}" timeout 300 "$build/fuzz/fuzz_$t" -timeout=10 -rss_limit_mb=0 -malloc_limit_mb=1024 \
        "$unit" >"$log.replay" 2>&1 || true
      grep -q 'out-of-memory (malloc' "$log.replay" && kind=$(classify "$log.replay")
    fi
    if [[ $kind == snnsim && -n $unit ]] && grep -q 'libFuzzer: timeout' "$log"; then
      # The alarm fires wherever the input happens to be; on a loaded machine a slow but finite
      # input can pass the limit. Replay it alone with a generous limit: only an input that
      # still runs past it is a hang, and the replay's stack says whose.
      rc2=0
      env "${env[@]}" timeout 300 "$build/fuzz/fuzz_$t" -timeout=60 "$unit" >"$log.replay" 2>&1 || rc2=$?
      if ((rc2 == 0)); then
        kind=slow
        slow_inputs+=("$unit")
        echo "fuzz_$t: input past -timeout on this machine but finished on replay (slow, not a hang; not failing): $unit" >&2
        [[ -n $unit ]] && rm -f "$corpus/$(basename "$unit" | sed 's/^[a-z-]*-//')"
        ((round < 50)) || break
        continue
      else
        kind=$(classify "$log.replay")
      fi
    fi
    if [[ $kind == libhdf5 && ${SNNSIM_FUZZ_STRICT:-0} != 1 && round -lt 50 && $unit != "${last_unit:-}" ]]; then
      hdf5_findings+=("${unit:-?} ($log)")
      last_unit=$unit
      # libFuzzer may already have saved the input to the corpus (a leak is seen only after the
      # run); drop it (corpus files are named by SHA-1, as is the artifact) or the next round
      # stops on it at once.
      [[ -n $unit ]] && rm -f "$corpus/$(basename "$unit" | sed 's/^[a-z-]*-//')"
      echo "fuzz_$t: finding inside libhdf5 (not failing): $(grep -m1 -E 'ERROR: ' "$log" | sed 's/^==[0-9]*== *//') -> ${unit:-?}" >&2
      continue
    fi
    own_finding="${unit:-?} ($log)"
    break
  done
  line=$(printf 'fuzz_%-9s %8d executions in %ss (%d/s), corpus %s files, libhdf5 findings %d, slow-not-hung %d, snnsim findings %d' \
    "$t" "$execs" "$secs" $((execs / (secs > 0 ? secs : 1))) "$(find "$corpus" -type f | wc -l)" \
    "${#hdf5_findings[@]}" "${#slow_inputs[@]}" "$([[ -n $own_finding ]] && echo 1 || echo 0)")
  echo "$line"
  summary+=("$line")
  if [[ -n $own_finding ]]; then
    failed=1
    log=${own_finding##* (}
    log=${log%)}
    echo "---- fuzz_$t found a problem in snnsim: input ${own_finding%% (*}, log $log" >&2
    grep -E -A40 'ERROR: |runtime error|SUMMARY' "$log" | head -80 >&2 || tail -60 "$log" >&2
  fi
done
exit $failed
