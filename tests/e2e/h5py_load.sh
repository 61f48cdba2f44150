#!/usr/bin/env bash
# Train and evaluate a tiny network through the CLI, then check the run file with Debian's h5py.
set -euo pipefail
snnsim=$1 data=$2 python=$3 checker=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$snnsim" train --data "$data" --neurons 12 --train-images 40 --seed 3 --quiet --out "$work/run.h5" >/dev/null
"$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 30 --quiet --json >"$work/eval.json"
"$python" "$checker" "$work/run.h5" "$work/eval.json"
# SONATA spike files from train, sleep and eval
"$snnsim" train --data "$data" --neurons 12 --train-images 40 --seed 3 --quiet --record-spikes all --out "$work/rec.h5" >/dev/null
"$snnsim" sleep --data "$data" --run "$work/rec.h5" --duration-s 2 --record-spikes exc --quiet >/dev/null
"$snnsim" eval --data "$data" --run "$work/rec.h5" --test-images 20 --record-spikes exc --quiet >/dev/null
"$python" - "$work" <<'PY'
import sys, h5py, numpy as np
w = sys.argv[1]
for name, pops in (("train", ("exc", "inh")), ("sleep_slept", ("exc",)), ("eval_trained", ("exc",))):
    with h5py.File(f"{w}/spikes/{name}.h5", "r") as f:
        assert f.attrs["magic"] == 0x0A7A and list(f.attrs["version"]) == [0, 1], name
        for p in pops:
            g = f["spikes"][p]
            assert g.attrs["sorting"] == 2, (name, g.attrs["sorting"])  # uint8 enum by_time
            t = g["timestamps"][()]
            assert g["timestamps"].attrs["units"] == "ms"
            assert g["node_ids"].dtype == np.uint64 and len(t) == len(g["node_ids"]) and len(t) > 0, name
            assert np.all(np.diff(t) >= 0), f"{name}/{p} not sorted by time"
            assert g["node_ids"][()].max() < 12
with h5py.File(f"{w}/rec.h5", "r") as f:
    assert f["network/slept"].attrs["spikes_file"] == "spikes/sleep_slept.h5"
    assert f["eval/results/spikes_file"].asstr()[0] == "spikes/eval_trained.h5"
    st = f["eval/results"]
with h5py.File(f"{w}/spikes/eval_trained.h5", "r") as f:
    assert len(f["stimulus/label"]) == 20
print("SONATA spike files OK")
PY
