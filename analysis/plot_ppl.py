#!/usr/bin/python3
"""Plots an `airtp ppl` result (or the ppl group of an `airtp e2e` file): perplexity, KL
divergence to the clean model and the same-top-1 rate of every curve (exact sums, AirComp per
receive design, digital per bit width, uncoded FDMA), error bars = 2 standard errors (the *_se
datasets), the clean perplexity as a dashed line; and the measured NMSE of every all-reduce by
layer.

Writes <prefix>_ppl.png/.pdf (the three metrics against the SNR or the transmit power; one
marker per value of the first other axis that varies, one row of panels per combination of any
further varying axes), <prefix>_ppl_vs_n.png/.pdf when N varies (against N, line style per
noise level, --at; curves that do not depend on the noise -- exact, digital -- drawn once), and
<prefix>_nmse.png/.pdf (first AirComp curve, first value of the other axes). The exact curve's
KL is float rounding (~1e-7) and is left out of the KL panel.

Usage: plot_ppl.py RESULT.h5 [-o OUTDIR] [--prefix NAME] [--at LEVEL,...]
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
from airtp_h5 import (axis_title, combinations, curve_kinds, describe, fixed_text, footer, open_group,  # noqa: E402
                      save_figure, sel_text, side_legend, value_text, varying)

# (dataset, y label, log y when the values span more than this ratio; None: linear)
METRICS = [("ppl", "perplexity", 3.0),
           ("kl", "KL(P$_{clean}$ || P$_{noisy}$) (nat/token)", 10.0),
           ("top1", "same top-1 as clean", None)]
MARKERS = "osD^vP*Xh<>"
STYLES = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 3))]
COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]
NOISE_FREE = ("exact", "digital")  # curves that do not depend on the noise level


def load(path):
    return open_group(path, "ppl", ("ppl", "e2e"))


def noise_dim(ds):
    return "tx_power_dbm" if "tx_power_dbm" in ds["ppl"].dims else "snr_db"


def pick_levels(values, at):
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


def series(da, c, sel, xdim):
    v = da.isel(curve=c).sel({d: x for d, x in sel.items() if d in da.dims})
    v = v.isel({d: 0 for d in v.dims if d != xdim})
    return np.atleast_1d(v.values)


def clean_ppl(ds):
    v = ds["clean_ppl"].sel(estimate="mean").item() if "estimate" in ds["clean_ppl"].dims else float(ds["clean_ppl"][0])
    return v


def figure_vs(ds, xdim, at=None):
    ndim = noise_dim(ds)
    kinds = curve_kinds(ds)
    others = varying(ds["ppl"], exclude=("curve", xdim, ndim))
    marker_dim, facet_dims = (others[0], others[1:]) if others else (None, [])
    levels = [None] if xdim == ndim else pick_levels(ds[ndim].values, at)
    facets = combinations(ds["ppl"], facet_dims)
    fig, axes = plt.subplots(len(facets), 3, figsize=(14, 3.9 * len(facets) + 0.5), squeeze=False,
                             layout="constrained")
    x = ds[xdim].values
    numeric = np.issubdtype(x.dtype, np.number)
    xs = x.astype(float) if numeric else np.arange(len(x))
    clean = clean_ppl(ds)
    exact_kl = []
    for r, facet in enumerate(facets):
        for col, (name, ylabel, log) in enumerate(METRICS):
            ax = axes[r, col]
            drawn = []
            for c, kind in enumerate(kinds):
                for k, li in enumerate(levels):
                    if li is not None and kind in NOISE_FREE and k > 0:
                        continue
                    for j, mv in enumerate(ds[marker_dim].values if marker_dim else [None]):
                        sel = dict(facet)
                        if marker_dim:
                            sel[marker_dim] = mv
                        if li is not None:
                            sel[ndim] = ds[ndim].values[li]
                        y = series(ds[name], c, sel, xdim)
                        if name == "kl" and kind == "exact":
                            exact_kl.append(np.nanmax(y) if np.isfinite(y).any() else np.nan)
                            continue
                        se = series(ds[f"{name}_se"], c, sel, xdim)
                        drawn.append(y)
                        style = ":" if kind == "exact" else "-" if li is None else STYLES[k % len(STYLES)]
                        ax.errorbar(xs, y, yerr=2 * np.nan_to_num(se), color=COLORS[c % len(COLORS)], ls=style,
                                    marker=MARKERS[j % len(MARKERS)], ms=4, capsize=2, lw=1.3)
            if name == "ppl" and np.isfinite(clean):
                ax.axhline(clean, ls="--", color="k", lw=1)
            v = np.concatenate(drawn) if drawn else np.array([])
            v = v[np.isfinite(v) & (v > 0)]
            if log and len(v) and v.max() / v.min() > log:
                ax.set_yscale("log")
            ax.set_ylabel(ylabel)
            ax.set_xlabel(axis_title(ds, xdim))
            if not numeric:
                ax.set_xticks(xs, [str(v) for v in x])
            elif xdim == "n_devices":
                ax.set_xticks(xs)
            ax.grid(True, which="both", alpha=0.3)
            if facet:
                ax.set_title(sel_text(facet), fontsize=9)
    if exact_kl and np.isfinite(exact_kl).any():
        axes[0, 1].text(0.02, 0.02, f"exact sums: KL ≤ {np.nanmax(exact_kl):.1e} (float rounding), not drawn",
                        transform=axes[0, 1].transAxes, fontsize=7, color="gray")
    handles = [Line2D([], [], color=COLORS[c % len(COLORS)], ls=":" if kind == "exact" else "-",
                      label=str(ds["curve"].values[c])) for c, kind in enumerate(kinds)]
    if np.isfinite(clean):
        handles.append(Line2D([], [], color="k", ls="--", label=f"clean model: {clean:.4g}"))
    if levels != [None]:
        handles += [Line2D([], [], color="gray", ls=STYLES[k % len(STYLES)], label=value_text(ndim, ds[ndim].values[li]))
                    for k, li in enumerate(levels)]
    if marker_dim:
        handles += [Line2D([], [], color="gray", ls="none", marker=MARKERS[j % len(MARKERS)],
                           label=value_text(marker_dim, v)) for j, v in enumerate(ds[marker_dim].values)]
    side_legend(fig, handles, title="exact, digital: drawn once" if levels != [None] else None, title_fontsize=7)
    model = os.path.basename(str(ds.attrs.get("model", "")))
    fig.suptitle(f"Accuracy of the split model {model} against {axis_title(ds, xdim)} (error bars: 2 standard errors)\n"
                 f"{fixed_text(ds['ppl'], skip=('curve', xdim))}", fontsize=10)
    footer(fig, describe(ds))
    return fig


def figure_nmse(ds):
    """Measured NMSE per layer of each all-reduce, for the first AirComp curve (else the first
    curve that is not exact), against the noise level (or the first varying axis)."""
    kinds = curve_kinds(ds)
    c = next((i for i, k in enumerate(kinds) if k == "aircomp"),
             next((i for i, k in enumerate(kinds) if k != "exact"), 0))
    nm = ds["nmse"].isel(curve=c)
    ndim = noise_dim(ds)
    xdim = ndim if nm.sizes[ndim] > 1 else (varying(nm, exclude=("layer", "allreduce")) or [ndim])[0]
    nm = nm.isel({d: 0 for d in nm.dims if d not in (xdim, "layer", "allreduce")})
    fig, axes = plt.subplots(1, nm.sizes["allreduce"], figsize=(5.2 * nm.sizes["allreduce"], 4), squeeze=False,
                             layout="constrained")
    x = ds[xdim].values
    xs = x.astype(float) if np.issubdtype(x.dtype, np.number) else np.arange(len(x))
    for j, ar in enumerate(nm["allreduce"].values):
        ax = axes[0, j]
        for layer in nm["layer"].values:
            y = nm.sel(allreduce=ar, layer=layer).transpose(xdim).values
            ax.plot(xs, np.where(y > 0, y, np.nan), marker="o", ms=3, label=f"layer {int(layer)}")
        ax.set_yscale("log")
        ax.set_title(f"all-reduce after {str(ar).replace('_', ' ')}", fontsize=9)
        ax.set_xlabel(axis_title(ds, xdim))
        ax.set_ylabel("measured NMSE")
        ax.grid(True, which="both", alpha=0.3)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(f"{ds['curve'].values[c]}: measured NMSE of the all-reduces\n"
                 f"{fixed_text(nm, skip=(xdim, 'layer', 'allreduce', 'curve'))}", fontsize=10)
    footer(fig, describe(ds))
    return fig


def stem_for(ds, xdim):
    return "ppl" if xdim == noise_dim(ds) else "ppl_vs_n" if xdim == "n_devices" else f"ppl_vs_{xdim}"


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
    ndim = noise_dim(ds)
    xdims = [d for d in (ndim, "n_devices") if ds["ppl"].sizes.get(d, 1) > 1]
    if not xdims:
        xdims = varying(ds["ppl"], exclude=("curve",))[:1] or [ndim]
    written = []
    for xdim in xdims:
        save_figure(figure_vs(ds, xdim, at), outdir, f"{prefix}_{stem_for(ds, xdim)}", written, dpi=120)
    save_figure(figure_nmse(ds), outdir, f"{prefix}_nmse", written, dpi=120)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
