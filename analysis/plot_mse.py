#!/usr/bin/env python3
"""Plots the transmission MSE of an `airtp mse` result file.

Writes <prefix>_vs_snr.png/.pdf (MSE in dB against SNR or transmit power, one curve per
channel configuration, error bars = 2 standard errors, shaded 25-75 percentile band) and
<prefix>_vs_devices.png/.pdf (MSE against N at each noise level).

Usage: plot_mse.py RESULT.h5 [-o OUTDIR] [--prefix NAME]
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


def db(x):
    return 10 * np.log10(np.maximum(x, 1e-300))


def k_factor_db(f):
    """K per configuration, -inf for Rayleigh (masked in the file: axes/k_factor_db_valid = 0)."""
    k = masked(f["axes/k_factor_db"])
    return np.where(np.isnan(k), -np.inf, k)


def config_label(f, i):
    k = k_factor_db(f)[i]
    kl = "Rayleigh" if np.isinf(k) else f"K={k:g} dB"
    return (f"N={f['axes/devices'][i]}, $N_r$={f['axes/n_rx'][i]}, $N_t$={f['axes/n_tx'][i]}, "
            f"L={f['axes/streams'][i]}, {kl}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    a = ap.parse_args(argv)
    f = open_result(a.result, "mse")
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    os.makedirs(a.outdir, exist_ok=True)
    # Undefined entries (all-outage points; stderr of < 2 samples) are NaN: gaps in the curves.
    mean, se = masked(f["mse/mean"]), masked(f["mse/stderr"])
    pct, levels = masked(f["mse/percentiles"]), list(f["axes/percentile_levels"][:])
    outages = f["mse/outages"][:]
    physical = "axes/tx_power_dbm" in f
    x = f["axes/tx_power_dbm"][:] if physical else f["axes/snr_db"][:]
    xlabel = "transmit power per device (dBm)" if physical else "SNR (dB)"
    solver = text_attr(f, "solver")
    written = []

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i in range(mean.shape[0]):
        ok = f["mse/realizations"][i] > 0
        if not ok:
            continue
        lo = db(mean[i] - 2 * se[i]) if np.all(mean[i] - 2 * se[i] > 0) else db(mean[i]) - 0.5
        line, = ax.plot(x, db(mean[i]), marker="o", label=config_label(f, i)
                        + (f" ({outages[i]} outages)" if outages[i] else ""))
        ax.fill_between(x, lo, db(mean[i] + 2 * se[i]), color=line.get_color(), alpha=0.25)
        if 25.0 in levels and 75.0 in levels:
            ax.fill_between(x, db(pct[i, :, levels.index(25.0)]), db(pct[i, :, levels.index(75.0)]),
                            color=line.get_color(), alpha=0.08)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("transmission MSE per slot (dB)")
    ax.set_title(f"AirComp all-reduce MSE, receive design '{solver}'", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
    fig.tight_layout()
    for ext in ("png", "pdf"):
        p = os.path.join(a.outdir, f"{prefix}_vs_snr.{ext}")
        fig.savefig(p, dpi=150)
        written.append(p)
    plt.close(fig)

    devices = f["axes/devices"][:]
    if len(np.unique(devices)) > 1:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        # Group configurations that differ only in N.
        keys = {}
        for i in range(len(devices)):
            key = (f["axes/n_rx"][i], f["axes/n_tx"][i], f["axes/streams"][i], k_factor_db(f)[i])
            keys.setdefault(key, []).append(i)
        for key, idx in keys.items():
            idx = sorted(idx, key=lambda i: devices[i])
            for j, xv in enumerate(x):
                ax.errorbar(devices[idx], db(mean[idx, j]), marker="o", capsize=2,
                            label=f"{'P' if physical else 'SNR'}={xv:g} dB"
                            + (f"m, $N_r$={key[0]}" if physical else f", $N_r$={key[0]}"))
        ax.set_xlabel("number of devices N")
        ax.set_ylabel("transmission MSE per slot (dB)")
        ax.set_xticks(np.unique(devices))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
        fig.tight_layout()
        for ext in ("png", "pdf"):
            p = os.path.join(a.outdir, f"{prefix}_vs_devices.{ext}")
            fig.savefig(p, dpi=150)
            written.append(p)
        plt.close(fig)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
