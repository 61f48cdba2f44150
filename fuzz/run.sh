#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan, see fuzz/CMakeLists.txt) and fuzzes each
# target. Prints executions per target. Exits non-zero when a target finds a problem in snnsim's
# code: a crash, sanitizer report, uncaught exception of another type, hang, leak, an HDF5 id
# left open, or an oversized allocation. Crashes inside libhdf5 itself (HDF5 1.10.8 bugs on
# corrupt files, see fuzz/README.md) are listed but do not fail the run unless
# SNNSIM_FUZZ_STRICT=1; fuzzing then resumes with the budget left.
#
#   bash fuzz/run.sh [TARGET ...]                     the test suite's run (scripts/test.sh)
#   bash fuzz/run.sh --explore [SECONDS] [TARGET ...] open-ended fuzzing (scripts/fuzz.sh)
#   TARGET: idx config run_file (default: all)
#
# The default run is deterministic: every target starts from the committed and generated seeds
# alone (a fresh corpus), libFuzzer's seed is fixed (round r uses SNNSIM_FUZZ_SEED + r - 1,
# default 1) and each target runs a fixed number of executions (below; about a minute each on a
# 2-core Xeon), so two runs of one checkout explore the same inputs and give the same verdict.
# --explore runs SECONDS (default 60) per target with libFuzzer's own random seeds and keeps the
# growing corpus in $SNNSIM_FUZZ_BUILD/fuzz-work/corpus/<target> for the next explore run.
#
# Environment: SNNSIM_FUZZ_BUILD (build dir, default build-fuzz), SNNSIM_FUZZ_JOBS (make -j, 2),
# SNNSIM_FUZZ_ARGS (extra libFuzzer flags), SNNSIM_FUZZ_STRICT (see above), SNNSIM_FUZZ_SEED,
# SNNSIM_FUZZ_RUNS (executions per target in the default run, instead of the table below).
# A timeout is replayed alone with a 60 s limit: one that then finishes was a loaded machine,
# not a hang. Crash inputs land in $SNNSIM_FUZZ_BUILD/fuzz-work/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
explore=0
if [[ ${1:-} == --explore ]]; then
  explore=1
  shift
  secs=60
  if [[ ${1:-} =~ ^[0-9]+$ ]]; then secs=$1; shift; fi
fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(idx config run_file)
build=${SNNSIM_FUZZ_BUILD:-build-fuzz}
# Absolute: the targets work inside their temporary directory (fuzz_common.hpp).
mkdir -p "$build"
build=$(cd "$build" && pwd)
src=$PWD
jobs=${SNNSIM_FUZZ_JOBS:-2}
# Executions per target in the deterministic run (under a minute each on the 2-core Xeon of
# 2026-12-06: see fuzz/README.md).
declare -A default_runs=([idx]=60000 [config]=20000 [run_file]=6000)
seed=${SNNSIM_FUZZ_SEED:-}
((explore)) || seed=${seed:-1}

# Reports must name their frames to be attributed (snnsim or libhdf5): the sanitizer runtime
# calls llvm-symbolizer (Debian's llvm-14). Without it every frame is a bare address.
symbolizer=${ASAN_SYMBOLIZER_PATH:-}
for s in /usr/lib/llvm-14/bin/llvm-symbolizer "$(command -v llvm-symbolizer-14 || true)" "$(command -v llvm-symbolizer || true)"; do
  [[ -z $symbolizer && -n $s && -x $s ]] && symbolizer=$s
done
[[ -n $symbolizer ]] || { echo "fuzz/run.sh: llvm-symbolizer not found (apt-get install llvm-14): reports could not be attributed" >&2; exit 2; }
export ASAN_SYMBOLIZER_PATH=$symbolizer

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
# not the sanitizer runtime, libFuzzer or libc decides by its module: inside libhdf5 -> "libhdf5",
# else "snnsim". Frames in the fuzz binary without a source line are the runtime or libFuzzer
# (snnsim's own frames carry file:line once symbolised, which run.sh makes sure of). A leak
# whose memory libhdf5 allocated can still be snnsim's if snnsim left an HDF5 id open: the
# run-file target checks that no id stays open after each input (fuzz_run_file.cpp).
classify() {
  if grep -q 'runtime error:' "$1"; then echo snnsim; return; fi
  if grep -q 'LeakSanitizer' "$1"; then
    awk '/^(Direct|Indirect) leak/ { inblk = 1; decided = 0; next }
         inblk && /^ *#[0-9]+ 0x/ {
           if ($0 ~ /H5Aread|H5Dread|H5Dvlen_reclaim|H5Treclaim/) ours = 1
           # Frame #0 of a leak is always the allocation function, i.e. the sanitizer runtime
           # malloc interceptor linked into the fuzz binary; unsymbolised it is a bare address in
           # that binary, like snnsim code, so it is skipped by position, not by name.
           if ($1 == "#0") next
           if (!decided && $0 !~ /__sanitizer|__interceptor|__asan|__lsan| in (malloc|calloc|realloc) |operator new| in fuzzer::|\/fuzz_[a-z_]+\+0x/) {
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

# libFuzzer's comparison tables (-use_cmp) record operands, pointers among them, so the
# addresses that ASLR draws anew every run steer its mutations. The deterministic pass runs the
# targets with ASLR off (setarch -R); where the system refuses that, without -use_cmp instead.
no_aslr=() fixed_cmp=()
if ! ((explore)); then
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    no_aslr=(setarch "$(uname -m)" -R)
  else
    fixed_cmp=(-use_cmp=0)
    echo "fuzz/run.sh: setarch -R refused here; running without -use_cmp to stay deterministic" >&2
  fi
fi

failed=0
summary=()
for t in "${targets[@]}"; do
  if ((explore)); then
    corpus=$work/corpus/$t
  else
    # A fresh corpus every time, so the run depends on nothing an earlier run left behind.
    corpus=$work/det-corpus/$t
    rm -rf "$corpus"
  fi
  artifacts=$work/artifacts/$t/
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  # Committed seeds where they exist (run-file seeds are generated, see above; git keeps no empty dirs).
  [[ -d fuzz/corpus/$t ]] && seeds+=("$src/fuzz/corpus/$t")
  extra=()
  [[ $t == run_file ]] && seeds+=("$work/seeds/run_file")
  [[ $t == config ]] && extra+=(-dict="$src/fuzz/config.dict")
  env=()
  # libhdf5 leaks on some corrupt files (fuzz/lsan-hdf5.supp); matching its frames needs the
  # slow unwinder, as libhdf5 has no frame pointers.
  [[ $t == run_file ]] && env+=(ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
    LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan-hdf5.supp:print_suppressions=0")
  # libFuzzer stops at the first finding. A finding inside libhdf5 (a known class of HDF5 1.10
  # bugs on corrupt files, see fuzz/README.md) is reported and fuzzing resumes for the time
  # left; a finding in snnsim's code fails the run (SNNSIM_FUZZ_STRICT=1: any finding fails).
  deadline=$(($(date +%s) + ${secs:-0}))
  runs=${SNNSIM_FUZZ_RUNS:-${default_runs[$t]}}
  started=$(date +%s)
  execs=0 round=0 hdf5_findings=() slow_inputs=() own_finding="" last_unit=""
  while :; do
    if ((explore)); then
      left=$((deadline - $(date +%s)))
      ((left >= 3 || round == 0)) || break
      ((left >= 1)) || left=1
      # -timeout: one input running > 10 s is a hang.
      budget=(-max_total_time="$left" -timeout=10)
      cap=$((left + 300))
    else
      left=$((runs - execs))
      ((left >= 1)) || break
      # A count, not a time: the same inputs on a fast or a loaded machine. No corpus reload
      # (it is timed). A hang is an input past 60 s, so load alone never ends a round.
      budget=(-runs="$left" -reload=0 -timeout=60 "${fixed_cmp[@]}")
      cap=3600
    fi
    round=$((round + 1))
    log=$work/$t.$round.log
    seed_arg=()
    [[ -n $seed ]] && seed_arg=(-seed=$((seed + round - 1)))
    rc=0
    # -malloc_limit_mb: one allocation > 1 GiB (the inputs are at most a few hundred KB) is a
    # failure to bound allocations.
    # shellcheck disable=SC2086
    env "${env[@]}" timeout "$cap" "${no_aslr[@]}" "$build/fuzz/fuzz_$t" "${budget[@]}" \
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
  took=$(($(date +%s) - started))
  # Corpus files are named by the SHA-1 of their content: the listing's hash identifies the corpus.
  fingerprint=$(find "$corpus" -type f -printf '%f\n' | LC_ALL=C sort | sha1sum | cut -c1-8)
  line=$(printf 'fuzz_%-9s %8d executions in %ss (%d/s), corpus %s files (%s), libhdf5 findings %d, slow-not-hung %d, snnsim findings %d' \
    "$t" "$execs" "$took" $((execs / (took > 0 ? took : 1))) "$(find "$corpus" -type f | wc -l)" "$fingerprint" \
    "${#hdf5_findings[@]}" "${#slow_inputs[@]}" "$([[ -n $own_finding ]] && echo 1 || echo 0)")
  # Which inputs were findings (by content hash), so two runs can be compared.
  for f in "${hdf5_findings[@]}"; do echo "fuzz_$t: libhdf5 finding $(basename "${f%% (*}")"; done
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
