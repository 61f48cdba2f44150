#!/usr/bin/python3
"""Figures from one run file (`snnsim train/sleep/eval --out/--run RUN.h5`), whatever it holds.

Writes into --out DIR (each only when the data is present):
  run_receptive_fields.png  receptive-field grid of every network state (init, trained, slept, ...)
  run_theta.png             histogram of the adaptive threshold theta per state
  run_train_log.png         training log: running accuracy and exc spikes per sample
  run_sleep_<state>.png     per sleep phase: population rate, theta change per neuron, and a spike
                            raster of the first --raster-s seconds when the SONATA spike file exists
  run_eval.png              eval results: accuracy per state and noise level

Usage: /usr/bin/python3 analysis/plot_run.py RUN.h5 --out DIR [--n-fields 100] [--raster-s 5]
Exit status 2 on a missing or wrong input file or a missing /network group.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figutil  # noqa: E402
from figutil import InputError, h5py, np, plt  # noqa: E402

STATE_ORDER = ["init", "trained", "slept"]


def ordered_states(names):
    return sorted(names, key=lambda s: (STATE_ORDER.index(s) if s in STATE_ORDER else len(STATE_ORDER), s))


def fig_fields(net, states, n_fields, out):
    panels = []
    for st in states:
        g = net[st]
        if "receptive_fields" in g:
            rfs = g["receptive_fields"][()]
        else:
            w = g["edges/input_to_exc/weight"][()]
            rfs = w.T.reshape(w.shape[1], 28, 28)
        n = min(n_fields, rfs.shape[0])
        panels.append(("%s: neurons 0-%d" % (st, n - 1), rfs[:n]))
    return figutil.plot_rf_grids(panels, "Receptive fields per state", os.path.join(out, "run_receptive_fields.png"))


def fig_theta(net, states, out):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    data = [(st, net[st]["nodes/exc/theta_mV"][()]) for st in states if "nodes/exc/theta_mV" in net[st]]
    if not data:
        plt.close(fig)
        return None
    lo = min(float(d.min()) for _, d in data)
    hi = max(float(d.max()) for _, d in data)
    bins = np.linspace(lo, hi if hi > lo else lo + 1.0, 31)
    for st, d in data:
        ax.hist(d, bins=bins, histtype="step", lw=1.6, label="%s (mean %.2f mV)" % (st, d.mean()))
    ax.set_xlabel("adaptive threshold theta (mV)")
    ax.set_ylabel("excitatory neurons")
    ax.set_title("Theta per state")
    ax.grid(alpha=0.3)
    ax.legend()
    return figutil.save(fig, os.path.join(out, "run_theta.png"))


def fig_train_log(log, out):
    n = len(log["exc_spikes"])
    x = np.arange(n)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
    if "running_accuracy" in log:
        a1.plot(x, 100.0 * log["running_accuracy"], color="tab:green")
    a1.set_ylabel("running accuracy (%)")
    a1.set_ylim(0, 100)
    a1.set_title("Training log (%d samples)" % n)
    a1.grid(alpha=0.3)
    a2.plot(x, log["exc_spikes"], ".", ms=2, color="k", alpha=0.5, label="per sample")
    if n >= 20:
        k = max(5, n // 50)
        a2.plot(x[k - 1:], np.convolve(log["exc_spikes"].astype(float), np.ones(k) / k, mode="valid"),
                color="tab:red", label="moving mean (%d)" % k)
    a2.set_ylabel("exc spikes per sample")
    a2.set_xlabel("training sample")
    a2.grid(alpha=0.3)
    a2.legend(fontsize=8)
    return figutil.save(fig, os.path.join(out, "run_train_log.png"))


def load_sonata(path, population="exc"):
    try:
        with h5py.File(path, "r") as s:
            g = s["spikes/" + population]
            return g["timestamps"][()], g["node_ids"][()]
    except (OSError, KeyError):
        return None


def fig_sleep(run_path, f, st, raster_s, out):
    g = f["sleep"][st]
    spikes = None
    sf = g.attrs.get("spikes_file", "")
    if isinstance(sf, bytes):
        sf = sf.decode()
    if sf:
        spikes = load_sonata(os.path.join(os.path.dirname(os.path.abspath(run_path)), sf))
    n_panels = 3 if spikes is not None else 2
    fig, axes = plt.subplots(n_panels, 1, figsize=(9, 2.6 * n_panels + 0.6))
    ax = axes[0]
    if "exc_rate_Hz" in g:
        rate = g["exc_rate_Hz"][()]
        tb = (np.arange(rate.size) + 0.5) * 0.1  # 100 ms bins
        ax.step(tb, rate, where="mid", color="tab:red")
    ax.set_xlabel("sleep time (s)")
    ax.set_ylabel("mean exc rate (Hz)")
    ax.grid(alpha=0.3)
    ax.set_title("Sleep %s (from %s, %s s)" % (st, g.attrs.get("from_state", "?"), g.attrs.get("duration_s", "?")))
    ax = axes[1]
    if "theta_change_mV" in g:
        d = g["theta_change_mV"][()]
        ax.bar(np.arange(d.size), d, color=np.where(d >= 0, "tab:orange", "tab:blue"), width=1.0)
        ax.set_title("theta change: %d rose, %d fell of %d" % ((d > 0).sum(), (d < 0).sum(), d.size))
    ax.set_xlabel("excitatory neuron")
    ax.set_ylabel("theta change (mV)")
    ax.grid(alpha=0.3)
    if spikes is not None:
        t, ids = spikes
        sel = t < raster_s * 1000.0
        n_exc = int(g["theta_change_mV"].shape[0]) if "theta_change_mV" in g else int(ids.max(initial=0)) + 1
        ax = axes[2]
        ax.plot(t[sel] / 1000.0, ids[sel], "|", color="k", ms=max(1.5, min(8.0, 250.0 / max(n_exc, 1))), mew=0.7)
        try:
            ax.set_xlim(0, min(raster_s, float(g.attrs["duration_s"])))
        except (KeyError, TypeError, ValueError):
            ax.set_xlim(0, raster_s)
        ax.set_ylim(-0.5, n_exc - 0.5)
        ax.set_xlabel("sleep time (s)")
        ax.set_ylabel("exc neuron")
        ax.set_title("spike raster, first %g s (%d spikes; %s)" % (raster_s, int(sel.sum()), sf))
    fig.tight_layout()
    return figutil.save(fig, os.path.join(out, "run_sleep_%s.png" % st))


def fig_eval(res, out):
    states = ordered_states(list(dict.fromkeys(res["state"])))
    noises = list(dict.fromkeys(res["noise_type"]))
    fig, axes = plt.subplots(1, len(noises), figsize=(4.6 * len(noises) + 0.8, 4.2), squeeze=False)
    print("eval results:")
    for ax, nz in zip(axes[0], noises):
        for st in states:
            m = (res["state"] == st) & (res["noise_type"] == nz)
            if not m.any():
                continue
            lv = res["noise_level"][m]
            acc = 100.0 * res["accuracy"][m]
            order = np.argsort(lv, kind="stable")
            for l_, a_, n_ in zip(lv[order], acc[order], res["n_samples"][m][order]):
                print("  %-10s %-10s level %-6g accuracy %6.2f %% (%d images)" % (st, nz, l_, a_, n_))
            if nz == "none":
                ax.bar(states.index(st), acc[order][-1], color="C%d" % states.index(st))
            else:
                ax.plot(lv[order], acc[order], "o-", color="C%d" % states.index(st), label=st)
        if nz == "none":
            ax.set_xticks(range(len(states)))
            ax.set_xticklabels(states)
            ax.set_title("clean test set")
        else:
            ax.set_xlabel("%s level%s" % (nz, " (variance)" if nz == "gaussian" else " (sigma, pixels)"
                                          if nz == "blur" else ""))
            ax.set_title("%s noise" % nz)
            ax.legend()
        ax.set_ylabel("test accuracy (%)")
        ax.set_ylim(0, 100)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle("Evaluation results")
    fig.tight_layout()
    return figutil.save(fig, os.path.join(out, "run_eval.png"))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Figures (PNG) from one snnsim run file: receptive fields and theta "
                                             "per state, training log, sleep phases, eval results.")
    ap.add_argument("run", help="run file (format snnsim-run)")
    ap.add_argument("--out", required=True, help="directory for the PNGs (created)")
    ap.add_argument("--n-fields", type=int, default=100, help="receptive fields per grid (default 100)")
    ap.add_argument("--raster-s", type=float, default=5.0, help="seconds of sleep in the raster (default 5)")
    a = ap.parse_args(argv)
    try:
        f = figutil.open_h5(a.run, "snnsim-run")
        net = figutil.require(f, "network", a.run)
        states = ordered_states(list(net.keys()))
        if not states:
            raise InputError("%s: /network holds no state" % a.run)
        os.makedirs(a.out, exist_ok=True)
        print("run %s: states %s" % (a.run, ", ".join(states)))
        fig_fields(net, states, a.n_fields, a.out)
        fig_theta(net, states, a.out)
        if "train/log" in f and len(f["train/log"].get("exc_spikes", [])):
            fig_train_log(figutil.read_table(f["train/log"]), a.out)
        if "sleep" in f:
            for st in f["sleep"]:
                fig_sleep(a.run, f, st, a.raster_s, a.out)
        if "eval/results" in f and len(f["eval/results"].get("accuracy", [])):
            fig_eval(figutil.read_table(f["eval/results"]), a.out)
    except InputError as e:
        figutil.fail(str(e))
    except KeyError as e:
        figutil.fail("%s: missing dataset or attribute (%s)" % (a.run, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
