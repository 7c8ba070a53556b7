#!/usr/bin/env python3
"""Plots an `airtp assign` result (SSCA model assignment, SPEC §5).

Writes <prefix>_convergence.png/.pdf (validation MSE per iteration, band = 2 standard errors,
with the baselines and the rounded split on the same validation channels as horizontal lines)
and <prefix>_m.png/.pdf (each device's share m_n per iteration, its cap dashed).

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
from airtp_h5 import describe, masked, open_result, save_figure, text_attr  # noqa: E402


def names(ds):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in ds[:]]


def save(fig, outdir, stem, written):
    save_figure(fig, outdir, stem, written)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    a = ap.parse_args(argv)
    f = open_result(a.result, "assign")
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    os.makedirs(a.outdir, exist_ok=True)
    written = []

    it = f["validation/iteration"][:]
    # Undefined points (all validation realizations in outage) are NaN: gaps in the curve.
    mse, se = masked(f["validation/mse"]), masked(f["validation/stderr"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(it, mse, marker="o", ms=3, color="k", label=f"SSCA ({text_attr(f, 'solver')} solver)")
    band = np.isfinite(mse) & np.isfinite(se)
    ax.fill_between(it, mse - 2 * se, mse + 2 * se, where=band, color="k", alpha=0.15)
    styles = ["--", ":", "-."]
    for k, (name, v, feas) in enumerate(zip(names(f["baselines/names"]), masked(f["baselines/mse"]),
                                            f["baselines/feasible"][:])):
        if feas and np.isfinite(v):
            ax.axhline(v, ls=styles[k % 3], color=f"C{k}", label=f"{name} m")
        else:
            ax.plot([], [], ls=styles[k % 3], color=f"C{k}", label=f"{name} m (infeasible)")
    r = masked(f["final/rounded_level/mse"])[0]
    if np.isfinite(r):
        ax.axhline(r, color="C3", lw=0.8, label="final m rounded to heads/neurons")
    ax.set_xlabel("SSCA iteration")
    ax.set_ylabel("validation E[MSE] per symbol")
    ax.set_title(f"SSCA model assignment, N = {f['final/m'].shape[0]} devices", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
    fig.tight_layout()
    save(fig, a.outdir, f"{prefix}_convergence", written)

    m = f["ssca/m"][:]
    caps = f["devices/cap"][:]
    dev = names(f["devices/names"])
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for n in range(m.shape[1]):
        line, = ax.plot(np.arange(m.shape[0]), m[:, n], label=f"{n}: {dev[n]}")
        if caps[n] < 1:
            ax.axhline(caps[n], ls="--", lw=0.8, color=line.get_color())
    ax.set_xlabel("SSCA iteration")
    ax.set_ylabel("share of the model $m_n$")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
    fig.tight_layout()
    save(fig, a.outdir, f"{prefix}_m", written)
    f.close()
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
