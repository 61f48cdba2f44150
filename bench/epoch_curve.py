"""Test accuracy after every epoch, with the paper's protocol (issue 24 item 2): one training run
with `snnsim train --epoch-files`, then for each epoch's network labels from a frozen pass over the
training images and the test images scored. Restartable: training continues from its checkpoint
(`--checkpoint-every`), and an epoch already scored is not scored again, so a run longer than a
working block is simply started again with the same command.

    /usr/bin/python3 bench/epoch_curve.py run --neurons 1600 --epochs 7 --seed 1 --out results/n1600_s1
    /usr/bin/python3 bench/epoch_curve.py plot results/n1600_s1 results/n1600_s2 --png docs/figures/epochs.png

`run` writes OUT/run.h5 (the last epoch), OUT/run.epochE.h5 (the others), OUT/epochE.json (what
`label` and `eval` printed, with their wall times) and OUT/epochs.csv (one row per epoch).
`run --no-train` scores only the epochs whose files exist and writes their rows: the epochs of a
run still training (in another process, e.g. `--train-threads 1` beside `--threads 1` scoring on
the other core) or of one that will not be finished.
`run --frozen-chain-images K` (K > 1) labels and scores in chains of K images, as the authors'
test mode presents them (README, "Fidelity choices"); its rows go to OUT/epochE.chainK.json and
OUT/epochs.chainK.csv beside those of every image from rest, and `plot --chain K` draws them.
`plot` draws accuracy against epoch, one line per run folder.
`table OUT [--recall-class C]` prints the per-epoch table of bench/README.md as Markdown: accuracy
(the best in bold), labelled and unlabelled neurons, neurons firing at rest from OUT/epochs.csv;
theta, excitatory spikes per presentation over the epoch's last 6,000 images and the recall of
class C from the epoch files.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

import h5py

# Diehl & Cook (2015): test accuracy (%) and the training passes over the 60k images behind it
# (../shared/reference/diehl-cook-2015.md, section 8; the epoch counts are the ones commonly
# quoted for the paper, only 400 x 3 is confirmed by the authors' code).
PAPER = {100: (1, 82.9), 400: (3, 87.0), 1600: (7, 91.9), 6400: (15, 95.0)}

FIELDS = ["neurons", "seed", "epoch", "samples_seen", "accuracy", "n_correct", "test_images", "silent_images",
          "label_images", "neurons_labelled", "neurons_unlabelled_flat", "neurons_unlabelled_silent",
          "neurons_fire_at_rest", "train_wall_s_to_epoch", "label_wall_s", "eval_wall_s", "frozen_chain_images"]


def suffix(chain):
    """File-name tag of a scoring: none for every image from rest (1), .chainK otherwise."""
    return "" if chain == 1 else f".chain{chain}"


def run_json(cmd):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(proc.returncode)
    return json.loads(proc.stdout.strip().splitlines()[-1]), time.monotonic() - t0


def epoch_file(out, epoch, epochs):
    return os.path.join(out, "run.h5" if epoch == epochs else f"run.epoch{epoch}.h5")


def train(a):
    run = os.path.join(a.out, "run.h5")
    if os.path.exists(run):
        return
    cmd = [a.snnsim, "train", "--data", a.data, "--out", run, "--json", "--threads", str(a.train_threads or a.threads)]
    if os.path.exists(run + ".ckpt"):
        cmd += ["--resume"]  # the checkpoint holds the settings (and --epoch-files)
    else:
        cmd += ["--neurons", str(a.neurons), "--train-images", str(a.train_images), "--epochs", str(a.epochs),
                "--seed", str(a.seed), "--epoch-files", "--no-label"]
    # Given on --resume too: a checkpoint written before the fix of issue 24's resumed runs does not carry it.
    cmd += ["--checkpoint-every", str(a.checkpoint_every)]
    r, wall = run_json(cmd)
    with open(os.path.join(a.out, "train.json"), "a") as f:
        f.write(json.dumps(r | {"call_wall_s": wall}) + "\n")


def score(a, epoch):
    path = os.path.join(a.out, f"epoch{epoch}{suffix(a.frozen_chain_images)}.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    run = epoch_file(a.out, epoch, a.epochs)
    common = ["--data", a.data, "--run", run, "--threads", str(a.threads), "--json",
              "--frozen-chain-images", str(a.frozen_chain_images)]
    lab, label_wall = run_json([a.snnsim, "label", *common, "--label-images", str(a.label_images)])
    ev, eval_wall = run_json([a.snnsim, "eval", *common, "--test-images", str(a.test_images)])
    with h5py.File(run, "r") as f:
        samples = int(f["network/trained"].attrs["samples_seen"])
        train_wall = float(f["train"].attrs["wall_s"])
        neurons = int(f["config"].attrs["n_exc"])
        seed = int(f["config"].attrs["master_seed"])
    row = {"neurons": neurons, "seed": seed, "epoch": epoch, "samples_seen": samples, "accuracy": ev["accuracy"],
           "n_correct": ev["results"][0]["n_correct"], "test_images": ev["images"],
           "silent_images": ev["silent_images"], "label_images": lab["images"],
           "neurons_labelled": lab["neurons_labelled"], "neurons_unlabelled_flat": lab["neurons_unlabelled_flat"],
           "neurons_unlabelled_silent": lab["neurons_unlabelled_silent"],
           "neurons_fire_at_rest": lab["neurons_fire_at_rest"], "train_wall_s_to_epoch": train_wall,
           "label_wall_s": label_wall, "eval_wall_s": eval_wall, "frozen_chain_images": ev["frozen_chain_images"]}
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(row, f)
    os.replace(tmp, path)
    return row


def trained_epochs(a):
    """The epochs whose files exist (an epoch file is renamed into place when complete)."""
    return [e for e in range(1, a.epochs + 1) if os.path.exists(epoch_file(a.out, e, a.epochs))]


def check_settings(a, epoch):
    """The run of epoch `epoch` has the asked settings (an epoch file says it holds `epoch` epochs)."""
    run = epoch_file(a.out, epoch, a.epochs)
    with h5py.File(run, "r") as f:
        c = f["config"].attrs
        got = {"neurons": int(c["n_exc"]), "epochs": int(c["epochs"]), "seed": int(c["master_seed"]),
               "train-images": int(c["train_images"])}
    want = {"neurons": a.neurons, "epochs": epoch, "seed": a.seed, "train-images": a.train_images}
    for k in want:
        if got[k] != want[k]:
            sys.exit(f"{run}: was trained with --{k} {got[k]}, not {want[k]} (another --out, or the same options)")


def cmd_run(a):
    os.makedirs(a.out, exist_ok=True)
    if a.no_train:
        epochs = trained_epochs(a)
        if not epochs:
            sys.exit(f"{a.out}: no epoch file to score (run.epochE.h5 or run.h5)")
    else:
        train(a)
        epochs = list(range(1, a.epochs + 1))
    check_settings(a, epochs[-1])
    rows = []
    # The last epoch first: it is the table's figure, so a run whose scoring spans working
    # blocks has it after the first one.
    for e in [epochs[-1], *epochs[:-1]]:
        row = score(a, e)
        rows.append(row)
        print(f"epoch {e}: accuracy {row['accuracy']:.4f} ({row['neurons_labelled']} labelled, "
              f"{row['neurons_unlabelled_flat']} class-flat, {row['neurons_fire_at_rest']} fire at rest; "
              f"label {row['label_wall_s']:.0f} s, eval {row['eval_wall_s']:.0f} s)", flush=True)
    rows.sort(key=lambda r: r["epoch"])
    with open(os.path.join(a.out, f"epochs{suffix(a.frozen_chain_images)}.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, restval=1)  # rows scored before the column: from rest
        w.writeheader()
        w.writerows(rows)


def cmd_plot(a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    sizes = set()
    for d in a.dirs:
        name = os.path.join(d, f"epochs{suffix(a.chain)}.csv")
        if not os.path.exists(name):
            sys.exit(f"{name}: missing (score the run with this --frozen-chain-images first)")
        with open(name) as f:
            rows = list(csv.DictReader(f))
        if not rows:
            sys.exit(f"{name}: no rows")
        x = [int(r["epoch"]) for r in rows]
        y = [100 * float(r["accuracy"]) for r in rows]
        how = "" if a.chain == 1 else f", chains of {a.chain}"
        ax.plot(x, y, marker="o", label=f"N={rows[0]['neurons']}, seed {rows[0]['seed']}{how}")
        sizes.add(int(rows[0]["neurons"]))
    for n in sorted(sizes):
        if n in PAPER:
            e, acc = PAPER[n]
            ax.plot([e], [acc], marker="*", markersize=12, linestyle="none", color="black")
            ax.annotate(f"paper, N={n}", (e, acc), textcoords="offset points", xytext=(-60, 6))
    ax.set_xlabel("epochs over the 60,000 training images")
    ax.set_ylabel("test accuracy (%), 10,000 images")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.png, dpi=120)
    print(f"wrote {a.png}")


def cmd_table(a):
    import h5py
    name = os.path.join(a.dir, "epochs.csv")
    if not os.path.exists(name):
        sys.exit(f"{name}: missing (score the run first)")
    with open(name) as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["epoch"]))
    if not rows:
        sys.exit(f"{name}: no rows")
    best = max(rows, key=lambda r: float(r["accuracy"]))["epoch"]
    cols = {k: [] for k in ("acc", "lab", "unl", "rest", "theta", "spk", "rec")}
    for r in rows:
        e = int(r["epoch"])
        acc = f"{100 * float(r['accuracy']):.2f} %"
        cols["acc"].append(f"**{acc}**" if r["epoch"] == best else acc)
        cols["lab"].append(f"{int(r['neurons_labelled']):,}")
        cols["unl"].append(f"{r['neurons_unlabelled_flat']} / {r['neurons_unlabelled_silent']}")
        cols["rest"].append(r["neurons_fire_at_rest"])
        # the last epoch's network is run.h5 while the run trains on (epoch_file), or finished
        path = os.path.join(a.dir, f"run.epoch{e}.h5")
        if not os.path.exists(path):
            path = os.path.join(a.dir, "run.h5")
        with h5py.File(path, "r") as h:
            th = h["network/trained/nodes/exc/theta_mV"][()]
            cols["theta"].append(f"{th.mean():.1f} +- {th.std():.1f}")
            cols["spk"].append(f"{h['train/log/exc_spikes'][()][-6000:].mean():.1f}")
            c = h["eval/confusion"][0]
            cols["rec"].append(f"{c[a.recall_class, a.recall_class] / c[a.recall_class].sum():.3f}")
    line = lambda name, v: f"| {name} | " + " | ".join(v) + " |"
    print("| epoch | " + " | ".join(r["epoch"] for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    print(line("test accuracy, seed " + rows[0]["seed"], cols["acc"]))
    print(line(f"neurons labelled (of {int(rows[0]['neurons']):,})", cols["lab"]))
    print(line("unlabelled: class-flat / silent", cols["unl"]))
    print(line("neurons firing at rest", cols["rest"]))
    print(line("theta, mean +- sd (mV)", cols["theta"]))
    print(line("exc spikes per presentation, last 6,000 images", cols["spk"]))
    print(line(a.recall_label or f"recall of class {a.recall_class}", cols["rec"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run", help="train with --epoch-files, then label and score every epoch")
    r.add_argument("--snnsim", default="build/snnsim")
    r.add_argument("--data", default="data/mnist")
    r.add_argument("--neurons", type=int, required=True)
    r.add_argument("--epochs", type=int, required=True)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--train-images", type=int, default=60000)
    r.add_argument("--label-images", type=int, default=60000)
    r.add_argument("--test-images", type=int, default=10000)
    r.add_argument("--checkpoint-every", type=int, default=2000)
    r.add_argument("--threads", type=int, default=2, help="threads of label and eval (and of training, by default)")
    r.add_argument("--train-threads", type=int, default=0,
                   help="threads of training (default --threads); 1 when two runs share two cores, since "
                        "a step split across threads waits at barriers for a busy core")
    r.add_argument("--no-train", action="store_true",
                   help="do not train: score the epochs whose files exist (a run training elsewhere or unfinished)")
    r.add_argument("--frozen-chain-images", type=int, default=1,
                   help="label and score in chains of K images with the rest between them (the authors' test "
                        "mode); 1 = every image from rest")
    r.add_argument("--out", required=True, help="folder for the run files, JSON and CSV")
    p = sub.add_parser("plot", help="accuracy against epoch, one line per run folder")
    p.add_argument("dirs", nargs="+")
    p.add_argument("--png", required=True)
    p.add_argument("--chain", type=int, default=1, help="draw the rows scored with --frozen-chain-images K")
    t = sub.add_parser("table", help="the per-epoch table of a run folder, as Markdown")
    t.add_argument("dir")
    t.add_argument("--recall-class", type=int, default=8, help="the class whose recall is a row")
    t.add_argument("--recall-label", default="", help="that row's name (default: recall of class C)")
    a = ap.parse_args()
    if a.what == "run":
        if a.train_threads < 0:
            ap.error("--train-threads must be at least 0")
        for k in ("neurons", "epochs", "train_images", "label_images", "test_images", "checkpoint_every", "threads",
                  "frozen_chain_images"):
            if getattr(a, k) < 1:
                ap.error(f"--{k.replace('_', '-')} must be at least 1")
        cmd_run(a)
    elif a.what == "table":
        if not 0 <= a.recall_class <= 9:
            ap.error("--recall-class must be 0-9")
        cmd_table(a)
    else:
        cmd_plot(a)


if __name__ == "__main__":
    main()
