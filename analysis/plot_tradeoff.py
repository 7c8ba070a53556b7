#!/usr/bin/python3
"""Accuracy vs speed: perplexity (from `airtp ppl`) against latency per generated token (from
`airtp latency`) for each all-reduce scheme, on the bundled model.

    airtp latency --model-file data/models/stories260K/stories260K.bin -o results/latency_bundled.h5
    /usr/bin/python3 analysis/plot_tradeoff.py results/ppl.h5 results/latency_bundled.h5 [-o figures/]

What is expected of the perplexity file (read defensively; anything else is an error that
names the file and what is missing, exit code 2):
  - a dataset named perplexity, ppl, perplexity_mean or ppl_mean (at the root or in a group),
    with a `dims` attribute: comma-separated axis names;
  - axes recognised by name: scheme (aliases schemes), n_devices (devices, n), snr_db (snr).
    Each axis has a coordinate dataset of the same name (or alias) next to it or at the root:
    strings for scheme, numbers for the others. Any other axis (e.g. dataset) gives one
    figure per value, labelled by its coordinate dataset when there is one;
  - without a scheme axis, a `scheme` attribute (dataset or root); without an n_devices
    axis, an `n_devices` attribute; without an SNR axis, one panel;
  - optional standard errors in <name>_se (or perplexity_se / ppl_se / perplexity_stderr),
    same shape: drawn as error bars.
Scheme names are matched to latency schemes by prefix: aircomp* -> aircomp, digital* ->
digital, fdma* / uncoded* -> fdma; exact / clean / ideal / noiseless / centralised is the
error-free reference, drawn at the centralised latency and as a dotted line.
"""
import argparse
import itertools
import os
import sys

import h5py
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import masked  # noqa: E402
from latency_io import InputError, read_latency  # noqa: E402

PPL_NAMES = ("perplexity", "ppl", "perplexity_mean", "ppl_mean")
SE_NAMES = ("perplexity_se", "ppl_se", "perplexity_stderr", "ppl_stderr")
ALIASES = {"scheme": ("scheme", "schemes"), "n_devices": ("n_devices", "devices", "n"),
           "snr_db": ("snr_db", "snr")}
REFERENCE = ("exact", "clean", "ideal", "noiseless", "centralised", "centralized", "none")
KNOWN_LLAMA = ("llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b", "llama3-70b")


def _text(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


def latency_scheme(name):
    """Latency scheme for a perplexity-file scheme name; 'reference' or None (unknown)."""
    n = name.lower()
    if n in REFERENCE or n.startswith("exact"):
        return "reference"
    for prefix, s in (("aircomp", "aircomp"), ("digital", "digital"), ("fdma", "fdma"), ("uncoded", "fdma")):
        if n.startswith(prefix):
            return s
    return None


def _find_ppl(f, path):
    found = []
    f.visititems(lambda name, obj: found.append(name) if isinstance(obj, h5py.Dataset)
                 and name.rsplit("/", 1)[-1] in PPL_NAMES else None)
    if not found:
        raise InputError(f"{path}: no dataset named one of {', '.join(PPL_NAMES)}")
    # The noisy curve, not the clean reference (`airtp ppl` writes clean/ppl and points/ppl).
    found.sort(key=lambda n: (n.startswith("clean/"), n.count("/"), PPL_NAMES.index(n.rsplit("/", 1)[-1])))
    return found[0]


def _coord(f, group, names):
    for n in names:
        for where in (group, ""):
            key = f"{where}/{n}" if where else n
            if key in f and isinstance(f[key], h5py.Dataset):
                return f[key][()]
    return None


def read_ppl(path):
    """Returns (axes, values, se, fixed) with axes a list of (name, coordinate list)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: cannot open as HDF5 ({e})")
    with f:
        name = _find_ppl(f, path)
        ds = f[name]
        group = name.rsplit("/", 1)[0] if "/" in name else ""
        vals = masked(ds)  # NaN where undefined (masked_by), skipped below
        dims = _text(ds.attrs.get("dims", "")).split(",") if "dims" in ds.attrs else []
        dims = [d.strip() for d in dims if d.strip()]
        if vals.ndim == 0:
            vals = vals.reshape(())
        if len(dims) != vals.ndim:
            raise InputError(f"{path}: {name} has {vals.ndim} axes but its 'dims' attribute names "
                             f"{len(dims)} ({','.join(dims) or 'none'})")
        se = None
        for sname in (name + "_se",) + tuple(f"{group}/{s}" if group else s for s in SE_NAMES):
            if sname in f and f[sname].shape == ds.shape:
                se = masked(f[sname])
                break
        axes = []
        for i, d in enumerate(dims):
            canon = next((k for k, al in ALIASES.items() if d in al), d)
            c = _coord(f, group, ALIASES.get(canon, (d,)))
            if c is None:
                if canon in ("scheme", "n_devices"):
                    raise InputError(f"{path}: axis '{d}' of {name} has no coordinate dataset '{d}'")
                c = np.arange(vals.shape[i])
            c = [_text(x) for x in c] if canon == "scheme" or (len(c) and isinstance(c[0], bytes)) else list(c)
            if len(c) != vals.shape[i]:
                raise InputError(f"{path}: coordinate '{d}' has {len(c)} entries, axis has {vals.shape[i]}")
            axes.append((canon, c))
        fixed = {}
        names = [a for a, _ in axes]
        for key in ("scheme", "n_devices"):
            if key not in names:
                v = None
                for alias in ALIASES[key]:  # `airtp ppl` records N as the root attribute 'devices'
                    v = ds.attrs.get(alias, f.attrs.get(alias))
                    if v is not None:
                        break
                if v is None:
                    raise InputError(f"{path}: {name} has no '{key}' axis and no '{key}' attribute")
                fixed[key] = _text(v) if key == "scheme" else int(np.asarray(v).ravel()[0])
    return axes, vals, se, fixed


def pick_model(lat, model):
    if model is not None:
        if model not in lat["model"]:
            raise InputError(f"--model '{model}' is not in the latency file (has: {', '.join(lat['model'])})")
        return lat["model"].index(model)
    if len(lat["model"]) == 1:
        return 0
    others = [i for i, m in enumerate(lat["model"]) if m not in KNOWN_LLAMA]
    if len(others) == 1:
        return others[0]
    raise InputError(f"latency file has several models ({', '.join(lat['model'])}): choose one with --model")


def plot(ppl_path, lat_path, out_dir, model=None, mix=0, bandwidth=0):
    lat = read_latency(lat_path)
    a = pick_model(lat, model)
    if not (0 <= mix < len(lat["mix"])) or not (0 <= bandwidth < len(lat["bandwidth_hz"])):
        raise InputError("--mix / --bandwidth index out of range for the latency file")
    total = lat["total_ms"][a, mix, bandwidth]  # [scheme, n]
    ns = list(lat["n_devices"])

    def latency_ms(scheme, n):
        if scheme not in lat["scheme"] or n not in ns:
            return np.nan
        return total[lat["scheme"].index(scheme), ns.index(n)]

    axes, vals, se, fixed = read_ppl(ppl_path)
    names = [x for x, _ in axes]
    extra = [i for i, x in enumerate(names) if x not in ("scheme", "n_devices", "snr_db")]
    snr_axis = names.index("snr_db") if "snr_db" in names else None
    snrs = axes[snr_axis][1] if snr_axis is not None else [None]
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for combo in itertools.product(*[range(len(axes[i][1])) for i in extra]):
        label = "_".join(f"{axes[i][1][j]}" for i, j in zip(extra, combo))
        fig, pax = plt.subplots(1, len(snrs), figsize=(4.6 * len(snrs), 3.8), squeeze=False, layout="constrained")
        plotted = 0
        for k, snr in enumerate(snrs):
            ax = pax[0][k]
            schemes = axes[names.index("scheme")][1] if "scheme" in names else [fixed["scheme"]]
            devices = axes[names.index("n_devices")][1] if "n_devices" in names else [fixed["n_devices"]]
            for si, sname in enumerate(schemes):
                ls = latency_scheme(sname)
                if ls is None:
                    print(f"plot_tradeoff: skipping unknown scheme '{sname}'", file=sys.stderr)
                    continue
                xs, ys, es, labels = [], [], [], []
                for ni, n in enumerate(devices):
                    idx = [0] * vals.ndim
                    for i, j in zip(extra, combo):
                        idx[i] = j
                    if "scheme" in names:
                        idx[names.index("scheme")] = si
                    if "n_devices" in names:
                        idx[names.index("n_devices")] = ni
                    if snr_axis is not None:
                        idx[snr_axis] = k
                    y = vals[tuple(idx)] if vals.ndim else float(vals)
                    x = latency_ms("centralised" if ls == "reference" else ls, int(n))
                    if not (np.isfinite(x) and np.isfinite(y)):
                        continue
                    xs.append(x)
                    ys.append(y)
                    es.append(se[tuple(idx)] if se is not None and vals.ndim else np.nan)
                    labels.append(int(n))
                if not xs:
                    continue
                if ls == "reference":
                    ax.axhline(ys[0], color="k", ls=":", lw=1, label=f"{sname} (error-free)")
                    ax.plot(xs[:1], ys[:1], "k*", ms=10)
                    plotted += 1
                    continue
                order = np.argsort(labels)
                xs, ys, es = np.array(xs)[order], np.array(ys)[order], np.array(es)[order]
                ax.errorbar(xs, ys, yerr=None if np.all(np.isnan(es)) else es, marker="o", capsize=2, label=sname)
                for x, y, n in zip(xs, ys, np.array(labels)[order]):
                    ax.annotate(f"N={n}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
                plotted += 1
            ax.set_xlabel("latency per token (ms)")
            ax.set_ylabel("perplexity")
            ax.set_title(f"SNR {snr:g} dB" if snr is not None else lat["model"][a])
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        if plotted == 0:
            plt.close(fig)
            raise InputError(f"{ppl_path}: no (scheme, N) point has a latency in {lat_path} "
                             f"(latency N: {ns}; schemes: {', '.join(lat['scheme'])})")
        fig.suptitle(f"Perplexity vs latency per token: {lat['model'][a]}" + (f" ({label})" if label else ""))
        stem = f"tradeoff_{lat['model'][a]}" + (f"_{label}" if label else "")
        for ext in ("png", "pdf"):
            p = os.path.join(out_dir, f"{stem}.{ext}")
            fig.savefig(p, dpi=150, bbox_inches="tight")
            written.append(p)
        plt.close(fig)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ppl", help="HDF5 file written by `airtp ppl`")
    ap.add_argument("latency", help="HDF5 file written by `airtp latency` for the same model")
    ap.add_argument("-o", "--out-dir", default=None, help="folder for the figures (default: next to the ppl file)")
    ap.add_argument("--model", default=None, help="model name in the latency file (default: the bundled one)")
    ap.add_argument("--mix", type=int, default=0, help="device-mix index in the latency file")
    ap.add_argument("--bandwidth", type=int, default=0, help="bandwidth index in the latency file")
    args = ap.parse_args(argv)
    out_dir = args.out_dir or os.path.join(os.path.dirname(os.path.abspath(args.ppl)), "figures")
    try:
        for p in plot(args.ppl, args.latency, out_dir, args.model, args.mix, args.bandwidth):
            print(p)
    except InputError as e:
        print(f"plot_tradeoff: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
