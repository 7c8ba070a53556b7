"""Reading `airtp latency` result files (HDF5 written by experiments/cmd_latency.cpp).

Layout: total_ms, compute_ms, uplink_ms, downlink_ms, feasible, speedup_vs_digital,
speedup_vs_centralised, each with dims "model,mix,bandwidth,scheme,n_devices"; coordinates
model, mix, scheme (strings), bandwidth_hz, n_devices. Infeasible points are written as 0 and
masked (attribute masked_by: "feasible" for the times, "<name>_valid" for the speedups); here
they come back as NaN, so that curves have gaps there.
"""
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import masked  # noqa: E402

TABLE = ("total_ms", "compute_ms", "uplink_ms", "downlink_ms", "feasible",
         "speedup_vs_digital", "speedup_vs_centralised")
DIMS = ["model", "mix", "bandwidth", "scheme", "n_devices"]


class InputError(Exception):
    """A result file that is not what the script expects; the message names file and field."""


def _strings(ds):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]]


def read_latency(path):
    """Returns a dict: coordinates (lists/arrays) and the tables (5-D numpy arrays)."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: cannot open as HDF5 ({e})")
    with f:
        for name in TABLE + ("model", "mix", "scheme", "bandwidth_hz", "n_devices"):
            if name not in f:
                raise InputError(f"{path}: missing dataset '{name}' (not an `airtp latency` file?)")
        dims = f["total_ms"].attrs.get("dims", "")
        dims = dims.decode() if isinstance(dims, bytes) else str(dims)
        if dims.split(",") != DIMS:
            raise InputError(f"{path}: total_ms has dims '{dims}', expected '{','.join(DIMS)}'")
        out = {
            "model": _strings(f["model"]),
            "mix": _strings(f["mix"]),
            "scheme": _strings(f["scheme"]),
            "bandwidth_hz": np.asarray(f["bandwidth_hz"][()], dtype=float),
            "n_devices": np.asarray(f["n_devices"][()], dtype=int),
        }
        for name in TABLE:
            try:
                out[name] = masked(f[name]) if name != "feasible" else np.asarray(f[name][()], dtype=float)
            except KeyError as e:
                raise InputError(str(e).strip("'\""))
        shape = tuple(len(out[k]) for k in ("model", "mix", "bandwidth_hz", "scheme", "n_devices"))
        for name in TABLE:
            if out[name].shape != shape:
                raise InputError(f"{path}: {name} has shape {out[name].shape}, expected {shape}")
    return out
