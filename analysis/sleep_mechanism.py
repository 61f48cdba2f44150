#!/usr/bin/python3
"""Per-neuron mechanism of sleep (issue 19 item 5), from one run file.

The run file must hold:
  /train/exc_spike_count, /train/exc_active_samples   (snnsim train, since these counts exist)
  /network/trained and /network/<slept> with labels      (train's labelling pass; sleep relabels)
  a sleep spike file (snnsim sleep --record-spikes exc)  -> sleep spike count per neuron
  eval rows of the trained and the slept state recorded with --record-spikes exc
                                                         -> test spike count per neuron
Per neuron it writes: how often the neuron won in training (samples in which it fired), its
training spike count, labelled or not (before and after sleep), receptive-field variance (the
variance of its 784 input weights; weights are normalised to a fixed sum, so a flat, noisy field
has a low variance and a crisp stroke pattern a high one), theta change and mean |weight change|
over sleep, sleep spike count, and test spike counts before and after sleep.

Groups by training wins: "never" (fired in no training sample), "rarely" (below the median of
the neurons that fired at all) and "often" (the rest). For each group: its mean theta change,
weight change, sleep spikes, and its test-time vote share before and after sleep, where the
vote share is the group's part of all test spikes fired by labelled neurons (the spikes that
enter the class vote), over the evaluated test images.

Usage: sleep_mechanism.py RUN.h5 [--slept slept] [--csv OUT.csv] [--json OUT.json] [--figure OUT.png]
       sleep_mechanism.py --table OUT.csv RUN.h5 [RUN.h5 ...]   one row per run and group, and the
                          mean +- sd over the runs of each network size printed
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np

GROUPS = ("never", "rarely", "often")


def fail(msg):
    print(f"sleep_mechanism: {msg}", file=sys.stderr)
    sys.exit(2)


def need(f, path, what):
    if path not in f:
        fail(f"{f.filename}: no {path} ({what})")
    return f[path][()]


def spike_counts(run_path, spikes_file, n):
    """Exc spike count per neuron from a SONATA file next to the run file."""
    path = os.path.join(os.path.dirname(os.path.abspath(run_path)), spikes_file)
    if not spikes_file or not os.path.exists(path):
        return None
    with h5py.File(path, "r") as g:
        if "spikes/exc/node_ids" not in g:
            fail(f"{path}: no spikes/exc/node_ids")
        ids = g["spikes/exc/node_ids"][()]
    return np.bincount(ids.astype(np.int64), minlength=n)[:n]


def eval_spikes(f, run_path, state, n):
    """Test spike counts per neuron, summed over the clean eval rows of `state` that recorded spikes."""
    if "eval/results" not in f:
        return None, 0
    r = f["eval/results"]
    states = r["state"].asstr()[()]
    noise = r["noise_type"].asstr()[()]
    files = r["spikes_file"].asstr()[()]
    total, images = None, 0
    for k in range(len(states)):
        if states[k] != state or noise[k] not in ("none", "clean", "") or not files[k]:
            continue
        c = spike_counts(run_path, files[k], n)
        if c is None:
            continue
        total = c if total is None else total + c
        images += int(r["n_samples"][k])
    return total, images


def analyse(run_path, slept="slept"):
    with h5py.File(run_path, "r") as f:
        spikes = need(f, "train/exc_spike_count", "train with a build that counts per-neuron spikes").astype(np.int64)
        active = need(f, "train/exc_active_samples", "as above").astype(np.int64)
        counted_from = int(f["train"].attrs.get("counts_from_sample", 0))
        t = f["network/trained"]
        s = f.get(f"network/{slept}")
        if s is None:
            fail(f"{run_path}: no /network/{slept} (run snnsim sleep first)")
        w0 = need(f, "network/trained/edges/input_to_exc/weight", "trained weights")
        w1 = need(f, f"network/{slept}/edges/input_to_exc/weight", "slept weights")
        th0 = need(f, "network/trained/nodes/exc/theta_mV", "")
        th1 = need(f, f"network/{slept}/nodes/exc/theta_mV", "")
        lab0 = need(f, "network/trained/nodes/exc/label", "label the trained state")
        lab1 = need(f, f"network/{slept}/nodes/exc/label", "sleep relabels unless --no-relabel")
        n = w0.shape[1]
        sleep_file = s.attrs.get("spikes_file", b"")
        sleep_file = sleep_file.decode() if isinstance(sleep_file, bytes) else str(sleep_file)
        sleep_spikes = spike_counts(run_path, sleep_file, n)
        test0, images0 = eval_spikes(f, run_path, "trained", n)
        test1, images1 = eval_spikes(f, run_path, slept, n)
        samples = int(f["config"].attrs["train_images"]) * int(f["config"].attrs["epochs"])
    fired = active[active > 0]
    median = float(np.median(fired)) if fired.size else 0.0
    group = np.where(active == 0, 0, np.where(active < median, 1, 2))
    per_neuron = {
        "neuron": np.arange(n),
        "train_active_samples": active,
        "train_spikes": spikes,
        "group": np.array(GROUPS)[group],
        "label_trained": lab0,
        "label_slept": lab1,
        "rf_variance": w0.var(axis=0),
        "theta_trained_mV": th0,
        "theta_change_mV": th1 - th0,
        "weight_change_abs_mean": np.abs(w1.astype(np.float64) - w0).mean(axis=0),
        "sleep_spikes": sleep_spikes if sleep_spikes is not None else np.full(n, -1),
        "test_spikes_trained": test0 if test0 is not None else np.full(n, -1),
        "test_spikes_slept": test1 if test1 is not None else np.full(n, -1),
    }

    def share(test, labels, members):
        if test is None:
            return None
        voting = labels >= 0
        tot = test[voting].sum()
        return float(test[voting & members].sum() / tot) if tot else 0.0

    groups = {}
    for g, name in enumerate(GROUPS):
        m = group == g
        groups[name] = {
            "neurons": int(m.sum()),
            "labelled_trained": int((lab0[m] >= 0).sum()),
            "labelled_slept": int((lab1[m] >= 0).sum()),
            "rf_variance_mean": float(per_neuron["rf_variance"][m].mean()) if m.any() else None,
            "theta_change_mean_mV": float(per_neuron["theta_change_mV"][m].mean()) if m.any() else None,
            "weight_change_abs_mean": float(per_neuron["weight_change_abs_mean"][m].mean()) if m.any() else None,
            "sleep_spikes_mean": float(sleep_spikes[m].mean()) if sleep_spikes is not None and m.any() else None,
            "vote_share_trained": share(test0, lab0, m),
            "vote_share_slept": share(test1, lab1, m),
        }
    a = per_neuron["train_active_samples"].astype(float)
    summary = {
        "run": os.path.abspath(run_path),
        "neurons": n,
        "train_samples": samples,
        "counts_from_sample": counted_from,
        "rarely_below_active_samples": median,
        "test_images_trained": images0,
        "test_images_slept": images1,
        "groups": groups,
        # Spearman-free, plain correlations over neurons (what tracks theta change?).
        "corr_theta_change_vs_train_active": float(np.corrcoef(a, per_neuron["theta_change_mV"])[0, 1]) if n > 2 else None,
        "corr_theta_change_vs_rf_variance": float(np.corrcoef(per_neuron["rf_variance"], per_neuron["theta_change_mV"])[0, 1])
        if n > 2 else None,
    }
    return per_neuron, summary


def write_csv(path, per_neuron):
    cols = list(per_neuron)
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(",".join(cols) + "\n")
        for i in range(len(per_neuron["neuron"])):
            out.write(",".join(str(per_neuron[c][i]) for c in cols) + "\n")
    os.replace(tmp, path)


def figure(path, per_neuron, summary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
    a = per_neuron["train_active_samples"]
    lab = per_neuron["label_trained"] >= 0
    ax[0].scatter(a[lab], per_neuron["theta_change_mV"][lab], s=6, label="labelled")
    ax[0].scatter(a[~lab], per_neuron["theta_change_mV"][~lab], s=6, label="unlabelled")
    ax[0].set_xscale("symlog")
    ax[0].set_xlabel("training samples in which the neuron fired")
    ax[0].set_ylabel("theta change over sleep (mV)")
    ax[0].legend(fontsize=8)
    ax[1].scatter(per_neuron["rf_variance"], per_neuron["theta_change_mV"], s=6, c="k")
    ax[1].set_xlabel("receptive-field variance (trained)")
    ax[1].set_ylabel("theta change (mV)")
    g = summary["groups"]
    x = np.arange(len(GROUPS))
    before = [g[k]["vote_share_trained"] or 0 for k in GROUPS]
    after = [g[k]["vote_share_slept"] or 0 for k in GROUPS]
    ax[2].bar(x - 0.2, before, 0.4, label="before sleep")
    ax[2].bar(x + 0.2, after, 0.4, label="after sleep")
    ax[2].set_xticks(x, [f"{k}\n(n={g[k]['neurons']})" for k in GROUPS])
    ax[2].set_ylabel("share of labelled test spikes")
    ax[2].legend(fontsize=8)
    fig.suptitle(f"N={summary['neurons']}, {summary['train_samples']} training samples")
    fig.tight_layout()
    tmp = path + ".tmp.png"
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, path)


FIELDS = ("neurons", "labelled_trained", "labelled_slept", "rf_variance_mean", "theta_change_mean_mV",
          "weight_change_abs_mean", "sleep_spikes_mean", "vote_share_trained", "vote_share_slept")


def table(out, runs, slept):
    rows = []
    for run in runs:
        _, summary = analyse(run, slept)
        with h5py.File(run, "r") as f:
            seed = int(f["config"].attrs["master_seed"])
        for g in GROUPS:
            rows.append({"run": run, "n_exc": summary["neurons"], "seed": seed, "train_samples": summary["train_samples"],
                         "group": g, **{k: summary["groups"][g][k] for k in FIELDS}})
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        cols = list(rows[0])
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join("" if r[c] is None else str(r[c]) for c in cols) + "\n")
    os.replace(tmp, out)
    for n in sorted({r["n_exc"] for r in rows}):
        print(f"N={n}: mean +- sd over {len({r['run'] for r in rows if r['n_exc'] == n})} runs")
        print(f"  {'group':7s} " + " ".join(f"{k:>24s}" for k in FIELDS))
        for g in GROUPS:
            sel = [r for r in rows if r["n_exc"] == n and r["group"] == g]
            cells = []
            for k in FIELDS:
                v = np.array([r[k] for r in sel if r[k] is not None], dtype=float)
                cells.append(f"{v.mean():.4g} +- {v.std(ddof=1) if len(v) > 1 else 0:.2g}" if len(v) else "-")
            print(f"  {g:7s} " + " ".join(f"{c:>24s}" for c in cells))
        # Paired over runs: the change of each group's vote share.
        for g in GROUPS:
            sel = [r for r in rows if r["n_exc"] == n and r["group"] == g and r["vote_share_trained"] is not None]
            d = np.array([r["vote_share_slept"] - r["vote_share_trained"] for r in sel])
            if len(d):
                print(f"  vote share change, {g}: {d.mean():+.4f} +- {d.std(ddof=1) if len(d) > 1 else 0:.4f} (paired, {len(d)} runs)")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--table":
        table(sys.argv[2], sys.argv[3:], "slept")
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run")
    ap.add_argument("--slept", default="slept", help="state written by snnsim sleep (default slept)")
    ap.add_argument("--csv")
    ap.add_argument("--json")
    ap.add_argument("--figure")
    o = ap.parse_args()
    if not os.path.exists(o.run):
        fail(f"{o.run}: no such file")
    per_neuron, summary = analyse(o.run, o.slept)
    if o.csv:
        write_csv(o.csv, per_neuron)
    if o.figure:
        figure(o.figure, per_neuron, summary)
    text = json.dumps(summary, indent=1)
    if o.json:
        with open(o.json + ".tmp", "w") as out:
            out.write(text + "\n")
        os.replace(o.json + ".tmp", o.json)
    print(text)


if __name__ == "__main__":
    main()
