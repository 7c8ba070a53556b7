import numpy as np
import pytest

import plot_tradeoff
from conftest import assert_figures, legend_texts


def test_perplexity_against_latency(results, tmp_path):
    ppl, lat = results("ppl"), results("latency_bundled")
    assert plot_tradeoff.main([ppl, lat, "-o", str(tmp_path), "--prefix", "t"]) == 0
    assert_figures(tmp_path, ("t_tradeoff.png", "t_tradeoff.pdf"))


def test_points_are_the_files_values(results):
    acc = plot_tradeoff.open_group(results("ppl"), "ppl")
    lat = plot_tradeoff.read_latency(results("latency_bundled"))["total_ms"].sel(model="stories260K")
    fig = plot_tradeoff.figure(acc, lat)
    assert [ax.get_title() for ax in fig.axes] == ["SNR=10 dB", "SNR=30 dB"]  # a panel per SNR
    assert "exact (centralised latency)" in legend_texts(fig)
    line = next(c for c in fig.axes[0].containers if c.get_label() == "aircomp (fast)").lines[0]
    want_x = lat.sel(scheme="aircomp").squeeze().values  # N = 2, 4
    want_y = acc["ppl"].sel(curve="aircomp (fast)", snr_db=10.0).squeeze().values
    np.testing.assert_allclose(line.get_xdata(), want_x)
    np.testing.assert_allclose(line.get_ydata(), want_y)


def test_model_must_be_chosen_or_matched(results, tmp_path):
    with pytest.raises(SystemExit, match="--model"):  # the LLaMA shapes, none is the ppl model
        plot_tradeoff.main([results("ppl"), results("latency"), "-o", str(tmp_path)])
    with pytest.raises(SystemExit, match="no curve has a latency"):  # N = 2, 4 against N = 8
        plot_tradeoff.main([results("ppl"), results("latency_n8"), "-o", str(tmp_path)])
    with pytest.raises(SystemExit, match="--sel: n_devices has no value 8"):
        plot_tradeoff.main([results("ppl"), results("latency_bundled"), "-o", str(tmp_path), "--sel", "n_devices=8"])


def test_an_e2e_file_holds_both(results):
    e2e = results("e2e")
    acc = plot_tradeoff.open_group(e2e, "ppl", "e2e")
    lat = plot_tradeoff.read_latency(e2e)["total_ms"].sel(model="stories260K")
    fig = plot_tradeoff.figure(acc, lat)
    # The shared axes: one line per (curve, assignment), the transmit power along each.
    assert "aircomp (fast), m=uniform" in legend_texts(fig)
    assert len(fig.axes[0].containers) == 3 * 3  # aircomp, digital, fdma x 3 assignments


def test_refuses_other_kinds(results, tmp_path):
    with pytest.raises(SystemExit, match="'latency'"):  # the files swapped
        plot_tradeoff.main([results("latency_bundled"), results("ppl"), "-o", str(tmp_path)])
