"""Small helpers to read airtp result files (HDF5) from the analysis scripts."""
import h5py


def text_attr(obj, key, default=""):
    """A string attribute, decoded (h5py returns bytes for fixed-length strings)."""
    v = obj.attrs.get(key, default)
    return v.decode() if isinstance(v, bytes) else str(v)


def describe(f):
    """One line naming what made the file: kind, seed, backend, code version."""
    return (f"{text_attr(f, 'airtp_kind')} | seed {f.attrs.get('seed', '?')} | "
            f"{text_attr(f, 'backend')} | {text_attr(f, 'code_version')}")


def open_result(path, kind=None):
    f = h5py.File(path, "r")
    found = text_attr(f, "airtp_kind")
    if kind is not None and found != kind:
        f.close()
        raise SystemExit(f"{path}: not an 'airtp {kind}' result (airtp_kind = '{found}')")
    return f
