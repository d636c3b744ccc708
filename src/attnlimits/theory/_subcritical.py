"""The subcritical regime (SPEC §3): law of large numbers with its bias, Gaussian fluctuations, the IPR
asymptote and the backward-heat-equation drift."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_int, check_real
from ._special import log_ive, mean_resultant

__all__ = ["lln_inner", "tangent_variance", "radial_variance", "ipr_asymptote", "heat_drift", "harmonic_growth"]


def lln_inner(d: int, beta) -> float:
    """The law-of-large-numbers limit of ⟨q,O⟩: A_d(β) = I_{d/2}(β)/I_{d/2−1}(β) (SPEC §3)."""
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


def tangent_variance(d: int, n, beta, *, kappa: float = 0.0) -> float:
    """σ⊥² = M(2β) A_d(2β) / (2β n M(β)²): the variance of each of the d−1 tangent components of O for
    uniform keys (SPEC §3), from exponentially scaled Bessel functions (M overflows). With ``kappa`` the keys
    are von Mises–Fisher centred on the query and 2β becomes κ + 2β in A and the tilt."""
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
    high precision: in float64 it cancels to ~(d−1)/(8β²)·… at large β (SPEC §4 numerics)."""
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


def radial_variance(d: int, n, beta, *, kappa: float = 0.0) -> float:
    """σ∥² = M(2β)[1 − (d−1)A_d(2β)/(2β) − 2A A_d(2β) + A²] / (n M(β)²), A = A_d(β) (SPEC §3): the
    variance of ⟨q,O⟩ for uniform keys (``kappa``: vMF keys centred on the query). The bracket is evaluated
    with mpmath (it cancels in float64)."""
    d = check_int("d", d, minimum=2)
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    kappa = check_real("kappa", kappa, lower=0.0)
    if kappa + beta == 0.0:
        return 1.0 / (d * n)
    return _exp(_log_mgf_ratio(d, beta, kappa) + math.log(_radial_bracket_mp(d, beta, kappa)) - math.log(n))


def ipr_asymptote(alpha: float, lam: float) -> float:
    """E[IPR] ≈ 2^{−α} λ^α / Γ(α+1) as λ → 0 (SPEC §3)."""
    alpha = check_real("alpha", alpha, lower=0.0, lower_open=True)
    lam = check_real("lam", lam, lower=0.0, lower_open=True)
    return math.exp(-alpha * math.log(2.0) + alpha * math.log(lam) - special.gammaln(alpha + 1.0))


def heat_drift(x, grad_log_density, beta) -> np.ndarray:
    """The drift of one normalised attention step at point x: β^{−1} P⊥_x ∇ log ρ(x) (SPEC §3, backward
    heat equation ∂_t ρ = −Δ_S ρ with time step 1/β).

    Parameters
    ----------
    x : array_like, shape (..., d)
        Points on the sphere.
    grad_log_density : array_like, shape (..., d)
        ∇ log ρ at x (any ambient extension; its normal part is projected out).
    beta : float
        β > 0.
    """
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    x = np.asarray(x, dtype=float)
    g = np.asarray(grad_log_density, dtype=float)
    tang = g - np.sum(g * x, axis=-1, keepdims=True) * x
    return tang / beta


def harmonic_growth(ell: int, d: int, steps, beta, *, exact_steps: bool = False) -> float:
    """Growth of the degree-ℓ spherical-harmonic component of the density after ``steps`` attention steps:
    exp(ℓ(ℓ+d−2)·steps/β) (SPEC §3), or with ``exact_steps`` the per-step product (1 + ℓ(ℓ+d−2)/β)^steps."""
    ell = check_int("ell", ell, minimum=0)
    d = check_int("d", d, minimum=2)
    beta = check_real("beta", beta, lower=0.0, lower_open=True)
    steps = check_real("steps", steps, lower=0.0)
    rate = ell * (ell + d - 2) / beta
    return float((1.0 + rate) ** steps if exact_steps else math.exp(rate * steps))
