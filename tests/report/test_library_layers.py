"""Layering of the reproduce job: no ``matplotlib.use`` or pyplot anywhere in the library (figures are
``matplotlib.figure.Figure`` objects), drawing functions return figures, and ``attnlimits.reproduce`` is public
but loaded only on use."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SRC as SRC_ROOT

SRC = Path(SRC_ROOT) / "attnlimits"


def _offences(source: str) -> list:
    """Lines of ``source`` (code, not docstrings) that call ``matplotlib.use`` or import pyplot or ``use``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "use" \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "matplotlib":
            found.append(node.lineno)
        elif isinstance(node, ast.Import) and any(a.name.startswith("matplotlib.pyplot") for a in node.names):
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matplotlib") and (
                "pyplot" in (node.module or "") or any(a.name in ("use", "pyplot") for a in node.names)):
            found.append(node.lineno)
    return found


def test_no_backend_switch_or_pyplot_in_the_library():
    hits = [f"{p.relative_to(SRC)}:{line}" for p in sorted(SRC.rglob("*.py"))
            for line in _offences(p.read_text(encoding="utf-8"))]
    assert not hits, hits


@pytest.mark.parametrize("code", ['import matplotlib\nmatplotlib.use("Agg")', "import matplotlib.pyplot as plt",
                                  "from matplotlib import pyplot", "from matplotlib import use",
                                  "def f():\n    from matplotlib.pyplot import subplots"])
def test_the_scan_finds_each_offence(code):
    """The scan above is not vacuous."""
    assert _offences(code)


def test_reproduce_is_public_and_lazy():
    code = ("import sys, attnlimits; before = 'attnlimits._reproduce' in sys.modules; f = attnlimits.reproduce; "
            "print(before, f.__module__, [m for m in ('matplotlib', 'torch', 'attnlimits.claims') if m in sys.modules])")
    env = dict(os.environ, PYTHONPATH=SRC_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env).stdout.split(None, 2)
    assert out[0] == "False" and out[1] == "attnlimits._reproduce"
    assert "matplotlib" not in out[2] and "torch" not in out[2]
    assert "reproduce" in __import__("attnlimits").__all__


def test_heat_figures_share_one_growth_panel():
    """The claim's heat figure and ``attnlimits heat --plot`` draw the growth with the same function."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from attnlimits.heat._curves import growth_curves
    from attnlimits.report._figures import claim_figure
    from attnlimits.report.heat_figure import heat_growth_panel
    from attnlimits.claims import Figure as ClaimFigure

    curves = growth_curves([1.0, 1.1, 1.2], 6.0, 100.0, 1.05)
    run = {"amplitude": [1.0, 1.1, 1.2], "rate": 6.0, "beta": 100.0, "mean_field": 1.05, "d": 3, "mode": 2,
           "n": 100, "curves": curves}
    fig = claim_figure(ClaimFigure("h.png", "heat-equation", {"runs": [run, run]}, "caption"))
    assert isinstance(fig, Figure)
    (ax,) = fig.axes[:1]
    assert [ln.get_label() for ln in ax.get_lines()][0] == "measured"
    ref = Figure().subplots()
    heat_growth_panel(ref, curves, legend_size=7)
    for a, b in zip(ax.get_lines(), ref.get_lines()):
        assert a.get_label() == b.get_label() and list(a.get_ydata()) == list(b.get_ydata())
