"""The first-order population map of attention: A_d(β)[x + β^{−1}∇_S log ρ(x)] (SPEC §3)."""

from __future__ import annotations

import numpy as np

from .._validation import InputError, check_int, check_real
from ..theory._special import mean_resultant

__all__ = ["heat_drift"]


def heat_drift(d: int, beta: float, x, grad_log_density) -> np.ndarray:
    """A_d(β)·[x + β^{−1}∇_S log ρ(x)]: the population map T_β(x) to first order in 1/β (SPEC §3).

    Parameters
    ----------
    d : int
        Dimension (points on S^{d−1}).
    beta : float
        Inverse temperature β > 0.
    x : array_like, shape (m, d) or (d,)
        Unit query points.
    grad_log_density : array_like, same shape as ``x``
        The tangential gradient ∇_S log ρ at ``x``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``. With A_d(β) = I_{d/2}(β)/I_{d/2−1}(β), T_β(x) equals this up to O(β^{−2}).
    """
    d = check_int("d", d, minimum=2)
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_log_density, dtype=float)
    if x.shape[-1] != d or g.shape != x.shape:
        raise InputError(f"invalid x/grad_log_density shapes {x.shape}/{g.shape}: expected (..., {d}) and equal")
    return float(mean_resultant(d, beta)) * (x + g / beta)
