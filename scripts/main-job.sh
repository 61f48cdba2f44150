#!/usr/bin/env bash
# The main job on default data: set up, train a Diehl & Cook network (N=400) on the first 1000
# MNIST training images, label its neurons, evaluate on the 10,000 test images, print accuracy.
# Extra arguments go to `snnsim train` (e.g. --neurons 100 --train-images 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p results
./build/snnsim train --data data/mnist --neurons 400 --train-images 1000 --seed 1 --out results/run.h5 --force "$@"
./build/snnsim eval --data data/mnist --run results/run.h5 --test-images 10000
echo "results in results/run.h5 (see docs/run-file.md to load it with h5py)"
