"""The first-order population map of attention: A_d(β)[x + β^{−1}∇_S log ρ(x)] (:ref:`theory-limit-laws`)."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import InputError, check_int, check_real
from ..theory import heat_drift, mean_resultant
from ..theory._special import _ive_large

__all__ = ["first_order_map", "mode_growth_factor"]


def first_order_map(d: int, beta: float, x, grad_log_density) -> np.ndarray:
    """A_d(β)·[x + β^{−1}∇_S log ρ(x)]: the population map T_β(x) to first order in 1/β (:ref:`theory-limit-laws`).

    The drift β^{−1}P⊥_x∇log ρ is :func:`attnlimits.theory.heat_drift`; A_d(β) = I_{d/2}(β)/I_{d/2−1}(β) is
    ``attnlimits.theory.mean_resultant``.

    Parameters
    ----------
    d : int
        Dimension (points on S^{d−1}).
    beta : float
        Inverse temperature β > 0.
    x : array_like, shape (m, d) or (d,)
        Unit query points.
    grad_log_density : array_like, same shape as ``x``
        ∇ log ρ at ``x`` (its normal part is projected out).

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; T_β(x) equals it up to O(β^{−2}).
    """
    d = check_int("d", d, minimum=2)
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_log_density, dtype=float)
    if x.shape[-1] != d or g.shape != x.shape:
        raise InputError(f"invalid x/grad_log_density shapes {x.shape}/{g.shape}: expected (..., {d}) and equal")
    return float(mean_resultant(d, beta)) * (x + heat_drift(x, g, beta))


def mode_growth_factor(d: int, ell: int, beta):
    """Mean-field growth of the degree-ℓ mode in one renormalised attention step, to first order in ε.

    g_ℓ(β) = 1 + ℓ(ℓ+d−2)·I_{ℓ+d/2−1}(β) / (β·I_{d/2}(β))  =  1 + ℓ(ℓ+d−2)/β + O(β^{−2}).

    Derivation (exact in β; an addition to :ref:`theory-limit-laws`): for ρ = 1 + εY_ℓ let Φ(x) = ∫ e^{β⟨x,y⟩}ρ(y) dσ(y) on
    R^d. By Funk–Hecke, Φ(x) = M(β‖x‖) + ε·Y_ℓ(x/‖x‖)·λ_ℓ(β‖x‖) with λ_ℓ(r) = Γ(d/2)(2/r)^{d/2−1}I_{ℓ+d/2−1}(r),
    and T_β(x) = ∇Φ(x)/(βΦ(x)). Its tangential part is ελ_ℓ(β)∇_S Y_ℓ/(βM(β)) + O(ε²), its radial part
    A_d(β) + O(ε), so the renormalised step moves x by v = ε·I_{ℓ+d/2−1}(β)/(β I_{d/2}(β))·∇_S Y_ℓ, and the
    pushed-forward density is ρ − div_S(ρv) = 1 + εY_ℓ·g_ℓ(β) + O(ε²) since Δ_S Y_ℓ = −ℓ(ℓ+d−2)Y_ℓ.
    On the circle with ℓ = 1 it equals 1 + 1/β exactly.

    Parameters
    ----------
    d : int
        Dimension (S^{d−1}).
    ell : int
        Degree ℓ ≥ 1.
    beta : float or array_like
        β > 0, finite.

    Returns
    -------
    float or numpy.ndarray
        g_ℓ(β) > 1, shaped like ``beta`` (a NumPy scalar for scalar β); g_ℓ(β)^steps is the mean-field
        growth of the mode after ``steps`` steps.

    Examples
    --------
    >>> round(float(mode_growth_factor(3, 2, 100.0)) ** 10, 4)
    1.7708
    >>> float(mode_growth_factor(2, 1, 50.0)) == 1 + 1 / 50.0
    True
    """
    d = check_int("d", d, minimum=2)
    ell = check_int("ell", ell, minimum=1)
    beta = np.asarray(beta, dtype=float)
    if np.any(~np.isfinite(beta)) or np.any(beta <= 0):
        raise InputError(f"invalid beta={beta.tolist()!r}: expected finite numbers in (0, inf)")
    with np.errstate(all="ignore"):
        ratio = special.ive(ell + d / 2.0 - 1.0, beta) / special.ive(d / 2.0, beta)
    bad = ~np.isfinite(ratio) | (ratio <= 0)
    if np.any(bad):  # ive gives NaN past β ≈ 1e10: the large-β series of both Bessels (DLMF 10.40.1)
        safe = np.where(bad, beta, 1e12)
        ratio = np.where(bad, _ive_large(ell + d / 2.0 - 1.0, safe) / _ive_large(d / 2.0, safe), ratio)
    if ell == 1 and d == 2:
        ratio = np.ones_like(beta)
    return (1.0 + ell * (ell + d - 2) * ratio / beta)[()]
