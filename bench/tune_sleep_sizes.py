#!/usr/bin/python3
"""Summary of bench/tune_sleep_sizes.sh: per network size, every sleep setting's validation
accuracy minus the awake network's (paired per seed), mean +- sd over seeds, best first; the
best setting per size and where the default setting (leak 1, AMPA 1, inhibition 0.5, rate 1,
10 s) ranks. Validation images only (the last V training images): no test image is read.

usage: /usr/bin/python3 bench/tune_sleep_sizes.py OUTDIR [--csv OUT.csv] [--top 8]
"""
import argparse
import glob
import json
import os
import re
import sys

import numpy as np

KEYS = ("leak_scale", "exc_scale", "inh_scale", "input_rate_scale", "duration_s")
DEFAULT = (1.0, 1.0, 0.5, 1.0, 10.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--csv", default=None)
    ap.add_argument("--top", type=int, default=8)
    a = ap.parse_args(argv)
    runs = {}
    for path in sorted(glob.glob(os.path.join(a.outdir, "n*_seed*.json"))):
        m = re.match(r"n(\d+)_seed(\d+)\.json$", os.path.basename(path))
        if not m:
            continue
        with open(path) as f:
            j = json.load(f)
        runs.setdefault(int(m.group(1)), {})[int(m.group(2))] = j
    if not runs:
        print("error: no n<N>_seed<S>.json in %s" % a.outdir, file=sys.stderr)
        return 2
    rows = []
    for n in sorted(runs):
        seeds = sorted(runs[n])
        gains = {}
        awake = [runs[n][s]["awake_validation_accuracy"] for s in seeds]
        for s in seeds:
            j = runs[n][s]
            for c in j["candidates"]:
                key = tuple(float(c[k]) for k in KEYS)
                gains.setdefault(key, {})[s] = c["validation_accuracy"] - j["awake_validation_accuracy"]
        table = []
        for key, per_seed in gains.items():
            if len(per_seed) != len(seeds):
                continue
            g = np.array([per_seed[s] for s in seeds])
            table.append((g.mean(), g.std(ddof=1) if g.size > 1 else 0.0, key, g))
        table.sort(key=lambda t: -t[0])
        print("N=%d, seeds %s, awake validation accuracy %s" % (n, ",".join(map(str, seeds)),
                                                                 " / ".join("%.3f" % x for x in awake)))
        print("| rank | leak | AMPA | inh | rate | duration s | gain over awake (mean +- sd) | per seed |")
        print("|---|---|---|---|---|---|---|---|")
        for r, (mean, sd, key, g) in enumerate(table):
            is_default = key == DEFAULT
            if r < a.top or is_default:
                print("| %d | %g | %g | %g | %g | %g | %+.3f +- %.3f%s | %s |" % (
                    r + 1, *key, mean, sd, " (default)" if is_default else "", " ".join("%+.3f" % x for x in g)))
            rows.append((n, r + 1, *key, mean, sd, is_default))
        print()
    if a.csv:
        with open(a.csv, "w") as out:
            out.write("neurons,rank,%s,gain_mean,gain_sd,is_default\n" % ",".join(KEYS))
            for r in rows:
                out.write("%d,%d,%g,%g,%g,%g,%g,%.6f,%.6f,%d\n" % (*r[:-1], int(r[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
