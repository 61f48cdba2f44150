#!/usr/bin/env bash
# Train and evaluate a tiny network through the CLI, then check the run file with Debian's h5py.
set -euo pipefail
snnsim=$1 data=$2 python=$3 checker=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$snnsim" train --data "$data" --neurons 12 --train-images 40 --seed 3 --quiet --out "$work/run.h5" >/dev/null
"$snnsim" eval --data "$data" --run "$work/run.h5" --test-images 30 --quiet --json >"$work/eval.json"
"$python" "$checker" "$work/run.h5" "$work/eval.json"
