import numpy as np

import plot_assign
from conftest import assert_figures, assert_refuses, legend_texts


def test_plots_convergence_and_trajectories(results, tmp_path):
    path = results("assign")
    assert plot_assign.main([path, "-o", str(tmp_path), "--prefix", "a"]) == 0
    assert_figures(tmp_path, ("a_convergence.png", "a_convergence.pdf", "a_m.png", "a_m.pdf"))
    ds = plot_assign.load(path)
    assert ds["validation_step"].values.tolist() == [0, 2, 4]
    assert ds["m"].shape == (5, 3)
    np.testing.assert_allclose(ds["m"].sum("device").values, 1.0, rtol=1e-9)
    texts = legend_texts(plot_assign.figure_convergence(ds))
    for name in ds["baseline"].values:
        assert any(t.startswith(f"{name} m") for t in texts), name
    fig = plot_assign.figure_m(ds)
    lines = [line for line in fig.axes[0].get_lines() if line.get_label().startswith(("0:", "1:", "2:"))]
    assert [line.get_label().split(" (")[0] for line in lines] == ["0: phone", "1: laptop", "2: jetson"]
    np.testing.assert_allclose(lines[1].get_ydata(), ds["m"].sel(device=1).values)


def test_reads_the_assign_group_of_an_e2e_file(results):
    ds = plot_assign.load(results("e2e"))
    assert ds["device_preset"].values.tolist() == ["phone", "phone", "laptop", "jetson"]
    assert len(plot_assign.figure_convergence(ds).axes[0].get_lines()) >= 1 + ds.sizes["baseline"]
    assert plot_assign.figure_m(ds).axes[0].get_ylim() == (0.0, 1.0)


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_assign.main, results("compare_point"), "compare", tmp_path)
