#!/usr/bin/env bash
# snnsim wake, prune and noise-curve (the sleep study's controls and noise-grid tool): --help,
# option validation (exit code, one error line, run file unchanged), --json, the states they
# write, and the same bits for 1 and 2 threads.
set -uo pipefail
snnsim=$1 data=$2 python=$3
source "$(dirname "$0")/harness.sh"
expect() {  # expect CODE PATTERN -- command...
  local code=$1 pattern=$2
  shift 3
  local err rc
  err=$("$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" != "$code" ] || ! printf '%s' "$err" | grep -qE -- "$pattern" || [ "$(printf '%s\n' "$err" | grep -c 'error:')" != 1 ]; then
    fail "expected exit $code and one error line matching /$pattern/: $*
      got exit $rc: $err"
  fi
}

for c in wake prune noise-curve; do
  grep -q -- "--run" <<< "$("$snnsim" $c --help)" || fail "$c --help"
done
grep -q "noise-curve" <<< "$("$snnsim" --help 2>&1)" || fail "snnsim --help does not list noise-curve"

"$snnsim" train --data "$data" --neurons 20 --train-images 60 --seed 3 --quiet --out "$work/run.h5" >/dev/null ||
  fail "train"
cp "$work/run.h5" "$work/orig.h5"
r=(--data "$data" --run "$work/run.h5" --quiet)

# validation: nothing written on an error
expect 2 "run RUN.h5 is required" -- "$snnsim" prune --data "$data"
expect 2 "criterion.*unknown criterion" -- "$snnsim" prune "${r[@]}" --criterion train-spikes
expect 2 "method.*unknown method" -- "$snnsim" prune "${r[@]}" --method drop
expect 2 "fraction" -- "$snnsim" prune "${r[@]}" --fraction 1.5
expect 2 "fraction" -- "$snnsim" prune "${r[@]}" --fraction 0.1,0.2
expect 2 "fractions" -- "$snnsim" prune "${r[@]}" --fractions 0,x
expect 2 "overlap" -- "$snnsim" prune "${r[@]}" --validation-images 59990
expect 2 "to must differ" -- "$snnsim" prune "${r[@]}" --to trained
expect 4 "network/init has no labels" -- "$snnsim" prune "${r[@]}" --from init
expect 4 "no labels \\(criterion high-response" -- "$snnsim" prune "${r[@]}" --from init --criterion high-response
expect 4 "state missing" -- "$snnsim" wake "${r[@]}" --from nothere
expect 2 "epochs must be positive" -- "$snnsim" wake "${r[@]}" --epochs 0
expect 2 "exceed" -- "$snnsim" wake "${r[@]}" --train-images 70000
expect 2 "to must be a plain name" -- "$snnsim" wake "${r[@]}" --to a/b
expect 2 "noise must be gaussian, saltpepper or blur" -- "$snnsim" noise-curve "${r[@]}" --noise none
expect 2 "unknown noise" -- "$snnsim" noise-curve "${r[@]}" --noise pink
expect 2 "levels" -- "$snnsim" noise-curve "${r[@]}" --noise saltpepper --levels 0.1,2
expect 2 "validation-images must be positive" -- "$snnsim" noise-curve "${r[@]}" --validation-images 0
expect 2 "overlap" -- "$snnsim" noise-curve "${r[@]}" --validation-images 59500
expect 4 "no labels" -- "$snnsim" noise-curve "${r[@]}" --state init
cmp -s "$work/run.h5" "$work/orig.h5" || fail "a refused command changed the run file"

# the commands, with 1 and 2 threads
for t in 1 2; do
  cp "$work/orig.h5" "$work/t$t.h5"
  a=(--data "$data" --run "$work/t$t.h5" --quiet --threads $t --json)
  "$snnsim" wake "${a[@]}" >"$work/wake$t.json" || fail "wake --threads $t"
  "$snnsim" prune "${a[@]}" --validation-images 100 --fractions 0,0.1,0.3 >"$work/prune$t.json" || fail "prune --threads $t"
  "$snnsim" prune "${a[@]}" --to pruned_rf --criterion rf-variance --method unvote --fraction 0.25 \
    >"$work/prunerf$t.json" || fail "prune rf-variance --threads $t"
  "$snnsim" prune "${a[@]}" --to pruned_hi --criterion high-response --fraction 0.1 \
    >"$work/prunehi$t.json" || fail "prune high-response --threads $t"
  "$snnsim" noise-curve "${a[@]}" --validation-images 50 --noise saltpepper --levels 0,0.2 >"$work/nc$t.json" ||
    fail "noise-curve --threads $t"
done
expect 5 "exists; pass --force" -- "$snnsim" wake --data "$data" --run "$work/t1.h5" --quiet
expect 5 "exists; pass --force" -- "$snnsim" prune --data "$data" --run "$work/t1.h5" --quiet --fraction 0.1

"$python" - "$work" <<'PY' || fail "states and JSON"
import json, sys
import h5py, numpy as np
w = sys.argv[1]
def js(name):
    return json.load(open(f"{w}/{name}"))
for t in (1, 2):
    assert js(f"wake{t}.json")["command"] == "wake"
    p = js(f"prune{t}.json")
    assert [c["fraction"] for c in p["candidates"]] == [0, 0.1, 0.3], p
    best = max(p["candidates"], key=lambda c: c["validation_accuracy"])["validation_accuracy"]
    assert max(c["validation_accuracy"] for c in p["candidates"] if c["fraction"] == p["fraction"]) == best
    assert js(f"prunerf{t}.json")["pruned"] == 5
    nc = js(f"nc{t}.json")
    assert [q["level"] for q in nc["points"]] == [0, 0.2] and nc["points"][0]["n_samples"] == 50
with h5py.File(f"{w}/t1.h5") as a, h5py.File(f"{w}/t2.h5") as b:
    for st in ("extra_wake", "pruned", "pruned_rf", "pruned_hi"):
        for key in ("edges/input_to_exc/weight", "nodes/exc/theta_mV", "nodes/exc/label"):
            x, y = a[f"network/{st}/{key}"][()], b[f"network/{st}/{key}"][()]
            assert np.array_equal(x, y), (st, key)
    tw = a["network/trained/edges/input_to_exc/weight"][()]
    assert not np.array_equal(a["network/extra_wake/edges/input_to_exc/weight"][()], tw)
    assert a["network/extra_wake"].attrs["phase"] == "train"
    assert a["network/extra_wake"].attrs["parent_state"] == "trained"
    # silence: the pruned neurons' input weights are 0 and they carry no label
    g = a["prune/pruned"]
    ids = g["pruned_neurons"][()]
    assert len(ids) == round(a["prune/pruned"].attrs["fraction"] * 20)
    pw = a["network/pruned/edges/input_to_exc/weight"][()]
    assert np.all(pw[:, ids] == 0) and np.all(a["network/pruned/nodes/exc/label"][()][ids] == -1)
    keep = np.setdiff1d(np.arange(20), ids)
    assert np.array_equal(pw[:, keep], tw[:, keep])
    assert list(g["candidate_fraction"][()]) == [0, 0.1, 0.3]
    # unvote: weights untouched, the 5 noisiest fields unlabelled
    ids = a["prune/pruned_rf"]["pruned_neurons"][()]
    assert np.array_equal(a["network/pruned_rf/edges/input_to_exc/weight"][()], tw)
    assert np.all(a["network/pruned_rf/nodes/exc/label"][()][ids] == -1)
    assert a["prune/pruned_rf"].attrs["criterion"] == "rf-variance"
    # high-response: the 2 neurons with the highest mean rate of the trained state's labelling pass, silenced
    mean = a["network/trained/nodes/exc/class_rate_Hz"][()].astype(np.float64).mean(axis=1)
    ids = a["prune/pruned_hi"]["pruned_neurons"][()]
    assert sorted(ids) == sorted(np.argsort(-mean, kind="stable")[:2]), (ids, mean)
    assert mean[ids].min() > np.median(mean), (ids, mean)
    assert np.all(a["network/pruned_hi/edges/input_to_exc/weight"][()][:, ids] == 0)
    assert np.all(a["network/pruned_hi/nodes/exc/label"][()][ids] == -1)
    assert a["prune/pruned_hi"].attrs["criterion"] == "high-response" and js("prunehi1.json")["pruned"] == 2
PY
# the new states evaluate like any other
"$snnsim" eval --data "$data" --run "$work/t1.h5" --state pruned --test-images 20 --quiet >/dev/null || fail "eval pruned"

# experiment sleep --controls: rows extra_wake and pruned beside trained and slept, the same for 1 and 2 threads
st=(experiment sleep --data "$data" --neurons 20 --seeds 1 --train-amounts 60 --test-images 40 --noise-test-images 20
  --label-cap 60 --gaussian-levels 0.01 --blur-levels 2 --duration-s 1 --quiet)
expect 2 "validation-images.*overlap" -- "$snnsim" "${st[@]}" --controls --validation-images 59990 --out "$work/study.h5"
[ -e "$work/study.h5" ] && fail "a refused study wrote its file"
"$snnsim" "${st[@]}" --controls --validation-images 100 --threads 1 --out "$work/study1.h5" >/dev/null || fail "study --controls --threads 1"
"$snnsim" "${st[@]}" --controls --validation-images 100 --threads 2 --out "$work/study2.h5" >/dev/null || fail "study --controls --threads 2"
cmp -s "$work/study1.csv" "$work/study2.csv" || fail "study --controls: 1 and 2 threads differ"
for s in extra_wake pruned; do
  [ "$(grep -c ",$s,\(none\|gaussian\|blur\)," "$work/study1.csv")" = 3 ] || fail "study --controls: rows of $s"
done
"$snnsim" "${st[@]}" --out "$work/study1.h5" >/dev/null 2>&1 && fail "a study resumed without --controls"

if [ "$fails" != 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "controls: all checks passed"
