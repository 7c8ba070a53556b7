#!/usr/bin/python3
"""Latency per generated token vs number of devices, per scheme and model, and the speedup
curves (over digital all-reduce and over centralised inference), from `airtp latency`.

    /usr/bin/python3 analysis/plot_latency.py results/latency.h5 [-o figures/]

Writes, for each device mix and bandwidth in the file:
  latency_<mix>_B<MHz>MHz.{png,pdf}  one panel per model, ms per token vs N, one line per
                                     scheme; the paper's Table I (AirComp) as crosses where known
  speedup_<mix>_B<MHz>MHz.{png,pdf}  one panel per model, speedup of each scheme over digital
                                     (solid) and over centralised (dashed) vs N
"""
import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from latency_io import InputError, read_latency  # noqa: E402

# SPEC §6, paper Table I: ms per token for AirComp at N = 1, 2, 4, 8 (None: does not fit).
PAPER_TABLE_I = {
    "llama2-7b": [114.2, 69.7, 45.7, 37.8],
    "llama2-13b": [217.3, 128.5, 81.3, 66.4],
    "llama2-70b": [None, 660.9, 423.0, 354.2],
    "llama3-70b": [None, 746.8, 477.1, 406.0],
}
PAPER_N = [1, 2, 4, 8]
STYLE = {"aircomp": ("C0", "o"), "digital": ("C3", "s"), "fdma": ("C2", "^"), "centralised": ("C7", "D")}


def _grid(n):
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig, out_dir, stem):
    paths = []
    for ext in ("png", "pdf"):
        p = os.path.join(out_dir, f"{stem}.{ext}")
        fig.savefig(p, dpi=150, bbox_inches="tight")
        paths.append(p)
    plt.close(fig)
    return paths


def plot(path, out_dir):
    d = read_latency(path)
    os.makedirs(out_dir, exist_ok=True)
    ns = d["n_devices"]
    written = []
    for x, mix in enumerate(d["mix"]):
        for b, bw in enumerate(d["bandwidth_hz"]):
            tag = f"{mix}_B{bw / 1e6:g}MHz"
            fig, axes = _grid(len(d["model"]))
            for a, (ax, model) in enumerate(zip(axes, d["model"])):
                for s, scheme in enumerate(d["scheme"]):
                    color, marker = STYLE.get(scheme, (None, "o"))
                    ax.plot(ns, d["total_ms"][a, x, b, s], marker=marker, color=color, label=scheme)
                ref = PAPER_TABLE_I.get(model)
                if ref is not None:
                    pts = [(n, v) for n, v in zip(PAPER_N, ref) if v is not None]
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], "kx", ms=8, ls="none",
                            label="paper Table I (AirComp)")
                ax.set_title(model)
                ax.set_xlabel("devices N")
                ax.set_ylabel("latency per token (ms)")
                ax.set_xscale("log", base=2)
                ax.set_xticks(ns, [str(n) for n in ns])
                ax.grid(alpha=0.3)
            axes[0].legend(fontsize=7)
            fig.suptitle(f"Latency per generated token (mix {mix}, B = {bw / 1e6:g} MHz)")
            written += _save(fig, out_dir, f"latency_{tag}")

            fig, axes = _grid(len(d["model"]))
            for a, (ax, model) in enumerate(zip(axes, d["model"])):
                for s, scheme in enumerate(d["scheme"]):
                    color, marker = STYLE.get(scheme, (None, "o"))
                    if scheme != "digital":
                        ax.plot(ns, d["speedup_vs_digital"][a, x, b, s], marker=marker, color=color,
                                label=f"{scheme} vs digital")
                    if scheme != "centralised":
                        ax.plot(ns, d["speedup_vs_centralised"][a, x, b, s], marker=marker, color=color,
                                ls="--", mfc="none", label=f"{scheme} vs centralised")
                ax.axhline(1.0, color="k", lw=0.8)
                ax.set_title(model)
                ax.set_xlabel("devices N")
                ax.set_ylabel("speedup (x)")
                ax.set_xscale("log", base=2)
                ax.set_xticks(ns, [str(n) for n in ns])
                ax.grid(alpha=0.3)
            axes[0].legend(fontsize=6)
            fig.suptitle(f"Speedup per token (mix {mix}, B = {bw / 1e6:g} MHz)")
            written += _save(fig, out_dir, f"speedup_{tag}")
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("result", help="HDF5 file written by `airtp latency`")
    ap.add_argument("-o", "--out-dir", default=None, help="folder for the figures (default: next to the file)")
    args = ap.parse_args(argv)
    out_dir = args.out_dir or os.path.join(os.path.dirname(os.path.abspath(args.result)), "figures")
    try:
        for p in plot(args.result, out_dir):
            print(p)
    except InputError as e:
        print(f"plot_latency: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
