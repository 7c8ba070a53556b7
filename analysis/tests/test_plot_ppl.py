import numpy as np

import plot_ppl
from conftest import assert_figures, assert_refuses, legend_texts


def test_plots_accuracy_against_snr_and_n(results, tmp_path):
    path = results("ppl")
    assert plot_ppl.main([path, "-o", str(tmp_path), "--prefix", "p"]) == 0
    assert_figures(tmp_path, ("p_ppl.png", "p_ppl.pdf", "p_ppl_vs_n.png", "p_ppl_vs_n.pdf", "p_nmse.png",
                              "p_nmse.pdf"))
    ds = plot_ppl.load(path)
    fig = plot_ppl.figure_vs(ds, "snr_db")
    texts = legend_texts(fig)
    for label in ds["curve"].values:
        assert str(label) in texts
    assert any(t.startswith("clean model: ") for t in texts)
    assert [ax.get_ylabel() for ax in fig.axes[:3]][::2] == ["perplexity", "same top-1 as clean"]
    # The first error-bar line: exact sums at N = 2, perplexity against SNR; its bars are 2 SE.
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), ds["ppl"].isel(curve=0).sel(n_devices=2).squeeze().values)


def test_file_layout_the_plot_relies_on(results):
    ds = plot_ppl.load(results("ppl"))
    assert ds["ppl"].dims[0] == "curve" and ds["ppl"].dims[-1] == "snr_db"
    assert ds["ppl_se"].dims == ds["ppl"].dims
    assert ds["nmse"].dims[-2:] == ("layer", "allreduce")
    kinds = plot_ppl.curve_kinds(ds)
    assert kinds == ["exact", "aircomp", "digital", "fdma"]
    exact = ds["ppl"].isel(curve=0)
    clean = plot_ppl.clean_ppl(ds)
    np.testing.assert_allclose(exact.values, clean, rtol=1e-4)  # the split model with exact sums
    air = ds["kl"].isel(curve=1)
    assert np.all(air.sel(snr_db=10.0) > air.sel(snr_db=30.0))  # more noise, further from clean


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_ppl.main, results("mse_power"), "mse", tmp_path)
