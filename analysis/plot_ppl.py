#!/usr/bin/env python3
"""Plots an `airtp ppl` result file: perplexity, KL divergence to the clean model and the
same-top-1 rate against SNR (or quantization bits for the digital scheme), error bars = 2
standard errors, the clean perplexity as a dashed line; and the measured NMSE of every
all-reduce by layer.

Writes <prefix>_ppl.png/.pdf and <prefix>_nmse.png/.pdf, and for a sweep over several N
<prefix>_ppl_vs_n.png/.pdf.

Usage: plot_ppl.py RESULT.h5 [RESULT2.h5 ...] [-o OUTDIR] [--prefix NAME]
Several files (e.g. one per scheme) are drawn on the same axes. A sweep file (runs/<scheme>_N<n>/
groups, from a config with several schemes or devices) contributes one curve per group. In a
figure against SNR, schemes that do not depend on it (exact, digital) are horizontal lines.
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


def x_axis(g):
    if "points/snr_db" in g:
        return g["points/snr_db"][:], "SNR (dB)"
    return g["points/bits"][:], "quantization bits"


def label(g):
    scheme = text_attr(g, "scheme")
    if scheme == "digital" and "points/bits" in g:
        scheme += " " + "/".join(f"{int(b)}" for b in g["points/bits"][:]) + " bit"
    return f"{scheme}, N={g.attrs.get('devices', '?')}"


def runs(f):
    """The curves of a result file: its sweep groups, or the file itself."""
    if "runs_index" in f:
        return [f[n.decode() if isinstance(n, bytes) else str(n)] for n in f["runs_index"][:]]
    return [f]


METRICS = [("ppl", "perplexity", True),
           ("kl", "KL(P_clean || P_noisy) (nat/token)", True),
           ("top1", "same top-1 as clean", False)]


def plot_vs_snr(files, groups, a, prefix):
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    analog = [g for g in groups if "points/snr_db" in g]
    flat = [g for g in groups if "points/snr_db" not in g]
    xlab = "SNR (dB)" if analog else "quantization bits"
    for g in (analog if analog else flat):
        x, _ = x_axis(g)
        order = np.argsort(x)
        for k, (name, yl, log) in enumerate(METRICS):
            y = masked(g[f"points/{name}"])[order]
            se = masked(g[f"points/{name}_se"])[order]
            ax[k].errorbar(x[order], y, yerr=2 * se, marker="o", capsize=3, label=label(g))
    if analog:  # SNR-independent schemes: one level each (first point) across the SNR axis
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        for i, g in enumerate(flat):
            c = colors[(len(analog) + i) % len(colors)]
            for k, (name, _, _) in enumerate(METRICS):
                level = masked(g[f"points/{name}"])[0]
                if np.isfinite(level):
                    ax[k].axhline(level, ls=":", lw=1.5, label=label(g), color=c)
    for k, (_, yl, log) in enumerate(METRICS):
        ax[k].set_ylabel(yl)
        if log:
            ax[k].set_yscale("log")
        ax[k].set_xlabel(xlab)
        ax[k].grid(True, which="both", alpha=0.3)
    clean = masked(files[0]["clean/ppl"])
    if np.isfinite(clean[0]):
        ax[0].axhline(clean[0], ls="--", color="k", label=f"clean {clean[0]:.3f}")
    ax[0].legend(fontsize=7)
    fig.suptitle(describe(files[0]), fontsize=8)
    fig.tight_layout()
    save_figure(fig, a.outdir, f"{prefix}_ppl", dpi=120)


def plot_vs_n(files, groups, a, prefix):
    """Perplexity against N: one line per scheme and SNR (or bit width)."""
    lines = {}
    for g in groups:
        x, _ = x_axis(g)
        analog = "points/snr_db" in g
        for i, xv in enumerate(x):
            key = (text_attr(g, "scheme"), f"{xv:g} dB" if analog else (f"{int(xv)} bit" if xv > 0 else ""))
            lines.setdefault(key, []).append((int(g.attrs.get("devices", 0)), masked(g["points/ppl"])[i],
                                              masked(g["points/ppl_se"])[i]))
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for (scheme, at), pts in sorted(lines.items()):
        pts.sort()
        n = [p[0] for p in pts]
        ax.errorbar(n, [p[1] for p in pts], yerr=[2 * p[2] for p in pts], marker="o", capsize=3,
                    label=f"{scheme} {at}".strip())
    clean = masked(files[0]["clean/ppl"])
    if np.isfinite(clean[0]):
        ax.axhline(clean[0], ls="--", color="k", label=f"clean {clean[0]:.3f}")
    ax.set_xlabel("number of devices N")
    ax.set_ylabel("perplexity")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    fig.suptitle(describe(files[0]), fontsize=8)
    fig.tight_layout()
    save_figure(fig, a.outdir, f"{prefix}_ppl_vs_n", dpi=120)


def plot_nmse(g, a, prefix, root):
    x, xlab = x_axis(g)
    nm = masked(g["points/nmse"])  # [point, layer, allreduce], NaN where undefined
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    names = ["after attention output", "after MLP down projection"]
    for j in range(nm.shape[2]):
        for layer in range(nm.shape[1]):
            ax[j].semilogy(x, np.maximum(nm[:, layer, j], 1e-300), marker="o", label=f"layer {layer}")
        ax[j].set_title(names[j] if j < 2 else f"all-reduce {j}")
        ax[j].set_xlabel(xlab)
        ax[j].set_ylabel("measured NMSE")
        ax[j].grid(True, which="both", alpha=0.3)
    ax[0].legend(fontsize=8)
    fig.suptitle(label(g) + " | " + describe(root), fontsize=8)
    fig.tight_layout()
    save_figure(fig, a.outdir, f"{prefix}_nmse", dpi=120)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the first result's name)")
    a = ap.parse_args(argv)
    files = [open_result(p, "ppl") for p in a.results]
    prefix = a.prefix or os.path.splitext(os.path.basename(a.results[0]))[0]
    os.makedirs(a.outdir, exist_ok=True)
    groups = [g for f in files for g in runs(f)]
    plot_vs_snr(files, groups, a, prefix)
    if len({int(g.attrs.get("devices", 0)) for g in groups}) > 1:
        plot_vs_n(files, groups, a, prefix)
    # NMSE by layer: the first run that depends on the SNR (else the first run).
    first = next((g for g in groups if "points/snr_db" in g), groups[0])
    plot_nmse(first, a, prefix, files[0])
    for f in files:
        f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
