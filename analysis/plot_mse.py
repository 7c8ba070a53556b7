#!/usr/bin/python3
"""Plots the transmission MSE of an `airtp mse` result (or the mse group of an `airtp e2e` file).

Writes <prefix>_vs_snr (or _vs_power in physical mode) .png/.pdf: MSE in dB against the SNR or
the transmit power, one colour per curve (AirComp per receive design, uncoded FDMA, digital per
bit width), one marker per value of the first other axis that varies (N, say), shaded +-2
standard errors; one panel per combination of any further varying axes (csi_nmse, assignment,
...). And, when N varies, <prefix>_vs_devices: MSE against N, colour per curve, line style per
noise level (--at; digital, the same at every level, drawn once). With neither the noise level
nor N varying, the MSE is drawn against the first axis that varies.

Usage: plot_mse.py RESULT.h5 [-o OUTDIR] [--prefix NAME] [--at LEVEL,...]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import (axis_title, combinations, curve_kinds, describe, fixed_text, footer, grid,  # noqa: E402
                      open_group, save_figure, sel_text, side_legend, value_text, varying)

MARKERS = "osD^vP*Xh<>"
STYLES = ["-", "--", ":", (0, (5, 1)), (0, (1, 3)), (0, (8, 2, 1, 2))]
DIGITAL = (0, (3, 1, 1, 1, 1, 1))  # dash-dot-dot
KIND_STYLE = {"aircomp": "-", "fdma": "--", "digital": DIGITAL}
COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
YLABEL = "transmission MSE per slot (dB)"


def db(x):
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 10 * np.log10(np.where(x > 0, x, np.nan))


def load(path):
    return open_group(path, "mse", ("mse", "e2e"))


def noise_dim(ds):
    return "tx_power_dbm" if "tx_power_dbm" in ds["mean"].dims else "snr_db"


def curve_label(ds, c):
    """The curve's name, with its outage count over the whole file when there are any."""
    n = int(ds["outages"].isel(curve=c).sum())
    return str(ds["curve"].values[c]) + (f" ({n} outages)" if n else "")


def pick_levels(values, at):
    """Indices of the noise levels for a plot against another axis: --at values, else first,
    middle and last."""
    if at:
        idx = []
        for v in at:
            hit = np.flatnonzero(np.isclose(values, v))
            if not len(hit):
                raise SystemExit(f"--at: {v:g} is not a noise level of this file "
                                 f"({', '.join(f'{u:g}' for u in values)})")
            idx.append(int(hit[0]))
        return idx
    return sorted({0, len(values) // 2, len(values) - 1})


def figure_vs(ds, xdim, at=None):
    """MSE against dimension xdim. Colour: curve; against the noise level, line style: curve
    kind; against another axis, line style: the noise levels `at`. Marker: the first other
    varying axis; panels: the rest."""
    mean, se = ds["mean"], ds["stderr"]
    ndim = noise_dim(ds)
    kinds = curve_kinds(ds)
    others = varying(mean, exclude=("curve", xdim, ndim))
    marker_dim, facet_dims = (others[0], others[1:]) if others else (None, [])
    levels = [None] if xdim == ndim else pick_levels(ds[ndim].values, at)
    facets = combinations(mean, facet_dims)
    fig, axes = grid(len(facets), width=5.6 if len(facets) > 1 else 7.5, height=4.2 if len(facets) > 1 else 5.0,
                     sharey=True)
    x = ds[xdim].values
    numeric = np.issubdtype(x.dtype, np.number)
    xs = x if numeric else np.arange(len(x))
    few = len(ds["curve"]) * (mean.sizes[marker_dim] if marker_dim else 1) <= 6
    pct = ds["percentiles"] if "percentiles" in ds else None
    for ax, facet in zip(axes, facets):
        for c, kind in enumerate(kinds):
            color = COLORS[c % len(COLORS)]
            for k, li in enumerate(levels):
                if li is not None and kind == "digital" and k > 0:
                    continue  # digital: the same at every noise level
                for j, mv in enumerate(mean[marker_dim].values if marker_dim else [None]):
                    sel = dict(facet)
                    if marker_dim:
                        sel[marker_dim] = mv
                    if li is not None:
                        sel[ndim] = ds[ndim].values[li]
                    m = mean.isel(curve=c).sel(sel).squeeze()
                    s = se.isel(curve=c).sel(sel).squeeze()
                    rest = [d for d in m.dims if d != xdim]
                    if rest:  # a singleton left over: take its only value
                        m, s = m.isel({d: 0 for d in rest}), s.isel({d: 0 for d in rest})
                    m, s = np.atleast_1d(m.values), np.atleast_1d(s.values)
                    style = KIND_STYLE.get(kind, "-") if li is None else (
                        DIGITAL if kind == "digital" else STYLES[k % len(STYLES)])
                    ax.plot(xs, db(m), color=color, linestyle=style, marker=MARKERS[j % len(MARKERS)], ms=4)
                    lo = np.where(m - 2 * s > 0, db(m - 2 * s), db(m) - 0.5)
                    ax.fill_between(xs, lo, db(m + 2 * s), color=color, alpha=0.18, lw=0)
                    if few and li is None and pct is not None and {25.0, 75.0} <= set(pct["percentile"].values):
                        p = pct.isel(curve=c).sel(sel).squeeze()
                        p = p.isel({d: 0 for d in p.dims if d not in (xdim, "percentile")})
                        ax.fill_between(xs, db(p.sel(percentile=25.0).values), db(p.sel(percentile=75.0).values),
                                        color=color, alpha=0.07, lw=0)
        ax.set_xlabel(axis_title(ds, xdim))
        ax.set_ylabel(YLABEL)
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in x])
        elif xdim == "n_devices":
            ax.set_xticks(x)
        ax.grid(True, alpha=0.3)
        if facet:
            ax.set_title(sel_text(facet), fontsize=9)
    handles = [Line2D([], [], color=COLORS[c % len(COLORS)], linestyle=KIND_STYLE.get(kind, "-"),
                      label=curve_label(ds, c)) for c, kind in enumerate(kinds)]
    if levels != [None]:
        handles += [Line2D([], [], color="gray", linestyle=STYLES[k % len(STYLES)],
                           label=value_text(ndim, ds[ndim].values[li])) for k, li in enumerate(levels)]
    if marker_dim:
        handles += [Line2D([], [], color="gray", linestyle="none", marker=MARKERS[j % len(MARKERS)],
                           label=value_text(marker_dim, v)) for j, v in enumerate(mean[marker_dim].values)]
    title = "digital (dash-dot-dot): the same\nat every noise level" if levels != [None] else "curve"
    side_legend(fig, handles, title=title, title_fontsize=7)
    what = {ndim: "against the " + ("transmit power" if ndim == "tx_power_dbm" else "SNR")}.get(
        xdim, f"against {axis_title(ds, xdim)}")
    fig.suptitle(f"All-reduce transmission MSE {what}\n"
                 f"{fixed_text(mean, skip=('curve', xdim))}", fontsize=10)
    footer(fig, describe(ds))
    return fig


def stem_for(ds, xdim):
    return {"snr_db": "vs_snr", "tx_power_dbm": "vs_power", "n_devices": "vs_devices"}.get(xdim, f"vs_{xdim}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: the result's folder)")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    ap.add_argument("--at", default=None,
                    help="noise levels (dB or dBm) for the plot against N, comma list (default: first, middle, last)")
    a = ap.parse_args(argv)
    ds = load(a.result)
    at = [float(v) for v in a.at.split(",")] if a.at else None
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    outdir = a.outdir or os.path.dirname(os.path.abspath(a.result))
    os.makedirs(outdir, exist_ok=True)
    mean = ds["mean"]
    ndim = noise_dim(ds)
    xdims = [d for d in (ndim, "n_devices") if mean.sizes.get(d, 1) > 1]
    if not xdims:  # neither varies: the first axis that does, else the noise level (one point)
        xdims = varying(mean, exclude=("curve",))[:1] or [ndim]
    written = []
    for xdim in xdims:
        save_figure(figure_vs(ds, xdim, at), outdir, f"{prefix}_{stem_for(ds, xdim)}", written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
