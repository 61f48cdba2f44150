#!/usr/bin/python3
"""Figures of the sleep study from a study file written by `snnsim experiment sleep --out STUDY.h5`.

Writes into --out DIR:
  accuracy_by_training.png  clean test accuracy before/after sleep against training images
                            (mean over seeds, error bars = sd, thin markers = single seeds)
  noise_robustness.png      accuracy against Gaussian-noise variance and against blur sigma,
                            before/after, at one training amount (mean +- sd over seeds);
                            the areas under the curves are printed
  theta_change.png          histogram of per-neuron theta change during sleep, and theta change
                            against receptive-field variance (r and p from /threshold_analysis)
  receptive_fields.png      receptive fields before/after sleep of one condition
  sleep_raster.png          excitatory spike raster of the first --raster-s seconds of sleep,
                            with the population rate
  ablation.png              2x2 table: trained/slept weights x trained/slept thresholds,
                            clean accuracy, mean over seeds (also printed as text)
A study with network size as an axis (`--neurons 400,1600`) gets these figures once per size, in
DIR/n{N}/, and one more in DIR:
  accuracy_by_size.png      clean test accuracy before/after sleep against N, one panel per
                            training amount (mean +- sd over seeds)

Usage: /usr/bin/python3 analysis/plot_study.py STUDY.h5 --out DIR [--train-images K]
       [--condition seedS_trainK] [--raster-s 5] [--n-fields 100]
Exit status 2 on a missing or wrong input file or a missing group.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
from figutil import InputError, matplotlib, np, plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

BEFORE, AFTER = "trained", "slept"
ABL_WT = "trained_weights+slept_theta"   # trained weights, slept thresholds
ABL_SW = "slept_weights+trained_theta"   # slept weights, trained thresholds
COLORS = {BEFORE: "tab:blue", AFTER: "tab:orange"}
NAMES = {BEFORE: "before sleep (trained)", AFTER: "after sleep (slept)"}


def rows(res, **where):
    m = np.ones(len(res["accuracy"]), dtype=bool)
    for k, v in where.items():
        col = res[k]
        if isinstance(v, float):
            m &= np.isclose(col.astype(float), v)
        else:
            m &= col == v
    return m


def per_seed(res, mask):
    """accuracy (in %) per seed for the rows in mask (one row per seed expected)."""
    return 100.0 * res["accuracy"][mask]


def mean_sd(a):
    """mean and sd (n-1; 0 for one value) of a non-empty array."""
    return a.mean(), (a.std(ddof=1) if a.size > 1 else 0.0)


def fig_by_training(res, out):
    amounts = np.unique(res["train_images"])
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for j, st in enumerate((BEFORE, AFTER)):
        means, sds, xs = [], [], []
        for k in amounts:
            a = per_seed(res, rows(res, train_images=k, state=st, noise_type="none"))
            if a.size == 0:
                continue
            xs.append(k)
            m, sd = mean_sd(a)
            means.append(m)
            sds.append(sd)
            ax.plot(np.full(a.size, k) * (1.0 + 0.03 * (j - 0.5)), a, ".", color=COLORS[st], alpha=0.35, ms=5)
        if xs:
            ax.errorbar(xs, means, yerr=sds, marker="o", capsize=3, color=COLORS[st], label=NAMES[st])
    nseeds = len(np.unique(res["seed"]))
    ax.set_xscale("log")
    ax.set_xticks(amounts)
    ax.set_xticklabels([str(int(k)) for k in amounts])
    ax.minorticks_off()
    ax.set_xlabel("training images")
    ax.set_ylabel("clean test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.axhline(10, color="grey", lw=0.8, ls=":", label="chance (10 %)")
    ax.set_title("Accuracy before and after sleep (mean \u00b1 sd over %d seeds)" % nseeds)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return figutil.save(fig, os.path.join(out, "accuracy_by_training.png"))


def curve(res, k, st, noise):
    """levels (incl. the clean point at 0), mean and sd over seeds, in %."""
    levels = [0.0]
    mask = rows(res, train_images=k, state=st, noise_type="none")
    vals = [per_seed(res, mask)]
    nm = rows(res, train_images=k, state=st, noise_type=noise)
    for lv in np.unique(res["noise_level"][nm]):
        levels.append(float(lv))
        vals.append(per_seed(res, nm & np.isclose(res["noise_level"], lv)))
    keep = [i for i, v in enumerate(vals) if v.size]
    lv = np.array([levels[i] for i in keep])
    mean = np.array([vals[i].mean() for i in keep])
    sd = np.array([vals[i].std(ddof=1) if vals[i].size > 1 else 0.0 for i in keep])
    return lv, mean, sd


def fig_noise(res, k, out):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.3))
    print("area under the accuracy curve (trapezoid over the levels incl. the clean point at 0; "
          "accuracy as a fraction x level units), %d training images:" % k)
    for ax, noise, xlabel in ((axes[0], "gaussian", "Gaussian noise variance (images in [0,1])"),
                              (axes[1], "blur", "Gaussian blur sigma (pixels)")):
        any_points = False
        for st in (BEFORE, AFTER):
            lv, mean, sd = curve(res, k, st, noise)
            if lv.size == 0:
                continue
            any_points = any_points or lv.size > 1
            ax.errorbar(lv, mean, yerr=sd, marker="o", capsize=3, color=COLORS[st], label=NAMES[st])
            auc = np.trapz(mean / 100.0, lv) if lv.size > 1 else float("nan")
            span = lv[-1] - lv[0] if lv.size > 1 else float("nan")
            print("  %-8s %-24s AUC = %.4f over [%g, %g] (normalised by the range: mean accuracy %.2f %%)"
                  % (noise, NAMES[st], auc, lv[0], lv[-1], 100.0 * auc / span if span else float("nan")))
        if not any_points:
            ax.text(0.5, 0.5, "no %s evaluations in this file" % noise, transform=ax.transAxes, ha="center")
        ax.set_xlabel(xlabel)
        pos = np.unique(res["noise_level"][(res["noise_type"] == noise) & (res["noise_level"] > 0)])
        if pos.size > 1 and pos[-1] / pos[0] > 100:  # a log-spaced grid (the default Gaussian one)
            ax.set_xscale("symlog", linthresh=pos[0])
        ax.set_ylabel("test accuracy (%)")
        ax.set_ylim(0, 100)
        ax.axhline(10, color="grey", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_title("Gaussian noise")
    axes[1].set_title("Blur")
    nseeds = len(np.unique(res["seed"][res["train_images"] == k]))
    fig.suptitle("Robustness, %d training images (mean \u00b1 sd over %d seeds; level 0 = clean)" % (k, nseeds))
    return figutil.save(fig, os.path.join(out, "noise_robustness.png"))


def subset(table, mask):
    return {c: v[mask] for c, v in table.items()}


def fig_by_size(res, out):
    amounts = np.unique(res["train_images"])
    sizes = np.unique(res["neurons"])
    fig, axes = plt.subplots(1, len(amounts), figsize=(4.2 * len(amounts), 4.0), squeeze=False)
    for ax, k in zip(axes[0], amounts):
        for j, st in enumerate((BEFORE, AFTER)):
            xs, means, sds = [], [], []
            for n in sizes:
                a = per_seed(res, rows(res, neurons=n, train_images=k, state=st, noise_type="none"))
                if len(a):
                    xs.append(n), means.append(a.mean()), sds.append(a.std())
            ax.errorbar(np.array(xs) * (1 + 0.03 * (2 * j - 1)), means, yerr=sds, marker="o", capsize=3,
                        color=COLORS[st], label=NAMES[st])
        ax.set_xscale("log")
        ax.set_xlabel("excitatory neurons N")
        ax.set_title("%d training images" % k)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("clean test accuracy (%)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("Accuracy before and after sleep against network size (mean \u00b1 sd over seeds)")
    return figutil.save(fig, os.path.join(out, "accuracy_by_size.png"))


def conditions_for(f, path, k, condition, n=None):
    conds = figutil.require(f, "conditions", path)
    if condition:
        if condition not in conds:
            raise InputError("%s: no condition /conditions/%s (have: %s)" % (path, condition, ", ".join(conds.keys())))
        return [condition]
    names = [c for c in conds if int(conds[c].attrs.get("train_images", -1)) == k
             and (n is None or int(conds[c].attrs.get("neurons", -1)) == n)
             and int(conds[c].attrs.get("complete", 1))]
    if not names:
        raise InputError("%s: no complete condition with train_images=%d under /conditions" % (path, k))
    return sorted(names, key=lambda c: int(conds[c].attrs["seed"]))


def fig_theta(f, path, names, ta, out):
    conds = f["conditions"]
    dth = np.concatenate([conds[n]["theta_change_mV"][()] for n in names])
    var = np.concatenate([conds[n]["rf_variance"][()] for n in names])
    fig, axes = plt.subplots(1, 2, figsize=(11.5, 4.5))
    ax = axes[0]
    ax.hist(dth, bins=min(40, max(10, dth.size // 5)), color="tab:purple", alpha=0.8)
    ax.axvline(0, color="k", lw=0.8)
    rose, fell = int((dth > 0).sum()), int((dth < 0).sum())
    ax.set_xlabel("theta change during sleep (mV)")
    ax.set_ylabel("neurons")
    ax.set_title("Theta change: %d rose, %d fell of %d neurons" % (rose, fell, dth.size))
    ax.grid(alpha=0.3)

    ax = axes[1]
    for n in names:
        ax.plot(conds[n]["rf_variance"][()], conds[n]["theta_change_mV"][()], ".", alpha=0.6,
                label="seed %d" % int(conds[n].attrs["seed"]))
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xlabel("receptive-field variance (mean 3x3-neighbourhood\nvariance of the trained weights; low = smooth)")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%.2g"))
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel("theta change during sleep (mV)")
    lines = []
    for n in names:
        s, k = int(conds[n].attrs["seed"]), int(conds[n].attrs["train_images"])
        m = (ta["seed"] == s) & (ta["train_images"] == k)
        if m.any():
            i = np.flatnonzero(m)[0]
            lines.append("seed %d: Pearson r=%.2f (p=%.2g), Spearman r=%.2f (p=%.2g)"
                         % (s, ta["pearson_r"][i], ta["pearson_p"][i], ta["spearman_r"][i], ta["spearman_p"][i]))
    ax.set_title("\n".join(lines) if lines else "no /threshold_analysis rows for these conditions", fontsize=8)
    ax.grid(alpha=0.3)
    if len(names) <= 10:
        ax.legend(fontsize=7)
    k = int(conds[names[0]].attrs["train_images"])
    fig.suptitle("Thresholds during sleep (%s, %d training images)"
                 % (names[0] if len(names) == 1 else "%d seeds" % len(names), k), y=1.04)
    return figutil.save(fig, os.path.join(out, "theta_change.png"))


def fig_rf(f, name, n_fields, out):
    g = f["conditions"][name]
    panels = []
    for st in (BEFORE, AFTER):
        w = g[st]["weight"][()]  # [784, N]
        n = min(n_fields, w.shape[1])
        panels.append(("%s: neurons 0-%d" % (NAMES[st], n - 1), w[:, :n].T.reshape(n, 28, 28)))
    return figutil.plot_rf_grids(panels, "Receptive fields, %s" % name, os.path.join(out, "receptive_fields.png"))


def fig_raster(f, name, raster_s, out):
    g = f["conditions"][name]
    if "sleep/spikes/exc/timestamps" not in g:
        raise InputError("condition %s has no sleep/spikes/exc" % name)
    t = g["sleep/spikes/exc/timestamps"][()]
    ids = g["sleep/spikes/exc/node_ids"][()]
    n_exc = g[BEFORE]["theta_mV"].shape[0]
    sel = t < raster_s * 1000.0
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot(t[sel] / 1000.0, ids[sel], "|", color="k", ms=max(1.5, min(8.0, 250.0 / n_exc)), mew=0.7)
    ax.set_ylim(-0.5, n_exc - 0.5)
    ax.set_ylabel("excitatory neuron")
    ax.set_title("Sleep spikes, %s: first %g s (%d spikes in the window, %d in all)"
                 % (name, raster_s, int(sel.sum()), t.size))
    if "sleep/exc_rate_Hz" in g:
        rate = g["sleep/exc_rate_Hz"][()]
        tb = (np.arange(rate.size) + 0.5) * 0.1  # 100 ms bins
        m = tb < raster_s
        ax2.step(tb[m], rate[m], where="mid", color="tab:red")
        ax2.set_ylabel("mean exc rate (Hz)")
    ax2.set_xlabel("sleep time (s)")
    ax2.set_xlim(0, raster_s)
    ax2.grid(alpha=0.3)
    return figutil.save(fig, os.path.join(out, "sleep_raster.png"))


def fig_durations(f, res, out):
    """Clean accuracy against simulated sleep time (study run with --durations): 0 s is the
    trained state, the part-way states are slept_t{D}s, the last point the end of the sleep."""
    if "sleep_durations_s" not in f.attrs:
        return None
    times = [float(t) for t in f.attrs["sleep_durations_s"]]
    states = ["slept_t%ss" % ("%g" % t) for t in times[:-1]] + [AFTER]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    print("clean test accuracy (%) against sleep time, mean +- sd over seeds:")
    for k in np.unique(res["train_images"]):
        xs, means, sds = [], [], []
        base = rows(res, train_images=k, state=BEFORE, noise_type="none")
        for t, st in zip([0.0] + times, [BEFORE] + states):
            a = per_seed(res, rows(res, train_images=k, state=st, noise_type="none"))
            if a.size == 0:
                continue
            xs.append(t)
            m, sd = mean_sd(a)
            means.append(m)
            sds.append(sd)
        if not xs:
            continue
        ax.errorbar(xs, means, yerr=sds, marker="o", capsize=3, label="K = %d" % k)
        print("  K=%d: %s (n=%d seeds)" % (k, "  ".join("%gs %.1f+-%.1f" % v for v in zip(xs, means, sds)),
                                           int(base.sum())))
    ax.set_xscale("symlog", linthresh=max(min(times), 1e-3))
    ax.set_xlabel("simulated sleep time (s); 0 = before sleep")
    ax.set_ylabel("clean test accuracy (%)")
    ax.set_title("Accuracy against sleep time (one sleep, states part-way)")
    ax.grid(alpha=0.3)
    ax.legend()
    return figutil.save(fig, os.path.join(out, "sleep_duration.png"))


def fig_ablation(res, k, out):
    clean = rows(res, noise_type="none") & (res["train_images"] == k)
    cells = {("trained", "trained"): BEFORE, ("trained", "slept"): ABL_WT,
             ("slept", "trained"): ABL_SW, ("slept", "slept"): AFTER}
    mean = np.full((2, 2), np.nan)
    sd = np.full((2, 2), np.nan)
    nn = np.zeros((2, 2), dtype=int)
    for i, wst in enumerate(("trained", "slept")):
        for j, tst in enumerate(("trained", "slept")):
            a = per_seed(res, clean & (res["state"] == cells[(wst, tst)]))
            nn[i, j] = a.size
            if a.size:
                mean[i, j] = a.mean()
                sd[i, j] = a.std(ddof=1) if a.size > 1 else 0.0
    print("ablation, clean test accuracy (%%), %d training images, mean +- sd over seeds:" % k)
    print("  %-16s %-22s %-22s" % ("", "trained thresholds", "slept thresholds"))
    for i, wst in enumerate(("trained", "slept")):
        print("  %-16s %-22s %-22s" % (wst + " weights",
                                       *["%.1f +- %.1f (n=%d)" % (mean[i, j], sd[i, j], nn[i, j]) for j in range(2)]))
    fig, ax = plt.subplots(figsize=(5.6, 4.6))
    im = ax.imshow(mean, cmap="viridis", vmin=0, vmax=100)
    for i in range(2):
        for j in range(2):
            txt = "n/a" if np.isnan(mean[i, j]) else "%.1f %%\n\u00b1 %.1f (n=%d)" % (mean[i, j], sd[i, j], nn[i, j])
            ax.text(j, i, txt, ha="center", va="center", color="w" if np.nan_to_num(mean[i, j]) < 60 else "k",
                    fontsize=11)
    ax.set_xticks([0, 1])
    ax.set_xticklabels(["trained thresholds", "slept thresholds"])
    ax.set_yticks([0, 1])
    ax.set_yticklabels(["trained weights", "slept weights"])
    ax.set_title("Ablation: clean accuracy, %d training images\n(mean \u00b1 sd over seeds)" % k)
    fig.colorbar(im, ax=ax, label="test accuracy (%)")
    return figutil.save(fig, os.path.join(out, "ablation.png"))


def figures(a, f, res, ta, out, n):
    amounts = np.unique(res["train_images"])
    if a.condition:
        g = figutil.require(f, "conditions/" + a.condition, a.study)
        k = int(g.attrs["train_images"])
    elif a.train_images is not None:
        k = a.train_images
        if k not in amounts:
            raise InputError("%s: no results for --train-images %d (have: %s)"
                             % (a.study, k, ", ".join(str(int(x)) for x in amounts)))
    else:
        k = int(amounts[np.argmin(np.abs(np.log(amounts.astype(float)) - np.log(1000.0)))])
    os.makedirs(out, exist_ok=True)
    print("study %s%s: %d result rows, training amounts %s, seeds %s; figures at %d training images"
          % (a.study, "" if n is None else " N=%d" % n, len(res["accuracy"]), ",".join(str(int(x)) for x in amounts),
             ",".join(str(int(x)) for x in np.unique(res["seed"])), k))
    fig_by_training(res, out)
    fig_noise(res, k, out)
    names = conditions_for(f, a.study, k, a.condition if n is None or not a.condition or
                           int(f["conditions/" + a.condition].attrs.get("neurons", n)) == n else None, n)
    fig_theta(f, a.study, names, ta, out)
    fig_rf(f, names[0], a.n_fields, out)
    fig_raster(f, names[0], a.raster_s, out)
    fig_ablation(res, k, out)
    fig_durations(f, res, out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Figures of the sleep study (PNG) from an `snnsim experiment sleep` "
                                             "study file.")
    ap.add_argument("study", help="study file (format snnsim-sleep-study)")
    ap.add_argument("--out", required=True, help="directory for the PNGs (created)")
    ap.add_argument("--train-images", type=int, default=None,
                    help="training amount for the noise, theta, ablation, field and raster figures "
                         "(default: the one closest to 1000)")
    ap.add_argument("--condition", default=None,
                    help="condition for the field and raster figures and the theta figure, e.g. seed1_train1000 "
                         "(default: theta over all seeds at --train-images, fields/raster of its lowest seed)")
    ap.add_argument("--raster-s", type=float, default=5.0, help="seconds of sleep in the raster (default 5)")
    ap.add_argument("--n-fields", type=int, default=100, help="receptive fields per grid (default 100)")
    a = ap.parse_args(argv)
    try:
        f = figutil.open_h5(a.study, "snnsim-sleep-study")
        res = figutil.read_table(figutil.require(f, "results", a.study))
        for col in ("seed", "train_images", "state", "noise_type", "noise_level", "accuracy"):
            if col not in res:
                raise InputError("%s: /results has no column %s" % (a.study, col))
        if len(res["accuracy"]) == 0:
            raise InputError("%s: /results is empty (no condition finished yet)" % a.study)
        ta = figutil.read_table(figutil.require(f, "threshold_analysis", a.study))
        sizes = [int(n) for n in np.unique(res["neurons"])] if "neurons" in res else [None]
        if len(sizes) > 1:
            os.makedirs(a.out, exist_ok=True)
            fig_by_size(res, a.out)
        for n in sizes:
            if n is None:
                figures(a, f, res, ta, a.out, None)
            else:  # one size of a study with network size as an axis
                figures(a, f, subset(res, res["neurons"] == n), subset(ta, ta["neurons"] == n),
                        a.out if len(sizes) == 1 else os.path.join(a.out, "n%d" % n), n)
    except InputError as e:
        figutil.fail(str(e))
    except KeyError as e:
        figutil.fail("%s: missing dataset or attribute (%s); is this a complete study file?" % (a.study, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
