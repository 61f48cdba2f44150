#!/usr/bin/env bash
# snnsim train --epoch-files: after each epoch but the last, RUN.epochE.h5 holds the network as a
# run trained for E epochs (--no-label) would: same weights, thetas, log and counts. A run killed
# and resumed writes the same files; an existing epoch file is not replaced without --force; an
# epoch file labels and evaluates like any run file. bench/epoch_curve.py scores each epoch as a
# separate run of that many epochs scores, and restarts without redoing what is done.
set -uo pipefail
snnsim=$1 data=$2 python=$3 curve=$4
source "$(dirname "$0")/harness.sh"
args=(--data "$data" --neurons 30 --train-images 40 --seed 3 --quiet)

help=$("$snnsim" train --help)
grep -q -- "--epoch-files" <<<"$help" || fail "train --help lacks --epoch-files"

"$snnsim" train "${args[@]}" --epochs 3 --epoch-files --out "$work/run.h5" >/dev/null || fail "run with --epoch-files"
for e in 1 2; do
  [ -f "$work/run.epoch$e.h5" ] || fail "no run.epoch$e.h5"
  "$snnsim" train "${args[@]}" --epochs "$e" --no-label --out "$work/e$e.h5" >/dev/null || fail "reference run of $e epochs"
done
[ -e "$work/run.epoch3.h5" ] && fail "an epoch file for the last epoch (the run file is that state)"

# Killed part-way and resumed (the checkpoint carries --epoch-files): the same epoch files.
"$snnsim" train "${args[@]}" --epochs 3 --epoch-files --checkpoint-every 7 --out "$work/killed.h5" &
pid=$!
for _ in $(seq 600); do [ -f "$work/killed.h5.ckpt" ] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ ! -f "$work/killed.h5" ]; then
  "$snnsim" train --out "$work/killed.h5" --resume --data "$data" --quiet >/dev/null || fail "resume"
fi

"$python" - "$work" <<'PY' || fails=$((fails + 1))
import sys, h5py, numpy as np
w = sys.argv[1]
def walk(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[name] = obj[()]
            for k, v in obj.attrs.items():
                out[f"{name}@{k}"] = v
        f.visititems(visit)
        for k, v in f.attrs.items():
            out["@" + k] = v
    # What a run file may differ in without a different network: when and how it was made.
    for k in ("@command_line", "@created_utc", "train@wall_s"):
        out.pop(k, None)
    return out
def same(a, b):
    if isinstance(a, np.ndarray) and a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)
bad = 0
for e in (1, 2):
    ref = walk(f"{w}/e{e}.h5")
    for name in (f"run.epoch{e}.h5", f"killed.epoch{e}.h5"):
        got = walk(f"{w}/{name}")
        for k in sorted(set(ref) | set(got)):
            if k not in ref or k not in got or not same(ref[k], got[k]):
                print(f"FAIL: {name} and a {e}-epoch run differ in {k}")
                bad += 1
    if ref["network/trained@samples_seen"] != 40 * e or ref["config@epochs"] != e:
        print(f"FAIL: {e}-epoch reference has samples_seen {ref['network/trained@samples_seen']}")
        bad += 1
print("epoch files against runs of that many epochs:", "identical" if not bad else f"{bad} differences")
sys.exit(1 if bad else 0)
PY

# An existing epoch file is not replaced without --force (exit 5, naming it), before any training.
rm -f "$work/run.h5"
err=$("$snnsim" train "${args[@]}" --epochs 3 --epoch-files --out "$work/run.h5" 2>&1 >/dev/null)
rc=$?
{ [ "$rc" = 5 ] && grep -q "run.epoch1.h5" <<<"$err"; } || fail "existing epoch file: exit $rc, expected 5 naming it: $err"
[ -e "$work/run.h5" ] && fail "the refused run wrote its run file"
"$snnsim" train "${args[@]}" --epochs 3 --epoch-files --force --out "$work/run.h5" >/dev/null || fail "--force replaces epoch files"

# An epoch file is a run file: label it, evaluate it.
"$snnsim" label --run "$work/run.epoch1.h5" --data "$data" --label-images 40 --quiet >/dev/null || fail "label an epoch file"
"$snnsim" eval --run "$work/run.epoch1.h5" --data "$data" --test-images 20 --quiet >/dev/null || fail "eval an epoch file"

# bench/epoch_curve.py: per-epoch rows equal label + eval of runs of 1 and 2 epochs.
c=(--snnsim "$snnsim" --data "$data" --neurons 30 --epochs 2 --seed 3 --train-images 40 --label-images 40 --test-images 30
   --checkpoint-every 15 --threads 1 --out "$work/curve")
"$python" "$curve" run "${c[@]}" >/dev/null 2>&1 || fail "epoch_curve.py run"
for e in 1 2; do
  "$snnsim" label --run "$work/e$e.h5" --data "$data" --label-images 40 --quiet >/dev/null || fail "label e$e"
  "$snnsim" eval --run "$work/e$e.h5" --data "$data" --test-images 30 --json --quiet >"$work/e$e.json" || fail "eval e$e"
done
"$python" - "$work" <<'PY' || fails=$((fails + 1))
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/curve/epochs.csv")))
if [int(r["epoch"]) for r in rows] != [1, 2]:
    sys.exit(f"FAIL: epochs.csv rows {rows}")
for r in rows:
    ref = json.load(open(f"{w}/e{r['epoch']}.json"))
    if float(r["accuracy"]) != ref["accuracy"] or int(r["samples_seen"]) != 40 * int(r["epoch"]):
        sys.exit(f"FAIL: epoch {r['epoch']}: curve {r['accuracy']} vs a run of that many epochs {ref['accuracy']}")
print("epoch_curve.py: rows match runs of 1 and 2 epochs")
PY
# Started again, it scores nothing twice (the JSON of each epoch is kept) and writes the same CSV.
cp "$work/curve/epochs.csv" "$work/curve1.csv"
out=$("$python" "$curve" run "${c[@]}" 2>&1)
grep -q "label trained" <<<"$out" && fail "epoch_curve.py run again relabelled a scored epoch"
cmp -s "$work/curve1.csv" "$work/curve/epochs.csv" || fail "epoch_curve.py run again changed epochs.csv"
"$python" "$curve" run "${c[@]/--epochs/--neurons}" >/dev/null 2>&1 && fail "epoch_curve.py accepted other settings for a trained run"

# --no-train scores only the epochs whose files exist (a run still training, or unfinished): with
# epoch 1's file alone, one row, equal to the full curve's, and no training.
mkdir -p "$work/part" && cp "$work/curve/run.epoch1.h5" "$work/part/"
"$python" "$curve" run "${c[@]:0:${#c[@]}-1}" "$work/part" --no-train >/dev/null 2>&1 || fail "epoch_curve.py run --no-train"
[ -e "$work/part/run.h5" ] || [ -e "$work/part/run.h5.ckpt" ] && fail "epoch_curve.py run --no-train trained"
[ "$(cut -d, -f3,5 "$work/part/epochs.csv")" = "$(head -2 "$work/curve/epochs.csv" | cut -d, -f3,5)" ] ||
  fail "epoch_curve.py run --no-train: $(cat "$work/part/epochs.csv")"
"$python" "$curve" run "${c[@]:0:${#c[@]}-1}" "$work/empty" --no-train >/dev/null 2>&1 &&
  fail "epoch_curve.py run --no-train with no epoch file succeeded"

"$python" "$curve" plot "$work/curve" --png "$work/curve.png" >/dev/null 2>&1 && [ -s "$work/curve.png" ] ||
  fail "epoch_curve.py plot wrote no figure"
# table: the Markdown table of bench/README.md, one column per epoch, from the rows and the epoch files.
"$python" "$curve" table "$work/curve" --recall-class 3 >"$work/table.md" 2>&1 || fail "epoch_curve.py table: $(cat "$work/table.md")"
"$python" - "$work" <<'PY' || fails=$((fails + 1))
import csv, sys, h5py
w = sys.argv[1]
lines = open(f"{w}/table.md").read().splitlines()
rows = list(csv.DictReader(open(f"{w}/curve/epochs.csv")))
cells = {l.split(" | ")[0].lstrip("| "): [c.strip(" *|") for c in l.split(" | ")[1:]] for l in lines}
ok = len(lines) == 9 and lines[0] == "| epoch | 1 | 2 |"
ok &= cells["test accuracy, seed 3"] == [f"{100 * float(r['accuracy']):.2f} %" for r in rows]
with h5py.File(f"{w}/curve/run.h5", "r") as f:  # the last epoch's network is run.h5
    c = f["eval/confusion"][0]
ok &= cells["recall of class 3"][1] == f"{c[3, 3] / c[3].sum():.3f}"
if not ok:
    sys.exit("FAIL: epoch_curve.py table:\n" + "\n".join(lines))
print("epoch_curve.py table: matches the rows and the epoch files")
PY

# --frozen-chain-images 4: rows of their own (epochs.chain4.csv), equal to label + eval with chains
# of 4; the rows from rest stay as they were.
"$python" "$curve" run "${c[@]}" --frozen-chain-images 4 --no-train >/dev/null 2>&1 ||
  fail "epoch_curve.py run --frozen-chain-images 4"
cmp -s "$work/curve1.csv" "$work/curve/epochs.csv" || fail "scoring with chains changed epochs.csv"
for e in 1 2; do
  "$snnsim" label --run "$work/e$e.h5" --data "$data" --label-images 40 --frozen-chain-images 4 --quiet >/dev/null ||
    fail "label e$e, chains of 4"
  "$snnsim" eval --run "$work/e$e.h5" --data "$data" --test-images 30 --frozen-chain-images 4 --json --quiet \
    >"$work/e$e.chain4.json" || fail "eval e$e, chains of 4"
done
"$python" - "$work" <<'PY' || fails=$((fails + 1))
import csv, json, sys
w = sys.argv[1]
rows = list(csv.DictReader(open(f"{w}/curve/epochs.chain4.csv")))
if [(int(r["epoch"]), int(r["frozen_chain_images"])) for r in rows] != [(1, 4), (2, 4)]:
    sys.exit(f"FAIL: epochs.chain4.csv rows {rows}")
for r in rows:
    ref = json.load(open(f"{w}/e{r['epoch']}.chain4.json"))
    if float(r["accuracy"]) != ref["accuracy"] or ref["frozen_chain_images"] != 4:
        sys.exit(f"FAIL: epoch {r['epoch']}, chains of 4: curve {r['accuracy']} vs label + eval {ref['accuracy']}")
if any(r["frozen_chain_images"] != "1" for r in csv.DictReader(open(f"{w}/curve/epochs.csv"))):
    sys.exit("FAIL: epochs.csv rows are not marked as scored from rest")
print("epoch_curve.py --frozen-chain-images: rows match label + eval with chains")
PY
"$python" "$curve" plot "$work/curve" --chain 4 --png "$work/curve4.png" >/dev/null 2>&1 && [ -s "$work/curve4.png" ] ||
  fail "epoch_curve.py plot --chain 4 wrote no figure"

echo "epoch_files: $((fails == 0 ? 1 : 0)) passed, $fails failed"
[ "$fails" = 0 ]
