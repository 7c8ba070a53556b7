import os
import subprocess

import h5py
import numpy as np
import pytest

import plot_assign
from airtp_h5 import masked
from conftest import airtp_binary, assert_figures, assert_rejects_kind, put_masked


def make_file(path, uniform_feasible=True):
    """A small assign result written by h5py, mimicking the layout of `airtp assign`."""
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = "assign"
        f.attrs["solver"] = "fast"
        f.attrs["seed"] = 1
        T, N = 20, 3
        m = np.vstack([np.linspace(1 / 3, x, T + 1) for x in (0.2, 0.3, 0.5)]).T
        f["ssca/m"] = m
        f["validation/iteration"] = np.arange(0, T + 1, 5)
        mse = 1e-5 * (1 + np.exp(-np.arange(0, T + 1, 5) / 5.0))
        ok = np.ones(len(mse), bool)
        ok[2] = uniform_feasible  # an all-outage validation point: masked, a gap in the curve
        put_masked(f, "validation/mse", mse, ok)
        put_masked(f, "validation/stderr", 0.01 * mse, ok)
        f["final/m"] = m[-1]
        put_masked(f, "final/rounded_level/mse", [1.01e-5], [True])
        f["baselines/names"] = np.array([b"uniform", b"compute", b"memory"])
        put_masked(f, "baselines/mse", [2e-5, 1.5e-5, 1.8e-5], [uniform_feasible, True, True])
        f["baselines/feasible"] = np.array([1 if uniform_feasible else 0, 1, 1])
        f["devices/cap"] = np.array([1.0, 0.35, 1.0])
        f["devices/names"] = np.array([b"phone", b"jetson", b"laptop"])


@pytest.mark.parametrize("uniform_feasible", [True, False])
def test_plots_from_h5py_file(tmp_path, uniform_feasible):
    p = tmp_path / "small.h5"
    make_file(p, uniform_feasible)
    assert plot_assign.main([str(p), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("small_convergence.png", "small_m.png", "small_convergence.pdf", "small_m.pdf"))
    with h5py.File(p, "r") as f:
        assert np.isnan(masked(f["baselines/mse"])[0]) != uniform_feasible
        assert np.isnan(masked(f["validation/mse"])[2]) != uniform_feasible
        assert np.all(np.isfinite(f["baselines/mse"][()]))  # 0 in the file, never Inf


def test_rejects_other_result_kinds(tmp_path):
    assert_rejects_kind(plot_assign.main, tmp_path, "mse")


@pytest.mark.skipif(airtp_binary() is None, reason="airtp not built")
def test_plots_a_real_run(tmp_path):
    out = tmp_path / "run.h5"
    r = subprocess.run([airtp_binary(), "assign", "-q", "--backend", "cpu", "--solver", "eigen",
                        "--devices", "phone+laptop+jetson", "--iterations", "4", "--batch", "8",
                        "--validation", "8", "--validate-every", "2", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("m = ")
    m = np.array([float(x) for x in r.stdout.split("=")[1].split(",")])
    with h5py.File(out, "r") as f:
        assert np.allclose(f["final/m"][:], m)
        assert f["ssca/m"].shape == (5, 3)
        assert list(f["validation/iteration"][:]) == [0, 2, 4]
        assert f["validation/mse"].attrs["units"]
        assert f["validation/mse"].attrs["masked_by"] == b"validation/mse_valid"
        for name in ("baselines/mse", "baselines/stderr", "final/level/mse", "devices/energy_cap"):
            assert np.all(np.isfinite(f[name][()])), name
            assert f[name].attrs["masked_by"].decode() in f, name
    assert plot_assign.main([str(out), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "run_convergence.png").exists()
