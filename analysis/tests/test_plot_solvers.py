import os
import subprocess

import h5py
import numpy as np
import pytest

import plot_solvers
from conftest import airtp_binary, put_masked


def make_file(path, devices, n_rx, solvers=("eigen", "fast", "sdr")):
    """A small compare result written by h5py, mimicking the layout of `airtp compare`."""
    P, S = len(devices), len(solvers)
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = "compare"
        f.attrs["seed"] = 1
        f["axes/solvers"] = np.array([s.encode() for s in solvers])
        f["axes/devices"] = np.array(devices)
        f["axes/n_rx"] = np.array(n_rx)
        base = np.array(devices, float) / np.array(n_rx, float)
        mse = np.outer(base, np.arange(1, S + 1)[::-1])
        ok = np.ones_like(mse, bool)
        ok[0, 0] = False  # an all-outage point: masked, a gap in the curve
        put_masked(f, "compare/mse_mean", mse, ok, "compare/mse_valid")
        put_masked(f, "compare/ratio_to_sdr_median", mse / mse[:, [S - 1]], ok, "compare/vs_sdr_valid")
        put_masked(f, "compare/lower_bound_mse_mean", 0.5 * base, np.ones(P, bool))


def test_vs_nr_and_vs_n(tmp_path):
    a = tmp_path / "nr.h5"
    b = tmp_path / "n.h5"
    make_file(a, [4, 4, 4], [8, 16, 32])
    make_file(b, [1, 2, 4, 8], [20, 20, 20, 20])
    assert plot_solvers.main([str(a), str(b), "-o", str(tmp_path)]) == 0
    for name in ("nr_vs_nr.png", "nr_vs_nr.pdf", "n_vs_n.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert not (tmp_path / "nr_vs_n.png").exists()  # N does not vary there


def test_rejects_other_kind(tmp_path):
    p = tmp_path / "x.h5"
    with h5py.File(p, "w") as f:
        f.attrs["airtp_kind"] = "mse"
    with pytest.raises(SystemExit):
        plot_solvers.main([str(p), "-o", str(tmp_path)])


def test_real_compare_output(tmp_path):
    exe = airtp_binary()
    if exe is None:
        pytest.skip("airtp not built")
    out = tmp_path / "cmp.h5"
    subprocess.run([exe, "compare", "--devices", "2", "--n-rx", "8,12", "--n-tx", "2", "--realizations", "3",
                    "--solvers", "eigen,fast,sdr", "--draws", "5", "-q", "-o", str(out)], check=True)
    assert plot_solvers.main([str(out), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "cmp_vs_nr.png").exists()
