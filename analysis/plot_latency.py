#!/usr/bin/python3
"""Latency per generated token against the number of devices, per scheme and model, and the
speedups (over digital all-reduce and over centralised inference), from `airtp latency` (or the
latency group of an `airtp e2e` file).

    /usr/bin/python3 analysis/plot_latency.py results/latency.h5 [-o OUTDIR] [--prefix NAME]

Writes <prefix>_latency.{png,pdf} (one panel per model, ms per token against N, one line per
scheme; the paper's Table I for AirComp as crosses where known) and <prefix>_speedup.{png,pdf}
(speedup of each scheme over digital, solid, and over centralised, dashed). When N does not
vary the x axis is the first axis that does (transmit power, bandwidth, assignment). A further
varying axis gives line styles; any more, one pair of figures per value (suffix _<value>).
Infeasible points (the model does not fit the devices' memory) are gaps.
"""
import argparse
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import (axis_title, combinations, describe, fixed_text, footer, grid, save_figure,  # noqa: E402
                      sel_text, side_legend, text, value_text, varying)
from latency_io import read_latency  # noqa: E402

# SPEC §6, paper Table I: ms per token for AirComp at N = 1, 2, 4, 8 (None: does not fit).
PAPER_TABLE_I = {
    "llama2-7b": [114.2, 69.7, 45.7, 37.8],
    "llama2-13b": [217.3, 128.5, 81.3, 66.4],
    "llama2-70b": [None, 660.9, 423.0, 354.2],
    "llama3-70b": [None, 746.8, 477.1, 406.0],
}
PAPER_N = [1, 2, 4, 8]
STYLE = {"aircomp": ("C0", "o"), "digital": ("C3", "s"), "fdma": ("C2", "^"), "centralised": ("C7", "D")}
LINES = ["-", "--", ":", "-.", (0, (5, 1))]
X_ORDER = ("n_devices", "tx_power_dbm", "bandwidth_hz", "assignment")


def x_dim(total):
    swept = varying(total, exclude=("model", "scheme"))
    return next((d for d in X_ORDER if d in swept), swept[0] if swept else "n_devices")


def _xaxis(ax, ds, xdim):
    x = ds[xdim].values
    if not np.issubdtype(x.dtype, np.number):
        ax.set_xticks(np.arange(len(x)), [text(v) for v in x])
        return np.arange(len(x))
    if xdim == "n_devices":
        if x.min() > 0 and len(x) > 1 and x.max() / x.min() >= 4:
            ax.set_xscale("log", base=2)
        ax.set_xticks(x, [str(int(n)) for n in x])
    return x.astype(float)


def _series(da, sel, xdim):
    v = da.sel(sel)
    v = v.isel({d: 0 for d in v.dims if d != xdim})
    return np.atleast_1d(v.values)


def figure(ds, which, xdim, style_dim, fixed):
    """which: 'latency' or 'speedup'. fixed: the selection of the axes drawn one figure each."""
    models = [text(m) for m in ds["model"].values]
    schemes = [text(s) for s in ds["scheme"].values]
    styles = list(ds[style_dim].values) if style_dim else [None]
    fig, axes = grid(len(models), width=4.4, height=3.5)
    for ax, model in zip(axes, models):
        xs = _xaxis(ax, ds, xdim)
        values = []
        for k, sv in enumerate(styles):
            sel = dict(fixed, model=model)
            if style_dim:
                sel[style_dim] = sv
            for scheme in schemes:
                color, marker = STYLE.get(scheme, (None, "o"))
                s = dict(sel, scheme=scheme)
                ls = LINES[k % len(LINES)]
                if which == "latency":
                    y = _series(ds["total_ms"], s, xdim)
                    ax.plot(xs, y, marker=marker, color=color, ls=ls, ms=4)
                    values.append(y)
                    continue
                if scheme != "digital":
                    y = _series(ds["speedup_vs_digital"], s, xdim)
                    ax.plot(xs, y, marker=marker, color=color, ls=ls, ms=4)
                    values.append(y)
                if scheme != "centralised":  # open markers (and dashed, without line styles)
                    y = _series(ds["speedup_vs_centralised"], s, xdim)
                    ax.plot(xs, y, marker=marker, color=color, ls=ls if style_dim else "--", mfc="none", ms=4)
                    values.append(y)
        if which == "latency":
            ref = PAPER_TABLE_I.get(model)
            if ref is not None and xdim == "n_devices":
                pts = [(n, v) for n, v in zip(PAPER_N, ref) if v is not None]
                ax.plot([p[0] for p in pts], [p[1] for p in pts], "kx", ms=8, ls="none")
            ax.set_ylabel("latency per token (ms)")
        else:
            ax.axhline(1.0, color="k", lw=0.8)
            ax.set_ylabel("speedup (×)")
        v = np.concatenate(values) if values else np.array([])
        v = v[np.isfinite(v) & (v > 0)]
        if len(v) and v.max() / v.min() > 30:  # values spanning decades
            ax.set_yscale("log")
        ax.set_title(model, fontsize=10)
        ax.set_xlabel(axis_title(ds, xdim))
        ax.grid(True, which="both", alpha=0.3)
    handles = [Line2D([], [], color=STYLE.get(s, (None,))[0], marker=STYLE.get(s, (None, "o"))[1], label=s)
               for s in schemes]
    if which == "latency" and xdim == "n_devices" and any(m in PAPER_TABLE_I for m in models):
        handles.append(Line2D([], [], color="k", marker="x", ls="none", label="paper Table I (AirComp)"))
    if which == "speedup":
        handles += [Line2D([], [], color="gray", ls="-", label="over digital"),
                    Line2D([], [], color="gray", ls="-" if style_dim else "--", mfc="none", marker="o",
                           label="over centralised")]
    if style_dim:
        handles += [Line2D([], [], color="gray", ls=LINES[k % len(LINES)], label=value_text(style_dim, v))
                    for k, v in enumerate(styles)]
    side_legend(fig, handles)
    what = "Latency per generated token" if which == "latency" else "Speedup per generated token"
    setting = ", ".join(x for x in (sel_text(fixed), fixed_text(ds["total_ms"].sel(fixed),
                                                                 skip=("model", "scheme", xdim) + tuple(fixed)))
                        if x)
    fig.suptitle(f"{what}" + (f" ({setting})" if setting else ""), fontsize=10)
    footer(fig, describe(ds))
    return fig


def plot(path, outdir, prefix=None):
    ds = read_latency(path)
    prefix = prefix or os.path.splitext(os.path.basename(path))[0]
    os.makedirs(outdir, exist_ok=True)
    total = ds["total_ms"]
    xdim = x_dim(total)
    others = varying(total, exclude=("model", "scheme", xdim))
    style_dim, fig_dims = (others[0], others[1:]) if others else (None, [])
    written = []
    for fixed in combinations(total, fig_dims):
        tag = re.sub(r"[^A-Za-z0-9.=-]+", "", "_".join(value_text(d, v).replace(" ", "") for d, v in fixed.items()))
        suffix = f"_{tag}" if tag else ""
        for which in ("latency", "speedup"):
            save_figure(figure(ds, which, xdim, style_dim, fixed), outdir, f"{prefix}_{which}{suffix}", written)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result", help="HDF5 file written by `airtp latency` (or `airtp e2e`)")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: the result's folder)")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    a = ap.parse_args(argv)
    for p in plot(a.result, a.outdir or os.path.dirname(os.path.abspath(a.result)), a.prefix):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
