import re

import numpy as np

import plot_end_to_end
from conftest import assert_figures, assert_refuses, legend_texts


def test_end_to_end_figure(results, tmp_path):
    path = results("e2e")
    assert plot_end_to_end.main([path, "-o", str(tmp_path), "--prefix", "e"]) == 0
    assert_figures(tmp_path, ("e_end_to_end.png", "e_end_to_end.pdf"))


def test_curves_and_their_latency(results):
    mse, ppl, lat, asg = plot_end_to_end.load(results("e2e"))
    assert mse["assignment"].values.tolist() == ["ssca", "uniform", "compute"]
    cs = plot_end_to_end.curves(mse, ppl)
    # AirComp with every assignment, digital and FDMA with the SSCA one.
    assert [(c["kind"], c["assignment"]) for c in cs] == [
        ("aircomp", "ssca"), ("aircomp", "uniform"), ("aircomp", "compute"), ("digital", "ssca"), ("fdma", "ssca")]
    fig = plot_end_to_end.figure(mse, ppl, lat, asg)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.axison]
    assert titles[0].startswith("(a) transmission MSE") and titles[4].startswith("(e) latency")
    assert fig.axes[0].get_yscale() == "log" and fig.axes[2].get_yscale() == "log"
    texts = legend_texts(fig)
    total = lat["total_ms"].sel(model="stories260K").squeeze()
    for c in cs:
        t = next(t for t in texts if t.startswith(c["name"] + ":"))
        ms = total.sel(scheme=c["kind"], assignment=c["assignment"]).values
        shown = [float(v) for v in re.findall(r"[0-9.]+(?=[–\s])", t.split(": ", 1)[1])]
        np.testing.assert_allclose(shown, sorted({ms.min(), ms.max()}) if not np.isclose(ms.min(), ms.max(),
                                                                                          rtol=5e-3) else [ms.min()],
                                   rtol=5e-3)
    # Panel (a): the first line is AirComp with the SSCA m against the transmit power.
    want = mse["mean"].isel(curve=0).sel(assignment="ssca").squeeze().values
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), want)


def test_refuses_other_kinds(results, tmp_path):
    assert_refuses(plot_end_to_end.main, results("ppl"), "ppl", tmp_path)
