#!/usr/bin/env bash
# Sleep against its controls (issue 19 item 4) at one network size: per seed, train N neurons on
# the first K training images, then from the trained state
#   slept        snnsim sleep (the default settings of experiments/sleep.hpp)
#   extra_wake   snnsim wake  (the same K images once more, one epoch)
#   pruned       snnsim prune --criterion train-response --method silence --fraction auto
#   pruned_rf    snnsim prune --criterion rf-variance    --method silence --fraction auto
# (fractions chosen on the last $VALIDATION (default 1000) training images), each relabelled from the K images; every
# state is scored on the first TEST clean test images and the first NOISE test images under each
# Gaussian and salt-and-pepper level (noise seed 1). Steps already done are skipped, so the script
# resumes. Summary: /usr/bin/python3 analysis/sleep_controls.py OUT/seed*.h5
# usage: bench/sleep_controls.sh SNNSIM OUTDIR [SEEDS="1 2 3 4 5"] [N=400] [K=1000] [TEST=1000] [NOISE=300]
set -euo pipefail
snnsim=$1 out=$2
seeds=${3:-1 2 3 4 5} n=${4:-400} k=${5:-1000} test=${6:-1000} noise=${7:-300}
data=${DATA:-data/mnist} threads=${THREADS:-2} validation=${VALIDATION:-1000}
gauss=0.001,0.003,0.01,0.03,0.1,0.3,1
sp=0.005,0.01,0.02,0.05,0.1,0.2,0.4
mkdir -p "$out"
has_state() { /usr/bin/python3 -c "import h5py,sys; sys.exit(0 if 'network/$2' in h5py.File('$1','r') else 1)"; }
has_eval() { /usr/bin/python3 -c "
import h5py,sys
f=h5py.File('$1','r')
if 'eval/results' not in f: sys.exit(1)
r=f['eval/results']; st=r['state'].asstr()[()]; nt=r['noise_type'].asstr()[()]
sys.exit(0 if any((a=='$2') and (b=='$3') for a,b in zip(st,nt)) else 1)"; }
for s in $seeds; do
  run=$out/seed$s.h5
  c=(--data "$data" --run "$run" --threads "$threads" --quiet)
  [ -f "$run" ] || "$snnsim" train --data "$data" --neurons "$n" --train-images "$k" --seed "$s" --threads "$threads" \
    --quiet --out "$run"
  has_state "$run" slept || "$snnsim" sleep "${c[@]}"
  has_state "$run" extra_wake || "$snnsim" wake "${c[@]}"
  has_state "$run" pruned || "$snnsim" prune "${c[@]}" --criterion train-response --method silence --to pruned \
    --validation-images "$validation"
  has_state "$run" pruned_rf || "$snnsim" prune "${c[@]}" --criterion rf-variance --method silence --to pruned_rf \
    --validation-images "$validation"
  for st in trained slept extra_wake pruned pruned_rf; do
    has_eval "$run" $st none || "$snnsim" eval "${c[@]}" --state $st --test-images "$test"
    has_eval "$run" $st gaussian || "$snnsim" eval "${c[@]}" --state $st --test-images "$noise" --noise gaussian --levels $gauss
    has_eval "$run" $st saltpepper || "$snnsim" eval "${c[@]}" --state $st --test-images "$noise" --noise saltpepper --levels $sp
  done
  echo "seed $s done"
done
