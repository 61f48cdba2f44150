#!/usr/bin/env python3
"""Train, sleep, evaluate under noise, and draw the before/after figure (docs/python.md).
usage: /usr/bin/python3 examples/sleep_study.py [OUT.png] [--data DIR] [--neurons N] [--images K] [--test M]"""
import argparse
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import snnsim

a = argparse.ArgumentParser(description=__doc__)
a.add_argument("out", nargs="?", default="sleep_study.png")
a.add_argument("--data", default="data/mnist")
a.add_argument("--neurons", type=int, default=100)
a.add_argument("--images", type=int, default=1000)
a.add_argument("--test", type=int, default=1000)
args = a.parse_args()

X, y = snnsim.load_idx(args.data, max_count=args.images)
Xt, yt = snnsim.load_idx(args.data, "test", max_count=args.test)
net = snnsim.Network(neurons=args.neurons, seed=1)
net.train(X, y, progress=lambda done, total: print(f"\rtrain {done}/{total}", end="", flush=True))
net.label(X, y)
levels = [0.0, 0.01, 0.03, 0.1, 0.3]
curve = lambda: [net.evaluate(Xt, yt, noise="gaussian", level=v)["accuracy"] for v in levels]
rf_before, before = net.receptive_fields(), curve()
stats = net.sleep(duration_s=10)  # relabels from the images of label()
after = curve()
print(f"\nsleep: {stats['exc_spikes']} exc spikes; accuracy before {before}, after {after}")

fig, ax = plt.subplots(1, 3, figsize=(12, 3.6))
ax[0].plot(levels, before, "o-", label="before sleep")
ax[0].plot(levels, after, "s-", label="after sleep")
ax[0].set_xscale("symlog", linthresh=0.01)
ax[0].set(xlabel="Gaussian noise variance", ylabel="test accuracy")
ax[0].legend()
for i, (rf, title) in enumerate([(rf_before, "receptive fields before"), (net.receptive_fields(), "after")]):
    ax[i + 1].imshow(rf[:16].reshape(4, 4, 28, 28).transpose(0, 2, 1, 3).reshape(112, 112), cmap="hot")
    ax[i + 1].set(title=title, xticks=[], yticks=[])
fig.tight_layout()
fig.savefig(args.out, dpi=120)
print("wrote", args.out)
