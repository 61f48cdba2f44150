#!/usr/bin/env python3
"""same_results.py [--skip NAME,...] A.h5 B.h5: every dataset and attribute of A equals B's, bit for
bit (and B has nothing A lacks), except provenance that differs between any two runs: wall_s,
command_line. --skip adds names to leave out: attributes of that name, and groups or datasets of
that name with everything below them (SRC run files: --skip seconds,created_utc,timing).
Prints the differences and exits 1 if there are any."""
import sys

import h5py
import numpy as np

SKIP = {"wall_s", "command_line"}


def main(a_path, b_path):
    bad = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        na, nb = [], []
        a.visit(na.append)
        b.visit(nb.append)
        na = [n for n in na if not SKIP & set(n.split("/"))]
        nb = [n for n in nb if not SKIP & set(n.split("/"))]
        for n in sorted(set(na) ^ set(nb)):
            bad.append(f"{n}: only in {'A' if n in na else 'B'}")
        for n in ["/"] + [n for n in na if n in nb]:
            x, y = a[n], b[n]
            keys = (set(x.attrs) | set(y.attrs)) - SKIP
            for k in sorted(keys):
                if k not in x.attrs or k not in y.attrs or not np.array_equal(np.asarray(x.attrs[k]), np.asarray(y.attrs[k])):
                    bad.append(f"{n}@{k} differs")
            if isinstance(x, h5py.Dataset) and n.split("/")[-1] not in SKIP:
                u, v = np.asarray(x[()]), np.asarray(y[()])
                if x.dtype.kind == "O":  # variable-length strings: values, not pointers
                    same = u.shape == v.shape and np.array_equal(u, v)
                else:
                    same = x.dtype == y.dtype and u.shape == v.shape and u.tobytes() == v.tobytes()
                if not same:
                    bad.append(f"{n} differs")
    for line in bad[:20]:
        print(f"{a_path} vs {b_path}: {line}")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--skip":
        SKIP |= set(args[1].split(","))
        args = args[2:]
    sys.exit(main(args[0], args[1]))
