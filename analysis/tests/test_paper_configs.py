"""Each figure of experiments/paper/ has a smoke and a full config that differ only in sizes:
the same command and the same fields (the C++ suite runs every smoke variant end to end)."""
import pathlib
import tomllib

import pytest

PAPER = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "paper"


def keys(table, prefix=""):
    out = set()
    for k, v in table.items():
        if isinstance(v, dict):
            out |= keys(v, prefix + k + ".")
        elif isinstance(v, list) and v and all(isinstance(e, dict) for e in v):
            out.add(prefix + k + "[]")  # [[device]]-style tables: their count may differ
        else:
            out.add(prefix + k)
    return out


SMOKES = sorted(PAPER.glob("*.smoke.toml"))


def test_every_figure_has_both_variants():
    assert len(SMOKES) >= 5
    for s in SMOKES:
        assert (PAPER / s.name.replace(".smoke.toml", ".toml")).exists(), s.name


@pytest.mark.parametrize("smoke", SMOKES, ids=lambda p: p.name)
def test_full_and_smoke_share_command_and_fields(smoke):
    full = PAPER / smoke.name.replace(".smoke.toml", ".toml")
    a = tomllib.loads(smoke.read_text())
    b = tomllib.loads(full.read_text())
    assert a.get("command") == b.get("command")
    assert keys(a) == keys(b)


@pytest.mark.parametrize("config", sorted(PAPER.glob("*.toml")), ids=lambda p: p.name)
def test_the_plot_script_a_config_names_exists(config):
    """Each paper config says in its comments how to plot its result: that script exists."""
    import re

    scripts = re.findall(r"analysis/(\w+\.py)", config.read_text())
    assert scripts, f"{config.name} names no analysis script"
    for s in scripts:
        assert (PAPER.parents[1] / "analysis" / s).exists(), f"{config.name}: analysis/{s}"
