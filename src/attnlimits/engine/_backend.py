"""Backends of the exact engine: ``numpy`` (the reference) and ``torch`` (CPU or CUDA), chosen by name through the
package's one resolver (:func:`attnlimits._backend.resolve_backend`, re-exported here).

Both reduce the same way (a streaming log-sum-exp shifted by the running minimum distance, :ref:`theory-model`), so
given the same distances they agree to rounding (float64: ~1e−15 relative). :func:`reduce_distances` is that
common entry point: it folds distances the caller already has, which is how the two backends are compared.
torch is imported only when asked for; asking for it without it installed, or for ``cuda`` without a GPU,
is a one-line :class:`~attnlimits.InputError`.
"""

from __future__ import annotations

import numpy as np

from .._backend import BACKENDS, DEVICES, DTYPES, import_torch, resolve_backend
from .._validation import InputError, check_int, check_real

__all__ = ["BACKENDS", "DEVICES", "DTYPES", "resolve_backend", "import_torch", "reduce_distances"]


def reduce_distances(distances, beta: float, *, k: int = 10, chunk_size: int = 1 << 16, backend: str = "numpy",
                     device: str = "cpu", dtype: str = "float64") -> dict:
    """Every weight statistic of w_i ∝ exp(−β D_i) for distances the caller already has.

    Parameters
    ----------
    distances : array_like, shape (n,)
        D_i = 1 − ⟨q,K_i⟩ ∈ [0, 2] (computed in D, :ref:`theory-model`).
    beta : float
        Inverse temperature β ≥ 0.
    k : int
        Number of top weights to report.
    chunk_size : int
        Keys folded per step.
    backend, device, dtype : str
        See ``BACKENDS``, ``DEVICES``, ``DTYPES``.

    Returns
    -------
    dict
        ``max_weight, ipr, entropy, effective_support, nearest_distance, inner, defect, top_weights`` as
        ``WeightReduction.finish``.

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
