"""The latency and trade-off figures are produced from small hand-built result files, and bad
files are refused with exit code 2 and a message naming what is missing."""
import os
import sys

import h5py
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import latency_io  # noqa: E402
import plot_latency  # noqa: E402
import plot_tradeoff  # noqa: E402
from conftest import put_masked  # noqa: E402

SCHEMES = ["aircomp", "digital", "fdma", "centralised"]
NS = [1, 2, 4]


def write_latency(path, models=("stories260K", "llama2-7b"), mixes=("homogeneous",), bws=(5e6,)):
    shape = (len(models), len(mixes), len(bws), len(SCHEMES), len(NS))
    dims = "model,mix,bandwidth,scheme,n_devices"
    # total = 100/N + comm, comm = 0 for centralised and N = 1, digital the slowest.
    comm = {"aircomp": 10.0, "digital": 50.0, "fdma": 20.0, "centralised": 0.0}
    total = np.zeros(shape)
    for s, name in enumerate(SCHEMES):
        for k, n in enumerate(NS):
            total[:, :, :, s, k] = 100.0 if name == "centralised" else 100.0 / n + (comm[name] if n > 1 else 0)
    total[1, :, :, 3, :] = np.nan  # model 2 does not fit one device
    dig = total[:, :, :, 1:2, :]
    cen = total[:, :, :, 3:4, :]
    feasible = np.isfinite(total)
    with h5py.File(path, "w") as f:
        # As airtp writes it: no NaN in the file; infeasible points 0 and masked.
        ds = f.create_dataset("feasible", data=feasible.astype(np.int64))
        ds.attrs["dims"] = dims
        ds.attrs["units"] = "1"
        for name, data, mask in (("total_ms", total, "feasible"), ("compute_ms", total * 0.8, "feasible"),
                                 ("uplink_ms", total * 0.1, "feasible"), ("downlink_ms", total * 0.1, "feasible"),
                                 ("speedup_vs_digital", dig / total, None),
                                 ("speedup_vs_centralised", cen / total, None)):
            with np.errstate(invalid="ignore"):
                ds = put_masked(f, name, data, np.isfinite(data), mask)
            ds.attrs["dims"] = dims
            ds.attrs["units"] = "ms"
            assert np.all(np.isfinite(ds[()]))
        f.create_dataset("model", data=[m.encode() for m in models])
        f.create_dataset("mix", data=[m.encode() for m in mixes])
        f.create_dataset("scheme", data=[s.encode() for s in SCHEMES])
        f.create_dataset("bandwidth_hz", data=np.array(bws))
        f.create_dataset("n_devices", data=np.array(NS, dtype=np.int64))


def figures_ok(paths, count):
    assert len(paths) == count
    for p in paths:
        assert os.path.getsize(p) > 1000, p
    assert {os.path.splitext(p)[1] for p in paths} == {".png", ".pdf"}


def test_latency_figures(tmp_path):
    lat = tmp_path / "lat.h5"
    write_latency(lat, mixes=("a", "b"), bws=(1e6, 5e6))
    out = tmp_path / "figs"
    assert plot_latency.main([str(lat), "-o", str(out)]) == 0
    # latency + speedup, PNG + PDF, for 2 mixes x 2 bandwidths.
    figures_ok([str(p) for p in out.iterdir()], 2 * 2 * 2 * 2)
    assert (out / "latency_a_B1MHz.png").exists() and (out / "speedup_b_B5MHz.pdf").exists()


def test_masked_points_read_as_nan_gaps(tmp_path):
    lat = tmp_path / "lat.h5"
    write_latency(lat)
    d = latency_io.read_latency(str(lat))
    # Model 1 (llama2-7b) centralised is infeasible: stored as 0, read back as NaN (a gap).
    assert np.all(np.isnan(d["total_ms"][1, :, :, 3, :]))
    assert np.all(np.isnan(d["speedup_vs_centralised"][1]))
    assert np.all(d["feasible"][1, :, :, 3, :] == 0)
    assert np.all(np.isfinite(d["total_ms"][0]))
    assert d["total_ms"][0, 0, 0, 3, 0] == 100.0
    # The curve drawn for the infeasible scheme has NaN y values: matplotlib leaves it out.
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    line, = ax.plot(d["n_devices"], d["total_ms"][1, 0, 0, 3])
    assert np.all(np.isnan(line.get_ydata()))
    plt.close(fig)


def test_latency_mask_missing_is_an_error(tmp_path, capsys):
    lat = tmp_path / "lat.h5"
    write_latency(lat)
    with h5py.File(lat, "a") as f:
        del f["speedup_vs_digital_valid"]
    assert plot_latency.main([str(lat), "-o", str(tmp_path)]) == 2
    assert "speedup_vs_digital_valid" in capsys.readouterr().err


def test_latency_refuses_other_files(tmp_path, capsys):
    bad = tmp_path / "bad.h5"
    with h5py.File(bad, "w") as f:
        f.create_dataset("total_ms", data=np.zeros(3))
    assert plot_latency.main([str(bad), "-o", str(tmp_path)]) == 2
    assert "missing dataset" in capsys.readouterr().err
    assert plot_latency.main([str(tmp_path / "nope.h5")]) == 2


def write_ppl(path, dims=("scheme", "n_devices", "snr_db"), schemes=("exact", "aircomp", "aircomp_uniform",
                                                                       "digital", "fdma"), extra=None):
    coords = {"scheme": [s.encode() for s in schemes], "n_devices": np.array([2, 4], dtype=np.int64),
              "snr_db": np.array([0.0, 10.0]), "dataset": [b"tinystories", b"moby-dick"]}
    shape = tuple(len(coords[d]) for d in dims)
    rng = np.random.default_rng(1)
    vals = 5.0 + rng.random(shape)
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("perplexity", data=vals)
        ds.attrs["dims"] = ",".join(dims)
        f.create_dataset("perplexity_se", data=0.1 * np.ones(shape))
        for d in dims:
            f.create_dataset(d, data=coords[d])
        for k, v in (extra or {}).items():
            f.attrs[k] = v


def test_tradeoff_full_layout(tmp_path):
    lat, ppl, out = tmp_path / "lat.h5", tmp_path / "ppl.h5", tmp_path / "figs"
    write_latency(lat)
    write_ppl(ppl)
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(out)]) == 0
    figures_ok([str(p) for p in out.iterdir()], 2)
    assert (out / "tradeoff_stories260K.png").exists()


def test_tradeoff_extra_axis_and_attributes(tmp_path):
    lat, ppl, out = tmp_path / "lat.h5", tmp_path / "ppl.h5", tmp_path / "figs"
    write_latency(lat)
    # No SNR axis, scheme as an attribute, one figure per text.
    write_ppl(ppl, dims=("dataset", "n_devices"), extra={"scheme": "aircomp"})
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(out)]) == 0
    figures_ok([str(p) for p in out.iterdir()], 4)
    assert (out / "tradeoff_stories260K_moby-dick.pdf").exists()


def test_tradeoff_refuses_unusable_files(tmp_path, capsys):
    lat, ppl = tmp_path / "lat.h5", tmp_path / "ppl.h5"
    write_latency(lat)
    with h5py.File(ppl, "w") as f:
        f.create_dataset("nmse", data=np.zeros(2))
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(tmp_path)]) == 2
    assert "perplexity" in capsys.readouterr().err
    # A scheme axis without its coordinate dataset.
    with h5py.File(ppl, "w") as f:
        f.create_dataset("perplexity", data=np.zeros((2, 2))).attrs["dims"] = "scheme,n_devices"
        f.create_dataset("n_devices", data=np.array([2, 4]))
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(tmp_path)]) == 2
    assert "scheme" in capsys.readouterr().err
    # No N the latency file knows.
    write_ppl(ppl, dims=("scheme", "snr_db"), extra={"n_devices": 16})
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(tmp_path)]) == 2
    assert "no (scheme, N) point" in capsys.readouterr().err
    # Two LLaMA models and no --model: ambiguous.
    write_latency(lat, models=("llama2-7b", "llama2-13b"))
    write_ppl(ppl)
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(tmp_path)]) == 2
    assert "--model" in capsys.readouterr().err
    assert plot_tradeoff.main([str(ppl), str(lat), "-o", str(tmp_path / "f"), "--model", "llama2-13b"]) == 0


def test_scheme_matching():
    assert plot_tradeoff.latency_scheme("aircomp_uniform") == "aircomp"
    assert plot_tradeoff.latency_scheme("uncoded_fdma") == "fdma"
    assert plot_tradeoff.latency_scheme("digital_q8") == "digital"
    assert plot_tradeoff.latency_scheme("exact") == "reference"
    assert plot_tradeoff.latency_scheme("carrier-pigeon") is None
