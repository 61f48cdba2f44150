#!/usr/bin/python3
"""bench/mpi_bench.py: what MPI scale-out buys (issue 18).

makespan: wall time of one 12-condition `experiment sleep` as 1 rank x 1 thread, 2 ranks x 1
  thread (mpirun) and 1 process x 2 threads, the three alternated --repeat times (the machine
  is shared, so alternating spreads the noise over all three).
costs: measured rates on this machine (training images/s, frozen presentations/s, sleep s)
  at N = 400, 1600, 6400, the per-condition cost they give for the paper-scale study
  (docs/sleep-study.md) and a 3-size study, and the makespan of largest-first dynamic
  scheduling of those conditions on 4, 16 and 64 nodes: a SIMULATION from measured costs.

usage: bench/mpi_bench.py --snnsim build/snnsim [--data data/mnist] [--repeat 2] [--skip-makespan]
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}


def cpu_name():
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip() + f", {os.cpu_count()} CPUs"
    return "unknown CPU"


def timed(cmd):
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, env={**os.environ, **ROOT_ENV}, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def makespan(a, work):
    study = [a.snnsim, "experiment", "sleep", "--data", a.data, "--neurons", "100", "--seeds", "1,2,3,4",
             "--train-amounts", "100,200,300", "--test-images", "200", "--noise-test-images", "50",
             "--gaussian-levels", "0.5", "--blur-levels", "1,2", "--controls=false", "--durations", "none", "-q"]
    configs = {"1 rank x 1 thread": (1, 1), "2 ranks x 1 thread": (2, 1), "1 process x 2 threads": (0, 2)}
    times = {k: [] for k in configs}
    for rep in range(a.repeat):
        for name, (ranks, threads) in configs.items():
            out = os.path.join(work, f"m{rep}_{ranks}_{threads}.h5")
            cmd = study + ["--threads", str(threads), "--out", out]
            if ranks:
                cmd = ["mpirun", "-n", str(ranks)] + cmd
            t = timed(cmd)
            times[name].append(t)
            print(f"  {name}: {t:.1f} s", flush=True)
    best = {k: min(v) for k, v in times.items()}
    base = best["1 rank x 1 thread"]
    return {"study": " ".join(study[1:]), "wall_s": times, "best_s": best,
            "ratio_to_1_rank": {k: v / base for k, v in best.items()}}


def rates(a, work, n):
    """Training images/s (1 thread), frozen presentations/s (1 and 2 threads), sleep seconds."""
    run = os.path.join(work, f"r{n}.h5")
    k = {400: 600, 1600: 150, 6400: 30}[n]
    m = {400: 1000, 1600: 300, 6400: 100}[n]
    def js(cmd):
        return json.loads(subprocess.run(cmd + ["--json", "-q"], check=True, capture_output=True, text=True).stdout)
    t = timed([a.snnsim, "train", "--data", a.data, "--neurons", str(n), "--train-images", str(k), "--label-images", str(k),
               "--threads", "1", "--seed", "1", "--out", run, "-q"])
    t_label = timed([a.snnsim, "label", "--data", a.data, "--run", run, "--label-images", str(k), "--threads", "1", "-q"])
    r = {"train_img_s": k / max(t - t_label, 1e-9)}
    for th in (1, 2):
        r[f"frozen_s_{th}t"] = m / timed([a.snnsim, "eval", "--data", a.data, "--run", run, "--test-images", str(m),
                                         "--threads", str(th), "-q"])
    r["sleep_s_2t"] = timed([a.snnsim, "sleep", "--data", a.data, "--run", run, "--threads", "2", "-q"])
    return r


def condition_s(r, k, label_cap, test, noise_test, levels=13, threads=2):
    frozen = 4 * min(k, label_cap) + 2 * (test + levels * noise_test) + 2 * test
    return k / r["train_img_s"] + frozen / r[f"frozen_s_{threads}t"] + r["sleep_s_2t"]


def lpt(costs, workers):
    """Largest first, each worker takes the next when it finishes (what sweep.cpp does)."""
    free = [0.0] * workers
    for c in sorted(costs, reverse=True):
        i = min(range(workers), key=free.__getitem__)
        free[i] += c
    return max(free)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--snnsim", required=True)
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--skip-makespan", action="store_true")
    p.add_argument("--json", default="")
    a = p.parse_args()
    a.snnsim = os.path.abspath(a.snnsim)
    res = {"cpu": cpu_name()}
    with tempfile.TemporaryDirectory() as work:
        if not a.skip_makespan:
            print(f"makespan of a 12-condition study on {res['cpu']}:", flush=True)
            res["makespan"] = makespan(a, work)
            for k, v in res["makespan"]["best_s"].items():
                print(f"  best {k}: {v:.1f} s ({res['makespan']['ratio_to_1_rank'][k]:.2f}x of 1 rank)")
        res["rates"] = {n: rates(a, work, n) for n in (400, 1600, 6400)}
    print(f"measured rates on {res['cpu']}: " + json.dumps(res["rates"], indent=1))
    # Paper scale: N=400, 5 seeds x 6 amounts, 10k test and noise-test images, labels from all K.
    amounts = [100, 300, 1000, 3000, 10000, 60000]
    paper = [condition_s(res["rates"][400], k, 60000, 10000, 10000) for k in amounts for _ in range(5)]
    # 3 sizes x 3 amounts x 5 seeds at the default test sizes of experiment sleep.
    three = [condition_s(res["rates"][n], k, 1000, 1000, 500) for n in (400, 1600, 6400) for k in (1000, 3000, 10000)
             for _ in range(5)]
    res["simulation"] = {}
    for name, costs in (("paper-scale (N=400, 30 conditions)", paper), ("3-size (N=400/1600/6400, 45 conditions)", three)):
        per = {"largest_condition_s": max(costs), "total_s": sum(costs)}
        for nodes in (1, 4, 16, 64):
            per[f"{nodes}_nodes_s"] = lpt(costs, nodes)
        res["simulation"][name] = per
        print(f"{name}: total {sum(costs) / 3600:.2f} h on one node, largest condition {max(costs) / 60:.1f} min; "
              + ", ".join(f"{n} nodes {lpt(costs, n) / 60:.1f} min" for n in (1, 4, 16, 64))
              + " (simulated: 1 rank x 2 threads per node, costs measured here)")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
