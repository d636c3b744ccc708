"""The extrapolate package's promises: importing it loads no optional extra; every public callable (its
``__all__``, the figure, the command's printer) has a numpydoc docstring that matches its signature."""

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

numpydoc_validate = pytest.importorskip("numpydoc.validate")

CODES = {"GL08", "SS01", "PR01", "PR02", "RT01"}


def test_import_loads_no_extra():
    code = (f"import sys; sys.path.insert(0, {SRC!r}); import attnlimits.extrapolate; "
            "print([m for m in ('torch', 'transformers', 'matplotlib', 'safetensors') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _public():
    module = importlib.import_module("attnlimits.extrapolate")
    names = [f"attnlimits.extrapolate.{n}" for n in module.__all__
             if inspect.isfunction(getattr(module, n)) or inspect.isclass(getattr(module, n))]
    return names + ["attnlimits.report.extrapolate_figure.extrapolate_figure",
                    "attnlimits.cli.extrapolate.print_extrapolation"]


@pytest.mark.parametrize("name", _public())
def test_numpydoc(name):
    codes = set(CODES)
    module, _, attr = name.rpartition(".")
    if inspect.isclass(getattr(importlib.import_module(module), attr)):
        codes.discard("RT01")
    if name.endswith("print_extrapolation"):
        codes.discard("RT01")  # prints; returns None
    errors = [f"{c}: {m}" for c, m in numpydoc_validate.validate(name)["errors"] if c in codes]
    assert not errors, "\n".join(errors)
