"""Plot transceiver solvers from `airtp compare` results: MSE vs N_r and vs N per solver.

Usage: /usr/bin/python3 analysis/plot_solvers.py results/compare.h5 [-o results/plots]

For every group of points that share N (resp. N_r) and vary N_r (resp. N), draws the mean
exact MSE of every solver with the SDP lower bound (top panel) and the median ratio to
SDR + randomization (bottom panel, when sdr was run). Writes <stem>_vs_nr.{png,pdf} and
<stem>_vs_n.{png,pdf}. Undefined points (all outages, no SDR, no lower bound: masked in the
file by *_valid datasets) are gaps in the curves.
"""
import argparse
import os
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import describe, masked, open_result  # noqa: E402


def read(f):
    solvers = [s.decode() if isinstance(s, bytes) else str(s) for s in f["axes/solvers"][()]]
    return {
        "solvers": solvers,
        "devices": np.asarray(f["axes/devices"][()]),
        "n_rx": np.asarray(f["axes/n_rx"][()]),
        "mse": masked(f["compare/mse_mean"]),
        "ratio": masked(f["compare/ratio_to_sdr_median"]),
        "lb": masked(f["compare/lower_bound_mse_mean"]),
    }


def finite(x, y):
    """x and y with NaN where y is undefined or not positive (log axes): matplotlib gaps."""
    m = np.isfinite(y) & (y > 0)
    return x, np.where(m, y, np.nan)


def plot_axis(d, xkey, gkey, xlabel, glabel, title):
    """One figure: x along xkey, one curve family per fixed value of gkey. None if no axis varies."""
    groups = [g for g in np.unique(d[gkey]) if len(np.unique(d[xkey][d[gkey] == g])) > 1]
    if not groups:
        return None
    has_sdr = "sdr" in d["solvers"]
    fig, axes = plt.subplots(2 if has_sdr else 1, 1, figsize=(6, 7 if has_sdr else 4.5), squeeze=False)
    ax, axr = axes[0, 0], axes[-1, 0] if has_sdr else None
    for g in groups:
        idx = np.where(d[gkey] == g)[0]
        idx = idx[np.argsort(d[xkey][idx])]
        x = d[xkey][idx].astype(float)
        suffix = f", {glabel}={g}" if len(groups) > 1 else ""
        for s, name in enumerate(d["solvers"]):
            xs, ys = finite(x, d["mse"][idx, s])
            ax.semilogy(xs, ys, marker="o", label=name + suffix)
            if has_sdr and name != "sdr":
                xs, ys = finite(x, d["ratio"][idx, s])
                axr.semilogy(xs, ys, marker="o", label=name + suffix)
        xs, ys = finite(x, d["lb"][idx])
        ax.semilogy(xs, ys, "k--", label="lower bound" + suffix)
    ax.set_ylabel("mean MSE (normalised)")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    if has_sdr:
        axr.axhline(1.0, color="gray", lw=0.8)
        axr.set_ylabel("median MSE / SDR+rand.")
        axr.legend(fontsize=7)
        axr.grid(True, which="both", alpha=0.3)
    axes[-1, 0].set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="compare result files (HDF5)")
    ap.add_argument("-o", "--outdir", default=None, help="output folder (default: next to each file)")
    a = ap.parse_args(argv)
    for path in a.files:
        with open_result(path, "compare") as f:
            d = read(f)
            title = describe(f)
        outdir = a.outdir or os.path.dirname(os.path.abspath(path))
        os.makedirs(outdir, exist_ok=True)
        stem = os.path.splitext(os.path.basename(path))[0]
        made = 0
        for suffix, fig in (("vs_nr", plot_axis(d, "n_rx", "devices", "server antennas $N_r$", "N", title)),
                            ("vs_n", plot_axis(d, "devices", "n_rx", "devices $N$", "N_r", title))):
            if fig is None:
                continue
            for ext in ("png", "pdf"):
                fig.savefig(os.path.join(outdir, f"{stem}_{suffix}.{ext}"), dpi=150)
            plt.close(fig)
            made += 1
        if made == 0:
            print(f"{path}: neither N_r nor N varies; nothing to plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
