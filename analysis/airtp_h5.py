"""Reading airtp result files (HDF5) as xarray Datasets, for the analysis scripts.

Every airtp command writes its results into one group named after the command (mse, compare,
assign, latency, ppl; an `airtp e2e` file holds the groups assign, mse, ppl and latency), with
HDF5 dimension scales: one dimension per sweep axis, so that the group opens as a Dataset with
named dimensions and coordinates. airtp never writes NaN or Inf: an undefined entry is written
as 0 and flagged 0 in the int mask that the dataset's attribute `masked_by` names (a path from
the file root, e.g. "mse/mean_valid"). open_group() turns those entries into NaN, so that
matplotlib leaves gaps there and numpy's nan* reductions skip them.

Root attributes: airtp_kind (the command), seed, code_version, backend, device.
"""
import itertools
import os

import h5py
import numpy as np
import xarray as xr

KINDS = ("mse", "compare", "assign", "latency", "ppl", "e2e", "shard")


def text(v):
    """A string from an HDF5 attribute or element (h5py returns bytes for fixed-length strings)."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        return text(v[()])
    return str(v)


def root_attrs(path):
    """The root attributes of a result file, strings decoded. SystemExit if it is not HDF5."""
    try:
        with h5py.File(path, "r") as f:
            return {k: text(v) if isinstance(v, (bytes, str)) else v for k, v in f.attrs.items()}
    except OSError as e:
        raise SystemExit(f"{path}: cannot open as HDF5 ({e})")


def check_kind(path, kinds):
    """The file's airtp_kind; SystemExit naming it when it is not one of `kinds` (a str or a tuple)."""
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    found = root_attrs(path).get("airtp_kind", "")
    if found not in kinds:
        what = found if found else "none (not an airtp result file?)"
        hint = " (a shard: `airtp merge` its shards into one result first)" if found == "shard" else ""
        raise SystemExit(f"{path}: airtp_kind is '{what}'{hint}; this script reads "
                         f"{' or '.join(repr(k) for k in kinds)} results")
    return found


def _mask_for(ds, name, path, group, f):
    """The mask DataArray (nonzero = defined) that ds[name]'s masked_by attribute names."""
    var = ds[name]
    where = text(var.attrs["masked_by"])
    rel = where[len(group) + 1:] if where.startswith(group + "/") else None
    if rel is not None and rel in ds.variables:
        mask = ds[rel]
        if set(mask.dims) - set(var.dims) and mask.shape == var.shape:  # a mask without dimension scales
            mask = xr.DataArray(mask.values, dims=var.dims)
    elif where in f and isinstance(f[where], h5py.Dataset):
        arr = f[where][()]
        if arr.shape != var.shape:
            raise SystemExit(f"{path}: mask '{where}' has shape {arr.shape}, {group}/{name} has {var.shape}")
        mask = xr.DataArray(arr, dims=var.dims)
    else:
        raise SystemExit(f"{path}: {group}/{name} is masked_by '{where}', which the file lacks")
    if not set(mask.dims) <= set(var.dims) or any(mask.sizes[d] != var.sizes[d] for d in mask.dims):
        raise SystemExit(f"{path}: mask '{where}' has dims {dict(mask.sizes)}, {group}/{name} has {dict(var.sizes)}")
    return mask


def open_group(path, group, kinds=None):
    """Group `group` of result file `path` as an xarray Dataset, loaded into memory, with NaN
    wherever a dataset's masked_by mask is 0. `kinds`: the airtp_kind values accepted (default:
    the group's name); another kind is refused with SystemExit naming it. The Dataset's attrs
    gain airtp_file, airtp_group and airtp_kind."""
    kind = check_kind(path, kinds or group)
    with h5py.File(path, "r") as f:
        if group not in f or not isinstance(f[group], h5py.Group):
            raise SystemExit(f"{path}: no group '{group}' (airtp_kind '{kind}'; groups: "
                             f"{', '.join(k for k in f if isinstance(f[k], h5py.Group))})")
        # phony_dims: a dataset without dimension scales gets placeholder dims instead of failing.
        ds = xr.open_dataset(path, engine="h5netcdf", group=group, decode_times=False,
                             decode_timedelta=False, phony_dims="sort").load()
        ds.close()
        for name in list(ds.data_vars):
            if "masked_by" not in ds[name].attrs:
                continue
            mask = _mask_for(ds, name, path, group, f)
            attrs = dict(ds[name].attrs)
            ds[name] = ds[name].where(mask != 0)
            ds[name].attrs = attrs
    ds.attrs.update(airtp_file=str(path), airtp_group=group, airtp_kind=kind)
    return ds


def describe(src):
    """One line naming what made a result: kind, seed, backend and device, code version, file.
    `src`: a path or a Dataset from open_group."""
    path = src.attrs["airtp_file"] if isinstance(src, xr.Dataset) else str(src)
    a = root_attrs(path)
    return (f"airtp {a.get('airtp_kind', '?')} | seed {a.get('seed', '?')} | {a.get('backend', '?')} "
            f"({a.get('device', '?')}) | {a.get('code_version', '?')} | {os.path.basename(path)}")


def config_toml(path):
    """The resolved configuration the run used (dataset run/config_toml), '' if absent."""
    with h5py.File(path, "r") as f:
        return text(f["run/config_toml"][()]) if "run/config_toml" in f else ""


def save_figure(fig, outdir, stem, written=None, dpi=150):
    """Writes fig as outdir/stem.png and .pdf, appends the paths to `written`, closes it.
    Figures with constrained layout already make room for their legends and footer; others
    are cropped to what they draw (bbox_inches="tight", which costs a second rendering)."""
    import matplotlib.pyplot as plt

    tight = fig.get_layout_engine() is None
    for ext in ("png", "pdf"):
        p = os.path.join(outdir, f"{stem}.{ext}")
        fig.savefig(p, dpi=dpi, bbox_inches="tight" if tight else None)
        if written is not None:
            written.append(p)
    plt.close(fig)


def footer(fig, line):
    """A small grey line at the bottom of the figure (what made it: see describe)."""
    fig.supxlabel(line, x=0.005, ha="left", fontsize=6, color="gray")


def side_legend(fig, handles, **kw):
    """A legend right of the top-right panel, which constrained layout makes room for."""
    axes = [ax for ax in fig.axes if ax.get_visible()]
    right = max(axes, key=lambda ax: (round(ax.get_position().x1, 3), ax.get_position().y1))
    kw.setdefault("fontsize", 7)
    return right.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), **kw)


# ---- labels ---------------------------------------------------------------------------------

# Axis titles of the sweep dimensions (x labels); other dimensions use their description.
AXIS_TITLES = {
    "snr_db": "SNR (dB)",
    "tx_power_dbm": "transmit power per device (dBm)",
    "n_devices": "number of devices N",
    "n_rx": "server receive antennas $N_r$",
    "n_tx": "device antennas $N_t$",
    "streams": "streams per slot L",
    "k_factor": "Rician K factor (linear)",
    "csi_nmse": "CSI estimation NMSE",
    "bandwidth_hz": "uplink bandwidth (Hz)",
    "assignment": "model assignment m",
}


def axis_title(ds, dim):
    """x-axis label of dimension `dim`: a known title, else its description and units."""
    if dim in AXIS_TITLES:
        return AXIS_TITLES[dim]
    attrs = ds[dim].attrs if dim in ds.variables else {}
    desc, units = text(attrs.get("description", dim)), text(attrs.get("units", ""))
    return f"{desc} ({units})" if units and units != "1" else desc


def value_text(dim, v):
    """Short label of one value of a dimension: 'N=4', 'K=3 dB', 'P=20 dBm', 'm=ssca'."""
    v = v.item() if isinstance(v, np.generic) else v
    if isinstance(v, (bytes, str)):
        v = text(v)
        return {"assignment": f"m={v}", "curve": v, "scheme": v, "model": v}.get(dim, f"{dim}={v}")
    if dim == "k_factor":
        return "Rayleigh" if v <= 0 else f"K={10 * np.log10(v):.3g} dB"
    if dim == "streams" and v == 0:
        return "L=min $N_t$"
    fmt = {"snr_db": "SNR={:g} dB", "tx_power_dbm": "P={:g} dBm", "n_devices": "N={:g}",
           "n_rx": "$N_r$={:g}", "n_tx": "$N_t$={:g}", "streams": "L={:g}", "csi_nmse": "CSI NMSE={:g}",
           "bandwidth_hz": "B={:g} MHz"}
    if dim == "bandwidth_hz":
        v = v / 1e6
    return fmt[dim].format(v) if dim in fmt else f"{dim}={v:g}" if isinstance(v, (int, float)) else f"{dim}={v}"


def sel_text(sel):
    """Label of a selection {dim: value}: its value_texts joined."""
    return ", ".join(value_text(d, v) for d, v in sel.items())


def fixed_text(da, skip=()):
    """The settings a DataArray holds at one value (its size-1 dims and scalar coordinates)."""
    out = []
    for name, c in da.coords.items():
        if name in skip or c.ndim > 1 or (c.ndim == 1 and (name not in da.dims or c.size != 1)):
            continue
        out.append(value_text(name, c.values.ravel()[0]))
    return ", ".join(out)


def varying(da, exclude=()):
    """Dimensions of `da` with more than one value, in order, leaving out `exclude`."""
    return [d for d in da.dims if d not in exclude and da.sizes[d] > 1]


def squeeze(da, keep=()):
    """`da` without its size-1 dimensions (kept as scalar coordinates), but those in `keep`."""
    return da.squeeze([d for d in da.dims if da.sizes[d] == 1 and d not in keep])


def combinations(da, dims):
    """Every selection {dim: value} over the product of `dims`' coordinates ([{}] for none)."""
    values = [list(da[d].values) for d in dims]
    return [dict(zip(dims, combo)) for combo in itertools.product(*values)]


def curve_kinds(ds):
    """The scheme of each curve (aircomp, fdma, digital, exact): the curve_kind dataset where
    the file has one, else the first word of the curve label ('aircomp (fast)' -> 'aircomp')."""
    if "curve_kind" in ds:
        return [text(v) for v in ds["curve_kind"].values]
    return [text(v).split()[0].split(":")[0] for v in ds["curve"].values]


def grid(n, width=4.6, height=3.6, cols=None, sharey=False):
    """A figure with n panels in a grid (at most 3 per row); returns (fig, flat list of axes)."""
    import matplotlib.pyplot as plt

    cols = cols or min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False,
                             layout="constrained", sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])
