"""Package-level promises: importing is light, the public API is explicit."""

import subprocess
import sys

import pytest

import attnlimits
from conftest import SRC

HEAVY = ["matplotlib", "torch", "dask", "distributed", "transformers", "pyarrow", "safetensors", "click", "rich"]


def test_import_is_numpy_and_scipy_only():
    code = f"import sys; sys.path.insert(0, {SRC!r}); import attnlimits; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_public_api_is_declared():
    for name in attnlimits.__all__:
        assert hasattr(attnlimits, name), name


OPTIONAL = ["matplotlib", "torch", "dask", "distributed", "transformers", "pyarrow"]
SUBPACKAGES = ["engine", "laws", "theory", "heat", "claims", "sweep", "tails", "report", "models", "schedules", "forecast",
               "extrapolate", "cli"]


def loaded_after(code: str) -> list:
    """The optional heavy modules present in sys.modules after running ``code`` in a fresh interpreter."""
    full = (f"import sys; sys.path.insert(0, {SRC!r})\n{code}\n"
            f"print([m for m in {OPTIONAL!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", full], capture_output=True, text=True, check=True).stdout
    return eval(out.strip().splitlines()[-1])  # the last line (a command prints its own output first)


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_each_subpackage_imports_without_the_optional_extras(subpackage):
    assert loaded_after(f"import attnlimits.{subpackage}") == []


def test_cli_help_and_theory_import_only_what_they_use():
    run = ("from attnlimits.cli import main\n"
           "try:\n    main({argv!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n")
    assert loaded_after(run.format(argv=["--help"])) == []
    assert loaded_after(run.format(argv=["theory", "--d", "3", "--n", "1e4", "--lam", "1", "--json"])) == []
