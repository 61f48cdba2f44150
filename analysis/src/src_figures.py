#!/usr/bin/python3
"""Figures from `snnsim src` run files.

Usage: /usr/bin/python3 analysis/src/src_figures.py RUN.h5 [--out DIR]

Writes into DIR (default: next to RUN.h5, named after it):
  <name>_accuracy.png     per-task test accuracy after each task, one panel per method
                          (mean over seeds; SRC shows after-training dashed, after-sleep solid)
  <name>_trajectory.png   SRC: all-task accuracy during every sleep (needs --trajectory-every)
                          or before/after each sleep otherwise
  <name>_stable_rank.png  stable rank of every layer before/after each sleep
  <name>_snapshot.png     first-layer synaptic snapshot (mean weight over hidden units, 28x28)
                          at the start and end of every sleep, and their difference
  <name>_lowdata.png      low-data runs: accuracy vs training fraction with/without sleep
  <name>_norms.png        per-neuron weight-norm traces (when recorded with --norm-trace-every)
Only the figures for which the file has data are written.
"""
import argparse
import os
import sys
from collections import defaultdict

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from src_table import load_results, strings  # noqa: E402  (this directory; the one reader of /eval/results)


def fig_accuracy(res, K, path):
    methods = [m for m in dict.fromkeys(res["method"]) if m != "lowdata"]
    if not methods:
        return False
    ncol = min(3, len(methods))
    nrow = (len(methods) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 3.2 * nrow), sharey=True, squeeze=False)
    for ax in axes.flat[len(methods):]:
        ax.axis("off")
    colors = plt.cm.tab10(np.arange(K + 1))
    for ax, m in zip(axes.flat, methods):
        for phase, style in (("train", "--"), ("sleep", "-")):
            sel = [i for i in range(len(res["method"])) if res["method"][i] == m and res["phase"][i] == phase]
            if not sel:
                continue
            tasks = sorted(set(res["task"][sel]))
            if m == "src" and phase == "train":
                style = ":"
            for k in range(K):
                y = [100 * np.mean([res["per_task"][i, k] for i in sel if res["task"][i] == t]) for t in tasks]
                ax.plot(tasks, y, style, marker="o", ms=3, color=colors[k],
                        label=f"task {k + 1}" if phase == "train" else None)
            y = [100 * np.mean([res["accuracy"][i] for i in sel if res["task"][i] == t]) for t in tasks]
            ax.plot(tasks, y, style, color="black", lw=2, marker="s", ms=4, label="all" if phase == "train" else None)
        n = len(set(r for r, mm in zip(res["run"], res["method"]) if mm == m))
        ax.set_title(f"{m} (n={n})")
        ax.set_xlabel("after task")
        ax.set_xticks(range(1, K + 1))
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("test accuracy (%)")
    axes[0][0].legend(fontsize=7, loc="center left")
    fig.suptitle("Class-incremental accuracy per task\n(SRC: dotted = after training, solid = after sleep)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def fig_trajectory(f, res, K, path):
    if "sleep" not in f:
        return False
    runs = [r for r in f["sleep"] if r.startswith("src_")]
    if not runs:
        return False
    fig, ax = plt.subplots(figsize=(8, 3.5))
    colors = plt.cm.tab10(np.arange(K + 1))
    recorded = any("trajectory_steps" in f["sleep"][runs[0]][t] for t in f["sleep"][runs[0]])
    for run in runs[:1] if recorded else runs:
        offset = 0
        tasks = sorted(f["sleep"][run], key=lambda s: int(s[4:]))
        for t in tasks:
            g = f["sleep"][run][t]
            steps = int(g.attrs["steps"])
            if "trajectory_steps" in g:
                x = offset + g["trajectory_steps"][:]
                ax.plot(x, 100 * g["trajectory_accuracy"][:], color="black", lw=2)
                per = g["trajectory_per_task"][:]
                for k in range(K):
                    ax.plot(x, 100 * per[:, k], color=colors[k], lw=1, label=f"task {k + 1}" if t == tasks[0] else None)
            else:
                k = int(t[4:])
                sel = [i for i in range(len(res["run"])) if res["run"][i] == run and res["task"][i] == k]
                before = [res["accuracy"][i] for i in sel if res["phase"][i] == "train"]
                after = [res["accuracy"][i] for i in sel if res["phase"][i] == "sleep"]
                if before and after:
                    ax.plot([offset, offset + steps], [100 * before[0], 100 * after[0]], "-o", color="gray", ms=3)
            ax.axvline(offset, color="gray", lw=0.5)
            offset += steps
    ax.set_xlabel("cumulative sleep step (vertical lines: a new task was trained before this sleep)")
    ax.set_ylabel("test accuracy (%)")
    if recorded:
        ax.set_title(f"SRC trajectory, {runs[0]} (black: all tasks)")
        ax.legend(fontsize=7, ncol=K)
    else:
        ax.set_title(f"SRC: all-task accuracy before and after each sleep, {len(runs)} runs "
                     "(record during sleep with --trajectory-every)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def fig_stable_rank(f, path):
    if "eval/stable_rank" not in f:
        return False
    g = f["eval/stable_rank"]
    method, phase = strings(g["method"]), strings(g["phase"])
    task, layer, value = g["task"][:], g["layer"][:], g["value"][:]
    sel = [i for i in range(len(method)) if method[i] == "src"]
    if not sel:
        return False
    layers = sorted(set(layer[sel]))
    fig, axes = plt.subplots(1, len(layers), figsize=(3.4 * len(layers), 3), squeeze=False)
    for ax, l in zip(axes[0], layers):
        for ph, style in (("before_sleep", "o--"), ("after_sleep", "s-")):
            d = defaultdict(list)
            for i in sel:
                if layer[i] == l and phase[i] == ph:
                    d[task[i]].append(value[i])
            ts = sorted(d)
            ax.errorbar(ts, [np.mean(d[t]) for t in ts], yerr=[np.std(d[t]) for t in ts], fmt=style, ms=4,
                        label=ph.replace("_", " "), capsize=2)
        ax.set_title(f"W{l}")
        ax.set_xlabel("task")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("stable rank (||W||_F/||W||_2)^2")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def fig_snapshot(f, path):
    if "sleep" not in f:
        return False
    runs = [r for r in f["sleep"] if r.startswith("src_") or r.startswith("lowdata")]
    run = next((r for r in runs if any("snapshots" in f["sleep"][r][t] for t in f["sleep"][r])), None)
    if run is None:
        return False
    tasks = sorted(f["sleep"][run], key=lambda s: int(s[4:]))
    fig, axes = plt.subplots(3, len(tasks), figsize=(2.2 * len(tasks), 6.6), squeeze=False)
    for j, t in enumerate(tasks):
        snaps = f["sleep"][run][t]["snapshots"][:]
        side = int(round(np.sqrt(snaps.shape[1])))
        first, last = snaps[0].reshape(side, side), snaps[-1].reshape(side, side)
        for i, (img, title) in enumerate(((first, "start"), (last, "end"), (last - first, "end - start"))):
            ax = axes[i][j]
            v = np.abs(img).max() or 1.0
            im = ax.imshow(img, cmap="RdBu_r", vmin=-v, vmax=v)
            ax.set_title(f"{t} {title}", fontsize=8)
            ax.axis("off")
            fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02)
    fig.suptitle(f"First-layer synaptic snapshot (mean weight over hidden units), {run}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def fig_lowdata(res, path):
    d = defaultdict(lambda: defaultdict(list))
    for i, m in enumerate(res["method"]):
        if m == "lowdata":
            d[res["phase"][i]][float(res["fraction"][i])].append(100 * res["accuracy"][i])
    if not d:
        return False
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    for ph, label in (("train", "no sleep"), ("sleep", "after sleep")):
        fr = sorted(d[ph])
        ax.errorbar([100 * x for x in fr], [np.mean(d[ph][x]) for x in fr], yerr=[np.std(d[ph][x]) for x in fr],
                    fmt="o-", capsize=2, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("training data (% of the training set)")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def fig_norms(f, path):
    if "train/norms" not in f:
        return False
    runs = list(f["train/norms"])
    g = f["train/norms"][runs[0]]
    layers = sorted(k for k in g if k.startswith("layer"))
    fig, axes = plt.subplots(1, len(layers), figsize=(3.5 * len(layers), 3), squeeze=False)
    steps = g["steps"][:]
    for ax, l in zip(axes[0], layers):
        n = g[l][:]
        ax.plot(steps, n[:, : min(50, n.shape[1])], lw=0.5, alpha=0.6)
        ax.set_title(f"{runs[0]} {l}", fontsize=8)
        ax.set_xlabel("SGD step")
    axes[0][0].set_ylabel("per-neuron ||w||")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--out", default=None, help="output directory (default: that of RUN.h5)")
    a = ap.parse_args(argv[1:])
    out = a.out or os.path.dirname(os.path.abspath(a.run))
    os.makedirs(out, exist_ok=True)
    name = os.path.splitext(os.path.basename(a.run))[0]
    written = []
    with h5py.File(a.run, "r") as f:
        res, K = load_results(f)
        for suffix, fn in (
            ("accuracy", lambda p: fig_accuracy(res, K, p)),
            ("trajectory", lambda p: fig_trajectory(f, res, K, p)),
            ("stable_rank", lambda p: fig_stable_rank(f, p)),
            ("snapshot", lambda p: fig_snapshot(f, p)),
            ("lowdata", lambda p: fig_lowdata(res, p)),
            ("norms", lambda p: fig_norms(f, p)),
        ):
            p = os.path.join(out, f"{name}_{suffix}.png")
            if fn(p):
                written.append(p)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
