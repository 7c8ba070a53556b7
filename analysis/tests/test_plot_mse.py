import os
import subprocess

import h5py
import matplotlib.legend
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


def make_scheme_file(path, physical=False):
    """The same with the per-scheme datasets of `airtp mse --schemes ...` (one config group)."""
    make_file(path)
    labels = ["aircomp (eigen)", "aircomp (fast)", "fdma (eigen)", "digital (4 bits)", "digital (8 bits)"]
    kinds = ["aircomp", "aircomp", "fdma", "digital", "digital"]
    with h5py.File(path, "a") as f:
        if physical:
            f["axes/tx_power_dbm"] = f["axes/snr_db"][:]
            del f["axes/snr_db"]
        mean = f["mse/mean"][:]
        n = f["axes/devices"][:]
        digital4 = np.repeat((n * 0.05)[:, None], mean.shape[1], axis=1)
        curves = np.stack([mean, 0.5 * mean, 0.8 * mean * n[:, None], digital4, digital4 / 256])
        f["scheme/mean"] = curves
        f["scheme/stderr"] = 0.01 * curves
        f["scheme/percentiles"] = np.stack([0.5 * curves, curves, 1.5 * curves], axis=-1)
        f["scheme/outages"] = np.array([[0, 1, 0], [0, 0, 0], [2, 0, 0], [0, 0, 0], [0, 0, 0]])
        f["scheme/realizations"] = np.full((5, 3), 100)
        str_t = h5py.string_dtype()
        f.create_dataset("axes/scheme", data=kinds, dtype=str_t)
        f.create_dataset("axes/scheme_label", data=labels, dtype=str_t)
        f.create_dataset("axes/scheme_solver", data=["eigen", "fast", "eigen", "", ""], dtype=str_t)
        f["axes/scheme_bits"] = np.array([0, 0, 0, 4, 8])
    return labels


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


def test_plots_every_scheme(tmp_path):
    p = tmp_path / "schemes.h5"
    labels = make_scheme_file(p)
    with h5py.File(p) as f:
        curves = plot_mse.load_curves(f)
    assert [c["label"] for c in curves] == labels
    assert [plot_mse.curve_label(c) for c in curves][:3] == [
        "aircomp (eigen) (1 outages)", "aircomp (fast)", "fdma (eigen) (2 outages)"]
    assert plot_mse.main([str(p), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("schemes_vs_snr.png", "schemes_vs_snr.pdf", "schemes_vs_devices.png",
                              "schemes_vs_devices.pdf"))


def test_legend_names_every_scheme(tmp_path, monkeypatch):
    p = tmp_path / "legend.h5"
    labels = make_scheme_file(p, physical=True)
    seen = []
    real_save = plot_mse.save

    def spy(fig, outdir, name, written):
        for ax in fig.axes:
            for leg in ax.get_children():
                if isinstance(leg, matplotlib.legend.Legend):
                    seen.append((name, [t.get_text() for t in leg.get_texts()]))
            seen.append((name, ax.get_xlabel(), ax.get_ylabel()))
        real_save(fig, outdir, name, written)

    monkeypatch.setattr(plot_mse, "save", spy)
    assert plot_mse.main([str(p), "-o", str(tmp_path), "--at", "10"]) == 0
    texts = [t for s in seen if isinstance(s[1], list) for t in s[1]]
    for label in labels:
        assert any(t.startswith(label) for t in texts), label
    axes_labels = [s[1:] for s in seen if not isinstance(s[1], list)]
    assert ("transmit power per device (dBm)", "transmission MSE per slot (dB)") in axes_labels
    assert ("number of devices N", "transmission MSE per slot (dB)") in axes_labels
    assert "P = 10 dBm" in texts


def test_at_rejects_unknown_level(tmp_path):
    p = tmp_path / "at.h5"
    make_scheme_file(p)
    with pytest.raises(SystemExit, match="--at"):
        plot_mse.main([str(p), "-o", str(tmp_path), "--at", "7"])


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


@pytest.mark.skipif(airtp_binary() is None, reason="airtp not built")
def test_plots_a_real_run_with_every_scheme(tmp_path):
    out = tmp_path / "every.h5"
    subprocess.run([airtp_binary(), "mse", "--realizations", "200", "--devices", "1,2", "--n-rx", "8",
                    "--n-tx", "2", "--snr-db", "0,10", "--schemes", "aircomp,fdma,digital", "--bits", "4,8",
                    "-q", "-o", str(out)], check=True)
    with h5py.File(out) as f:
        mean = f["scheme/mean"][:]
        labels = [plot_mse._text(v) for v in f["axes/scheme_label"][:]]
        assert labels == ["aircomp (eigen)", "fdma (eigen)", "digital (4 bits)", "digital (8 bits)"]
        assert plot_mse._text(f["scheme/mean"].attrs["dims"]) == "scheme,config,snr_db"
        np.testing.assert_array_equal(mean[0], f["mse/mean"][:])  # legacy datasets = the aircomp curve
        np.testing.assert_allclose(mean[1, 0], mean[0, 0], rtol=1e-12)  # N = 1: FDMA is AirComp
        np.testing.assert_array_equal(mean[2:, :, 0], mean[2:, :, 1])  # digital: no SNR dependence
        assert np.all(mean[2] / mean[3] > 200)  # 4 more bits: about 256x less error
    assert plot_mse.main([str(out), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("every_vs_snr.png", "every_vs_devices.pdf"))
