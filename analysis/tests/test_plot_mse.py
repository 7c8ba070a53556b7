import numpy as np
import pytest

import plot_mse
from conftest import assert_figures, assert_refuses, legend_texts


def test_plots_every_curve_against_snr_and_n(results, tmp_path):
    path = results("mse")
    assert plot_mse.main([path, "-o", str(tmp_path), "--prefix", "m"]) == 0
    assert_figures(tmp_path, ("m_vs_snr.png", "m_vs_snr.pdf", "m_vs_devices.png", "m_vs_devices.pdf"))
    ds = plot_mse.load(path)
    fig = plot_mse.figure_vs(ds, "snr_db")
    texts = legend_texts(fig)
    for label in ds["curve"].values:
        assert any(t.startswith(str(label)) for t in texts), label
    assert "N=2" in texts and "N=4" in texts  # markers: the first other axis that varies
    # The CSI error varies too: one panel per value.
    assert [ax.get_title() for ax in fig.axes] == ["CSI NMSE=0", "CSI NMSE=0.05"]
    assert fig.axes[0].get_xlabel() == "SNR (dB)"
    # The first line is curve 0 at N = 2 in the first panel, in dB.
    want = 10 * np.log10(ds["mean"].isel(curve=0).sel(n_devices=2, csi_nmse=0.0).squeeze().values)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), want)


def test_file_layout_the_plot_relies_on(results):
    ds = plot_mse.load(results("mse"))
    assert ds["mean"].dims[0] == "curve" and ds["mean"].dims[-1] == "snr_db"
    assert plot_mse.noise_dim(ds) == "snr_db"
    kinds = ds["curve_kind"].values.tolist()
    assert kinds == ["aircomp", "aircomp", "fdma", "digital", "digital"]
    perfect = ds["mean"].sel(csi_nmse=0.0)
    # AirComp with perfect CSI: MSE = sigma^2 alpha, so 10 dB more SNR is 10x less MSE.
    ratio = perfect.sel(snr_db=0.0) / perfect.sel(snr_db=10.0)
    np.testing.assert_allclose(ratio.isel(curve=[0, 1]).values, 10.0, rtol=1e-9)
    # Digital: quantization only, the same at every SNR; 4 more bits about 256x less error.
    dig = perfect.isel(curve=[3, 4])
    np.testing.assert_array_equal(dig.sel(snr_db=0.0).values, dig.sel(snr_db=20.0).values)
    assert np.all(dig.isel(curve=0) / dig.isel(curve=1) > 200)


def test_physical_mode_plots_against_power(results, tmp_path):
    assert plot_mse.main([results("mse_power"), "-o", str(tmp_path), "--prefix", "p"]) == 0
    assert_figures(tmp_path, ("p_vs_power.png", "p_vs_power.pdf"))
    assert not (tmp_path / "p_vs_devices.png").exists()  # N does not vary
    fig = plot_mse.figure_vs(plot_mse.load(results("mse_power")), "tx_power_dbm")
    assert fig.axes[0].get_xlabel() == "transmit power per device (dBm)"


def test_levels_of_the_plot_against_n(results, tmp_path):
    ds = plot_mse.load(results("mse"))
    texts = legend_texts(plot_mse.figure_vs(ds, "n_devices", at=[10.0]))
    assert "SNR=10 dB" in texts and "SNR=0 dB" not in texts
    with pytest.raises(SystemExit, match="--at"):
        plot_mse.main([results("mse"), "-o", str(tmp_path), "--at", "7"])


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_mse.main, results("latency"), "latency", tmp_path)
