#!/usr/bin/env python3
"""Plots an `airtp ppl` result file: perplexity, KL divergence to the clean model and the
same-top-1 rate against SNR (or quantization bits for the digital scheme), error bars = 2
standard errors, the clean perplexity as a dashed line; and the measured NMSE of every
all-reduce by layer.

Writes <prefix>_ppl.png/.pdf and <prefix>_nmse.png/.pdf.

Usage: plot_ppl.py RESULT.h5 [RESULT2.h5 ...] [-o OUTDIR] [--prefix NAME]
Several files (e.g. one per scheme) are drawn on the same axes.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import describe, masked, open_result, text_attr  # noqa: E402


def x_axis(f):
    if "points/snr_db" in f:
        return f["points/snr_db"][:], "SNR (dB)"
    return f["points/bits"][:], "quantization bits"


def label(f):
    return f"{text_attr(f, 'scheme')}, N={f.attrs.get('devices', '?')}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the first result's name)")
    a = ap.parse_args(argv)
    files = [open_result(p, "ppl") for p in a.results]
    prefix = a.prefix or os.path.splitext(os.path.basename(a.results[0]))[0]
    os.makedirs(a.outdir, exist_ok=True)

    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    clean = None
    xlab = ""
    for f in files:
        x, xlab = x_axis(f)
        clean = masked(f["clean/ppl"])
        order = np.argsort(x)
        for k, (name, yl, log) in enumerate([("ppl", "perplexity", True),
                                             ("kl", "KL(P_clean || P_noisy) (nat/token)", True),
                                             ("top1", "same top-1 as clean", False)]):
            # Undefined entries are NaN: gaps (a point without a standard error has no bar).
            y = masked(f[f"points/{name}"])[order]
            se = masked(f[f"points/{name}_se"])[order]
            ax[k].errorbar(x[order], y, yerr=2 * se, marker="o", capsize=3, label=label(f))
            ax[k].set_ylabel(yl)
            if log:
                ax[k].set_yscale("log")
    for k in range(3):
        ax[k].set_xlabel(xlab)
        ax[k].grid(True, which="both", alpha=0.3)
    if clean is not None:
        ax[0].axhline(clean[0], ls="--", color="k", label=f"clean {clean[0]:.3f}")
    ax[0].legend(fontsize=8)
    fig.suptitle(describe(files[0]), fontsize=8)
    fig.tight_layout()
    for ext in ("png", "pdf"):
        fig.savefig(os.path.join(a.outdir, f"{prefix}_ppl.{ext}"), dpi=120)
    plt.close(fig)

    f = files[0]
    x, xlab = x_axis(f)
    nm = masked(f["points/nmse"])  # [point, layer, allreduce], NaN where undefined
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
    fig.suptitle(label(f) + " | " + describe(f), fontsize=8)
    fig.tight_layout()
    for ext in ("png", "pdf"):
        fig.savefig(os.path.join(a.outdir, f"{prefix}_nmse.{ext}"), dpi=120)
    plt.close(fig)
    for f in files:
        f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
