#!/usr/bin/python3
"""How the study's noise grids were chosen: accuracy of trained networks under Gaussian and
salt-and-pepper noise on a fine grid, on VALIDATION images (the last V training images; never the
test set), through `snnsim noise-curve`. Prints one markdown table per noise: accuracy per level
for each run file and their mean.

usage: /usr/bin/python3 analysis/noise_grid.py SNNSIM RUN.h5 [RUN.h5 ...] [--validation-images 500]
       [--gaussian 0,1e-4,...] [--saltpepper 0,0.002,...] [--data data/mnist] [--threads 2]
The run files are only read. docs/sleep-study.md ("Choosing the noise grids") has the result.
"""
import argparse
import json
import subprocess
import sys

GAUSS = "0,0.0001,0.0003,0.001,0.003,0.01,0.03,0.1,0.3,1"
SALTPEPPER = "0,0.002,0.005,0.01,0.02,0.05,0.1,0.2,0.4,0.6,0.8"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("snnsim")
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--validation-images", type=int, default=500)
    ap.add_argument("--gaussian", default=GAUSS)
    ap.add_argument("--saltpepper", default=SALTPEPPER)
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    for noise, levels in (("gaussian", a.gaussian), ("saltpepper", a.saltpepper)):
        table = []
        for run in a.runs:
            cmd = [a.snnsim, "noise-curve", "--run", run, "--noise", noise, "--levels", levels, "--validation-images",
                   str(a.validation_images), "--data", a.data, "--threads", str(a.threads), "--quiet", "--json"]
            p = subprocess.run(cmd, capture_output=True, text=True)
            if p.returncode != 0:
                sys.stderr.write(p.stderr)
                sys.exit(p.returncode)
            table.append({q["level"]: q["accuracy"] for q in json.loads(p.stdout)["points"]})
        lv = sorted(table[0])
        print("%s, accuracy on the last %d training images (validation)" % (noise, a.validation_images))
        print()
        print("| level | " + " | ".join("run %d" % (i + 1) for i in range(len(table))) + " | mean |")
        print("| --- |" + " --- |" * (len(table) + 1))
        for x in lv:
            v = [t[x] for t in table]
            print("| %g | %s | %.3f |" % (x, " | ".join("%.3f" % y for y in v), sum(v) / len(v)))
        print()


if __name__ == "__main__":
    main()
