"""Package-level promises: importing is light, the public API is explicit."""

import subprocess
import sys

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
