#!/usr/bin/python3
"""Figures of class-incremental learning from `snnsim experiment incremental --out STUDY.h5`.

Writes into --out DIR:
  accuracy_matrix_<readout>.png   per method, the task-by-task accuracy matrix (row: after task t,
                                  column: test images of task i), mean over seeds
  overall_accuracy.png            per method, accuracy on all test images after each task,
                                  mean +- sd over seeds, both readouts
  fields_<method>.png             receptive fields after each task (sequential and sleep, one
                                  seed: --seed, default the lowest)
and prints the summary table (final average accuracy, forgetting, backward transfer; mean +- sd
over seeds) for both readouts. Layout of the study file: docs/incremental.md.

Usage: /usr/bin/python3 analysis/incremental_figures.py STUDY.h5 --out DIR [--seed S] [--n-fields 100]
Exit status 2 on a missing or wrong input file or a missing group.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
from figutil import InputError, np, plt  # noqa: E402

READOUTS = ("relabelled", "kept")
NAMES = {"relabelled": "relabelled (held-out images of seen classes)", "kept": "kept labels"}


def attr_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def fig_matrices(res, methods, readout, out):
    acc = res["accuracy_" + readout][()]  # [method][seed][after][task]
    T = acc.shape[2]
    fig, axes = plt.subplots(1, len(methods), figsize=(3.3 * len(methods) + 0.8, 3.4), squeeze=False)
    im = None
    for mi, (ax, m) in enumerate(zip(axes[0], methods)):
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(acc[mi], axis=0) if not np.all(np.isnan(acc[mi])) else np.full((T, T), np.nan)
        im = ax.imshow(mean, vmin=0, vmax=1, cmap="viridis")
        for l in range(T):
            for i in range(T):
                if np.isfinite(mean[l, i]):
                    ax.text(i, l, "%.2f" % mean[l, i], ha="center", va="center", fontsize=7,
                            color="white" if mean[l, i] < 0.5 else "black")
        ax.set_title(m)
        ax.set_xticks(range(T), ["%d" % (i + 1) for i in range(T)])
        ax.set_yticks(range(T), ["%d" % (l + 1) for l in range(T)])
        ax.set_xlabel("test images of task")
        if mi == 0:
            ax.set_ylabel("after training task")
    fig.suptitle("accuracy per task, " + NAMES[readout] + " (mean over seeds)")
    fig.colorbar(im, ax=list(axes[0]), shrink=0.8)
    return figutil.save(fig, os.path.join(out, "accuracy_matrix_%s.png" % readout))


def fig_overall(res, methods, out):
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, ro in zip(axes, READOUTS):
        ov = res["overall_" + ro][()]  # [method][seed][after]
        T = ov.shape[2]
        x = np.arange(1, T + 1)
        for mi, m in enumerate(methods):
            v = ov[mi][~np.isnan(ov[mi]).any(axis=1)]
            if len(v) == 0:
                continue
            sd = v.std(axis=0, ddof=1) if len(v) > 1 else np.zeros(T)
            ax.errorbar(x, v.mean(axis=0), yerr=sd, marker="o", capsize=3, label="%s (%d seeds)" % (m, len(v)))
        ax.set_xticks(x)
        ax.set_xlabel("after task")
        ax.set_title(NAMES[ro])
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy, all test images")
    axes[1].legend(fontsize=8)
    return figutil.save(fig, os.path.join(out, "overall_accuracy.png"))


def fig_fields(f, path, method, seed, n_fields, out):
    name = "conditions/%s_seed%d" % (method, seed)
    g = figutil.require(f, name, path)
    T = len(g["task_end"][()])
    panels = []
    for t in range(1, T + 1):
        w = g["after_task%d/weight" % t][()]
        n = min(n_fields, w.shape[1])
        panels.append(("after task %d" % t, w[:, :n].T.reshape(n, 28, 28)))
    return figutil.plot_rf_grids(panels, "%s, seed %d: receptive fields of neurons 0-%d" % (method, seed, n - 1),
                                 os.path.join(out, "fields_%s.png" % method))


def summary(res, methods):
    lines = ["| method | readout | seeds | final average accuracy | average forgetting | backward transfer |",
             "|---|---|---|---|---|---|"]
    for ro in READOUTS:
        for mi, m in enumerate(methods):
            cols = []
            for q in ("average_accuracy", "forgetting", "bwt"):
                v = res["%s_%s" % (q, ro)][()][mi]
                v = v[~np.isnan(v)]
                cols.append(v)
            if len(cols[0]) == 0:
                continue
            sd = [c.std(ddof=1) if len(c) > 1 else 0.0 for c in cols]
            lines.append("| %s | %s | %d | %.3f +- %.3f | %.3f +- %.3f | %+.3f +- %.3f |"
                         % (m, ro, len(cols[0]), cols[0].mean(), sd[0], cols[1].mean(), sd[1], cols[2].mean(), sd[2]))
    # paired differences sleep - sequential over the seeds both finished
    if "sleep" in methods and "sequential" in methods:
        a, b = methods.index("sleep"), methods.index("sequential")
        lines.append("")
        lines.append("paired differences sleep - sequential (per seed; mean +- sd):")
        for ro in READOUTS:
            for q in ("average_accuracy", "forgetting", "bwt"):
                v = res["%s_%s" % (q, ro)][()]
                d = v[a] - v[b]
                d = d[~np.isnan(d)]
                if len(d) == 0:
                    continue
                sd = d.std(ddof=1) if len(d) > 1 else 0.0
                lines.append("  %-10s %-16s %s  ->  %+.3f +- %.3f" % (ro, q, " ".join("%+.3f" % x for x in d),
                                                                     d.mean(), sd))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Figures of class-incremental learning (PNG) from an "
                                             "`snnsim experiment incremental` study file.")
    ap.add_argument("study", help="study file (format snnsim-incremental)")
    ap.add_argument("--out", required=True, help="directory for the PNGs (created)")
    ap.add_argument("--seed", type=int, default=None, help="seed of the field grids (default: the lowest)")
    ap.add_argument("--n-fields", type=int, default=100, help="receptive fields per grid (default 100)")
    a = ap.parse_args(argv)
    try:
        f = figutil.open_h5(a.study, "snnsim-incremental")
        res = figutil.require(f, "results", a.study)
        methods = attr_str(res.attrs["methods"]).split(",")
        seeds = [int(s) for s in res.attrs["seeds"]]
        if np.all(np.isnan(res["accuracy_relabelled"][()])):
            raise InputError("%s: /results is empty (no condition finished yet)" % a.study)
        seed = a.seed if a.seed is not None else min(seeds)
        if seed not in seeds:
            raise InputError("%s: no seed %d (have: %s)" % (a.study, seed, ",".join(map(str, seeds))))
        os.makedirs(a.out, exist_ok=True)
        print("study %s: methods %s, seeds %s" % (a.study, ",".join(methods), ",".join(map(str, seeds))))
        for ro in READOUTS:
            fig_matrices(res, methods, ro, a.out)
        fig_overall(res, methods, a.out)
        for m in ("sequential", "sleep"):
            if "conditions/%s_seed%d" % (m, seed) in f:
                fig_fields(f, a.study, m, seed, a.n_fields, a.out)
        print(summary(res, methods))
    except InputError as e:
        figutil.fail(str(e))
    except KeyError as e:
        figutil.fail("%s: missing dataset or attribute (%s); is this a complete study file?" % (a.study, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
