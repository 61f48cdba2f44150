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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analysis"))
import figutil  # noqa: E402
from figutil import InputError, np  # noqa: E402


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


def recorded_evaluation(run, state):
    """Labels of `state`, the last clean evaluation of it with recorded spikes (its stored
    predictions and spike-file path), read from the run file."""
    with figutil.open_h5(run, "snnsim-run") as f:
        labels = figutil.require(f, f"network/{state}/nodes/exc/label", run)[()]
        results = figutil.read_table(figutil.require(f, "eval/results", run))
        stored = figutil.require(f, "eval/predictions", run)[()]
    rows = [i for i, (st, noise, spikes) in enumerate(zip(results["state"], results["noise_type"],
                                                           results["spikes_file"]))
            if st == state and noise == "none" and spikes]
    if not rows:
        raise InputError(f"{run}: no clean evaluation of state {state} with recorded spikes (eval --record-spikes exc)")
    row = rows[-1]
    m = int(results["n_samples"][row])
    spikes = os.path.join(os.path.dirname(os.path.abspath(run)), results["spikes_file"][row])
    return labels, stored[row][:m], spikes  # prediction rows are padded to the longest evaluation


def spike_counts(path, n):
    """[images, neurons] exc spike counts of each image's window, and the images' labels."""
    with figutil.open_h5(path, None) as s:
        ids = figutil.require(s, "spikes/exc/node_ids", path)[()]
        ts = figutil.require(s, "spikes/exc/timestamps", path)[()]
        t0 = figutil.require(s, "stimulus/t_start_ms", path)[()]
        y = figutil.require(s, "stimulus/label", path)[()]
    if ids.size and ids.max() >= n:
        raise InputError(f"{path}: node id {ids.max()} but the state has {n} neurons")
    counts = np.zeros((y.size, n))
    np.add.at(counts, (np.searchsorted(t0, ts, side="right") - 1, ids), 1)
    return counts, y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="run file evaluated with --record-spikes exc")
    ap.add_argument("--state", default="trained", help="network state that was evaluated (default trained)")
    a = ap.parse_args()
    try:
        labels, stored, spikes = recorded_evaluation(a.run, a.state)
        counts, y = spike_counts(spikes, labels.size)
    except InputError as e:
        figutil.fail(str(e))
    m = y.size
    paper = predict(counts, labels)
    if stored.size != m or (paper != stored).any():
        figutil.fail(f"{spikes}: the counts do not reproduce the predictions stored in {a.run} (another run's spikes?)")
    demo = class_labels(counts, y, np.arange(m))
    half = m // 2
    first, second = np.arange(half), np.arange(half, m)
    held_out = ((predict(counts[second], class_labels(counts, y, first)) == y[second]).sum() +
                (predict(counts[first], class_labels(counts, y, second)) == y[first]).sum()) / m
    print(f"images {m}, neurons {labels.size}")
    print(f"paper protocol, labels from the training pass:      {100 * (paper == y).mean():.2f} %")
    print(f"demo protocol, labels from this test run:           {100 * (predict(counts, demo) == y).mean():.2f} %")
    print(f"labels from one half of the test run, other scored: {100 * held_out:.2f} %")
    print(f"neurons labelled differently by the two protocols:  {(labels != demo).sum()}")


if __name__ == "__main__":
    main()
