#!/usr/bin/env bash
# Sleep settings per network size (issue 19 item 6): per size N and seed, train N neurons on the
# first K training images, then `snnsim tune-sleep` over one grid, scored on the LAST
# $VALIDATION (default 1000) training images (never the test set, never an image trained or
# labelled on). Runs already tuned are skipped, so the script resumes. Summary:
#   /usr/bin/python3 bench/tune_sleep_sizes.py OUTDIR
# usage: bench/tune_sleep_sizes.sh SNNSIM OUTDIR [SIZES="400 1600 6400"] [SEEDS="1 2"] [K=1000]
# The grid is search 2 of docs/sleep-tuning.md (leak 1,2 x AMPA 1,2 x inhibition 0.5,1 at the
# wake input rate) at 10 and 30 s; change it with LEAK, EXC, INH, RATE, DURATIONS.
set -euo pipefail
snnsim=$1 out=$2
sizes=${3:-400 1600 6400} seeds=${4:-1 2} k=${5:-1000}
data=${DATA:-data/mnist} threads=${THREADS:-2} validation=${VALIDATION:-1000}
leak=${LEAK:-1,2} exc=${EXC:-1,2} inh=${INH:-0.5,1} rate=${RATE:-1} durations=${DURATIONS:-10,30}
mkdir -p "$out"
for n in $sizes; do
  for s in $seeds; do
    run=$out/n${n}_seed$s.h5
    [ -f "$out/n${n}_seed$s.json" ] && continue
    [ -f "$run" ] || "$snnsim" train --data "$data" --neurons "$n" --train-images "$k" --seed "$s" --threads "$threads" \
      --quiet --out "$run"
    "$snnsim" tune-sleep --data "$data" --run "$run" --validation-images "$validation" --leak-scales "$leak" \
      --exc-scales "$exc" --inh-scales "$inh" --input-rate-scales "$rate" --durations-s "$durations" --top 100 \
      --threads "$threads" --quiet --json > "$out/n${n}_seed$s.json.tmp"
    mv "$out/n${n}_seed$s.json.tmp" "$out/n${n}_seed$s.json"
  done
done
