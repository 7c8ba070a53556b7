import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "analysis"))


def airtp_binary():
    """The built airtp, if any (AIRTP_BIN overrides)."""
    p = os.environ.get("AIRTP_BIN", os.path.join(ROOT, "build", "airtp"))
    return p if os.access(p, os.X_OK) else None


def assert_figures(folder, names):
    """Each named figure exists, is not trivially small, and PNGs carry the PNG signature."""
    for name in names:
        out = folder / name
        assert out.exists() and out.stat().st_size > 5000, name
        if name.endswith(".png"):
            assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def assert_rejects_kind(main, folder, other_kind):
    """A plot script refuses a result file made by another airtp command."""
    import h5py
    import pytest

    p = folder / "other.h5"
    with h5py.File(p, "w") as f:
        f.attrs["airtp_kind"] = other_kind
    with pytest.raises(SystemExit):
        main([str(p), "-o", str(folder)])


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
