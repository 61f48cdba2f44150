#!/usr/bin/python3
"""Compare sleep settings of `snnsim experiment incremental --validation` runs and pick one.

Each STUDY.h5 is one setting (its sleep options are read from /config). For every file and
method it prints the final average accuracy (ACC), average forgetting (F) and backward transfer
(BWT) of the chosen readout, mean +- sd over the seeds the file holds, and for `sleep` the paired
difference against `sequential` where a file holds both or --reference names a file that does.
It then names the best `sleep` setting by mean ACC (ties: lower F, then the earlier file).
Refuses files scored on the test set unless --allow-test (choosing settings on the test set is
what --validation exists to avoid). Layout of the study file: docs/incremental.md.

Usage: /usr/bin/python3 analysis/incremental_settings.py A.h5 B.h5 ... [--readout relabelled|kept]
           [--reference SEQ.h5] [--csv OUT.csv]
Exit status 2 on a missing or wrong input file.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
from figutil import InputError, np  # noqa: E402

SLEEP_KEYS = ("sleep_input", "sleep_pattern", "sleep_duration_s", "sleep_leak_scale", "sleep_exc_scale",
              "sleep_inh_scale", "sleep_input_rate_scale", "sleep_block_ms")


def attr_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def setting_of(cfg):
    return ", ".join("%s=%s" % (k[len("sleep_"):], ("%g" % cfg[k]) if not isinstance(cfg[k], (str, bytes))
                                 else attr_str(cfg[k])) for k in SLEEP_KEYS if k in cfg)


def load(path, readout, allow_test):
    f = figutil.open_h5(path, "snnsim-incremental")
    cfg = dict(figutil.require(f, "config", path).attrs)
    scored = attr_str(cfg.get("scored_on", "test"))
    if scored != "validation" and not allow_test:
        raise InputError("%s: scored on the %s set; choose settings on --validation runs (or pass --allow-test)"
                         % (path, scored))
    res = figutil.require(f, "results", path)
    methods = attr_str(res.attrs["methods"]).split(",")
    seeds = [int(s) for s in res.attrs["seeds"]]
    out = {"path": path, "setting": setting_of(cfg), "scored_on": scored, "seeds": seeds, "methods": {}}
    for q in ("average_accuracy", "forgetting", "bwt"):
        v = res["%s_%s" % (q, readout)][()]  # [method][seed]
        for mi, m in enumerate(methods):
            out["methods"].setdefault(m, {})[q] = v[mi]
    return out


def ms(x):
    x = x[~np.isnan(x)]
    if x.size == 0:
        return "n/a"
    return "%.3f +- %.3f" % (x.mean(), x.std(ddof=1) if x.size > 1 else 0.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compare incremental sleep settings on validation runs.")
    ap.add_argument("studies", nargs="+", help="study files of experiment incremental --validation")
    ap.add_argument("--readout", choices=("relabelled", "kept"), default="relabelled")
    ap.add_argument("--reference", default=None, help="file holding `sequential` for the paired differences")
    ap.add_argument("--csv", default=None, help="also write one row per (file, method, seed)")
    ap.add_argument("--allow-test", action="store_true", help="accept files scored on the test set")
    a = ap.parse_args(argv)
    try:
        runs = [load(p, a.readout, a.allow_test) for p in a.studies]
        ref = load(a.reference, a.readout, a.allow_test) if a.reference else None
    except InputError as e:
        figutil.fail(str(e))
    print("readout: %s; mean +- sd over seeds (sd with n-1)" % a.readout)
    print("| file | setting | method | seeds | ACC | F | BWT | ACC sleep - sequential (paired) |")
    print("|---|---|---|---|---|---|---|---|")
    best = None
    rows = []
    for r in runs:
        for m, q in r["methods"].items():
            acc = q["average_accuracy"]
            paired = ""
            if m == "sleep":
                base = r if "sequential" in r["methods"] else ref
                if base is not None and base["seeds"] == r["seeds"] and "sequential" in base["methods"]:
                    paired = ms(acc - base["methods"]["sequential"]["average_accuracy"])
                ok = acc[~np.isnan(acc)]
                if ok.size:
                    key = (ok.mean(), -np.nanmean(q["forgetting"]))
                    if best is None or key > best[0]:
                        best = (key, r)
            print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                os.path.basename(r["path"]), r["setting"], m, ",".join(map(str, r["seeds"])), ms(acc),
                ms(q["forgetting"]), ms(q["bwt"]), paired))
            for si, s in enumerate(r["seeds"]):
                rows.append((r["path"], r["setting"], m, s, acc[si], q["forgetting"][si], q["bwt"][si]))
    if best is not None:
        print("best sleep setting by mean ACC (%s readout): %s (%s), ACC %.3f"
              % (a.readout, best[1]["setting"], os.path.basename(best[1]["path"]), best[0][0]))
    if a.csv:
        with open(a.csv, "w") as out:
            out.write("file,setting,method,seed,average_accuracy,forgetting,bwt\n")
            for p, st, m, s, acc, fo, bw in rows:
                out.write('%s,"%s",%s,%d,%.6f,%.6f,%.6f\n' % (os.path.basename(p), st, m, s, acc, fo, bw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
