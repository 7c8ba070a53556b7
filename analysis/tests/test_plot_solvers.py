import numpy as np

import plot_solvers
from conftest import assert_figures, assert_refuses, legend_texts


def test_plots_against_every_swept_axis(results, tmp_path):
    path = results("compare")
    assert plot_solvers.main([path, "-o", str(tmp_path), "--prefix", "c"]) == 0
    assert_figures(tmp_path, ("c_vs_n_rx.png", "c_vs_n_rx.pdf", "c_vs_n_devices.png", "c_vs_n_devices.pdf"))
    ds = plot_solvers.load(path)
    # MSE with the lower bound, ratio to SDR, ratio to the lower bound.
    assert [p[0] for p in plot_solvers.panels(ds)] == ["mse_mean", "ratio_to_sdr_median",
                                                       "ratio_to_lower_bound_median"]
    fig = plot_solvers.figure_vs(ds, "n_rx")
    texts = legend_texts(fig)
    for solver in ("eigen", "fast", "sdr"):
        assert f"{solver}, N=2" in texts and f"{solver}, N=3" in texts
    assert "SDP lower bound, N=2" in texts
    assert fig.axes[-1].get_xlabel() == "server receive antennas $N_r$"
    # The first line: eigen's mean MSE against N_r at N = 2.
    want = ds["mse_mean"].sel(solver="eigen", n_devices=2).squeeze().values
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), want)
    # SDR against itself is 1: not drawn in the ratio panel.
    assert not any(t.startswith("sdr") for t in [line.get_label() for line in fig.axes[1].get_lines()])


def test_lower_bound_is_below_every_solver(results):
    ds = plot_solvers.load(results("compare"))
    lb = ds["lower_bound_mse_mean"]
    assert np.all(ds["mse_mean"] >= lb * (1 - 1e-9))
    assert np.all(ds["ratio_to_lower_bound_median"] >= 1 - 1e-9)


def test_a_single_point_gives_bars(results, tmp_path):
    assert plot_solvers.main([results("compare_point"), "-o", str(tmp_path), "--prefix", "one"]) == 0
    assert_figures(tmp_path, ("one_solvers.png", "one_solvers.pdf"))


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_solvers.main, results("mse_power"), "mse", tmp_path)
