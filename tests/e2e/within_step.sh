#!/usr/bin/env bash
# SNNSIM_MIN_NEURONS_PER_THREAD moves where a training or sleep step is split among threads:
# a 200-neuron network is split with it (train --json says within_step_threads 2) and not
# without it (1); the split run, its labels and a sleep after it equal the one-thread ones bit
# for bit. A value that is not a whole number >= 1 is a usage error naming the variable.
set -uo pipefail
snnsim=$1 data=$2 python=$3
source "$(dirname "$0")/harness.sh"
# Waiting threads sleep instead of spinning: the test shares the cores with other tests, and a
# split step of 100 neurons per thread is mostly barriers (same bits either way).
export OMP_WAIT_POLICY=PASSIVE
args=(--data "$data" --neurons 200 --train-images 40 --seed 3 --label-images 20 --quiet --json)

"$snnsim" train "${args[@]}" --threads 1 --out "$work/one.h5" >"$work/one.json" || fail "one-thread run"
"$snnsim" train "${args[@]}" --threads 2 --out "$work/default2.h5" >"$work/default2.json" || fail "two threads, default split"
SNNSIM_MIN_NEURONS_PER_THREAD=64 "$snnsim" train "${args[@]}" --threads 2 --out "$work/split.h5" >"$work/split.json" ||
  fail "two threads, split from 64 neurons"
for t in 1 2; do
  f=one.h5
  [ "$t" = 2 ] && f=split.h5
  SNNSIM_MIN_NEURONS_PER_THREAD=64 "$snnsim" sleep --run "$work/$f" --data "$data" --duration-s 1 --threads "$t" --quiet \
    >/dev/null || fail "sleep threads $t"
done

for v in 0 abc 12x -3 ""; do
  err=$(SNNSIM_MIN_NEURONS_PER_THREAD="$v" "$snnsim" train "${args[@]}" --threads 2 --out "$work/bad.h5" 2>&1 >/dev/null)
  rc=$?
  if [ -z "$v" ]; then
    [ "$rc" = 0 ] || fail "an empty SNNSIM_MIN_NEURONS_PER_THREAD should mean the default: exit $rc"
  else
    { [ "$rc" = 2 ] && printf '%s' "$err" | grep -q "SNNSIM_MIN_NEURONS_PER_THREAD"; } ||
      fail "SNNSIM_MIN_NEURONS_PER_THREAD='$v': exit $rc, expected 2 naming the variable: $err"
  fi
  rm -f "$work/bad.h5"
done

"$python" - "$work" <<'PY' || fails=$((fails + 1))
import sys, json, h5py, numpy as np
w = sys.argv[1]
js = {n: json.load(open(f"{w}/{n}.json")) for n in ("one", "default2", "split")}
want = {"one": 1, "default2": 1, "split": 2}
bad = 0
for n, k in want.items():
    if js[n]["within_step_threads"] != k:
        print(f"FAIL: {n}: within_step_threads {js[n]['within_step_threads']}, expected {k}")
        bad += 1
keys = ("network/trained/edges/input_to_exc/weight", "network/trained/nodes/exc/theta_mV",
        "network/trained/nodes/exc/label", "network/trained/nodes/exc/class_rate_Hz",
        "network/slept/edges/input_to_exc/weight", "network/slept/nodes/exc/theta_mV", "sleep/slept/exc_rate_Hz")
with h5py.File(f"{w}/one.h5", "r") as a, h5py.File(f"{w}/split.h5", "r") as b:
    for k in keys:
        if not np.array_equal(a[k][()], b[k][()]):
            print("FAIL: the split run differs from the one-thread run in", k)
            bad += 1
print("within-step split (200 neurons, 2 parts):", "identical to one thread" if not bad else f"{bad} failures")
sys.exit(1 if bad else 0)
PY

echo "within_step: $((fails == 0 ? 1 : 0)) passed, $fails failed"
[ "$fails" = 0 ]
