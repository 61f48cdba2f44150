#!/usr/bin/env bash
# Issue 19 item 5: the per-neuron mechanism of sleep, over seeds and network sizes.
# Usage: bench/sleep_mechanism.sh OUTDIR [SIZES] [SEEDS] [TRAIN_IMAGES] [TEST_IMAGES]
#   defaults: 400,1600  1,2,3,4,5  1000  1000
# Per run: train (labels from the training images), eval with recorded exc spikes, sleep with the
# default settings and recorded exc spikes (sleep relabels), eval of the slept state with spikes;
# then analysis/sleep_mechanism.py per run (figure, CSV, JSON) and --table over all runs.
set -euo pipefail
out=$1 sizes=${2:-400,1600} seeds=${3:-1,2,3,4,5} k=${4:-1000} test=${5:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
snnsim=${SNNSIM:-$here/build/snnsim} data=${DATA:-$here/data/mnist} threads=${THREADS:-2}
mkdir -p "$out"
runs=()
for n in ${sizes//,/ }; do
  for s in ${seeds//,/ }; do
    d="$out/n${n}_s${s}"
    mkdir -p "$d"
    r="$d/run.h5"
    runs+=("$r")
    [ -f "$d/mechanism.json" ] && continue
    start=$(date +%s)
    "$snnsim" train --data "$data" --neurons "$n" --train-images "$k" --seed "$s" --threads "$threads" --out "$r" --force -q
    "$snnsim" eval --data "$data" --run "$r" --test-images "$test" --record-spikes exc --threads "$threads" -q >/dev/null
    "$snnsim" sleep --data "$data" --run "$r" --record-spikes exc --threads "$threads" -q >/dev/null
    "$snnsim" eval --data "$data" --run "$r" --state slept --test-images "$test" --record-spikes exc --threads "$threads" -q >/dev/null
    /usr/bin/python3 "$here/analysis/sleep_mechanism.py" "$r" --csv "$d/neurons.csv" --json "$d/mechanism.json" \
      --figure "$d/mechanism.png" >/dev/null
    echo "sleep_mechanism: N=$n seed $s done in $(($(date +%s) - start)) s" >&2
  done
done
/usr/bin/python3 "$here/analysis/sleep_mechanism.py" --table "$out/mechanism_table.csv" "${runs[@]}"
