"""The one backend resolver: ``numpy`` (the reference) or ``torch`` (CPU or CUDA), chosen by name, for the engine
(:mod:`attnlimits.engine`) and the heat dynamics (:mod:`attnlimits.heat`).

torch is imported only when asked for; asking for it without it installed, or for ``cuda`` without a GPU, is a
one-line :class:`~attnlimits.InputError`.
"""

from __future__ import annotations

from ._validation import InputError, check_choice

__all__ = ["BACKENDS", "DEVICES", "DTYPES", "resolve_backend", "import_torch"]

#: Backends by name.
BACKENDS = ("numpy", "torch")
#: Devices of the torch backend.
DEVICES = ("cpu", "cuda")
#: Floating-point precision (float32: torch only; see :mod:`attnlimits.engine._torch`).
DTYPES = ("float64", "float32")


def import_torch():
    """``torch``, or an :class:`InputError` saying how to install it.

    Returns
    -------
    module
        The ``torch`` module.
    """
    try:
        import torch
    except ImportError:
        raise InputError("invalid backend='torch': torch is not installed; expected numpy, "
                         "or install the extra: pip install 'attnlimits[torch]'") from None
    return torch


def resolve_backend(backend: str = "numpy", device: str = "cpu", dtype: str = "float64") -> tuple[str, str, str]:
    """Validate a (backend, device, dtype) choice; import torch and check the GPU where asked.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`.
    device : str
        One of :data:`DEVICES` (numpy: cpu only).
    dtype : str
        One of :data:`DTYPES` (numpy: float64 only).

    Returns
    -------
    (str, str, str)
        The checked ``(backend, device, dtype)``.

    Raises
    ------
    InputError
        Unknown names; ``device``/``dtype`` other than cpu/float64 with numpy; torch missing; ``cuda``
        without a CUDA device visible to torch.
    """
    check_choice("backend", backend, BACKENDS)
    check_choice("device", device, DEVICES)
    check_choice("dtype", dtype, DTYPES)
    if backend == "numpy":
        if device != "cpu":
            raise InputError(f"invalid device={device!r} for backend='numpy': expected cpu (use backend torch for cuda)")
        if dtype != "float64":
            raise InputError(f"invalid dtype={dtype!r} for backend='numpy': expected float64 (use backend torch for float32)")
        return backend, device, dtype
    torch = import_torch()
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("invalid device='cuda': torch sees no CUDA GPU on this machine; expected cpu")
    return backend, device, dtype
