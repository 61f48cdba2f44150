"""Accuracy with the paper's protocol (issue 2): train N excitatory neurons for E epochs over the
first K MNIST training images (in file order), label the neurons from a frozen pass over those
K images, test on the 10,000 test images; one run per (N, E, seed). Prints one row per run with
accuracy, training and test images/s and the sanity values (theta, exc spikes per presentation,
retries, capped images); --json writes the rows too.

    /usr/bin/python3 bench/accuracy.py [--runs 100x1,100x5,400x1,400x3] [--seeds 1,2,3] [--jobs 2]
    /usr/bin/python3 bench/accuracy.py --quick        # N=100, 1000 images, 1000 test images

Each run uses one thread, so --jobs 2 runs two at a time on a 2-core machine; the results do
not depend on the thread count. Times (on this project's 2-core machine, 2026-12-03): N=100 one
epoch about 4 min, N=400 one epoch about 5 min per run.
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile


def run_json(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def one_run(a, tmp, n, epochs, seed):
    out = os.path.join(tmp, f"n{n}_e{epochs}_s{seed}.h5")
    tr = run_json([a.snnsim, "train", "--data", a.data, "--neurons", str(n), "--train-images", str(a.train_images),
                   "--epochs", str(epochs), "--seed", str(seed), "--threads", "1", "--json", "--quiet", "--force",
                   "--out", out])
    ev = run_json([a.snnsim, "eval", "--data", a.data, "--run", out, "--test-images", str(a.test_images),
                   "--threads", "1", "--json", "--quiet"])
    return {"neurons": n, "epochs": epochs, "seed": seed, "accuracy": ev["accuracy"],
            "train_images_per_s": tr["images_per_s"], "test_images_per_s": ev["images_per_s"],
            "theta_mean_mV": tr["theta_mean_mV"], "exc_spikes_per_presentation": tr["mean_exc_spikes_per_presentation"],
            "retries": tr["retries"], "capped_images": tr["capped_images"], "train_images": a.train_images,
            "test_images": a.test_images}


def parse_runs(text):
    runs = []
    for item in text.split(","):
        n, _, e = item.partition("x")
        if not n.isdigit() or not e.isdigit() or int(n) < 1 or int(e) < 1:
            sys.exit(f"--runs: '{item}' is not NxE with positive integers (e.g. 100x1)")
        runs.append((int(n), int(e)))
    return runs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--snnsim", default="build/snnsim")
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--runs", default="100x1,400x1", help="comma-separated NxE: N neurons, E epochs")
    ap.add_argument("--seeds", default="1", help="comma-separated seeds")
    ap.add_argument("--train-images", type=int, default=60000)
    ap.add_argument("--test-images", type=int, default=10000)
    ap.add_argument("--jobs", type=int, default=1, help="runs at a time (each on one thread)")
    ap.add_argument("--quick", action="store_true", help="N=100, 1000 training and 1000 test images (smoke run)")
    ap.add_argument("--json", help="also write the rows to this file")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.train_images, a.test_images = "100x1", 1000, 1000
    if not os.path.exists(a.snnsim):
        sys.exit(f"{a.snnsim}: not found (build first)")
    try:
        seeds = [int(s) for s in a.seeds.split(",")]
    except ValueError:
        sys.exit(f"--seeds: '{a.seeds}' is not a comma-separated list of integers")
    jobs = [(n, e, s) for n, e in parse_runs(a.runs) for s in seeds]
    with tempfile.TemporaryDirectory() as tmp, concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        rows = list(pool.map(lambda j: one_run(a, tmp, *j), jobs))
    print(f"{'N':>5} {'epochs':>6} {'seed':>4} {'accuracy':>9} {'train img/s':>11} {'test img/s':>10} "
          f"{'theta mV':>8} {'spikes':>6} {'retries':>8} {'capped':>6}")
    for r in rows:
        print(f"{r['neurons']:>5} {r['epochs']:>6} {r['seed']:>4} {100 * r['accuracy']:>8.2f}% "
              f"{r['train_images_per_s']:>11.1f} {r['test_images_per_s']:>10.1f} {r['theta_mean_mV']:>8.2f} "
              f"{r['exc_spikes_per_presentation']:>6.2f} {r['retries']:>8} {r['capped_images']:>6}")
    groups = {}
    for r in rows:
        groups.setdefault((r["neurons"], r["epochs"]), []).append(100 * r["accuracy"])
    for (n, e), accs in groups.items():
        mean = sum(accs) / len(accs)
        sd = (sum((x - mean) ** 2 for x in accs) / (len(accs) - 1)) ** 0.5 if len(accs) > 1 else 0.0
        print(f"N={n}, {e} epoch{'s' if e > 1 else ''}: {mean:.2f} +- {sd:.2f} % over {len(accs)} seed(s)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
