"""Reading `airtp latency` results (the latency group of a latency or an e2e file).

The group's tables (total_ms, compute_ms, uplink_ms, downlink_ms, feasible, speedup_vs_digital,
speedup_vs_centralised) have the dims model, assignment, bandwidth_hz, tx_power_dbm, scheme,
n_devices; infeasible points (the model does not fit the devices' memory) come back as NaN.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from airtp_h5 import open_group, text  # noqa: E402

TABLES = ("total_ms", "compute_ms", "uplink_ms", "downlink_ms", "speedup_vs_digital", "speedup_vs_centralised")


def read_latency(path):
    """The latency group as a Dataset (NaN where infeasible). SystemExit for other kinds."""
    ds = open_group(path, "latency", ("latency", "e2e"))
    for name in TABLES:
        if name not in ds:
            raise SystemExit(f"{path}: the latency group lacks '{name}'")
    return ds


def pick_model(ds, model=None, hint=None):
    """The model coordinate to use: `model` when given, else the one named like `hint` (e.g. a
    ppl file's model path), else the only one. SystemExit naming the choices otherwise."""
    models = [text(m) for m in ds["model"].values]
    if model is not None:
        if model not in models:
            raise SystemExit(f"{ds.attrs['airtp_file']}: no model '{model}' (has: {', '.join(models)})")
        return model
    if hint:
        stem = os.path.splitext(os.path.basename(hint))[0].lower()
        hits = [m for m in models if m.lower() == stem or os.path.splitext(os.path.basename(m))[0].lower() == stem]
        if hits:
            return hits[0]
    if len(models) == 1:
        return models[0]
    raise SystemExit(f"{ds.attrs['airtp_file']}: several models ({', '.join(models)}): choose one with --model")


def scheme_of(curve_kind):
    """The latency scheme of an accuracy curve's kind: exact is the error-free reference, timed
    as centralised inference (no all-reduce)."""
    return {"exact": "centralised"}.get(curve_kind, curve_kind)


def nan_if_absent(da, sel):
    """da at the selection (coordinates by value), NaN where a value is not on its axis."""
    for d, v in sel.items():
        if d in da.dims and v not in set(da[d].values.tolist()):
            return np.nan
    return da.sel({d: v for d, v in sel.items() if d in da.dims})
