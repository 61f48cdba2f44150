#!/usr/bin/env bash
# snnsim experiment incremental: --help, option validation (exit 2, one error line naming the
# option, nothing written), a small study with all methods, the same bits for 1 and 2 threads,
# the interleaved run seeing the same images as the others, and a resume that skips finished
# conditions and reproduces a deleted one bit for bit.
set -uo pipefail
snnsim=$1 data=$2 python=$3 analysis=$4
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

h=$("$snnsim" experiment incremental --help) || fail "--help"
for o in --images-per-task --methods --sleep-input --replay-buffer --label-images --test-images --duration-s --exc_tau_m_ms; do
  grep -q -- "$o" <<< "$h" || fail "--help lacks $o"  # a here-string: grep -q may close a pipe early
done

base=(experiment incremental --data "$data" --neurons 10 --images-per-task 20 --label-images 10 --replay-buffer 5
  --duration-s 0.5 --seeds 1,2)
bad=(experiment incremental --data "$data" --out "$work/bad.h5" --quiet)
expect 2 "out STUDY.h5 is required" -- "$snnsim" "${base[@]}" --quiet
expect 2 "methods.*unknown method 'forget'" -- "$snnsim" "${bad[@]}" --methods sequential,forget
expect 2 "methods.*twice" -- "$snnsim" "${bad[@]}" --methods sleep,sleep
expect 2 "seeds.*twice" -- "$snnsim" "${bad[@]}" --seeds 1,1
expect 2 "seeds" -- "$snnsim" "${bad[@]}" --seeds 1,x
expect 2 "sleep-input must be task or seen" -- "$snnsim" "${bad[@]}" --sleep-input all
expect 2 "sleep-pattern" -- "$snnsim" "${bad[@]}" --sleep-pattern noise
expect 2 "replay-buffer 30 exceeds --images-per-task 20" -- "$snnsim" "${bad[@]}" --images-per-task 20 --replay-buffer 30
expect 2 "images-per-task must be positive" -- "$snnsim" "${bad[@]}" --images-per-task 0
expect 2 "label-images must be positive" -- "$snnsim" "${bad[@]}" --label-images 0
expect 2 "test-images 20000 exceeds" -- "$snnsim" "${bad[@]}" --test-images 20000
expect 2 "images-per-task 12500" -- "$snnsim" "${bad[@]}" --images-per-task 12500
expect 2 "duration" -- "$snnsim" "${bad[@]}" --duration-s -1
expect 2 "exc_tau_m_ms" -- "$snnsim" "${bad[@]}" --exc_tau_m_ms -5
[ -e "$work/bad.h5" ] && fail "a refused study wrote its file"

for t in 1 2; do
  "$snnsim" "${base[@]}" --test-images 50 --quiet --threads $t --json --out "$work/t$t.h5" >"$work/t$t.json" || fail "study --threads $t"
done
cmp -s "$work/t1.csv" "$work/t2.csv" || fail "CSV: 1 and 2 threads differ"
[ "$(head -1 "$work/t1.csv")" = "method,seed,readout,quantity,after_task,task,value" ] || fail "CSV header"

# resume: nothing to do; then one condition deleted and redone
cp "$work/t1.h5" "$work/r.h5"
err=$("$snnsim" "${base[@]}" --test-images 50 --quiet --out "$work/r.h5" 2>&1 >/dev/null | grep -c "done earlier, skipped") || true
[ "$err" = 0 ] || fail "-q printed skip lines"
err=$("$snnsim" "${base[@]}" --test-images 50 --out "$work/r.h5" 2>&1 >/dev/null | grep -c "done earlier, skipped")
[ "$err" = 8 ] || fail "resume: expected 8 skipped conditions, got $err"
"$python" -c "import h5py,sys; f=h5py.File(sys.argv[1],'a'); del f['conditions/sleep_seed2']" "$work/r.h5" || fail "h5py del"
err=$("$snnsim" "${base[@]}" --test-images 50 --out "$work/r.h5" 2>&1 >/dev/null | grep -c "done earlier, skipped")
[ "$err" = 7 ] || fail "resume after deleting one condition: expected 7 skipped, got $err"
expect 2 "other settings" -- "$snnsim" "${base[@]}" --quiet --out "$work/r.h5" --test-images 40

# --validation: scored on held-out training images, never the test set
"$snnsim" "${base[@]}" --methods sleep --test-images 50 --validation --quiet --out "$work/v.h5" >/dev/null ||
  fail "--validation"
expect 2 "validation must be a multiple" -- "$snnsim" "${bad[@]}" --validation --test-images 51
"$python" -c "import h5py,sys; f=h5py.File(sys.argv[1]); assert f['config'].attrs['scored_on']=='validation'" "$work/v.h5" ||
  fail "--validation: /config scored_on"

"$python" - "$work" <<'PY' || fail "study file"
import json, sys
import h5py, numpy as np
w = sys.argv[1]
j = json.load(open(f"{w}/t1.json"))
assert j["command"] == "experiment incremental" and len(j["new_conditions"]) == 8, j
assert any(r["method"] == "sleep-sequential" for r in j["table"]), j["table"]
with h5py.File(f"{w}/t1.h5") as a, h5py.File(f"{w}/t2.h5") as b, h5py.File(f"{w}/r.h5") as r:
    assert a.attrs["format"] == "snnsim-incremental"
    assert a["tasks"][()].tolist() == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]
    res = a["results"]
    assert res["accuracy_relabelled"].shape == (4, 2, 5, 5) and not np.isnan(res["accuracy_relabelled"][()]).any()
    for f in (b, r):
        for key in res:
            assert np.array_equal(res[key][()], f["results"][key][()], equal_nan=True), key
        for c in a["conditions"]:
            for sub in ("after_task5/weight", "after_task5/theta_mV", "after_task5/label_kept", "train_index"):
                assert np.array_equal(a[f"conditions/{c}/{sub}"][()], f[f"conditions/{c}/{sub}"][()]), (c, sub)
    for s in (1, 2):
        seq = a[f"conditions/sequential_seed{s}"]
        inter = a[f"conditions/interleaved_seed{s}"]
        x, y = seq["train_index"][()], inter["train_index"][()]
        assert not np.array_equal(x, y) and np.array_equal(np.sort(x), np.sort(y)), "interleaved images"
        assert np.array_equal(seq["task_end"][()], inter["task_end"][()])
        rep = a[f"conditions/replay_seed{s}"]
        assert rep["task_end"][()].tolist() == [20, 45, 70, 95, 120]
        kept = np.stack([seq[f"after_task{t}/label_kept"][()] for t in range(1, 6)])
        for t in range(1, 5):
            was = kept[t - 1] >= 0
            assert np.array_equal(kept[t][was], kept[t - 1][was]), "a kept label changed"
        for m in ("sequential", "sleep", "interleaved", "replay"):
            assert np.array_equal(a[f"conditions/{m}_seed{s}/after_task1/weight"].shape, (784, 10))
PY

# the figure script (analysis/incremental_figures.py)
export MPLBACKEND=Agg MPLCONFIGDIR="$work/mpl"
"$python" "$analysis/incremental_figures.py" "$work/t1.h5" --out "$work/figs" >"$work/figs.txt" || fail "figures"
for n in accuracy_matrix_relabelled accuracy_matrix_kept overall_accuracy fields_sequential fields_sleep; do
  [ "$(head -c 4 "$work/figs/$n.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e47 ] || fail "figure $n.png"
done
grep -q "| sleep | kept |" "$work/figs.txt" || fail "figures: no summary table"
"$python" "$analysis/incremental_figures.py" "$work/nothere.h5" --out "$work/x" 2>/dev/null
[ $? = 2 ] || fail "figures: a missing file must exit 2"

# choosing sleep settings on validation runs (analysis/incremental_settings.py)
"$snnsim" "${base[@]}" --methods sequential,sleep --inh-scale 1 --test-images 50 --validation --quiet \
  --out "$work/v2.h5" >/dev/null || fail "--validation with sequential"
"$python" "$analysis/incremental_settings.py" "$work/v.h5" "$work/v2.h5" --csv "$work/set.csv" >"$work/set.txt" ||
  fail "incremental_settings.py"
grep -q "| v2.h5 | .*inh_scale=1.* | sleep | 1,2 | .* | .* | .* | [-+0-9.]* +- [0-9.]* |$" "$work/set.txt" ||
  { fail "settings: no paired sleep - sequential column"; cat "$work/set.txt"; }
grep -q "^best sleep setting by mean ACC (relabelled readout): .*inh_scale=" "$work/set.txt" || fail "settings: no choice"
[ "$(wc -l < "$work/set.csv")" = 7 ] || fail "settings CSV: expected 6 rows and a header"
"$python" - "$work" <<'PY' || fail "settings: the choice is not the highest mean ACC"
import sys, h5py, numpy as np
w = sys.argv[1]
acc = {p: np.nanmean(h5py.File(f"{w}/{p}")["results/average_accuracy_relabelled"][list(
    h5py.File(f"{w}/{p}")["results"].attrs["methods"].split(",")).index("sleep")]) for p in ("v.h5", "v2.h5")}
best = max(acc, key=lambda p: acc[p])
line = [l for l in open(f"{w}/set.txt") if l.startswith("best")][0]
assert f"({best})" in line and ("%.3f" % acc[best]) in line, (line, acc)
PY
"$python" "$analysis/incremental_settings.py" "$work/t1.h5" >/dev/null 2>"$work/set.err"
[ $? = 2 ] && grep -q "scored on the test set" "$work/set.err" || fail "settings: a test-scored file must be refused"

if [ "$fails" != 0 ]; then
  echo "$fails failure(s)"
  exit 1
fi
echo "incremental: all checks passed"
