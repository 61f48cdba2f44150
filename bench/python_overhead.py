#!/usr/bin/env python3
"""Overhead of the Python module: `net.train` against `snnsim train` on the same images.

Alternating pairs (CLI, Python, CLI, Python, ...) so that a noisy shared machine hits both alike;
reports each pair's ratio python/cli of the training wall time (the CLI's JSON wall_s: training
only, after loading the data; Python: the net.train call) and of its CPU time (train_cpu_s;
time.process_time, steadier on a loaded machine), the medians, and checks that both learned the
same weights.
usage: /usr/bin/python3 bench/python_overhead.py [--pairs 5] [--neurons 400] [--images 1000] [--threads 1]
(run from the repository root after building; PYTHONPATH=build/python unless setup.sh ran)"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "build", "python"))
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import snnsim  # noqa: E402

a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
a.add_argument("--pairs", type=int, default=5)
a.add_argument("--neurons", type=int, default=400)
a.add_argument("--images", type=int, default=1000)
a.add_argument("--threads", type=int, default=1)
a.add_argument("--data", default=os.path.join(root, "data", "mnist"))
a.add_argument("--bin", default=os.path.join(root, "build", "snnsim"))
args = a.parse_args()

X, y = snnsim.load_idx(args.data, max_count=args.images)
tmp = tempfile.mkdtemp(prefix="snnsim-pyov-")
out = os.path.join(tmp, "run.h5")
cli_s, py_s, ratios, cpu_ratios = [], [], [], []
for i in range(args.pairs):
    t0 = time.perf_counter()
    p = subprocess.run([args.bin, "train", "--data", args.data, "--neurons", str(args.neurons), "--train-images",
                        str(args.images), "--seed", "1", "--no-label", "--threads", str(args.threads), "--quiet",
                        "--json", "--force", "--out", out], capture_output=True, text=True, check=True)
    cli_proc = time.perf_counter() - t0
    j = json.loads(p.stdout)
    c, c_cpu = j["wall_s"], j["train_cpu_s"]
    net = snnsim.Network(neurons=args.neurons, seed=1)
    t0, u0 = time.perf_counter(), time.process_time()
    net.train(X, y, threads=args.threads)
    q, q_cpu = time.perf_counter() - t0, time.process_time() - u0
    cpu_ratios.append(q_cpu / c_cpu)
    cli_s.append(c)
    py_s.append(q)
    ratios.append(q / c)
    print(f"pair {i + 1}: snnsim train {c:.3f} s (process {cli_proc:.3f} s), net.train {q:.3f} s, ratio {q / c:.4f}; CPU s {c_cpu:.3f} / {q_cpu:.3f}, ratio {q_cpu / c_cpu:.4f}",
          flush=True)
with h5py.File(out) as f:
    same = np.array_equal(f["network/trained/edges/input_to_exc/weight"][()], net.weights)
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
cpu = next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "?")
print(f"CPU: {cpu}; N={args.neurons}, {args.images} images, threads {args.threads}, {args.pairs} pairs")
print(f"median snnsim train {statistics.median(cli_s):.3f} s, net.train {statistics.median(py_s):.3f} s, "
      f"median ratio {statistics.median(ratios):.4f} (min {min(ratios):.4f}, max {max(ratios):.4f}); "
      f"CPU-time median ratio {statistics.median(cpu_ratios):.4f} (min {min(cpu_ratios):.4f}, max {max(cpu_ratios):.4f}); "
      f"weights identical: {same}")
