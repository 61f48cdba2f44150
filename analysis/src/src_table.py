#!/usr/bin/python3
"""Markdown tables from `snnsim src` run files (HDF5, /eval/results).

Usage: /usr/bin/python3 analysis/src/src_table.py RUN.h5 [RUN2.h5 ...]

Class-incremental runs: final per-task and overall test accuracy (%) per method, mean +- sd
over seeds (SRC: after the last sleep; "src (before last sleep)" is the row before it).
Low-data runs: accuracy without and with sleep per training fraction.
"""
import sys
from collections import defaultdict

import h5py
import numpy as np


def strings(ds):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[:]]


def load_results(f):
    """The /eval/results table of an open SRC results file, and the number of tasks K."""
    r = f["eval/results"]
    K = len([k for k in r.keys() if k.startswith("acc_task")])
    return {
        "run": strings(r["run"]),
        "method": strings(r["method"]),
        "phase": strings(r["phase"]),
        "seed": r["seed"][:],
        "task": r["task"][:],
        "fraction": r["fraction"][:],
        "accuracy": r["accuracy"][:],
        "per_task": np.stack([r[f"acc_task{k + 1}"][:] for k in range(K)], axis=1),
    }, K


def load(path):
    with h5py.File(path, "r") as f:
        return load_results(f)


def fmt(xs):
    xs = 100 * np.asarray(xs)
    if len(xs) > 1:
        return f"{xs.mean():.1f} ± {xs.std(ddof=1):.1f}"
    return f"{xs.mean():.1f}"


def class_incremental(rows, K):
    # last row of every run (the final state), plus SRC's last pre-sleep row
    last = {}
    pre = {}
    for i, run in enumerate(rows["run"]):
        if rows["method"][i] == "lowdata":
            continue
        last[run] = i
        if rows["method"][i] == "src" and rows["phase"][i] == "train":
            pre[run] = i
    groups = defaultdict(list)
    for run, i in last.items():
        groups[rows["method"][i]].append(i)
    for run, i in pre.items():
        groups["src (before last sleep)"].append(i)
    if not groups:
        return
    hdr = "| Method | n | " + " | ".join(f"task {k + 1}" for k in range(K)) + " | All |"
    print(hdr)
    print("|" + "---|" * (K + 3))
    order = ["sequential", "src (before last sleep)", "src", "cheat", "average", "lowrank", "lowrank-parallel", "parallel"]
    for m in sorted(groups, key=lambda m: order.index(m) if m in order else 99):
        idx = groups[m]
        cells = [fmt(rows["per_task"][idx, k]) for k in range(K)]
        print(f"| {m} | {len(idx)} | " + " | ".join(cells) + f" | **{fmt(rows['accuracy'][idx])}** |")


def lowdata(rows):
    by = defaultdict(lambda: defaultdict(list))
    for i, m in enumerate(rows["method"]):
        if m == "lowdata":
            by[float(rows["fraction"][i])][rows["phase"][i]].append(rows["accuracy"][i])
    if not by:
        return
    print("| Fraction | images | n | no sleep | after sleep | change (points) |")
    print("|---|---|---|---|---|---|")
    for f in sorted(by):
        a, b = np.array(by[f]["train"]), np.array(by[f]["sleep"])
        d = 100 * (b - a)
        print(f"| {100 * f:g} % | {round(f * 60000)} | {len(a)} | {fmt(a)} | {fmt(b)} | {d.mean():+.1f} ± {d.std(ddof=1) if len(d) > 1 else 0:.1f} |")


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(argv) >= 2 else 2
    for path in argv[1:]:
        rows, K = load(path)
        print(f"\n### {path}\n")
        class_incremental(rows, K)
        lowdata(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
