"""Every airtp command's result file opens with xarray (engine h5netcdf) at its group, with one
named dimension per sweep axis and the axis values as coordinates (HDF5 dimension scales).

Runs each command small through the built airtp (skipped when there is none). Run with Debian's
/usr/bin/python3 (python3-xarray, python3-h5netcdf)."""

import math
import subprocess

import numpy as np
import pytest

from conftest import airtp_binary

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

LINK_DIMS = ("n_devices", "assignment", "n_rx", "n_tx", "streams", "k_factor", "csi_nmse")


def run(tmp_path, name, *args):
    exe = airtp_binary()
    if exe is None:
        pytest.skip("airtp is not built (build/airtp)")
    out = tmp_path / (name + ".h5")
    r = subprocess.run([exe, *args, "-q", "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def open_group(path, group):
    return xr.open_dataset(path, engine="h5netcdf", group=group)


def coord(ds, name):
    return ds[name].values.tolist()


def test_mse_one_dimension_per_axis(tmp_path):
    p = run(tmp_path, "mse", "mse", "-R", "20", "-N", "2,3", "--n-rx", "4,6", "--n-tx", "2", "--k-db", "-inf,3",
            "--csi-nmse", "0,0.1", "--snr-db", "0,10,20", "--schemes", "aircomp,digital", "--bits", "4",
            "--solver", "eigen", "--m", "uniform")
    with open_group(p, "mse") as ds:
        assert ds["mean"].dims == ("curve",) + LINK_DIMS + ("snr_db",)
        assert ds["percentiles"].dims == ("curve",) + LINK_DIMS + ("snr_db", "percentile")
        assert ds["realizations"].dims == ("curve",) + LINK_DIMS
        assert coord(ds, "curve") == ["aircomp (eigen)", "digital (4 bits)"]
        assert coord(ds, "n_devices") == [2, 3]
        assert coord(ds, "assignment") == ["uniform"]
        assert coord(ds, "n_rx") == [4, 6]
        assert coord(ds, "n_tx") == [2]
        assert coord(ds, "streams") == [0]
        k = coord(ds, "k_factor")
        assert k[0] == 0.0 and math.isclose(k[1], 10 ** 0.3)
        assert coord(ds, "csi_nmse") == [0.0, 0.1]
        assert coord(ds, "snr_db") == [0.0, 10.0, 20.0]
        assert coord(ds, "percentile") == [5.0, 25.0, 50.0, 75.0, 95.0]
        assert ds["snr_db"].attrs["units"] == "dB"
        # Selecting by coordinate values, as an analysis does.
        a = ds["mean"].sel(curve="aircomp (eigen)", n_devices=3, n_rx=6, csi_nmse=0.0, snr_db=10.0).squeeze()
        b = ds["mean"].sel(curve="aircomp (eigen)", n_devices=3, n_rx=6, csi_nmse=0.0, snr_db=20.0).squeeze()
        assert a.shape == (2,)  # along k_factor
        np.testing.assert_allclose(a.values / b.values, 10.0, rtol=1e-9)
        assert (ds["realizations"].values == 20).all()
        assert ds["mean"].attrs["masked_by"] == "mse/mean_valid"
        assert (ds["mean_valid"].values == 1).all()


def test_mse_physical_mode_sweeps_the_transmit_power(tmp_path):
    p = run(tmp_path, "mse_phys", "mse", "-R", "5", "--devices", "2*phone+laptop+jetson", "--noise-mode", "physical",
            "--tx-power-dbm", "18,20", "--n-rx", "8", "--n-tx", "2", "--solver", "eigen",
            "--m", "uniform;0.1,0.1,0.4,0.4")
    with open_group(p, "mse") as ds:
        assert ds["mean"].dims == ("curve",) + LINK_DIMS + ("tx_power_dbm",)
        assert coord(ds, "tx_power_dbm") == [18.0, 20.0]
        assert coord(ds, "assignment") == ["uniform", "0.1,0.1,0.4,0.4"]
        assert coord(ds, "n_devices") == [4]
        assert ds["tx_power_dbm"].attrs["units"] == "dBm"


def test_compare_one_dimension_per_axis(tmp_path):
    p = run(tmp_path, "compare", "compare", "-R", "3", "-N", "2", "--n-rx", "4,8", "--n-tx", "2", "--solvers",
            "eigen,random", "--snr-db", "0,10", "--save-channels")
    with open_group(p, "compare") as ds:
        assert ds["mse_mean"].dims == ("solver",) + LINK_DIMS + ("snr_db",)
        assert ds["outages"].dims == ("solver",) + LINK_DIMS
        assert ds["lower_bound_mse_mean"].dims == LINK_DIMS + ("snr_db",)
        assert coord(ds, "solver") == ["eigen", "random"]
        assert coord(ds, "n_rx") == [4, 8]
        assert coord(ds, "snr_db") == [0.0, 10.0]
        m = ds["mse_mean"].sel(solver="eigen", n_rx=8).squeeze()
        np.testing.assert_allclose(m.values[0] / m.values[1], 10.0, rtol=1e-9)
    with open_group(p, "compare/channels/p1") as ch:
        assert ch["channels"].dims == ("realization", "device", "rx_antenna", "tx_antenna", "re_im")
        assert ch["channels"].shape == (3, 2, 8, 2, 2)
        assert ch["alpha"].dims == ("solver", "realization")
        assert ch.attrs["n_rx"] == 8


def test_assign_dimensions(tmp_path):
    p = run(tmp_path, "assign", "assign", "--solver", "eigen", "--iterations", "3", "--batch", "8", "--validation", "8")
    with open_group(p, "assign") as ds:
        assert ds["m"].dims == ("step", "device")
        assert ds["m"].shape == (4, 4)
        assert ds["rho"].dims == ("iteration",)
        assert ds["validation_mse"].dims == ("validation_point",)
        assert ds["baseline_mse"].dims == ("baseline",)
        assert coord(ds, "baseline") == ["uniform", "compute", "memory"]
        assert coord(ds, "level") == ["final", "rounded"]
        assert coord(ds, "iteration") == [0, 1, 2]
        assert coord(ds, "device") == [0, 1, 2, 3]
        assert ds["device_preset"].values.tolist() == ["phone", "phone", "laptop", "jetson"]
        np.testing.assert_allclose(ds["final_m"].sum().item(), 1.0, rtol=1e-9)


def test_latency_one_dimension_per_axis(tmp_path):
    p = run(tmp_path, "latency", "latency", "--model", "llama2-7b,llama2-70b", "-N", "1,2,8", "--bandwidth-hz", "5e6,1e7",
            "--tx-power-dbm", "10,20", "--schemes", "aircomp,digital")
    with open_group(p, "latency") as ds:
        dims = ("model", "assignment", "bandwidth_hz", "tx_power_dbm", "scheme", "n_devices")
        assert ds["total_ms"].dims == dims
        assert ds["total_ms"].shape == (2, 1, 2, 2, 2, 3)
        assert coord(ds, "model") == ["llama2-7b", "llama2-70b"]
        assert coord(ds, "bandwidth_hz") == [5e6, 1e7]
        assert coord(ds, "tx_power_dbm") == [10.0, 20.0]
        assert coord(ds, "scheme") == ["aircomp", "digital"]
        assert coord(ds, "n_devices") == [1, 2, 8]
        assert ds["model_params"].dims == ("model",)
        # 70B fits no single 80 GB device: masked by latency/feasible, written as 0.
        f = ds["feasible"].sel(model="llama2-70b", n_devices=1)
        assert (f.values == 0).all()
        assert (ds["total_ms"].sel(model="llama2-70b", n_devices=1).values == 0).all()
        assert ds["total_ms"].attrs["masked_by"] == "latency/feasible"


def test_ppl_one_dimension_per_axis(tmp_path):
    p = run(tmp_path, "ppl", "ppl", "-N", "2", "--schemes", "exact,aircomp", "--solver", "eigen", "--snr-db", "10,30",
            "-R", "1", "--max-stories", "1", "--n-rx", "8", "--n-tx", "2", "--csi-nmse", "0,0.05")
    with open_group(p, "ppl") as ds:
        assert ds["ppl"].dims == ("curve",) + LINK_DIMS + ("snr_db",)
        assert ds["nmse"].dims == ("curve",) + LINK_DIMS + ("snr_db", "layer", "allreduce")
        assert ds["clean_ppl"].dims == ("estimate",)
        assert coord(ds, "curve") == ["exact", "aircomp (eigen)"]
        assert coord(ds, "csi_nmse") == [0.0, 0.05]
        assert coord(ds, "snr_db") == [10.0, 30.0]
        assert coord(ds, "layer") == [0, 1, 2, 3, 4]
        assert coord(ds, "allreduce") == ["attention_output", "mlp_down"]
        assert coord(ds, "estimate") == ["mean", "stderr"]
        exact = ds["ppl"].sel(curve="exact").values
        np.testing.assert_allclose(exact, ds["clean_ppl"].sel(estimate="mean").item(), rtol=1e-4)
