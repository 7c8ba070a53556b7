#!/usr/bin/python3
"""The end-to-end figure of an `airtp e2e` result: heterogeneous devices, model assignment,
then the transmission MSE, the accuracy and the latency per token of every scheme against the
transmit power.

Panels: transmission MSE per slot (log), perplexity (the clean model dashed), KL divergence to
the clean model (log), same top-1 as the clean model, and latency per generated token. Curves:
AirComp with each model assignment of the file (SSCA, uniform, compute-proportional: one line
style each), digital and uncoded FDMA with the SSCA assignment (the first assignment when there
is no "ssca"); the legend gives each curve's latency per token. Error bars and bands: 2
standard errors. Axes other than the transmit power that vary give one figure each (suffix).

Usage: plot_end_to_end.py RESULT.h5 [-o OUTDIR] [--prefix NAME]   (writes <prefix>_end_to_end.png/.pdf)
"""
import argparse
import collections
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import (axis_title, check_kind, combinations, curve_kinds, describe, footer, open_group,  # noqa: E402
                      save_figure, sel_text, text, value_text, varying)
from latency_io import read_latency, scheme_of  # noqa: E402

ASSIGNMENT_NAMES = {"ssca": "SSCA m", "uniform": "uniform m", "compute": "compute-proportional m",
                    "memory": "memory-proportional m"}
ASSIGNMENT_STYLES = ["-", "--", ":", "-.", (0, (5, 1))]
KIND_NAMES = {"aircomp": "AirComp", "digital": "digital", "fdma": "uncoded FDMA"}
KIND_MARKERS = {"aircomp": "o", "digital": "s", "fdma": "^"}
KIND_COLORS = {"aircomp": ["C0", "C4", "C8"], "digital": ["C3", "C1", "C6"], "fdma": ["C2", "C5", "C7"]}


def load(path):
    """The e2e file's mse, ppl, latency and assign groups (SystemExit for another kind)."""
    check_kind(path, "e2e")
    return (open_group(path, "mse", "e2e"), open_group(path, "ppl", "e2e"), read_latency(path),
            open_group(path, "assign", "e2e"))


def x_dim(mse):
    for d in ("tx_power_dbm", "snr_db"):
        if d in mse["mean"].dims:
            return d
    raise SystemExit(f"{mse.attrs['airtp_file']}: the mse group has neither tx_power_dbm nor snr_db")


def curve_name(label, kind):
    """'aircomp (fast)' -> 'AirComp (fast)', 'digital (8 bits)' -> 'digital 8-bit'."""
    m = re.match(r"\S+\s*\((\d+) bits?\)", label)
    if kind == "digital" and m:
        return f"digital {m.group(1)}-bit"
    rest = label.split(" ", 1)[1] if " " in label else ""
    return f"{KIND_NAMES.get(kind, kind)} {rest}".strip()


def curves(mse, ppl):
    """The curves to draw: dicts with the mse and ppl curve indices (None where a group lacks
    it), kind, assignment, colour, line style, marker and name."""
    assignments = [text(a) for a in mse["assignment"].values]
    base = "ssca" if "ssca" in assignments else assignments[0]
    ppl_labels = [str(c) for c in ppl["curve"].values]
    seen = collections.Counter()
    out = []
    for c, (label, kind) in enumerate(zip([str(v) for v in mse["curve"].values], curve_kinds(mse))):
        color = KIND_COLORS.get(kind, ["C9"])[seen[kind] % 3]
        seen[kind] += 1
        for k, a in enumerate(assignments):
            if kind != "aircomp" and a != base:
                continue
            out.append(dict(mse=c, ppl=ppl_labels.index(label) if label in ppl_labels else None, kind=kind,
                            assignment=a, color=color, ls=ASSIGNMENT_STYLES[k % len(ASSIGNMENT_STYLES)],
                            marker=KIND_MARKERS.get(kind, "o"), lw=2.2 if a == base else 1.4,
                            name=f"{curve_name(label, kind)}, {ASSIGNMENT_NAMES.get(a, 'm = ' + a)}"))
    return out


def at(da, sel, xdim):
    """1-D values of da along xdim at the selection by value (dims da lacks ignored; NaN where
    a value is not on da's axis; constant along x when da lacks xdim)."""
    for d, v in sel.items():
        if d in da.dims and v not in set(da[d].values.tolist()):
            return None
    v = da.sel({d: x for d, x in sel.items() if d in da.dims})
    return v.isel({d: 0 for d in v.dims if d != xdim})


def along(da, sel, xdim, x):
    """at() as an array over the x values (NaN where missing)."""
    v = at(da, sel, xdim)
    if v is None:
        return np.full(len(x), np.nan)
    if xdim not in v.dims:
        return np.full(len(x), float(v))
    return np.array([float(v.sel({xdim: xi})) if xi in set(v[xdim].values.tolist()) else np.nan for xi in x])


def latency_text(ms):
    ms = ms[np.isfinite(ms)]
    if not len(ms):
        return "latency n/a"
    lo, hi = ms.min(), ms.max()
    fmt = (lambda v: f"{v:.3g}")
    return f"{fmt(lo)} ms/token" if np.isclose(lo, hi, rtol=5e-3) else f"{fmt(lo)}–{fmt(hi)} ms/token"


def devices_text(asg):
    if asg is None or "device_preset" not in asg:
        return ""
    counts = collections.Counter(text(p) for p in asg["device_preset"].values)
    return ", ".join(f"{n} × {p}" if n > 1 else p for p, n in counts.items())


def figure(mse, ppl, lat, asg, fixed=None):
    """The end-to-end figure at `fixed` (a selection of the other varying axes)."""
    fixed = fixed or {}
    xdim = x_dim(mse)
    x = mse[xdim].values.astype(float)
    total = lat["total_ms"]
    models = [text(m) for m in total["model"].values]
    total = total.sel(model=models[0])
    cs = curves(mse, ppl)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.6), layout="constrained")
    ax_mse, ax_ppl, ax_kl, ax_top, ax_lat, ax_leg = axes.flat
    handles = []
    # Error bars of neighbouring curves side by side: a small x offset per curve (accuracy panels).
    span = (x.max() - x.min()) if len(x) > 1 else 1.0
    for i, cv in enumerate(cs):
        dodge = (i - (len(cs) - 1) / 2) * 0.008 * span
        sel = dict(fixed, assignment=cv["assignment"])
        style = dict(color=cv["color"], ls=cv["ls"], marker=cv["marker"], lw=cv["lw"], ms=5)
        m = along(mse["mean"].isel(curve=cv["mse"]), sel, xdim, x)
        s = along(mse["stderr"].isel(curve=cv["mse"]), sel, xdim, x)
        ax_mse.plot(x, np.where(m > 0, m, np.nan), **style)
        lo = np.where(m - 2 * s > 0, m - 2 * s, m * 0.9)
        ax_mse.fill_between(x, lo, m + 2 * s, color=cv["color"], alpha=0.12, lw=0)
        if cv["ppl"] is not None:
            for ax, name in ((ax_ppl, "ppl"), (ax_kl, "kl"), (ax_top, "top1")):
                y = along(ppl[name].isel(curve=cv["ppl"]), sel, xdim, x)
                e = along(ppl[f"{name}_se"].isel(curve=cv["ppl"]), sel, xdim, x)
                ax.errorbar(x + dodge, np.where(y > 0, y, np.nan) if name == "kl" else y,
                            yerr=2 * np.nan_to_num(e), capsize=2, elinewidth=0.8, **style)
        ms = along(total.sel(scheme=scheme_of(cv["kind"])) if scheme_of(cv["kind"]) in total["scheme"].values
                   else total.isel(scheme=0) * np.nan, sel, xdim, x)
        ax_lat.plot(x, ms, **style)
        handles.append(Line2D([], [], label=f"{cv['name']}: {latency_text(ms)}", **style))
    clean = float(ppl["clean_ppl"].sel(estimate="mean")) if "estimate" in ppl["clean_ppl"].dims else np.nan
    if np.isfinite(clean):
        ax_ppl.axhline(clean, color="k", ls="--", lw=1)
        handles.append(Line2D([], [], color="k", ls="--", lw=1, label=f"clean model (exact sums, unsplit): "
                                                                      f"perplexity {clean:.4g}"))
    if "centralised" in total["scheme"].values:
        cen = along(total.sel(scheme="centralised"), dict(fixed, assignment=cs[0]["assignment"]), xdim, x)
        if np.isfinite(cen).any():
            handles.append(Line2D([], [], color="none", label=f"(centralised on one device, no all-reduce: "
                                                              f"{latency_text(cen)})"))
    titles = {ax_mse: "(a) transmission MSE per slot", ax_ppl: "(b) perplexity",
              ax_kl: "(c) KL(P$_{clean}$ || P$_{noisy}$) (nat/token)",
              ax_top: "(d) same top-1 token as the clean model (fraction)",
              ax_lat: "(e) latency per generated token (ms)"}
    for ax, t in titles.items():
        ax.set_title(t, fontsize=10)
        ax.set_xlabel(axis_title(mse, xdim))
        ax.set_xticks(x)
        ax.grid(True, which="both", alpha=0.3)
    ax_mse.set_ylabel("MSE per slot (summed over L streams)")
    ax_ppl.set_ylabel("perplexity")
    ax_kl.set_ylabel("KL (nat/token)")
    ax_top.set_ylabel("same top-1 rate")
    ax_lat.set_ylabel("ms per token")
    for ax in (ax_mse, ax_kl, ax_lat):
        vals = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()] or [np.array([])])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if ax is not ax_lat or (len(vals) and vals.max() / vals.min() > 10):
            ax.set_yscale("log")
    ax_leg.axis("off")
    ax_leg.legend(handles=handles, loc="center", fontsize=8, title="curve: latency per token", title_fontsize=8,
                  frameon=False)
    n = mse["n_devices"].values
    setting = [f"{models[0]} split over N={int(n[0]) if len(n) == 1 else sel_text(fixed)}"
               f" devices ({devices_text(asg)})" if devices_text(asg) else f"{models[0]}"]
    for d in ("n_rx", "n_tx", "k_factor", "csi_nmse"):
        if d in mse["mean"].dims and d not in fixed and mse.sizes[d] == 1:
            setting.append(value_text(d, mse[d].values[0]))
    if "bandwidth_hz" in total.dims and total.sizes["bandwidth_hz"] == 1:
        setting.append(value_text("bandwidth_hz", total["bandwidth_hz"].values[0]))
    if fixed:
        setting.append(sel_text(fixed))
    fig.suptitle("End to end: model assignment, transmission error, accuracy and latency against the transmit power\n"
                 + ", ".join(setting), fontsize=11)
    footer(fig, describe(mse))
    return fig


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: the result's folder)")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    a = ap.parse_args(argv)
    mse, ppl, lat, asg = load(a.result)
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    outdir = a.outdir or os.path.dirname(os.path.abspath(a.result))
    os.makedirs(outdir, exist_ok=True)
    others = varying(mse["mean"], exclude=("curve", "assignment", x_dim(mse)))
    written = []
    for fixed in combinations(mse["mean"], others):
        tag = re.sub(r"[^A-Za-z0-9.=-]+", "", "_".join(value_text(d, v).replace(" ", "") for d, v in fixed.items()))
        save_figure(figure(mse, ppl, lat, asg, fixed), outdir, f"{prefix}_end_to_end" + (f"_{tag}" if tag else ""),
                    written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
