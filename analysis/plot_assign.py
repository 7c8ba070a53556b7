#!/usr/bin/python3
"""Plots an `airtp assign` result (SSCA model assignment, SPEC §5), or the assign group of an
`airtp e2e` file.

Writes <prefix>_convergence.png/.pdf (validation MSE of m^tau against the iteration tau, band =
2 standard errors, with the baselines' and the rounded split's MSE on the same validation
channels as horizontal lines) and <prefix>_m.png/.pdf (each device's share m_n against the
iteration, its cap dashed where it binds below 1).

Usage: plot_assign.py RESULT.h5 [-o OUTDIR] [--prefix NAME]
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import describe, footer, open_group, save_figure, text  # noqa: E402

STYLES = ["--", ":", "-.", (0, (5, 1)), (0, (1, 3))]


def load(path):
    return open_group(path, "assign", ("assign", "e2e"))


def device_names(ds):
    presets = [text(v) for v in ds["device_preset"].values] if "device_preset" in ds else None
    return [f"{int(n)}: {presets[i]}" if presets else f"device {int(n)}" for i, n in enumerate(ds["device"].values)]


def figure_convergence(ds):
    it = ds["validation_step"].values
    mse, se = ds["validation_mse"].values, ds["validation_stderr"].values
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    ax.plot(it, mse, marker="o", ms=3, color="k", label=f"SSCA m$^\\tau$ ({text(ds.attrs.get('solver', '?'))} design)")
    band = np.isfinite(mse) & np.isfinite(se)
    ax.fill_between(it, mse - 2 * se, mse + 2 * se, where=band, color="k", alpha=0.15, lw=0)
    for k, name in enumerate(ds["baseline"].values):
        b = ds.sel(baseline=name)
        v = float(b["baseline_mse"])
        if int(b["baseline_feasible"]) and np.isfinite(v):
            ax.axhline(v, ls=STYLES[k % len(STYLES)], color=f"C{k}", label=f"{name} m: {v:.3g}")
        else:
            ax.plot([], [], ls=STYLES[k % len(STYLES)], color=f"C{k}", label=f"{name} m (infeasible)")
    if "rounded" in ds["level"].values:
        r = float(ds["level_mse"].sel(level="rounded"))
        if np.isfinite(r):
            ax.axhline(r, color="C9", lw=0.8, label=f"final m rounded to heads/neurons: {r:.3g}")
    ax.set_xlabel("SSCA iteration $\\tau$")
    ax.set_ylabel("validation MSE per slot")
    ax.set_title(f"SSCA model assignment, N = {ds.sizes['device']} devices", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    footer(fig, describe(ds))
    return fig


def figure_m(ds):
    m = ds["m"].transpose("step", "device").values
    caps = ds["device_cap"].values
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for n, name in enumerate(device_names(ds)):
        line, = ax.plot(ds["step"].values, m[:, n], label=f"{name} (final {m[-1, n]:.3f})")
        if caps[n] < 1:
            ax.axhline(caps[n], ls="--", lw=0.8, color=line.get_color())
    ax.set_xlabel("SSCA iteration $\\tau$")
    ax.set_ylabel("share of the model $m_n$ (cap dashed)")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("Assignment trajectories", fontsize=10)
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
    written = []
    save_figure(figure_convergence(ds), outdir, f"{prefix}_convergence", written)
    save_figure(figure_m(ds), outdir, f"{prefix}_m", written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
