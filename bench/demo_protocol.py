#!/usr/bin/python3
"""Accuracy of one evaluated state under the paper's protocol and under the authors' demo protocol.

The paper assigns labels from a frozen pass over the training images; the authors' shipped
evaluation script assigns them from the same test run it scores (stdp-mnist#3). This recomputes
both from the spikes `snnsim eval --record-spikes exc` wrote, to measure how much the demo
protocol inflates a result. Run with Debian's interpreter:

  snnsim eval --run RUN.h5 --record-spikes exc
  /usr/bin/python3 bench/demo_protocol.py RUN.h5 [--state trained]
"""
import argparse
import os
import sys

import h5py
import numpy as np


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def read(path, datasets):
    if not os.path.isfile(path):
        fail(f"{path}: no such file")
    with h5py.File(path, "r") as f:
        missing = [d for d in datasets if d not in f]
        if missing:
            fail(f"{path}: no dataset {missing[0]}")
        return [f[d][:] for d in datasets]


def class_labels(counts, y, rows):
    """Per neuron, the class with the highest mean count over `rows` (-1 if it never fired)."""
    rates = np.stack([counts[rows][y[rows] == c].mean(axis=0) for c in range(10)], axis=1)
    return np.where(rates.max(axis=1) > 0, rates.argmax(axis=1), -1)


def predict(counts, labels):
    """The class whose neurons have the highest mean count; -1 when every group is silent."""
    means = np.full((counts.shape[0], 10), -1.0)
    for c in range(10):
        if (labels == c).any():
            means[:, c] = counts[:, labels == c].mean(axis=1)
    p = means.argmax(axis=1)
    p[means.max(axis=1) <= 0] = -1
    return p


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run file evaluated with --record-spikes exc")
    ap.add_argument("--state", default="trained", help="network state that was evaluated (default trained)")
    a = ap.parse_args()
    labels, states, noise, files, samples, stored = read(
        a.run, [f"network/{a.state}/nodes/exc/label", "eval/results/state", "eval/results/noise_type",
                "eval/results/spikes_file", "eval/results/n_samples", "eval/predictions"])
    rows = [i for i in range(states.size) if states[i] == a.state.encode() and noise[i] == b"none" and files[i]]
    if not rows:
        fail(f"{a.run}: no clean evaluation of state {a.state} with recorded spikes (eval --record-spikes exc)")
    row = rows[-1]
    spikes = os.path.join(os.path.dirname(os.path.abspath(a.run)), files[row].decode())
    ids, ts, t0, y = read(spikes, ["spikes/exc/node_ids", "spikes/exc/timestamps", "stimulus/t_start_ms",
                                   "stimulus/label"])
    n, m = labels.size, y.size
    if ids.size and ids.max() >= n:
        fail(f"{spikes}: node id {ids.max()} but the state has {n} neurons")
    counts = np.zeros((m, n))
    np.add.at(counts, (np.searchsorted(t0, ts, side="right") - 1, ids), 1)

    paper = predict(counts, labels)
    if samples[row] != m or (paper != stored[row][:m]).any():  # rows are padded to the longest evaluation
        fail(f"{spikes}: the counts do not reproduce the predictions stored in {a.run} (another run's spikes?)")
    everything = np.arange(m)
    demo = class_labels(counts, y, everything)
    half = m // 2
    first, second = np.arange(half), np.arange(half, m)
    held_out = ((predict(counts[second], class_labels(counts, y, first)) == y[second]).sum() +
                (predict(counts[first], class_labels(counts, y, second)) == y[first]).sum()) / m
    print(f"images {m}, neurons {n}")
    print(f"paper protocol, labels from the training pass:      {100 * (paper == y).mean():.2f} %")
    print(f"demo protocol, labels from this test run:           {100 * (predict(counts, demo) == y).mean():.2f} %")
    print(f"labels from one half of the test run, other scored: {100 * held_out:.2f} %")
    print(f"neurons labelled differently by the two protocols:  {(labels != demo).sum()}")


if __name__ == "__main__":
    main()
