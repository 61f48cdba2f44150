#!/usr/bin/env bash
# Frozen passes in chains through the CLI (frozen_chain_images): label and eval take
# --frozen-chain-images K (0 = the run's /config value, 1 unless set at training); the same bits
# for 1 and 2 threads; K = 1 given is the default; K is reported in --json, on the labelled state
# (attribute) and per row of /eval/results (rows written before that column existed read 1);
# train --frozen_chain_images K stores K in /config, and label and eval then use it.
set -euo pipefail
snnsim=$1 data=$2 python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q=(--data "$data" --quiet)
"$snnsim" train "${q[@]}" --neurons 20 --train-images 60 --seed 4 --out "$work/run.h5" >/dev/null
for t in 1 2; do
  cp "$work/run.h5" "$work/c7_t$t.h5"
  "$snnsim" label "${q[@]}" --run "$work/c7_t$t.h5" --label-images 50 --frozen-chain-images 7 --threads $t \
    --json >"$work/label_c7_t$t.json"
  "$snnsim" eval "${q[@]}" --run "$work/c7_t$t.h5" --test-images 40 --frozen-chain-images 7 --threads $t \
    --json >"$work/eval_c7_t$t.json"
done
cp "$work/run.h5" "$work/default.h5"
"$snnsim" label "${q[@]}" --run "$work/default.h5" --label-images 50 --threads 2
"$snnsim" eval "${q[@]}" --run "$work/default.h5" --test-images 40 --threads 2 --json >"$work/eval_default.json"
cp "$work/run.h5" "$work/c1.h5"
"$snnsim" label "${q[@]}" --run "$work/c1.h5" --label-images 50 --frozen-chain-images 1 --threads 1
"$snnsim" eval "${q[@]}" --run "$work/c1.h5" --test-images 40 --frozen-chain-images 1 --threads 1 \
  --json >"$work/eval_c1.json"
# a run trained with K = 5: its own label pass and a later eval use 5 unless told otherwise
"$snnsim" train "${q[@]}" --neurons 20 --train-images 60 --seed 4 --frozen_chain_images 5 --out "$work/run5.h5" \
  >/dev/null
"$snnsim" eval "${q[@]}" --run "$work/run5.h5" --test-images 40 --threads 2 --json >"$work/eval5.json"
# an /eval/results table of a version without the column: the column is added, older rows read 1
"$python" -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r+"); del f["eval/results/frozen_chain_images"]' \
  "$work/c1.h5"
"$snnsim" eval "${q[@]}" --run "$work/c1.h5" --test-images 40 --frozen-chain-images 3 --threads 2

"$python" - "$work" <<'PY'
import sys, json, h5py, numpy as np
w = sys.argv[1]
js = lambda n: json.load(open(f"{w}/{n}.json"))
h = lambda n: h5py.File(f"{w}/{n}.h5", "r")
for t in (1, 2):
    assert js(f"label_c7_t{t}")["frozen_chain_images"] == 7
    assert js(f"eval_c7_t{t}")["frozen_chain_images"] == 7
assert js("eval_default")["frozen_chain_images"] == 1 and js("eval_c1")["frozen_chain_images"] == 1
assert js("eval5")["frozen_chain_images"] == 5
a, b, d, c1, r, r5 = h("c7_t1"), h("c7_t2"), h("default"), h("c1"), h("run"), h("run5")
st = "network/trained/"
for k in ("nodes/exc/label", "nodes/exc/class_rate_Hz"):
    assert np.array_equal(a[st + k][()], b[st + k][()]), ("K = 7, 1 and 2 threads", k)
    assert np.array_equal(c1[st + k][()], d[st + k][()]), ("K = 1 given and the default", k)
# chains change what neurons answer: K = 7 and K = 1 differ in some class rate
assert not np.array_equal(a[st + "nodes/exc/class_rate_Hz"][()], d[st + "nodes/exc/class_rate_Hz"][()])
assert np.array_equal(a["eval/predictions"][()], b["eval/predictions"][()])
assert np.array_equal(c1["eval/predictions"][0], d["eval/predictions"][0])
assert a[st[:-1]].attrs["frozen_chain_images"] == 7 and d[st[:-1]].attrs["frozen_chain_images"] == 1
for f, want in ((a, [7]), (d, [1]), (c1, [1, 3]), (r5, [5])):
    assert list(f["eval/results/frozen_chain_images"][()]) == want, (f.filename, want)
assert r5["config"].attrs["frozen_chain_images"] == 5 and r["config"].attrs["frozen_chain_images"] == 1
# the run trained with K = 5 was labelled with chains: not the labels of K = 1 on the same network
assert np.array_equal(r5[st + "edges/input_to_exc/weight"][()], r[st + "edges/input_to_exc/weight"][()])
assert not np.array_equal(r5[st + "nodes/exc/class_rate_Hz"][()], r[st + "nodes/exc/class_rate_Hz"][()])
print("frozen chains: all checks passed")
PY
