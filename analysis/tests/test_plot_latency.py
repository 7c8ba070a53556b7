import numpy as np

import plot_latency
from conftest import assert_figures, assert_refuses, legend_texts
from latency_io import pick_model, read_latency


def test_latency_and_speedup_against_n(results, tmp_path):
    path = results("latency")
    assert plot_latency.main([path, "-o", str(tmp_path), "--prefix", "l"]) == 0
    assert_figures(tmp_path, ("l_latency.png", "l_latency.pdf", "l_speedup.png", "l_speedup.pdf"))
    ds = read_latency(path)
    fig = plot_latency.figure(ds, "latency", "n_devices", None, {})
    assert [ax.get_title() for ax in fig.axes if ax.get_visible()] == [str(m) for m in ds["model"].values]
    assert {"aircomp", "digital", "fdma", "centralised", "paper Table I (AirComp)"} <= set(legend_texts(fig))
    # llama2-70b: its first line (aircomp) starts with a gap at N = 1 (does not fit one device).
    ax = fig.axes[[str(m) for m in ds["model"].values].index("llama2-70b")]
    y = ax.get_lines()[0].get_ydata()
    assert np.isnan(y[0]) and np.all(np.isfinite(y[1:]))
    # AirComp is the fastest at N = 8 for every model.
    at8 = ds["total_ms"].sel(n_devices=8).squeeze()
    assert np.all(at8.sel(scheme="aircomp") < at8.sel(scheme="digital"))


def test_e2e_latency_is_drawn_against_power(results):
    ds = read_latency(results("e2e"))
    assert plot_latency.x_dim(ds["total_ms"]) == "tx_power_dbm"
    fig = plot_latency.figure(ds, "latency", "tx_power_dbm", "assignment", {})
    assert {"m=ssca", "m=uniform", "m=compute"} <= set(legend_texts(fig))
    assert pick_model(ds) == "stories260K"
    # Digital gets faster with more power (higher rates); AirComp's airtime does not change.
    t = ds["total_ms"].sel(assignment="ssca").squeeze()
    assert float(t.sel(scheme="digital", tx_power_dbm=30.0)) < float(t.sel(scheme="digital", tx_power_dbm=18.0))
    assert float(t.sel(scheme="aircomp", tx_power_dbm=30.0)) == float(t.sel(scheme="aircomp", tx_power_dbm=18.0))


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_latency.main, results("assign"), "assign", tmp_path)
