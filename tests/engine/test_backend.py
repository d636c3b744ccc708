"""One backend resolver (attnlimits._backend) for the engine and the heat dynamics."""

from __future__ import annotations

import sys

import pytest

from attnlimits import InputError
from attnlimits import _backend
from attnlimits import engine, heat


def test_engine_and_heat_share_the_resolver_and_its_names():
    assert engine.resolve_backend is _backend.resolve_backend
    assert engine.BACKENDS is heat.BACKENDS is _backend.BACKENDS
    assert engine.DEVICES is heat.DEVICES is _backend.DEVICES and engine.DTYPES is _backend.DTYPES
    assert engine.resolve_backend("numpy") == ("numpy", "cpu", "float64")
    assert heat.resolve_backend("numpy") is None


@pytest.mark.parametrize("resolve", [engine.resolve_backend, heat.resolve_backend])
@pytest.mark.parametrize("args, name", [(("jax",), "backend"), (("numpy", "cuda"), "device"),
                                        (("numpy", "cpu", "float32"), "dtype"), (("torch", "tpu"), "device")])
def test_bad_choices_are_one_line_input_errors(resolve, args, name):
    with pytest.raises(InputError, match=f"invalid {name}=") as err:
        resolve(*args)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("resolve", [engine.resolve_backend, heat.resolve_backend])
def test_torch_missing_is_the_same_input_error(monkeypatch, resolve):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(InputError, match="invalid backend='torch': torch is not installed"):
        resolve("torch", "cpu")
