#!/usr/bin/python3
"""Accuracy against speed: perplexity (from `airtp ppl`) against latency per generated token
(from `airtp latency` for the same model) for each all-reduce scheme. Either file may be an
`airtp e2e` file, which holds both (give it twice).

    build/airtp latency --model stories260K -o results/latency_bundled.h5
    /usr/bin/python3 analysis/plot_tradeoff.py results/ppl.h5 results/latency_bundled.h5 [-o OUTDIR]

Each accuracy curve (exact, aircomp, digital, fdma) is matched to the latency scheme of its kind
(exact: centralised, drawn as a star and a dotted line). The axes both files have (n_devices,
assignment, tx_power_dbm, bandwidth_hz) are matched by value: the last that varies is the
parameter along each line (points annotated), the others give one line each. Axes only the
accuracy file sweeps (snr_db, ...) give one panel per value; axes only the latency file sweeps
take their first value (or --sel DIM=VALUE). Writes <prefix>_tradeoff.{png,pdf}.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import (combinations, curve_kinds, describe, footer, grid, open_group, save_figure, sel_text,  # noqa: E402
                      text, value_text, varying)
from latency_io import pick_model, read_latency, scheme_of  # noqa: E402

SHARED = ("n_devices", "assignment", "tx_power_dbm", "bandwidth_hz")
METRICS = {"ppl": "perplexity", "kl": "KL(P$_{clean}$ || P$_{noisy}$) (nat/token)", "top1": "same top-1 as clean"}
STYLES = ["-", "--", ":", "-."]


def parse_sel(items, dss):
    """--sel DIM=VALUE items as {dim: value}, each value converted to its coordinate's type."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"--sel: '{item}' is not DIM=VALUE")
        d, v = item.split("=", 1)
        ds = next((x for x in dss if d in x.dims), None)
        if ds is None:
            raise SystemExit(f"--sel: no axis '{d}' in either file")
        values = list(ds[d].values)
        match = [c for c in values if str(text(c)) == v or (isinstance(c, (int, float, np.number))
                                                                and np.isclose(float(c), float(v)))]
        if not match:
            raise SystemExit(f"--sel: {d} has no value {v} (has: {', '.join(str(text(c)) for c in values)})")
        out[d] = match[0]
    return out


def _at(da, sel):
    """da at a selection by value; NaN when a value is not on its axis."""
    for d, v in sel.items():
        if d in da.dims and v not in set(da[d].values.tolist()):
            return np.nan
    v = da.sel({d: x for d, x in sel.items() if d in da.dims})
    return float(v.isel({d: 0 for d in v.dims})) if v.ndim else float(v)


def figure(acc, lat, metric="ppl"):
    """acc: the accuracy Dataset (selected); lat: total_ms of one model (selected)."""
    y_da, se_da = acc[metric], acc.get(f"{metric}_se")
    shared = [d for d in SHARED if d in y_da.dims and d in lat.dims]
    lat = lat.isel({d: 0 for d in lat.dims if d not in shared and d != "scheme"})
    shared_vary = [d for d in shared if y_da.sizes[d] > 1]
    param = shared_vary[-1] if shared_vary else None
    line_dims = shared_vary[:-1]
    panel_dims = varying(y_da, exclude=("curve",) + tuple(shared))
    panels = combinations(y_da, panel_dims)
    schemes = [text(s) for s in lat["scheme"].values]
    kinds = curve_kinds(acc)
    fig, axes = grid(len(panels), width=5.4, height=4.3)
    plotted = 0
    for ax, panel in zip(axes, panels):
        xs_all, ys_all = [], []
        for c, kind in enumerate(kinds):
            scheme = scheme_of(kind)
            if scheme not in schemes:
                continue
            for k, line in enumerate(combinations(y_da, line_dims)):
                pts = []
                for pv in (y_da[param].values if param else [None]):
                    sel = dict(panel, **line)
                    if param:
                        sel[param] = pv
                    base = {d: (y_da[d].values[0] if d not in sel else sel[d]) for d in shared}
                    x = _at(lat.sel(scheme=scheme), base)
                    y = _at(y_da.isel(curve=c), dict(sel, **base))
                    e = _at(se_da.isel(curve=c), dict(sel, **base)) if se_da is not None else np.nan
                    if np.isfinite(x) and np.isfinite(y):
                        pts.append((x, y, e, pv))
                if not pts:
                    continue
                plotted += 1
                label = str(acc["curve"].values[c]) + (f", {sel_text(line)}" if line else "")
                x, y, e = (np.array([p[i] for p in pts], dtype=float) for i in range(3))
                xs_all += list(x)
                ys_all += list(y)
                if kind == "exact":  # one reference: the exact sums do not depend on the line's axes
                    if k > 0:
                        continue
                    label = str(acc["curve"].values[c])
                    ax.axhline(y[0], color="k", ls=":", lw=1)
                    ax.plot(x, y, "k*", ms=10, label=f"{label} (centralised latency)")
                    continue
                ax.errorbar(x, y, yerr=None if np.all(np.isnan(e)) else 2 * np.nan_to_num(e), marker="o", ms=4,
                            capsize=2, color=f"C{c}", ls=STYLES[k % len(STYLES)], label=label)
                if param:  # every point when few, else the ends of the line
                    for xi, yi, _, pv in (pts if len(pts) <= 3 else [pts[0], pts[-1]]):
                        ax.annotate(value_text(param, pv), (xi, yi), textcoords="offset points", xytext=(4, 4),
                                    fontsize=6, color=f"C{c}")
        for vals, setter in ((xs_all, ax.set_xscale), (ys_all, ax.set_yscale)):
            v = np.array([u for u in vals if u > 0])
            if len(v) and v.max() / v.min() > 30:
                setter("log")
        ax.set_xlabel("latency per generated token (ms)")
        ax.set_ylabel(METRICS[metric])
        if panel:
            ax.set_title(sel_text(panel), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    if plotted == 0:
        plt.close(fig)
        return None
    return fig


def plot(ppl_path, lat_path, outdir, model=None, prefix=None, sel_items=None, metric="ppl"):
    acc = open_group(ppl_path, "ppl", ("ppl", "e2e"))
    lds = read_latency(lat_path)
    model = pick_model(lds, model, hint=str(acc.attrs.get("model", "")))
    sel = parse_sel(sel_items, (acc, lds))
    acc = acc.sel({d: v for d, v in sel.items() if d in acc.dims and d not in SHARED}
                  | {d: [v] for d, v in sel.items() if d in acc.dims and d in SHARED})
    lat = lds["total_ms"].sel(model=model)
    lat = lat.sel({d: [v] for d, v in sel.items() if d in lat.dims})
    fig = figure(acc, lat, metric)
    if fig is None:
        raise SystemExit(f"{ppl_path}: no curve has a latency in {lat_path} at the same "
                         f"{', '.join(d for d in SHARED if d in acc[metric].dims and d in lat.dims)} "
                         f"(latency schemes: {', '.join(text(s) for s in lat['scheme'].values)}; "
                         f"N: {', '.join(str(n) for n in lat['n_devices'].values)})")
    fixed = [value_text(d, lat[d].values[0]) for d in lat.dims
             if d not in ("scheme",) and d not in acc[metric].dims]
    fig.suptitle(f"{METRICS[metric].split(' (')[0].capitalize()} against latency per token: {model}"
                 + (f" (latency at {', '.join(fixed)})" if fixed else ""), fontsize=10)
    footer(fig, f"{describe(acc)}\n{describe(lds)}")
    prefix = prefix or os.path.splitext(os.path.basename(ppl_path))[0]
    os.makedirs(outdir, exist_ok=True)
    written = []
    save_figure(fig, outdir, f"{prefix}_tradeoff", written)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ppl", help="HDF5 file written by `airtp ppl` (or `airtp e2e`)")
    ap.add_argument("latency", help="HDF5 file written by `airtp latency` (or `airtp e2e`) for the same model")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: the ppl file's folder)")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the ppl file's name)")
    ap.add_argument("--model", default=None, help="model in the latency file (default: the ppl file's model)")
    ap.add_argument("--metric", default="ppl", choices=sorted(METRICS), help="accuracy measure (default: ppl)")
    ap.add_argument("--sel", action="append", metavar="DIM=VALUE",
                    help="select one value of an axis (either file), e.g. --sel bandwidth_hz=5e6; repeatable")
    a = ap.parse_args(argv)
    outdir = a.outdir or os.path.dirname(os.path.abspath(a.ppl))
    for p in plot(a.ppl, a.latency, outdir, a.model, a.prefix, a.sel, a.metric):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
