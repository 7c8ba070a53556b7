#!/usr/bin/python3
"""Plots the transceiver solvers of an `airtp compare` result: MSE against each swept axis.

Usage: /usr/bin/python3 analysis/plot_solvers.py results/compare.h5 [-o OUTDIR] [--prefix NAME]

For every axis that varies (N_r, N, SNR, N_t, K, CSI NMSE, ...), writes <prefix>_vs_<axis>
.png/.pdf with up to three panels against it: the mean exact MSE of every solver with the mean
SDP lower bound (black, dashed); the median ratio to SDR + randomization (when sdr was run);
the median ratio to the lower bound (when it was computed). Other varying axes are line
families (line style), labelled in the legend. With no axis varying, one bar chart per panel
with the solvers side by side (<prefix>_solvers). Undefined points (all outages, no SDR, no
lower bound: masked in the file) are gaps in the curves.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import (axis_title, combinations, describe, fixed_text, footer, open_group, save_figure,  # noqa: E402
                      sel_text, varying)

STYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3))]
MARKERS = "osD^vP*Xh"
# The axes a figure can be drawn against, in order of preference.
X_ORDER = ("n_rx", "n_devices", "snr_db", "tx_power_dbm", "n_tx", "streams", "k_factor", "csi_nmse", "assignment")


def load(path):
    return open_group(path, "compare", "compare")


def panels(ds):
    """(dataset name, y label, reference line) of each panel the file has data for."""
    out = [("mse_mean", "mean MSE per slot", None)]
    if "sdr" in [str(s) for s in ds["solver"].values] and np.isfinite(ds["ratio_to_sdr_median"]).any():
        out.append(("ratio_to_sdr_median", "median MSE / SDR+rand.", 1.0))
    if np.isfinite(ds["ratio_to_lower_bound_median"]).any():
        out.append(("ratio_to_lower_bound_median", "median MSE / lower bound", 1.0))
    return out


def positive(y):
    y = np.asarray(y, dtype=float)
    return np.where(np.isfinite(y) & (y > 0), y, np.nan)


def line(da, sel, xdim):
    """1-D values of da along xdim at selection sel (dims da lacks are ignored)."""
    v = da.sel({d: x for d, x in sel.items() if d in da.dims})
    v = v.isel({d: 0 for d in v.dims if d != xdim})
    return v.values if xdim in v.dims else np.full(1, float(v))


def figure_vs(ds, xdim):
    solvers = [str(s) for s in ds["solver"].values]
    families = combinations(ds["mse_mean"], varying(ds["mse_mean"], exclude=("solver", xdim)))
    rows = panels(ds)
    fig, axes = plt.subplots(len(rows), 1, figsize=(7, 3.2 * len(rows) + 0.6), squeeze=False, layout="constrained")
    x = ds[xdim].values
    numeric = np.issubdtype(x.dtype, np.number)
    xs = x.astype(float) if numeric else np.arange(len(x))
    for r, (name, ylabel, ref) in enumerate(rows):
        ax = axes[r, 0]
        for k, fam in enumerate(families):
            suffix = f", {sel_text(fam)}" if fam else ""
            for s, solver in enumerate(solvers):
                if name == "ratio_to_sdr_median" and solver == "sdr":
                    continue
                y = positive(line(ds[name].sel(solver=solver), fam, xdim))
                ax.plot(xs, np.broadcast_to(y, xs.shape), color=f"C{s}", ls=STYLES[k % len(STYLES)],
                        marker=MARKERS[s % len(MARKERS)], ms=4, label=solver + suffix)
            if name == "mse_mean":
                lb = positive(line(ds["lower_bound_mse_mean"], fam, xdim))
                if np.isfinite(lb).any():
                    ax.plot(xs, np.broadcast_to(lb, xs.shape), color="k", ls=STYLES[k % len(STYLES)], lw=1,
                            marker="x", ms=4, label="SDP lower bound" + suffix)
        if ref is not None:
            ax.axhline(ref, color="gray", lw=0.8)
        ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, ncol=2 if len(families) * len(solvers) > 8 else 1)
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in x])
        elif xdim in ("n_rx", "n_devices", "n_tx", "streams"):
            ax.set_xticks(xs)
    axes[-1, 0].set_xlabel(axis_title(ds, xdim))
    fig.suptitle(f"Transceiver designs against {axis_title(ds, xdim)}\n"
                 f"{fixed_text(ds['mse_mean'], skip=('solver', xdim))}", fontsize=10)
    footer(fig, describe(ds))
    return fig


def figure_bars(ds):
    """Nothing varies: each panel's value per solver as bars."""
    solvers = [str(s) for s in ds["solver"].values]
    rows = panels(ds)
    fig, axes = plt.subplots(1, len(rows), figsize=(4.2 * len(rows), 3.8), squeeze=False, layout="constrained")
    for r, (name, ylabel, ref) in enumerate(rows):
        ax = axes[0, r]
        y = [float(ds[name].sel(solver=s).squeeze()) for s in solvers]
        ax.bar(solvers, positive(y), color=[f"C{s}" for s in range(len(solvers))])
        if name == "mse_mean":
            lb = float(ds["lower_bound_mse_mean"].squeeze())
            if np.isfinite(lb):
                ax.axhline(lb, color="k", ls="--", lw=1, label="SDP lower bound")
                ax.legend(fontsize=7)
        if ref is not None:
            ax.axhline(ref, color="gray", lw=0.8)
        ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.suptitle(f"Transceiver designs: {fixed_text(ds['mse_mean'], skip=('solver',))}", fontsize=10)
    footer(fig, describe(ds))
    return fig


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: the result's folder)")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    a = ap.parse_args(argv)
    ds = load(a.result)
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    outdir = a.outdir or os.path.dirname(os.path.abspath(a.result))
    os.makedirs(outdir, exist_ok=True)
    swept = varying(ds["mse_mean"], exclude=("solver",))
    xdims = [d for d in X_ORDER if d in swept] + [d for d in swept if d not in X_ORDER]
    written = []
    for xdim in xdims:
        save_figure(figure_vs(ds, xdim), outdir, f"{prefix}_vs_{xdim}", written)
    if not xdims:
        save_figure(figure_bars(ds), outdir, f"{prefix}_solvers", written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
