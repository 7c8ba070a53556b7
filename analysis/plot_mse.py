#!/usr/bin/env python3
"""Plots the transmission MSE of an `airtp mse` result file, every scheme it holds.

Writes <prefix>_vs_snr.png/.pdf (MSE in dB against SNR or transmit power: one colour per
scheme curve -- AirComp per receive design, uncoded FDMA, digital per bit width -- one marker
per channel configuration, shaded +-2 standard errors) and <prefix>_vs_devices.png/.pdf (MSE
against N: colour per scheme, line style per noise level; the digital quantization error does
not depend on the noise level and is drawn once).

Files from before schemes existed (only mse/*) plot as their single AirComp curve.

Usage: plot_mse.py RESULT.h5 [-o OUTDIR] [--prefix NAME] [--at LEVEL,...]
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
from airtp_h5 import describe, masked, open_result, save_figure, text_attr  # noqa: E402

MARKERS = "osD^vP*Xh<>"
# Line styles of the noise levels in the MSE-vs-N plot; digital has its own (DIGITAL).
STYLES = ["-", "--", ":", (0, (5, 1)), (0, (1, 3)), (0, (8, 2, 1, 2))]
DIGITAL = (0, (3, 1, 1, 1, 1, 1))  # dash-dot-dot
KIND_STYLE = {"aircomp": "-", "fdma": "--", "digital": DIGITAL}


def db(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return 10 * np.log10(np.where(np.asarray(x) > 0, x, np.nan))


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def k_factor_db(f):
    """K per configuration, -inf for Rayleigh (masked in the file: axes/k_factor_db_valid = 0)."""
    k = masked(f["axes/k_factor_db"])
    return np.where(np.isnan(k), -np.inf, k)


def config_label(f, i):
    k = k_factor_db(f)[i]
    kl = "Rayleigh" if np.isinf(k) else f"K={k:g} dB"
    return (f"N={f['axes/devices'][i]}, $N_r$={f['axes/n_rx'][i]}, $N_t$={f['axes/n_tx'][i]}, "
            f"L={f['axes/streams'][i]}, {kl}")


def load_curves(f):
    """Every curve as a dict: label, kind, mean/stderr/percentiles [P, S], outages/used [P]."""
    if "scheme/mean" in f:
        labels = [_text(v) for v in f["axes/scheme_label"][:]]
        kinds = [_text(v) for v in f["axes/scheme"][:]]
        # Undefined entries (all-outage points; stderr of < 2 samples) are NaN: gaps in the curves.
        mean, se, pct = masked(f["scheme/mean"]), masked(f["scheme/stderr"]), masked(f["scheme/percentiles"])
        outages, used = f["scheme/outages"][:], f["scheme/realizations"][:]
        return [dict(label=labels[c], kind=kinds[c], mean=mean[c], se=se[c], pct=pct[c],
                     outages=outages[c], used=used[c]) for c in range(len(labels))]
    return [dict(label=f"aircomp ({text_attr(f, 'solver')})", kind="aircomp", mean=masked(f["mse/mean"]),
                 se=masked(f["mse/stderr"]), pct=masked(f["mse/percentiles"]), outages=f["mse/outages"][:],
                 used=f["mse/realizations"][:])]


def curve_label(cv):
    n = int(np.sum(cv["outages"]))
    return cv["label"] + (f" ({n} outages)" if n else "")


def pick_levels(x, at):
    """Indices of the noise levels for the vs-N plot: --at values, else first, middle, last."""
    if at:
        idx = []
        for v in at:
            hit = np.flatnonzero(np.isclose(x, v))
            if not len(hit):
                raise SystemExit(f"--at: {v:g} is not a noise level of this file ({', '.join(f'{u:g}' for u in x)})")
            idx.append(int(hit[0]))
        return idx
    return sorted({0, len(x) // 2, len(x) - 1})


def save(fig, outdir, stem, written):
    save_figure(fig, outdir, stem, written)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("result")
    ap.add_argument("-o", "--outdir", default=".")
    ap.add_argument("--prefix", default=None, help="file name prefix (default: the result's name)")
    ap.add_argument("--at", default=None,
                    help="noise levels (dB or dBm) for the MSE-vs-N plot, comma list (default: first, middle, last)")
    a = ap.parse_args(argv)
    f = open_result(a.result, "mse")
    at = [float(v) for v in a.at.split(",")] if a.at else None
    prefix = a.prefix or os.path.splitext(os.path.basename(a.result))[0]
    os.makedirs(a.outdir, exist_ok=True)
    curves = load_curves(f)
    levels = list(f["axes/percentile_levels"][:])
    physical = "axes/tx_power_dbm" in f
    x = f["axes/tx_power_dbm"][:] if physical else f["axes/snr_db"][:]
    xlabel = "transmit power per device (dBm)" if physical else "SNR (dB)"
    ylabel = "transmission MSE per slot (dB)"
    n_points = len(f["axes/devices"][:])
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    written = []

    # MSE vs noise level: colour = scheme curve, marker = channel configuration.
    fig, ax = plt.subplots(figsize=(10, 5))
    few = len(curves) * n_points <= 6
    for c, cv in enumerate(curves):
        color = colors[c % len(colors)]
        for i in range(n_points):
            if cv["used"][i] <= 0:
                continue
            m, s = cv["mean"][i], cv["se"][i]
            ax.plot(x, db(m), color=color, linestyle=KIND_STYLE.get(cv["kind"], "-"),
                    marker=MARKERS[i % len(MARKERS)], markersize=4)
            lo = np.where(m - 2 * s > 0, db(m - 2 * s), db(m) - 0.5)
            ax.fill_between(x, lo, db(m + 2 * s), color=color, alpha=0.2)
            if few and 25.0 in levels and 75.0 in levels:
                ax.fill_between(x, db(cv["pct"][i, :, levels.index(25.0)]), db(cv["pct"][i, :, levels.index(75.0)]),
                                color=color, alpha=0.07)
    scheme_handles = [Line2D([], [], color=colors[c % len(colors)], linestyle=KIND_STYLE.get(cv["kind"], "-"),
                             label=curve_label(cv)) for c, cv in enumerate(curves)]
    config_handles = [Line2D([], [], color="gray", linestyle="none", marker=MARKERS[i % len(MARKERS)],
                             label=config_label(f, i)) for i in range(n_points)]
    leg = ax.legend(handles=scheme_handles, title="scheme (receive design)", fontsize=7, title_fontsize=7,
                    loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.add_artist(leg)
    ax.legend(handles=config_handles, title="channel configuration", fontsize=6, title_fontsize=7,
              loc="lower left", bbox_to_anchor=(1.01, 0.0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title("All-reduce transmission MSE: AirComp, uncoded FDMA, digital (quantization)", fontsize=10)
    ax.grid(True, alpha=0.3)
    fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
    fig.tight_layout()
    save(fig, a.outdir, f"{prefix}_vs_snr", written)

    devices = f["axes/devices"][:]
    if len(np.unique(devices)) > 1:
        fig, ax = plt.subplots(figsize=(10, 5))
        # Group configurations that differ only in N; marker per group, colour per scheme.
        keys = {}
        for i in range(len(devices)):
            key = (f["axes/n_rx"][i], f["axes/n_tx"][i], f["axes/streams"][i], k_factor_db(f)[i])
            keys.setdefault(key, []).append(i)
        chosen = pick_levels(x, at)
        unit = "dBm" if physical else "dB"
        for g, (key, idx) in enumerate(keys.items()):
            idx = sorted(idx, key=lambda i: devices[i])
            for c, cv in enumerate(curves):
                ok = [i for i in idx if cv["used"][i] > 0]
                if not ok:
                    continue
                js = chosen[:1] if cv["kind"] == "digital" else chosen  # digital: the same at every level
                for k, j in enumerate(js):
                    ax.plot(devices[ok], db(cv["mean"][ok, j]), color=colors[c % len(colors)],
                                linestyle=DIGITAL if cv["kind"] == "digital" else STYLES[k % len(STYLES)],
                                marker=MARKERS[g % len(MARKERS)], markersize=4)
        handles = [Line2D([], [], color=colors[c % len(colors)], label=curve_label(cv),
                          linestyle=DIGITAL if cv["kind"] == "digital" else "-") for c, cv in enumerate(curves)]
        handles += [Line2D([], [], color="gray", linestyle=STYLES[k % len(STYLES)],
                           label=f"{'P' if physical else 'SNR'} = {x[j]:g} {unit}") for k, j in enumerate(chosen)]
        if len(keys) > 1:
            handles += [Line2D([], [], color="gray", linestyle="none", marker=MARKERS[g % len(MARKERS)],
                               label=f"$N_r$={k[0]}, $N_t$={k[1]}, L={k[2]}, K={k[3]:g} dB")
                        for g, k in enumerate(keys)]
        ax.legend(handles=handles, fontsize=7, title="digital (dash-dot-dot):\nthe same at every noise level",
                  title_fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        ax.set_xlabel("number of devices N")
        ax.set_ylabel(ylabel)
        ax.set_xticks(np.unique(devices))
        ax.set_title("All-reduce transmission MSE vs number of devices", fontsize=10)
        ax.grid(True, alpha=0.3)
        fig.text(0.01, 0.01, describe(f), fontsize=6, color="gray")
        fig.tight_layout()
        save(fig, a.outdir, f"{prefix}_vs_devices", written)
    for p in written:
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
