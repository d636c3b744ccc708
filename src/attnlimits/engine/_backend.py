"""Backends of the exact engine: ``numpy`` (the reference) and ``torch`` (CPU or CUDA), chosen by name.

Both reduce the same way (a streaming log-sum-exp shifted by the running minimum distance, SPEC §1), so
given the same distances they agree to rounding (float64: ~1e−15 relative). :func:`reduce_distances` is that
common entry point: it folds distances the caller already has, which is how the two backends are compared.
torch is imported only when asked for; asking for it without it installed, or for ``cuda`` without a GPU,
is a one-line :class:`~attnlimits.InputError`.
"""

from __future__ import annotations

import numpy as np

from .._validation import InputError, check_choice, check_int, check_real

__all__ = ["BACKENDS", "DEVICES", "DTYPES", "resolve_backend", "import_torch", "reduce_distances"]

#: Engine backends by name.
BACKENDS = ("numpy", "torch")
#: Devices of the torch backend.
DEVICES = ("cpu", "cuda")
#: Floating-point precision of the reduction (float32: torch only; see :mod:`attnlimits.engine._torch`).
DTYPES = ("float64", "float32")


def import_torch():
    """``torch``, or an :class:`InputError` saying how to install it."""
    try:
        import torch
    except ImportError:
        raise InputError("invalid backend='torch': torch is not installed; expected numpy, "
                         "or install the extra: pip install 'attnlimits[torch]'") from None
    return torch


def resolve_backend(backend: str = "numpy", device: str = "cpu", dtype: str = "float64") -> tuple[str, str, str]:
    """Validate a (backend, device, dtype) choice; import torch and check the GPU where asked.

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


def reduce_distances(distances, beta: float, *, k: int = 10, chunk_size: int = 1 << 16, backend: str = "numpy",
                     device: str = "cpu", dtype: str = "float64") -> dict:
    """Every weight statistic of w_i ∝ exp(−β D_i) for distances the caller already has.

    Parameters
    ----------
    distances : array_like, shape (n,)
        D_i = 1 − ⟨q,K_i⟩ ∈ [0, 2] (computed in D, SPEC §1).
    beta : float
        Inverse temperature β ≥ 0.
    k : int
        Number of top weights to report.
    chunk_size : int
        Keys folded per step.
    backend, device, dtype : str
        See :data:`BACKENDS`, :data:`DEVICES`, :data:`DTYPES`.

    Returns
    -------
    dict
        ``max_weight, ipr, entropy, effective_support, nearest_distance, inner, defect, top_weights`` as
        :meth:`WeightReduction.finish <attnlimits.engine.WeightReduction.finish>`.

    Examples
    --------
    >>> s = reduce_distances([0.0, 1.0, 1.0], beta=1.0)
    >>> print(f"{s['max_weight']:.6f}")  # 1 / (1 + 2/e)
    0.576117
    """
    backend, device, dtype = resolve_backend(backend, device, dtype)
    beta = check_real("beta", beta, lower=0.0)
    k = check_int("k", k, minimum=1)
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    dist = np.asarray(distances, dtype=float).reshape(-1)
    if dist.size == 0 or not np.all((dist >= 0) & (dist <= 2)):
        raise InputError(f"invalid distances of size {dist.size}: expected a non-empty array with values in [0, 2]")
    if backend == "numpy":
        from ._reduction import WeightReduction

        red = WeightReduction(beta, k)
    else:
        from ._torch import TorchWeightReduction

        red = TorchWeightReduction(beta, k, device=device, dtype=dtype)
        dist = red.as_tensor(dist)
    for start in range(0, dist.shape[0], chunk_size):
        red.update(dist[start:start + chunk_size])
    return red.finish()
