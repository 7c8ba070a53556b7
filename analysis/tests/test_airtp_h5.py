"""airtp_h5: groups open as xarray Datasets with masked entries as NaN, other kinds are refused."""
import h5py
import numpy as np
import pytest

import airtp_h5
from airtp_h5 import check_kind, describe, open_group, value_text


def write(path, kind="mse", mask_where="mse/mean_valid", mask_shape=None, scale_mask=True):
    """A small file laid out as airtp writes it: group mse with dimension scales curve and
    snr_db; mean masked (0 where undefined) by an int mask; counts an int dataset masked too."""
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = kind
        f.attrs["seed"] = "7"
        f.attrs["backend"] = "cpu"
        f.attrs["device"] = "test"
        f.attrs["code_version"] = "0.1.0 (test)"
        g = f.create_group("mse")
        c = g.create_dataset("curve", data=np.array(["aircomp (fast)", "digital (8 bits)"], dtype=h5py.string_dtype()))
        c.make_scale("curve")
        x = g.create_dataset("snr_db", data=np.array([0.0, 10.0, 20.0]))
        x.make_scale("snr_db")
        ok = np.array([[1, 0, 1], [1, 1, 0]], dtype=np.int64)
        mean = g.create_dataset("mean", data=np.where(ok, [[1.0, 0.1, 0.01], [2.0, 2.0, 2.0]], 0.0))
        counts = g.create_dataset("counts", data=np.where(ok, 5, 0).astype(np.int64))
        mask = f.create_dataset(mask_where, data=ok if mask_shape is None else np.ones(mask_shape, np.int64))
        for ds in (mean, counts) + ((mask,) if mask_where.startswith("mse/") and scale_mask else ()):
            ds.dims[0].attach_scale(c)
            ds.dims[1].attach_scale(x)
            ds.attrs["units"] = "1"
        for ds in (mean, counts):
            ds.attrs["masked_by"] = mask_where


def test_masked_entries_read_as_nan(tmp_path):
    p = tmp_path / "r.h5"
    write(p)
    ds = open_group(p, "mse")
    assert ds["mean"].dims == ("curve", "snr_db")
    assert list(ds["curve"].values) == ["aircomp (fast)", "digital (8 bits)"]
    m = ds["mean"].values
    assert np.isnan(m[0, 1]) and np.isnan(m[1, 2])
    assert m[0, 0] == 1.0 and m[0, 2] == 0.01 and m[1, 1] == 2.0
    assert int(np.isnan(m).sum()) == 2
    # An int dataset comes back as float with NaN at the masked entries; attributes are kept.
    assert np.isnan(ds["counts"].values[0, 1]) and ds["counts"].values[0, 0] == 5
    assert ds["mean"].attrs["units"] == "1"
    # By value, as the plots select.
    assert np.isnan(float(ds["mean"].sel(curve="aircomp (fast)", snr_db=10.0)))
    # The file itself holds 0 there (never NaN).
    with h5py.File(p) as f:
        assert f["mse/mean"][0, 1] == 0.0


@pytest.mark.parametrize("where,scale", [("masks/mean_valid", True), ("mse/mean_valid", False)])
def test_mask_elsewhere_or_without_scales(tmp_path, where, scale):
    p = tmp_path / "r.h5"
    write(p, mask_where=where, scale_mask=scale)
    m = open_group(p, "mse")["mean"].values
    assert np.isnan(m[0, 1]) and np.isnan(m[1, 2]) and int(np.isnan(m).sum()) == 2


def test_missing_or_misshapen_mask_is_an_error(tmp_path):
    p = tmp_path / "r.h5"
    write(p)
    with h5py.File(p, "a") as f:
        del f["mse/mean_valid"]
    with pytest.raises(SystemExit, match="mse/mean_valid"):
        open_group(p, "mse")
    q = tmp_path / "q.h5"
    write(q, mask_where="masks/v", mask_shape=(3,))
    with pytest.raises(SystemExit, match="shape"):
        open_group(q, "mse")


def test_kind_is_checked(tmp_path):
    p = tmp_path / "r.h5"
    write(p, kind="latency")
    with pytest.raises(SystemExit, match="'latency'"):
        open_group(p, "mse")
    assert open_group(p, "mse", ("mse", "latency"))["mean"].shape == (2, 3)
    write(p, kind="shard")
    with pytest.raises(SystemExit, match="merge"):
        check_kind(p, "mse")
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    with pytest.raises(SystemExit, match="cannot open"):
        check_kind(bad, "mse")
    write(p)
    with pytest.raises(SystemExit, match="no group 'ppl'"):
        open_group(p, "ppl", "mse")


def test_describe_is_one_line(tmp_path):
    p = tmp_path / "r.h5"
    write(p)
    line = describe(open_group(p, "mse"))
    assert "\n" not in line
    assert line.startswith("airtp mse | seed 7 | cpu (test) | 0.1.0 (test)")


def test_value_labels():
    assert value_text("k_factor", 0.0) == "Rayleigh"
    assert value_text("k_factor", 10 ** 0.3) == "K=3 dB"
    assert value_text("tx_power_dbm", 20.0) == "P=20 dBm"
    assert value_text("bandwidth_hz", 5e6) == "B=5 MHz"
    assert value_text("assignment", "ssca") == "m=ssca"
    assert value_text("n_devices", np.int64(4)) == "N=4"


def test_real_latency_file_masks_infeasible_points(results):
    """airtp latency marks what does not fit in memory infeasible: 0 in the file, NaN here."""
    path = results("latency")
    ds = open_group(path, "latency")
    with h5py.File(path) as f:
        raw = f["latency/total_ms"][()]
        feasible = f["latency/feasible"][()]
        assert np.all(np.isfinite(raw))
        assert airtp_h5.text(f["latency/total_ms"].attrs["masked_by"]) == "latency/feasible"
    total = ds["total_ms"].values
    assert (feasible == 0).any() and (feasible == 1).any()
    np.testing.assert_array_equal(np.isnan(total), feasible == 0)
    np.testing.assert_array_equal(total[feasible == 1], raw[feasible == 1])
    # The 70B shapes do not fit one device: centralised at N = 1 is undefined.
    assert np.isnan(float(ds["total_ms"].sel(model="llama2-70b", scheme="centralised", n_devices=1).squeeze()))


@pytest.mark.parametrize("script", ["plot_mse", "plot_solvers", "plot_assign", "plot_latency", "plot_ppl",
                                    "plot_end_to_end"])
def test_every_script_refuses_a_shard(script, tmp_path):
    """A shard is a piece of a run, to be merged first: every plot script says so."""
    import importlib

    from conftest import assert_rejects_kind

    assert_rejects_kind(importlib.import_module(script).main, tmp_path, "shard")
