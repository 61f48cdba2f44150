#!/usr/bin/python3
"""Where does sleep help? Paired summaries of `snnsim experiment sleep` study files (issue 19).

Reads one or more study files (format snnsim-sleep-study; one size each or network size as an
axis; several files are merged, e.g. one per size) and prints, per network size N and training
amount K, markdown tables of PAIRED differences over seeds (each seed's difference first, then
mean and 95 % t-interval over seeds):
  clean     accuracy of trained, slept and (with --controls) extra_wake and pruned; slept minus
            trained, minus extra_wake, minus pruned
  noise     mean accuracy over the Gaussian grid and over the blur grid (every level of the
            study's grid, equally weighted), slept minus trained (and minus the controls)
  duration  (with --durations) clean accuracy after each part-way sleep minus trained
and a one-line verdict per (N, K): whether the interval of slept - trained lies above 0, and
whether sleep beats its controls. With --csv FILE it also writes every paired difference.

--claims adds, per training amount K, the paper's claims (Tadros et al.) against what each
network size measured - one column per N: accuracy rises after sleep; a larger area under the
Gaussian and blur curves; the thresholds carry the gain (the 2x2 ablation); most thresholds
rise; neurons with well-formed receptive fields lower theirs; and the two controls (is sleep
more than a second epoch, more than pruning?). A paired claim "holds" when its 95 % interval lies
above 0, is "opposite" when below, "not shown" otherwise; the per-neuron claims are judged on
the mean over seeds (the rules are printed under each table). --claims-csv FILE writes the cells.

usage: /usr/bin/python3 analysis/study_summary.py STUDY.h5 [STUDY.h5 ...] [--csv FILE] [--claims]
                                                   [--claims-csv FILE]
Exit status 2 on a missing or wrong input file.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
from figutil import InputError, np  # noqa: E402

CONTROLS = ("extra_wake", "pruned")


def t975(df):
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
        return table[df - 1] if df <= len(table) else 1.96


def load(paths):
    """{(N, K, seed, state, noise_type, level): accuracy}"""
    acc = {}
    for path in paths:
        f = figutil.open_h5(path, "snnsim-sleep-study")
        res = figutil.read_table(figutil.require(f, "results", path))
        n_default = int(f["config"].attrs["n_exc"])
        neurons = res["neurons"] if "neurons" in res else np.full(len(res["accuracy"]), n_default)
        for i in range(len(res["accuracy"])):
            key = (int(neurons[i]), int(res["train_images"][i]), int(res["seed"][i]), str(res["state"][i]),
                   str(res["noise_type"][i]), float(res["noise_level"][i]))
            acc[key] = float(res["accuracy"][i])
    return acc


def load_thresholds(paths):
    """{(N, K, seed): {column: value}} from /threshold_analysis"""
    out = {}
    for path in paths:
        f = figutil.open_h5(path, "snnsim-sleep-study")
        if "threshold_analysis" not in f:
            continue
        t = figutil.read_table(f["threshold_analysis"])
        n_default = int(f["config"].attrs["n_exc"])
        neurons = t["neurons"] if "neurons" in t else np.full(len(t["seed"]), n_default)
        for i in range(len(t["seed"])):
            out[(int(neurons[i]), int(t["train_images"][i]), int(t["seed"][i]))] = \
                {k: float(v[i]) for k, v in t.items()}
    return out


def grid_mean(acc, n, k, seed, state, noise):
    vals = [a for (nn, kk, s, st, nt, _), a in acc.items() if (nn, kk, s, st, nt) == (n, k, seed, state, noise)]
    return float(np.mean(vals)) if vals else None


def seeds_of(acc, n, k):
    return sorted({key[2] for key in acc if key[:2] == (n, k)})


def per_seed(acc, n, k, state, noise="none"):
    """{seed: accuracy} of one state at (N, K): clean, or the mean over a noise grid."""
    out = {}
    for s in seeds_of(acc, n, k):
        v = acc.get((n, k, s, state, "none", 0.0)) if noise == "none" else grid_mean(acc, n, k, s, state, noise)
        if v is not None:
            out[s] = v
    return out


def paired(a, b):
    """mean, lo, hi, per-seed list of a - b over the seeds both have."""
    seeds = sorted(set(a) & set(b))
    d = np.array([a[s] - b[s] for s in seeds])
    if d.size == 0:
        return None
    if d.size == 1:
        return d.mean(), np.nan, np.nan, d, seeds
    half = t975(d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return d.mean(), d.mean() - half, d.mean() + half, d, seeds


def fmt_pair(p):
    if p is None:
        return "n/a"
    m, lo, hi, _, seeds = p
    if np.isnan(lo):
        return "%+.3f (1 seed)" % m
    return "%+.3f [%+.3f, %+.3f]" % (m, lo, hi)


def fmt_ms(v):
    x = np.array(list(v.values()))
    if x.size == 0:
        return "n/a"
    return "%.3f +- %.3f" % (x.mean(), x.std(ddof=1) if x.size > 1 else 0.0)


def judge(p):
    if p is None or np.isnan(p[1]):
        return "too few seeds"
    return "holds" if p[1] > 0 else "opposite" if p[2] < 0 else "not shown"


def claim_cells(acc, thr, n, k):
    """[(claim, measured text, verdict, mean, lo, hi)] for one (N, K)."""
    seeds = seeds_of(acc, n, k)

    def at(state, noise="none"):
        return per_seed(acc, n, k, state, noise)

    def row(claim, p, text=None):
        if p is None:
            return (claim, "n/a", "not measured", np.nan, np.nan, np.nan)
        return (claim, text or fmt_pair(p), judge(p), p[0], p[1], p[2])

    trained, slept = at("trained"), at("slept")
    gain = paired(slept, trained)
    cells = [row("accuracy rises after sleep", gain,
                 None if gain is None else "%.3f -> %.3f, %s" % (np.mean(list(trained.values())),
                                                                  np.mean(list(slept.values())), fmt_pair(gain)))]
    for noise, claim in (("gaussian", "larger area under the Gaussian-noise curve"),
                         ("blur", "larger area under the blur curve")):
        cells.append(row(claim, paired(at("slept", noise), at("trained", noise))))
    theta_only = paired(at("trained_weights+slept_theta"), trained)
    weights_only = paired(at("slept_weights+trained_theta"), trained)
    if theta_only is None or gain is None:
        cells.append(row("the thresholds carry the gain (ablation)", None))
    else:
        # Holds when slept thresholds alone give at least half of sleep's gain and the interval of
        # (trained W + slept theta) - trained lies above 0.
        verdict = judge(theta_only)
        if verdict == "holds" and theta_only[0] < 0.5 * gain[0]:
            verdict = "not shown"
        cells.append(("the thresholds carry the gain (ablation)", "slept theta only %s; slept W only %s" %
                      (fmt_pair(theta_only), fmt_pair(weights_only)), verdict,
                      theta_only[0], theta_only[1], theta_only[2]))
    rows = [thr[(n, k, s)] for s in seeds if (n, k, s) in thr]
    if rows:
        rose = np.array([r["n_rose"] / n for r in rows])
        change = np.array([r["mean_theta_change_mV"] for r in rows])
        cells.append(("most thresholds rise", "%.0f %% rose (mean change %+.3f mV)" % (100 * rose.mean(), change.mean()),
                      "holds" if rose.mean() > 0.5 else "no", rose.mean(), rose.min(), rose.max()))
        best = np.array([r["theta_change_best_quartile_mV"] for r in rows])
        worst = np.array([r["theta_change_worst_quartile_mV"] for r in rows])
        r_ = np.array([r["pearson_r"] for r in rows])
        verdict = "holds" if best.mean() < 0 and best.mean() < worst.mean() else \
            "opposite" if best.mean() > worst.mean() else "no"
        cells.append(("well-formed fields lower their thresholds",
                      "best quarter %+.3f mV, worst %+.3f mV; r %+.2f" % (best.mean(), worst.mean(), np.nanmean(r_)),
                      verdict, best.mean(), np.nan, np.nan))
    else:
        cells += [row("most thresholds rise", None), row("well-formed fields lower their thresholds", None)]
    for c, claim in (("extra_wake", "sleep beats a second epoch (extra wake)"),
                     ("pruned", "sleep beats pruning")):
        cells.append(row(claim, paired(slept, at(c))))
    return cells


def print_claims(acc, thr, csv_path):
    cells = sorted({(n, k) for (n, k, *_rest) in acc})
    sizes = sorted({n for n, _ in cells})
    out = []
    print("## Against the paper's claims, per network size\n")
    for k in sorted({k for _, k in cells}):
        by_n = {n: claim_cells(acc, thr, n, k) for n in sizes if (n, k) in cells}
        ns = sorted(by_n)
        print("### K=%d\n" % k)
        print("| claim (Tadros et al.) | %s |" % " | ".join("N=%d" % n for n in ns))
        print("|---|%s" % ("---|" * len(ns)))
        for i, (claim, *_rest) in enumerate(by_n[ns[0]]):
            print("| %s | %s |" % (claim, " | ".join("%s: **%s**" % (by_n[n][i][1], by_n[n][i][2]) for n in ns)))
            for n in ns:
                c = by_n[n][i]
                out.append((n, k, c[0], c[2], c[3], c[4], c[5]))
        print()
    print("Rules: a paired claim holds when its 95 % interval over seeds lies above 0 (opposite: below); the "
          "ablation claim also needs the slept thresholds alone to give at least half of the gain; \"most "
          "thresholds rise\" holds when over half of the N neurons rose (mean over seeds; min..max in the CSV); "
          "\"well-formed fields\" holds when the quarter with the lowest rf variance lowered its thresholds on "
          "average and by more than the worst quarter, opposite when its mean change lay above the worst quarter's.\n")
    if csv_path:
        with open(csv_path, "w") as f:
            f.write("neurons,train_images,claim,verdict,value,lo,hi\n")
            for r in out:
                f.write("%d,%d,%s,%s,%.6f,%.6f,%.6f\n" % r)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("studies", nargs="+")
    ap.add_argument("--csv", default=None)
    ap.add_argument("--claims", action="store_true", help="the paper's claims per network size")
    ap.add_argument("--claims-csv", default=None, help="write the claims cells (implies --claims)")
    a = ap.parse_args(argv)
    try:
        acc = load(a.studies)
        thr = load_thresholds(a.studies)
    except InputError as e:
        figutil.fail(str(e))
    if not acc:
        figutil.fail("%s: no results yet" % ", ".join(a.studies))
    csv_rows = []
    cells = sorted({(n, k) for (n, k, *_rest) in acc})
    print("Paired differences over seeds: mean [95 % t-interval]; accuracy on the study's test images.\n")
    for n, k in cells:
        states = sorted({key[3] for key in acc if key[:2] == (n, k)})
        seeds = seeds_of(acc, n, k)

        def at(state, noise="none"):
            return per_seed(acc, n, k, state, noise)

        print("### N=%d, K=%d (%d seeds: %s)\n" % (n, k, len(seeds), ",".join(map(str, seeds))))
        compare = [c for c in CONTROLS if c in states]
        header = ["measure", "trained", "slept"] + compare + ["slept - trained"] + ["slept - %s" % c for c in compare]
        print("| %s |" % " | ".join(header))
        print("|%s" % ("---|" * len(header)))
        verdict = {}
        for noise, label in (("none", "clean"), ("gaussian", "Gaussian grid mean"), ("blur", "blur grid mean")):
            by = {st: at(st, noise) for st in ["trained", "slept"] + compare}
            if not by["trained"]:
                continue
            pairs = [paired(by["slept"], by["trained"])] + [paired(by["slept"], by[c]) for c in compare]
            cols = [label, fmt_ms(by["trained"]), fmt_ms(by["slept"])] + [fmt_ms(by[c]) for c in compare] + \
                [fmt_pair(p) for p in pairs]
            print("| %s |" % " | ".join(cols))
            for other, p in zip(["trained"] + compare, pairs):
                if p is None:
                    continue
                verdict[(noise, other)] = p
                for s, d in zip(p[4], p[3]):
                    csv_rows.append((n, k, noise, "slept-" + other, s, d))
        durations = sorted({float(m.group(1)) for st in states for m in [re.match(r"slept_t([0-9.eE+-]+)s$", st)] if m})
        if durations:
            base = at("trained", "none")
            parts = []
            for t in durations:
                st = "slept_t%ss" % ("%g" % t)
                p = paired(at(st, "none"), base)
                parts.append("%gs %s" % (t, fmt_pair(p)))
                if p is not None:
                    for s, d in zip(p[4], p[3]):
                        csv_rows.append((n, k, "none", "%s-trained" % st, s, d))
            print("\nsleep time, clean accuracy minus trained: %s" % "; ".join(parts))
        words = []
        for noise, label in (("none", "clean"), ("gaussian", "Gaussian"), ("blur", "blur")):
            p = verdict.get((noise, "trained"))
            if p is None or np.isnan(p[1]):
                continue
            words.append("%s %s" % (label, "helps" if p[1] > 0 else "hurts" if p[2] < 0 else "no clear effect"))
        for c in compare:
            p = verdict.get(("none", c))
            if p is not None and not np.isnan(p[1]):
                words.append("clean vs %s: %s" % (c, "sleep better" if p[1] > 0 else "sleep worse" if p[2] < 0
                                                  else "no clear difference"))
        print("\nverdict (95 %% intervals): %s\n" % ("; ".join(words) if words else "too few seeds"))
    if a.claims or a.claims_csv:
        print_claims(acc, thr, a.claims_csv)
    if a.csv:
        with open(a.csv, "w") as out:
            out.write("neurons,train_images,noise,difference,seed,value\n")
            for r in csv_rows:
                out.write("%d,%d,%s,%s,%d,%.6f\n" % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
