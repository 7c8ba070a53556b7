import os
import subprocess

import h5py
import numpy as np
import pytest

import plot_mse
from conftest import airtp_binary, assert_figures, assert_rejects_kind, put_masked


def make_file(path, rayleigh_and_outage=False):
    """A small mse result written by h5py, mimicking the layout of `airtp mse`. With
    rayleigh_and_outage: configuration 0 is Rayleigh (masked K) and configuration 1 has every
    realization in outage (masked summaries)."""
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = "mse"
        f.attrs["solver"] = "eigen"
        f.attrs["seed"] = 1
        n = np.array([2, 4, 8])
        f["axes/devices"] = n
        f["axes/n_rx"] = np.full(3, 20)
        f["axes/n_tx"] = np.full(3, 4)
        f["axes/streams"] = np.full(3, 4)
        ok = np.array([True, not rayleigh_and_outage, True])
        put_masked(f, "axes/k_factor_db", np.full(3, 3.0), [not rayleigh_and_outage, True, True])
        snr = np.array([0.0, 10.0, 20.0])
        f["axes/snr_db"] = snr
        f["axes/percentile_levels"] = np.array([25.0, 50.0, 75.0])
        mean = np.outer(n, 10 ** (-snr / 10))
        put_masked(f, "mse/mean", mean, np.repeat(ok[:, None], 3, axis=1))
        put_masked(f, "mse/stderr", 0.01 * mean, np.repeat(ok[:, None], 3, axis=1))
        pct = np.stack([0.5 * mean, mean, 1.5 * mean], axis=-1)
        put_masked(f, "mse/percentiles", pct, np.broadcast_to(ok[:, None, None], pct.shape))
        f["mse/outages"] = np.array([0, 1, 0])
        f["mse/realizations"] = np.array([100, 99, 100])


def test_plots_from_h5py_file(tmp_path):
    p = tmp_path / "small.h5"
    make_file(p)
    assert plot_mse.main([str(p), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("small_vs_snr.png", "small_vs_devices.png", "small_vs_snr.pdf"))


def test_rayleigh_and_all_outage_points(tmp_path):
    p = tmp_path / "masked.h5"
    make_file(p, rayleigh_and_outage=True)
    with h5py.File(p, "r") as f:
        assert np.isneginf(plot_mse.k_factor_db(f)[0]) and plot_mse.k_factor_db(f)[1] == 3.0
        assert "Rayleigh" in plot_mse.config_label(f, 0)
        assert "K=3 dB" in plot_mse.config_label(f, 1)
    assert plot_mse.main([str(p), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("masked_vs_snr.png", "masked_vs_devices.png"))


def test_rejects_other_result_kinds(tmp_path):
    assert_rejects_kind(plot_mse.main, tmp_path, "latency")


@pytest.mark.skipif(airtp_binary() is None, reason="airtp not built")
def test_plots_a_real_run(tmp_path):
    out = tmp_path / "real.h5"
    subprocess.run([airtp_binary(), "mse", "--realizations", "200", "--devices", "1,2",
                    "--snr-db", "0,10", "-q", "-o", str(out)], check=True)
    with h5py.File(out) as f:
        mean = f["mse/mean"][:]
        # MSE = sigma^2 alpha: 10 dB more SNR is exactly 10x less MSE on the same channels.
        np.testing.assert_allclose(mean[:, 0] / mean[:, 1], 10.0, rtol=1e-9)
        assert f["mse/mean"].attrs["masked_by"] == b"mse/mean_valid"
        assert np.all(f["mse/mean_valid"][()] == 1)
    assert plot_mse.main([str(out), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "real_vs_devices.png").exists()
