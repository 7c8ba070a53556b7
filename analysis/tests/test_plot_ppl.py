import subprocess

import h5py
import numpy as np
import pytest

import plot_ppl
from conftest import airtp_binary, assert_figures, assert_rejects_kind, put_masked


def make_file(path, scheme="aircomp"):
    """A small ppl result written by h5py, mimicking the layout of `airtp ppl`."""
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = "ppl"
        f.attrs["scheme"] = scheme
        f.attrs["devices"] = 4
        f.attrs["seed"] = 1
        snr = np.array([0.0, 10.0, 20.0, 30.0])
        f["points/snr_db"] = snr
        put_masked(f, "clean/ppl", [4.5, 0.05], [True, True], "clean/valid")
        ppl = 4.5 + 100 * 10 ** (-snr / 10)
        f["points/ppl"] = ppl
        f["points/ppl_se"] = 0.01 * ppl
        f["points/kl"] = 10 ** (-snr / 10)
        f["points/kl_se"] = 0.01 * 10 ** (-snr / 10)
        f["points/top1"] = 1 - 0.5 * 10 ** (-snr / 10)
        # One point without a standard error (masked, as airtp writes a single-unit estimate).
        put_masked(f, "points/top1_se", np.full(4, 0.01), [True, True, False, True], "points/se_valid")
        f["points/nmse"] = np.ones((4, 5, 2)) * (10 ** (-snr / 10))[:, None, None]


def test_plots_from_h5py_file(tmp_path):
    p = tmp_path / "small.h5"
    make_file(p)
    q = tmp_path / "fdma.h5"
    make_file(q, "fdma")
    assert plot_ppl.main([str(p), str(q), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("small_ppl.png", "small_nmse.png", "small_ppl.pdf"))


def test_rejects_other_result_kinds(tmp_path):
    assert_rejects_kind(plot_ppl.main, tmp_path, "mse")


@pytest.mark.skipif(airtp_binary() is None, reason="airtp not built")
def test_plots_a_real_run(tmp_path):
    out = tmp_path / "real.h5"
    subprocess.run([airtp_binary(), "ppl", "--scheme", "aircomp", "-N", "2", "--max-stories", "3",
                    "-R", "1", "--snr", "10,60", "-q", "-o", str(out)], check=True)
    with h5py.File(out) as f:
        ppl = f["points/ppl"][:]
        clean = f["clean/ppl"][0]
        assert f["points/nmse"].shape == (2, 5, 2)
        assert f["points/ppl"].attrs["units"] in ("1", b"1")
    assert ppl[0] > ppl[1] and abs(ppl[1] - clean) < 0.01 * clean
    assert plot_ppl.main([str(out), "-o", str(tmp_path)]) == 0
    assert (tmp_path / "real_ppl.png").exists()


def make_sweep(path):
    """A sweep file: one group per (scheme, N) under runs/, listed in runs_index."""
    snr = np.array([0.0, 10.0, 20.0])
    names = []
    with h5py.File(path, "w") as f:
        f.attrs["airtp_kind"] = "ppl"
        f.attrs["seed"] = 2
        f["clean/ppl"] = np.array([4.5, 0.05])
        for n in (2, 4):
            for scheme in ("exact", "digital", "aircomp"):
                g = f.create_group(f"runs/{scheme}_N{n}")
                g.attrs["scheme"] = scheme
                g.attrs["devices"] = n
                if scheme == "aircomp":
                    g["points/snr_db"] = snr
                    ppl = 4.5 + n * 50 * 10 ** (-snr / 10)
                else:
                    g["points/bits"] = np.array([8.0 if scheme == "digital" else 0.0])
                    ppl = np.array([4.6 if scheme == "digital" else 4.5])
                k = len(ppl)
                g["points/ppl"] = ppl
                g["points/ppl_se"] = 0.01 * ppl
                g["points/kl"] = np.full(k, 0.01)
                g["points/kl_se"] = np.full(k, 0.001)
                g["points/top1"] = np.full(k, 0.9)
                g["points/top1_se"] = np.full(k, 0.01)
                g["points/nmse"] = np.full((k, 5, 2), 0.01)
                names.append(f"runs/{scheme}_N{n}")
        f["runs_index"] = np.array(names, dtype=h5py.string_dtype())


def test_plots_a_sweep_file(tmp_path):
    p = tmp_path / "sweep.h5"
    make_sweep(p)
    assert plot_ppl.main([str(p), "-o", str(tmp_path)]) == 0
    assert_figures(tmp_path, ("sweep_ppl.png", "sweep_ppl.pdf", "sweep_nmse.png", "sweep_ppl_vs_n.png",
                              "sweep_ppl_vs_n.pdf"))


def test_sweep_curves_are_one_per_group(tmp_path):
    p = tmp_path / "sweep.h5"
    make_sweep(p)
    with h5py.File(p) as f:
        groups = plot_ppl.runs(f)
        assert [plot_ppl.label(g) for g in groups][:3] == ["exact, N=2", "digital 8 bit, N=2", "aircomp, N=2"]
        assert len(groups) == 6
