#!/usr/bin/env python3
"""Two snnsim binaries on the same command, in alternating pairs (A B, B A, A B, ...): CPU time
(user + sys of the child, the steady figure on a shared machine) and wall time of each run.
usage: bench/cli_ab.py OLD_BIN NEW_BIN [--pairs 6] [-- extra train options]
Used for the PIC build check (bench/README.md, "The Python module against the CLI")."""
import argparse
import os
import statistics
import subprocess
import time

a = argparse.ArgumentParser(description=__doc__)
a.add_argument("old")
a.add_argument("new")
a.add_argument("--pairs", type=int, default=6)
a.add_argument("--data", default="data/mnist")
a.add_argument("--images", type=int, default=1000)
a.add_argument("--neurons", type=int, default=400)
args = a.parse_args()


def one(binary, out):
    cmd = [binary, "train", "--data", args.data, "--neurons", str(args.neurons), "--train-images", str(args.images),
           "--seed", "1", "--threads", "1", "--out", out, "--force", "--quiet", "--no-label"]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return ru.ru_utime + ru.ru_stime, wall


res = {"old": [], "new": []}
for i in range(args.pairs):
    order = ["old", "new"] if i % 2 == 0 else ["new", "old"]
    for k in order:
        res[k].append(one(getattr(args, k), f"/tmp/cli_ab_{k}.h5"))
    o, n = res["old"][-1], res["new"][-1]
    print(f"pair {i + 1}: old cpu {o[0]:.3f} wall {o[1]:.3f} | new cpu {n[0]:.3f} wall {n[1]:.3f} | "
          f"cpu ratio new/old {n[0] / o[0]:.3f}", flush=True)
cpu_r = [n[0] / o[0] for o, n in zip(res["old"], res["new"])]
wall_r = [n[1] / o[1] for o, n in zip(res["old"], res["new"])]
med = lambda k, j: statistics.median(x[j] for x in res[k])
print(f"median cpu s old {med('old', 0):.3f} new {med('new', 0):.3f}; cpu ratio new/old median "
      f"{statistics.median(cpu_r):.3f} ({min(cpu_r):.3f}..{max(cpu_r):.3f})")
print(f"median wall s old {med('old', 1):.3f} new {med('new', 1):.3f}; wall ratio median "
      f"{statistics.median(wall_r):.3f} ({min(wall_r):.3f}..{max(wall_r):.3f}); load {os.getloadavg()}")
