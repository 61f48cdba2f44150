"""End-to-end speed figures of snnsim (issue 5): training and test images/s at N = 400, 1600
and 6400, 1 -> 2 thread scaling of evaluation (across images) and of training (within each
step, N >= 1600), peak memory, and the projected wall time of the paper's 6400 x 15-epoch run.
Prints a table; --json writes the numbers too.

    /usr/bin/python3 bench/run_bench.py [--snnsim build/snnsim] [--data data/mnist] [--quick]

Each figure is the best of --repeat runs (the machine may be shared; the best run is the
least disturbed one). CPU seconds are reported beside wall time for the same reason.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def best(cmds, key, repeat):
    results = [run(cmds) for _ in range(repeat)]
    return max(results, key=lambda j: j[key])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--snnsim", default="build/snnsim")
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer images (a smoke run, numbers are noisier)")
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    if not os.path.exists(a.snnsim):
        sys.exit(f"{a.snnsim}: not found (build first)")
    q = a.quick
    rows, figs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        run_file = lambda n: os.path.join(tmp, f"n{n}.h5")
        for n, k, test in ((400, 100 if q else 1000, 500 if q else 2000), (1600, 30 if q else 200, 200 if q else 500),
                           (6400, 5 if q else 30, 40 if q else 200)):
            tr = best([a.snnsim, "train", "--data", a.data, "--neurons", str(n), "--train-images", str(k), "--seed", "1",
                       "--threads", "1", "--label-images", str(min(k, 100)), "--json", "--quiet", "--force",
                       "--out", run_file(n)], "images_per_s", a.repeat)
            cpu_rate = tr["images"] / tr["train_cpu_s"] if tr.get("train_cpu_s") else float("nan")
            rows.append((f"train N={n}, {k} images, 1 thread", tr["images_per_s"], cpu_rate, tr["peak_rss_MiB"]))
            figs[f"train_N{n}_images_per_s"] = tr["images_per_s"]
            figs[f"train_N{n}_images_per_cpu_s"] = cpu_rate
            figs[f"train_N{n}_peak_rss_MiB"] = tr["peak_rss_MiB"]
            if n >= 1600:  # within-step threads pay only for large networks
                tr2 = best([a.snnsim, "train", "--data", a.data, "--neurons", str(n), "--train-images", str(k),
                            "--seed", "1", "--threads", "2", "--no-label", "--json", "--quiet", "--force",
                            "--out", os.path.join(tmp, f"n{n}_t2.h5")], "images_per_s", a.repeat)
                rows.append((f"train N={n}, {k} images, 2 threads", tr2["images_per_s"],
                             tr2["images"] / tr2["train_cpu_s"], tr2["peak_rss_MiB"]))
                figs[f"train_N{n}_threads2_images_per_s"] = tr2["images_per_s"]
                figs[f"train_N{n}_speedup_1_to_2"] = tr2["images_per_s"] / tr["images_per_s"]
            for t in (1, 2):
                ev = best([a.snnsim, "eval", "--data", a.data, "--run", run_file(n), "--test-images", str(test),
                           "--threads", str(t), "--json", "--quiet"], "images_per_s", a.repeat)
                rows.append((f"test  N={n}, {test} images, {t} thread{'s' if t > 1 else ''}", ev["images_per_s"],
                             float("nan"), ev["peak_rss_MiB"]))
                figs[f"test_N{n}_threads{t}_images_per_s"] = ev["images_per_s"]
            figs[f"test_N{n}_speedup_1_to_2"] = figs[f"test_N{n}_threads2_images_per_s"] / figs[f"test_N{n}_threads1_images_per_s"]
    # The paper's largest run: N = 6400, 15 epochs of 60,000 images (retries add a few per cent).
    hours = 900000 / figs["train_N6400_images_per_s"] / 3600
    hours2 = 900000 / figs["train_N6400_threads2_images_per_s"] / 3600
    print(f"{'workload':<42} {'images/s':>10} {'img/CPU-s':>10} {'peak RSS MiB':>13}")
    for name, r, c, m in rows:
        print(f"{name:<42} {r:>10.1f} {c:>10.1f} {m:>13.0f}")
    for n in (400, 1600, 6400):
        print(f"evaluation speed-up 1 -> 2 threads, N={n}: {figs[f'test_N{n}_speedup_1_to_2']:.2f}x")
    for n in (1600, 6400):
        print(f"training speed-up 1 -> 2 threads, N={n}: {figs[f'train_N{n}_speedup_1_to_2']:.2f}x")
    print(f"projected paper run (N=6400, 15 epochs = 900k presentations): {hours:.1f} h of wall time on one core, "
          f"{hours2:.1f} h on two")
    figs["paper_run_projected_hours"] = hours
    figs["paper_run_projected_hours_2_threads"] = hours2
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figs, f, indent=1)


if __name__ == "__main__":
    main()
