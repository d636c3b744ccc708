"""Special functions of the uniform law on the sphere (:ref:`theory-model` to :ref:`theory-limit-laws`), computed in logs where they overflow.

These are the building blocks that both the key laws and the theory use: the local exponent and constant
of the distance law, its exact CDF and density, the critical scale, the mean resultant length
A_d(β) = I_{d/2}(β)/I_{d/2−1}(β) and the moment generating function M(t) = E e^{t⟨q,K⟩}.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._sphere_constants import log_critical_beta, log_uniform_constant, uniform_alpha

__all__ = [
    "log_ive",
    "uniform_alpha",
    "log_uniform_constant",
    "uniform_distance_cdf",
    "uniform_distance_sf",
    "uniform_distance_logpdf",
    "log_critical_beta",
    "mean_resultant",
    "log_mgf",
]


def uniform_distance_cdf(t, d: int):
    """F(t) = P(D ≤ t) = I_{t/2}(α, α) for uniform keys (:ref:`theory-model`); t is clipped to [0, 2]."""
    a = uniform_alpha(d)
    return special.betainc(a, a, np.clip(np.asarray(t, dtype=float), 0.0, 2.0) / 2.0)


def uniform_distance_sf(t, d: int):
    """1 − F(t), computed without cancellation from the symmetry of Beta(α, α)."""
    a = uniform_alpha(d)
    return special.betainc(a, a, 1.0 - np.clip(np.asarray(t, dtype=float), 0.0, 2.0) / 2.0)


def uniform_distance_logpdf(t, d: int):
    """log density of D on (0, 2): (α−1)·log(t(2−t)) − (2α−1)·log 2 − log B(α, α)."""
    a = uniform_alpha(d)
    t = np.asarray(t, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a - 1.0) * (np.log(t) + np.log(2.0 - t)) - (2.0 * a - 1.0) * np.log(2.0) - special.betaln(a, a)
    return np.where((t > 0) & (t < 2), out, -np.inf) if a != 1.0 else np.where((t >= 0) & (t <= 2), out, -np.inf)


def mean_resultant(d: int, beta):
    """A_d(β) = I_{d/2}(β)/I_{d/2−1}(β) = E_β-tilted ⟨q,K⟩ (:ref:`theory-limit-laws`), from exponentially scaled Bessels.

    Where ``ive`` underflows (order ≫ β) the ratio comes from its continued fraction
    I_ν/I_{ν−1} = 1/(2ν/β + I_{ν+1}/I_ν), evaluated by backward recurrence.
    """
    beta = np.asarray(beta, dtype=float)
    nu = d / 2.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        num = special.ive(nu, beta)
        den = special.ive(nu - 1.0, beta)
        out = num / den
    bad = ~np.isfinite(out) | (num <= 0) | (den <= 0)
    if np.any(bad):
        large = beta > 2.0 * nu * nu + 100.0
        safe = np.where(bad, beta, 1.0)
        with np.errstate(all="ignore"):
            fallback = np.where(large, _ive_large(nu, safe) / _ive_large(nu - 1.0, safe), _bessel_ratio_cf(nu, safe))
            out = np.where(bad, fallback, out)
    return np.where(beta == 0, 0.0, out)[()]


def _ive_large(nu: float, x, terms: int = 12):
    """√(2πx)·e^{−x}·I_ν(x) by its large-x series Σ (−1)^k a_k(ν)/x^k (DLMF 10.40.1), for x ≫ ν².

    scipy's ``ive`` returns NaN past x ≈ 1e10; β reaches 1e30 here.
    """
    x = np.asarray(x, dtype=float)
    mu = 4.0 * nu * nu
    term = np.ones_like(x)
    total = np.ones_like(x)
    for k in range(1, terms):
        term = -term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        total = total + term
    return total


def log_ive(nu: float, x):
    """log(e^{−x} I_ν(x)) for x > 0, finite for every ν ≤ 2048 and x ≤ 1e30: scipy's ``ive`` where it is a
    normal float, its large-x series (DLMF 10.40.1) past x = 1e9 (where ``ive`` turns NaN), and the
    small-x series (x/2)^ν/Γ(ν+1)·₀F₁(ν+1; x²/4)·e^{−x} where ``ive`` underflows."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
        direct = special.ive(nu, x)
        out = np.log(direct)
        large = x > 1e9
        if np.any(large):
            safe = np.where(large, x, 1e9)
            out = np.where(large, np.log(_ive_large(nu, safe)) - 0.5 * np.log(2.0 * np.pi * safe), out)
        small = ~large & ~(direct > 1e-290)
        if np.any(small):
            safe = np.where(small, x, 1.0)
            ser = (nu * np.log(safe / 2.0) - special.gammaln(nu + 1.0) + np.log(special.hyp0f1(nu + 1.0, safe**2 / 4.0))
                   - safe)
            out = np.where(small, ser, out)
    return out[()]


def _bessel_ratio_cf(nu: float, x, terms: int = 400):
    """I_ν(x)/I_{ν−1}(x) by backward recurrence of r_ν = 1/(2ν/x + r_{ν+1}); accurate for x ≲ ν."""
    x = np.asarray(x, dtype=float)
    r = np.zeros_like(x)
    for k in range(terms, -1, -1):
        r = 1.0 / (2.0 * (nu + k) / x + r)
    return r


def log_mgf(d: int, t):
    """log M(t), M(t) = E e^{t⟨q,K⟩} = Γ(d/2)(2/t)^{d/2−1} I_{d/2−1}(t) (:ref:`theory-limit-laws`), overflow-free."""
    t = np.asarray(t, dtype=float)
    nu = d / 2.0 - 1.0
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        ive = special.ive(nu, t)
        out = special.gammaln(d / 2.0) + nu * np.log(2.0 / t) + np.log(ive) + t
    large = ~np.isfinite(out) & (t > 2.0 * (nu + 1.0) ** 2 + 100.0)
    if np.any(large):  # scipy's ive is NaN past t ≈ 1e10: its large-t series (DLMF 10.40.1)
        safe = np.where(large, t, 1.0)
        with np.errstate(all="ignore"):
            ser = (special.gammaln(d / 2.0) + nu * np.log(2.0 / safe) + np.log(_ive_large(nu, safe))
                   - 0.5 * np.log(2.0 * np.pi * safe) + safe)
        out = np.where(large, ser, out)
    small = ~np.isfinite(out) | (ive <= 0)
    if np.any(small):
        series = np.log(special.hyp0f1(d / 2.0, np.where(small, t, 0.0) ** 2 / 4.0))
        out = np.where(small, series, out)
    return np.where(t == 0, 0.0, out)[()]
