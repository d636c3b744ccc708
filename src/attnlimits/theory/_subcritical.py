"""The subcritical regime (:ref:`theory-limit-laws`): law of large numbers with its bias, Gaussian fluctuations, the IPR
asymptote and the backward-heat-equation drift."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_int, check_real
from ._special import log_ive, mean_resultant

__all__ = ["inner_limit", "tangent_variance_limit", "radial_variance_limit", "ipr_subcritical_limit", "heat_drift",
           "harmonic_growth"]


def inner_limit(d: int, beta) -> float:
    """The law-of-large-numbers limit of ⟨q,O⟩ as n → ∞ at fixed β: A_d(β) = I_{d/2}(β)/I_{d/2−1}(β) (:ref:`theory-limit-laws`).

    Parameters
    ----------
    d : int
        Dimension of the sphere the uniform keys live on, ≥ 2.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        A_d(β) = 1 − (d−1)/(2β) + O(β^{−2}).

    Examples
    --------
    >>> round(inner_limit(3, 2.0), 6)  # d = 3: the Langevin function coth β − 1/β (:ref:`theory-limit-laws`)
    0.537315
    """
    d = check_int("d", d, minimum=2)
    return float(mean_resultant(d, check_real("beta", beta, lower=0.0)))


def _log_mgf_ratio(d, beta, kappa):
    """log[M(κ+2β) M(κ) / M(κ+β)²]: E[e^{2β⟨q,K⟩}]/E[e^{β⟨q,K⟩}]² under vMF(κ) keys (κ = 0: uniform).

    With M(t) = Γ(d/2)(2/t)^ν e^{t} ive_ν(t), ν = d/2 − 1, the exponentials cancel exactly
    ((κ+2β) + κ − 2(κ+β) = 0) and so do the Γ's; what is left is computed from scaled Bessel functions:
    ν log((κ+β)²/(κ(κ+2β))) + log ive(κ+2β) + log ive(κ) − 2 log ive(κ+β), and for κ = 0 (M(0) = 1)
    ν log(β/4) − log Γ(d/2) + log ive(2β) − 2 log ive(β). No float64 log of size β is ever differenced.
    """
    nu = d / 2.0 - 1.0
    if kappa == 0.0:
        log_r = (nu * math.log(beta / 4.0) - float(special.gammaln(d / 2.0)) + float(log_ive(nu, 2.0 * beta))
                 - 2.0 * float(log_ive(nu, beta)))
    else:
        log_r = (nu * math.log1p(beta * beta / (kappa * (kappa + 2.0 * beta))) + float(log_ive(nu, kappa + 2.0 * beta))
                 + float(log_ive(nu, kappa)) - 2.0 * float(log_ive(nu, kappa + beta)))
    return log_r


def _exp(log_value: float) -> float:
    """e^{log_value}; inf where the formula's value exceeds float64 (a CLT far outside its range, e.g.
    d = 4096 at β = 1e30, where the ratio grows like β^{(d−1)/2})."""
    return math.exp(log_value) if log_value < 709.7 else math.inf


def tangent_variance_limit(d: int, n, beta, *, kappa: float = 0.0) -> float:
    """The CLT (n → ∞) variance of each of the d−1 tangent components of O: σ⊥² = M(2β) A_d(2β) / (2β n M(β)²).

    For uniform keys (:ref:`theory-limit-laws`, Gaussian fluctuations), from exponentially scaled Bessel functions (M
    overflows). With ``kappa`` the keys are von Mises–Fisher centred on the query and 2β becomes κ + 2β in
    A and the tilt.

    Parameters
    ----------
    d : int
        Dimension of the sphere the keys live on, ≥ 2.
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    kappa : float
        vMF concentration κ ≥ 0 about the query (0: uniform keys).

    Returns
    -------
    float
        σ⊥², the leading term of the variance as n → ∞ (inf where it exceeds float64).

    Examples
    --------
    >>> round(tangent_variance_limit(3, 1000, 0.0), 12)  # β = 0: Var of one coordinate of a mean of n (:ref:`theory-limit-laws`)
    0.000333333333
    """
    d = check_int("d", d, minimum=2)
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    kappa = check_real("kappa", kappa, lower=0.0)
    k2 = kappa + 2.0 * beta
    if k2 == 0.0:
        return 1.0 / (d * n)
    return _exp(_log_mgf_ratio(d, beta, kappa) + math.log(float(mean_resultant(d, k2))) - math.log(k2 * n))


def _radial_bracket_mp(d: int, beta: float, kappa: float = 0.0) -> float:
    """E_{2β}[(⟨q,K⟩ − A_d(β))²] under the tilt e^{2β⟨q,K⟩}, i.e. 1 − (d−1)A(2β)/(2β) − 2A A(2β) + A², in
    high precision: in float64 it cancels to ~(d−1)/(8β²)·… at large β (:ref:`theory-exact-identities` numerics)."""
    import mpmath

    digits = 30 + int(max(0.0, 2.0 * math.log10(max(beta, 1.0))))
    with mpmath.workdps(digits):
        b, k = mpmath.mpf(beta), mpmath.mpf(kappa)
        nu = mpmath.mpf(d) / 2

        def ratio(x):
            return mpmath.besseli(nu, x) / mpmath.besseli(nu - 1, x)

        a1, a2 = ratio(k + b), ratio(k + 2 * b)
        val = 1 - (d - 1) * a2 / (k + 2 * b) - 2 * a1 * a2 + a1 * a1
        return float(val)


def radial_variance_limit(d: int, n, beta, *, kappa: float = 0.0) -> float:
    """The CLT (n → ∞) variance of ⟨q,O⟩: σ∥² = M(2β)[1 − (d−1)A_d(2β)/(2β) − 2A A_d(2β) + A²] / (n M(β)²).

    A = A_d(β) (:ref:`theory-limit-laws`, Gaussian fluctuations), for uniform keys (``kappa``: vMF keys centred on the
    query). The bracket is evaluated with mpmath (it cancels in float64).

    Parameters
    ----------
    d : int
        Dimension of the sphere the keys live on, ≥ 2.
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    kappa : float
        vMF concentration κ ≥ 0 about the query (0: uniform keys).

    Returns
    -------
    float
        σ∥², the leading term of the variance as n → ∞ (inf where it exceeds float64).

    Examples
    --------
    >>> round(radial_variance_limit(3, 1000, 0.0), 12)  # β = 0: Var of one coordinate of a mean of n (:ref:`theory-limit-laws`)
    0.000333333333
    """
    d = check_int("d", d, minimum=2)
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    kappa = check_real("kappa", kappa, lower=0.0)
    if kappa + beta == 0.0:
        return 1.0 / (d * n)
    return _exp(_log_mgf_ratio(d, beta, kappa) + math.log(_radial_bracket_mp(d, beta, kappa)) - math.log(n))


def ipr_subcritical_limit(alpha: float, lam: float) -> float:
    """The λ → 0 asymptote of the n → ∞ limit of E[IPR]: 2^{−α} λ^α / Γ(α+1) (:ref:`theory-limit-laws`, subcritical).

    Parameters
    ----------
    alpha : float
        Local exponent α > 0 of the distance law ((d−1)/2 for uniform keys).
    lam : float
        λ = β/β*_n > 0 (the asymptote holds as λ → 0).

    Returns
    -------
    float
        2^{−α} λ^α / Γ(α+1).

    Examples
    --------
    >>> round(ipr_subcritical_limit(1.0, 0.01), 12)  # d = 3: λ/2 (:ref:`theory-limit-laws`)
    0.005
    """
    alpha = check_real("alpha", alpha, lower=0.0, lower_open=True)
    lam = check_real("lam", lam, lower=0.0, lower_open=True)
    return math.exp(-alpha * math.log(2.0) + alpha * math.log(lam) - special.gammaln(alpha + 1.0))


def heat_drift(x, grad_log_density, beta) -> np.ndarray:
    """The drift of one normalised attention step at point x as β → ∞: β^{−1} P⊥_x ∇ log ρ(x).

    :ref:`theory-limit-laws`, backward heat equation ∂_t ρ = −Δ_S ρ with time step 1/β.

    Parameters
    ----------
    x : array_like, shape (..., d)
        Points on the sphere.
    grad_log_density : array_like, shape (..., d)
        ∇ log ρ at x (any ambient extension; its normal part is projected out).
    beta : float
        β > 0.

    Returns
    -------
    ndarray, shape (..., d)
        The tangent drift β^{−1} P⊥_x ∇ log ρ(x).

    Examples
    --------
    >>> heat_drift([0.0, 0.0, 1.0], [1.0, 0.0, 1.0], 10.0)  # the normal part is projected out (:ref:`theory-limit-laws`)
    array([0.1, 0. , 0. ])
    """
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_log_density, dtype=float)
    tang = g - np.sum(g * x, axis=-1, keepdims=True) * x
    return tang / beta


def harmonic_growth(ell: int, d: int, steps, beta, *, exact_steps: bool = False) -> float:
    """Growth of the degree-ℓ spherical-harmonic component of the density after ``steps`` attention steps.

    exp(ℓ(ℓ+d−2)·steps/β), the β → ∞ limit at fixed steps/β (:ref:`theory-limit-laws`, backward heat equation), or with
    ``exact_steps`` the per-step product (1 + ℓ(ℓ+d−2)/β)^steps.

    Parameters
    ----------
    ell : int
        Degree ℓ ≥ 0 of the harmonic.
    d : int
        Dimension, ≥ 2 (S^{d−1}).
    steps : float
        Number of attention steps, ≥ 0.
    beta : float
        β > 0.
    exact_steps : bool
        The per-step product instead of the exponential.

    Returns
    -------
    float
        The growth factor of the component.

    Examples
    --------
    >>> round(harmonic_growth(2, 3, 10, 100.0), 3)  # S², ℓ = 2, β = 100, 10 steps (:ref:`theory-limit-laws`)
    1.822
    """
    ell = check_int("ell", ell, minimum=0)
    d = check_int("d", d, minimum=2)
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    steps = check_real("steps", steps, lower=0.0)
    rate = ell * (ell + d - 2) / beta
    return float((1.0 + rate) ** steps if exact_steps else math.exp(rate * steps))
