#!/usr/bin/env bash
# Issue 24 through the CLI: neurons whose threshold lies below rest (here: theta set to 1 mV in
# the run file, every input weight 0 so nothing else drives them) fire alike for every class.
# label leaves them unlabelled and says so (text, --json, attributes on nodes/exc/label); label,
# eval and train warn on stderr and count them in --json; an untouched network reports none.
set -euo pipefail
snnsim=$1 data=$2 python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$snnsim" train --data "$data" --neurons 12 --train-images 40 --seed 3 --quiet --json --out "$work/run.h5" \
  >"$work/train.json" 2>"$work/train.err"
"$python" - "$work" <<'PY'
import sys, json, h5py, numpy as np
w = sys.argv[1]
j = json.load(open(f"{w}/train.json"))
assert j["neurons_fire_at_rest"] == 0, j
assert j["neurons_labelled"] + j["neurons_unlabelled_silent"] + j["neurons_unlabelled_flat"] == 12, j
assert "neurons_tied_first_class" in j, j
assert "fire at rest" not in open(f"{w}/train.err").read()
with h5py.File(f"{w}/run.h5", "r+") as f:
    lab = f["network/trained/nodes/exc/label"]
    assert lab.attrs["unlabelled_flat"] == j["neurons_unlabelled_flat"]
    assert lab.attrs["unlabelled_silent"] == j["neurons_unlabelled_silent"]
    st = f["network/trained"]
    st["edges/input_to_exc/weight"][...] = 0.0
    th = st["nodes/exc/theta_mV"]
    t = th[()]
    t[[2, 5]] = 1.0  # threshold -72 + 1 = -71 mV < rest -65 mV
    th[...] = t
PY
"$snnsim" label --data "$data" --run "$work/run.h5" --label-images 30 --quiet --json >"$work/label.json" 2>"$work/label.err"
"$snnsim" label --data "$data" --run "$work/run.h5" --label-images 30 --quiet >"$work/label.txt" 2>/dev/null
"$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 20 --quiet --json >"$work/eval.json" 2>"$work/eval.err"
"$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 20 --quiet >"$work/eval.txt" 2>/dev/null
grep -q "warning: 2 of 12 exc neurons of trained fire at rest" "$work/label.err"
grep -q "warning: 2 of 12 exc neurons of trained fire at rest .*theta < 7 mV" "$work/eval.err"
grep -q "trained: 0 of 12 neurons labelled (10 silent, 2 class-flat unlabelled) from 30 images" "$work/label.txt"
grep -q "0 of 12 neurons labelled (10 silent, 2 class-flat unlabelled)" "$work/eval.txt"
"$python" - "$work" <<'PY'
import sys, json, h5py
w = sys.argv[1]
lj, ej = json.load(open(f"{w}/label.json")), json.load(open(f"{w}/eval.json"))
for j in (lj, ej):
    assert j["neurons_fire_at_rest"] == 2, j
    assert j["neurons_unlabelled_flat"] == 2 and j["neurons_unlabelled_silent"] == 10, j
    assert j["neurons_labelled"] == 0, j
with h5py.File(f"{w}/run.h5", "r") as f:
    lab = f["network/trained/nodes/exc/label"]
    assert list(lab[()]) == [-1] * 12, lab[()]
    assert lab.attrs["unlabelled_flat"] == 2 and lab.attrs["unlabelled_silent"] == 10
    assert (f["network/trained/nodes/exc/class_rate_Hz"][()][[2, 5]] > 0).all()
print("class-flat and rest-firing neurons reported")
PY
