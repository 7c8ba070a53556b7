"""Reading `airtp latency` result files (HDF5 written by experiments/cmd_latency.cpp).

Layout: total_ms, compute_ms, uplink_ms, downlink_ms, feasible, speedup_vs_digital,
speedup_vs_centralised, each with dims "model,mix,bandwidth,scheme,n_devices"; coordinates
model, mix, scheme (strings), bandwidth_hz, n_devices. NaN marks infeasible points.
"""
import h5py
import numpy as np

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
            out[name] = np.asarray(f[name][()], dtype=float)
        shape = tuple(len(out[k]) for k in ("model", "mix", "bandwidth_hz", "scheme", "n_devices"))
        for name in TABLE:
            if out[name].shape != shape:
                raise InputError(f"{path}: {name} has shape {out[name].shape}, expected {shape}")
    return out
