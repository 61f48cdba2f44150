#!/usr/bin/python3
"""Sleep against its controls, summarised over seeds (issue 19 item 4).

Reads run files made by bench/sleep_controls.sh (one per seed, each holding the states trained,
slept, extra_wake, pruned, pruned_rf and their /eval/results rows) and prints markdown tables:
clean accuracy and the mean accuracy over each noise grid, mean +- sd over seeds, per noise
level, and PAIRED differences (slept minus each other state, seed by seed) with a 95 % t-interval
over seeds. With --csv FILE it also writes every row it used (seed, state, noise_type, level,
accuracy, n_samples).

usage: /usr/bin/python3 analysis/sleep_controls.py RUN.h5 [RUN.h5 ...] [--csv FILE]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
import numpy as np  # noqa: E402

STATES = ["trained", "slept", "extra_wake", "pruned", "pruned_rf"]
NAMES = {"trained": "trained", "slept": "slept", "extra_wake": "extra wake (2nd epoch)",
         "pruned": "pruned, train-response", "pruned_rf": "pruned, rf-variance"}
NOISES = ["none", "gaussian", "saltpepper"]


def t975(df):
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:  # pragma: no cover
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
        return table[df - 1] if df <= len(table) else 1.96


def load(paths):
    rows = []  # (seed, state, noise, level, accuracy, n)
    prune = {}
    for path in paths:
        try:
            f = figutil.open_h5(path, "snnsim-run")
        except figutil.InputError as e:
            figutil.fail(str(e))
        with f:
            seed = int(f["config"].attrs["master_seed"])
            res = figutil.read_table(figutil.require(f, "eval/results", path))
            for st, nt, lv, acc, n in zip(res["state"], res["noise_type"], res["noise_level"], res["accuracy"],
                                          res["n_samples"]):
                rows.append((seed, st, nt, float(lv), float(acc), int(n)))
            for name in ("pruned", "pruned_rf"):
                if "prune/" + name in f:
                    prune[(seed, name)] = float(f["prune/" + name].attrs["fraction"])
    return rows, prune


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--csv")
    a = ap.parse_args()
    rows, prune = load(a.runs)
    # the last row of each (seed, state, noise, level) wins, as a rerun of eval appends
    acc = {}
    for seed, st, nt, lv, x, n in rows:
        acc[(seed, st, nt, lv)] = (x, n)
    seeds = sorted({k[0] for k in acc})
    states = [s for s in STATES if any(k[1] == s for k in acc)]
    levels = {nt: sorted({k[3] for k in acc if k[2] == nt}) for nt in NOISES}

    def value(seed, st, nt):
        """clean accuracy, or the mean over the grid's levels"""
        v = [acc[(seed, st, nt, lv)][0] for lv in levels[nt] if (seed, st, nt, lv) in acc]
        return np.mean(v) if len(v) == len(levels[nt]) and v else np.nan

    def ms(v):
        v = np.asarray(v, float)
        return "%.3f +- %.3f" % (v.mean(), v.std(ddof=1) if v.size > 1 else 0.0)

    print("seeds: %s" % ", ".join(map(str, seeds)))
    for nt in NOISES:
        n = sorted({acc[k][1] for k in acc if k[2] == nt})
        print("%s: levels %s, %s images per level" % (nt, ",".join("%g" % x for x in levels[nt]), "/".join(map(str, n))))
    for name, label in (("pruned", "train-response"), ("pruned_rf", "rf-variance")):
        fr = [prune[(s, name)] for s in seeds if (s, name) in prune]
        if fr:
            print("pruning fraction chosen on validation (%s), per seed: %s" % (label, " / ".join("%g" % x for x in fr)))
    print()
    print("| state | clean | Gaussian (mean over levels) | salt-and-pepper (mean over levels) |")
    print("| --- | --- | --- | --- |")
    for st in states:
        print("| %s | %s |" % (NAMES.get(st, st), " | ".join(ms([value(s, st, nt) for s in seeds]) for nt in NOISES)))
    print()
    tq = t975(len(seeds) - 1)
    print("Paired differences (per seed, then mean and 95 %% t-interval over %d seeds, t = %.3f):" % (len(seeds), tq))
    print()
    print("| difference | clean | Gaussian (mean over levels) | salt-and-pepper (mean over levels) |")
    print("| --- | --- | --- | --- |")
    for other in [s for s in states if s != "slept"]:
        cells = []
        for nt in NOISES:
            d = np.array([value(s, "slept", nt) - value(s, other, nt) for s in seeds])
            half = tq * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else np.nan
            cells.append("%+.3f [%+.3f, %+.3f] (%s)" % (d.mean(), d.mean() - half, d.mean() + half,
                                                        " ".join("%+.3f" % x for x in d)))
        print("| slept - %s | %s |" % (NAMES.get(other, other), " | ".join(cells)))
    for nt in ("gaussian", "saltpepper"):
        print()
        print("%s, accuracy per level (mean over seeds):" % nt)
        print()
        print("| state | " + " | ".join("%g" % lv for lv in levels[nt]) + " |")
        print("| --- |" + " --- |" * len(levels[nt]))
        for st in states:
            cells = []
            for lv in levels[nt]:
                v = [acc[(s, st, nt, lv)][0] for s in seeds if (s, st, nt, lv) in acc]
                cells.append("%.3f" % np.mean(v) if v else "-")
            print("| %s | %s |" % (NAMES.get(st, st), " | ".join(cells)))
    if a.csv:
        with open(a.csv + ".tmp", "w") as out:
            out.write("seed,state,noise_type,noise_level,accuracy,n_samples\n")
            for (seed, st, nt, lv), (x, n) in sorted(acc.items()):
                out.write("%d,%s,%s,%g,%.6f,%d\n" % (seed, st, nt, lv, x, n))
        os.replace(a.csv + ".tmp", a.csv)


if __name__ == "__main__":
    main()
