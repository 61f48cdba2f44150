"""Shared helpers for the snnsim figure scripts (plot_study.py, plot_run.py).

Run the scripts with Debian's interpreter, /usr/bin/python3 (python3-h5py, python3-numpy,
python3-matplotlib). Figures are written with the non-interactive Agg backend.
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

try:
    import h5py
except ImportError:  # pragma: no cover - depends on the interpreter
    sys.stderr.write("error: h5py is not importable; run with /usr/bin/python3 (Debian's python3-h5py)\n")
    sys.exit(2)


class InputError(Exception):
    """A wrong or missing input file or group: reported as 'error: ...' with exit status 2."""


def fail(msg):
    sys.stderr.write("error: %s\n" % msg)
    sys.exit(2)


def open_h5(path, expected_format):
    """Opens `path` read-only; checks its root attribute `format` unless expected_format is None
    (files of other schemas, such as SONATA spike files)."""
    if not os.path.exists(path):
        raise InputError("%s: no such file" % path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError("%s: not a readable HDF5 file (%s)" % (path, e))
    if expected_format is None:
        return f
    fmt = f.attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode()
    if fmt != expected_format:
        f.close()
        raise InputError("%s: root attribute format is %r, expected %r" % (path, fmt, expected_format))
    return f


def require(f, name, path):
    if name not in f:
        raise InputError("%s: missing group or dataset /%s" % (path, name))
    return f[name]


def read_table(group):
    """A struct-of-arrays group -> dict of numpy columns (strings decoded to str)."""
    out = {}
    for k, ds in group.items():
        if not isinstance(ds, h5py.Dataset):
            continue
        if ds.dtype.kind == "O" or h5py.check_string_dtype(ds.dtype) is not None:
            out[k] = np.array(ds.asstr()[()], dtype=object)
        else:
            out[k] = ds[()]
    return out


def rf_grid(rfs, ncols=10):
    """rfs: [n, 28, 28] -> one image with a 1-pixel gap between fields (NaN gaps)."""
    n = rfs.shape[0]
    ncols = min(ncols, max(n, 1))
    nrows = int(np.ceil(n / ncols))
    h, w = rfs.shape[1], rfs.shape[2]
    img = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan)
    for i in range(n):
        r, c = divmod(i, ncols)
        img[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = rfs[i]
    return img


def plot_rf_grids(panels, title, path):
    """panels: list of (subtitle, rfs[n,28,28]). One shared colour scale (weight)."""
    vmax = max(float(np.nanmax(r)) if r.size else 0.0 for _, r in panels) or 1.0
    n = max(r.shape[0] for _, r in panels)
    ncols = min(10, max(n, 1))
    aspect = np.ceil(n / ncols) / ncols  # grid height / width
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + 1.0, 5.2 * aspect + 1.0), squeeze=False)
    im = None
    for ax, (sub, rfs) in zip(axes[0], panels):
        cmap = plt.get_cmap("hot_r").copy()
        cmap.set_bad("white")
        im = ax.imshow(rf_grid(rfs), cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
        ax.set_title(sub)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    fig.colorbar(im, ax=list(axes[0]), shrink=0.9, label="input->exc weight")
    return save(fig, path)


def save(fig, path):
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print("wrote %s" % path)
    return path
