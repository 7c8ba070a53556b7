import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))

# Three very short stories: the accuracy runs score them in about a second.
TINY_TEXT = ("Tom had a red ball. He liked to play with it in the park every day.\n<|endoftext|>\n"
             "Lily saw a big cat. The cat was soft and happy. Lily smiled.\n<|endoftext|>\n"
             "Ben ran to the tree and sat down under it.\n")

# The real result files the tests plot: tiny sizes (a few seconds in all), every sweep axis the
# plots must handle along at least one of them. {text} is the tiny text above.
RUNS = {
    # N and the CSI error vary (markers and panels), three SNRs, every scheme.
    "mse": ["mse", "-N", "2,4", "--snr-db", "0,10,20", "--schemes", "aircomp,aircomp:eigen,fdma,digital",
            "--bits", "4,8", "-R", "200", "--csi-nmse", "0,0.05"],
    # Physical mode: only the transmit power varies.
    "mse_power": ["mse", "--noise-mode", "physical", "--tx-power-dbm", "10,20", "-N", "2", "-R", "100"],
    "compare": ["compare", "-N", "2,3", "--n-rx", "8,12", "--n-tx", "2", "-R", "3", "--solvers", "eigen,fast,sdr",
                "--draws", "5", "--save-channels"],
    # A single point: nothing varies.
    "compare_point": ["compare", "-N", "2", "--n-tx", "2", "-R", "2", "--solvers", "eigen,fast", "--n-rx", "8"],
    "assign": ["assign", "--iterations", "4", "--batch", "8", "--validation", "8", "--validate-every", "2",
               "--devices", "phone+laptop+jetson"],
    "latency": ["latency"],
    "latency_bundled": ["latency", "--model", "stories260K", "-N", "2,4"],
    "latency_n8": ["latency", "--model", "stories260K", "-N", "8"],  # no N in common with "ppl"
    "ppl": ["ppl", "-N", "2,4", "--schemes", "exact,aircomp,digital,fdma", "--snr-db", "10,30", "-R", "1",
            "--text", "{text}", "--max-stories", "3"],
    # The figure-6 smoke config at tiny sizes: three assignments, two transmit powers.
    "e2e": ["e2e", os.path.join(ROOT, "experiments", "paper", "fig6_end_to_end.smoke.toml"), "--text", "{text}",
            "--max-stories", "3", "--mse-realizations", "40", "--iterations", "3", "--batch", "4",
            "--validation", "8", "--validate-every", "1", "--tx-power-dbm", "18,30"],
}


def airtp_binary():
    """The built airtp, if any (AIRTP_BIN overrides)."""
    p = os.environ.get("AIRTP_BIN", os.path.join(ROOT, "build", "airtp"))
    return p if os.access(p, os.X_OK) else None


class Results:
    """Result files made on first use by the real binary, once per test session."""

    def __init__(self, folder):
        self.folder = folder
        self.made = {}
        self.text = os.path.join(folder, "tiny.txt")
        with open(self.text, "w") as f:
            f.write(TINY_TEXT)

    def __call__(self, name):
        if name not in self.made:
            out = os.path.join(self.folder, f"{name}.h5")
            args = [a.format(text=self.text) for a in RUNS[name]]
            r = subprocess.run([airtp_binary(), *args, "-q", "-o", out], cwd=ROOT, capture_output=True, text=True)
            assert r.returncode == 0, f"airtp {' '.join(args)}: {r.stderr}"
            self.made[name] = out
        return self.made[name]


@pytest.fixture(scope="session")
def results(tmp_path_factory):
    """results(name) -> path of the RUNS[name] result file; skips when airtp is not built."""
    if airtp_binary() is None:
        pytest.skip("airtp not built (build/airtp; AIRTP_BIN overrides)")
    return Results(str(tmp_path_factory.mktemp("results")))


@pytest.fixture(autouse=True)
def close_figures():
    """The figures a test built without saving are closed after it."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def assert_figures(folder, names):
    """Each named figure exists, is not trivially small, and PNGs carry the PNG signature."""
    for name in names:
        out = folder / name
        assert out.exists() and out.stat().st_size > 5000, name
        if name.endswith(".png"):
            assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        if name.endswith(".pdf"):
            assert out.read_bytes()[:5] == b"%PDF-", name


def assert_refuses(main, path, kind, folder):
    """A plot script refuses a result file of another kind, naming that kind."""
    with pytest.raises(SystemExit, match=f"'{kind}'"):
        main([str(path), "-o", str(folder)])


def legend_texts(fig):
    """Every legend text of a figure (figure legends and axes legends)."""
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def assert_rejects_kind(main, folder, other_kind):
    """A plot script refuses a (minimal) result file made by another airtp command."""
    import h5py

    p = folder / "other.h5"
    with h5py.File(p, "w") as f:
        f.attrs["airtp_kind"] = other_kind
    assert_refuses(main, p, other_kind, folder)


def put_masked(f, name, data, ok, mask=None):
    """Writes `name` the way airtp writes an undefined-able dataset: 0 where ok is False, the
    int mask (default name + "_valid") and the attribute masked_by naming it."""
    import numpy as np

    data, ok = np.asarray(data, dtype=float), np.asarray(ok, dtype=bool)
    mask = mask or name + "_valid"
    ds = f.create_dataset(name, data=np.where(ok, data, 0.0))
    ds.attrs["masked_by"] = mask
    if mask not in f:
        f.create_dataset(mask, data=ok.astype(np.int64))
    return ds
