"""Small helpers to read airtp result files (HDF5) from the analysis scripts."""
import h5py
import numpy as np


def text_attr(obj, key, default=""):
    """A string attribute, decoded (h5py returns bytes for fixed-length strings)."""
    v = obj.attrs.get(key, default)
    return v.decode() if isinstance(v, bytes) else str(v)


def describe(f):
    """One line naming what made the file: kind, seed, backend, code version."""
    return (f"{text_attr(f, 'airtp_kind')} | seed {f.attrs.get('seed', '?')} | "
            f"{text_attr(f, 'backend')} | {text_attr(f, 'code_version')}")


def open_result(path, kind=None):
    f = h5py.File(path, "r")
    found = text_attr(f, "airtp_kind")
    if kind is not None and found != kind:
        f.close()
        raise SystemExit(f"{path}: not an 'airtp {kind}' result (airtp_kind = '{found}')")
    return f


def valid(ds):
    """Boolean array: True where dataset `ds` is defined. airtp never writes NaN/Inf; undefined
    entries (infeasible points, all-outage means, ...) are written as 0 and flagged 0 in the
    int mask the attribute `masked_by` names (a path from the file root)."""
    m = ds.attrs.get("masked_by")
    if m is None:
        return np.isfinite(np.asarray(ds[()], dtype=float))  # no mask: older files used NaN/Inf
    m = m.decode() if isinstance(m, bytes) else str(m)
    f = ds.file
    if m not in f:
        raise KeyError(f"{f.filename}: {ds.name} is masked_by '{m}', which the file lacks")
    mask = np.asarray(f[m][()])
    if mask.shape != ds.shape:
        raise KeyError(f"{f.filename}: mask '{m}' has shape {mask.shape}, {ds.name} has {ds.shape}")
    return mask != 0


def masked(ds):
    """Dataset `ds` as a float array with NaN where it is undefined (see valid): matplotlib
    leaves gaps there, numpy's nan* reductions skip them."""
    v = np.array(ds[()], dtype=float)
    v[~valid(ds)] = np.nan
    return v


def save_figure(fig, outdir, stem, written=None, dpi=150):
    """Writes fig as outdir/stem.png and .pdf, appends the paths to `written`, closes it."""
    import os

    import matplotlib.pyplot as plt

    for ext in ("png", "pdf"):
        p = os.path.join(outdir, f"{stem}.{ext}")
        fig.savefig(p, dpi=dpi)
        if written is not None:
            written.append(p)
    plt.close(fig)
