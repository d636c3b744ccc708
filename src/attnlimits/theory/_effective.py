"""The effective exponent at finite n (SPEC §2a).

The paper's scale uses the local law F(t) ≈ c t^α as t → 0. At finite n what matters is F near the 1/n
quantile t_n, F(t_n) = 1/n (exact F). A power law fitted there has exponent α_n = t_n f(t_n)/F(t_n)
(= d log F/d log t at t_n), critical scale β̃*_n = 1/t_n and λ̃ = β t_n; the nearest rescaled distances
βD_(k) are then ≈ λ̃ Γ_k^{1/α_n} (Γ_k Poisson arrival times, since n F(D_(k)) ≈ Γ_k), i.e. the
Poisson–Kingman law of SPEC §3 with (α_n, λ̃) in place of (α, λ).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import optimize

from .._validation import InputError, check_int, check_real
from ._critical import PoissonKingman

__all__ = ["EffectiveScale", "effective_exponent", "max_weight_eff", "beta_half_eff", "lam_half"]

#: Step in log t of the central difference that gives the curvature dα(t)/d log t at t_n.
_LOG_STEP = 1e-4


@dataclass(frozen=True)
class EffectiveScale:
    """The power law fitted to the exact distance CDF at its 1/n quantile (SPEC §2a).

    Attributes
    ----------
    n : int
        Number of keys.
    t_n : float
        The 1/n quantile: F(t_n) = 1/n.
    alpha_eff : float
        α_n = t_n f(t_n)/F(t_n) = d log F/d log t at t_n.
    critical_beta_eff : float
        β̃*_n = 1/t_n.
    curvature : float
        κ_n = d² log F/d(log t)² at t_n = dα(t)/d log t (0 for an exact power law; negative for the sphere,
        whose density falls away from the query).
    """

    n: int
    t_n: float
    alpha_eff: float
    critical_beta_eff: float
    curvature: float


def _check_law(law):
    if not getattr(law, "has_distance_cdf", False):
        raise InputError(f"invalid law={getattr(law, 'spec', law)!r}: the effective exponent needs a smooth distance "
                         "CDF and density (uniform, subsphere:K, vmf:KAPPA at angle 0, or the estimated law of "
                         "attnlimits.tails); a law known only by samples has none")


def _log_cdf(law, t: float) -> float:
    with np.errstate(divide="ignore"):
        return float(np.log(law.distance_cdf(t)))


def _local_alpha(law, log_t: float) -> float:
    """α(t) = t f(t)/F(t) at t = e^{log_t}, in logs."""
    t = math.exp(log_t)
    return math.exp(log_t + float(law.distance_logpdf(t)) - _log_cdf(law, t))


def _quantile(law, n: int) -> float:
    """t_n with F(t_n) = 1/n, from the law's log-quantile where it has one, else by root-finding log F in log t."""
    log_p, log_q = -math.log(n), math.log1p(-1.0 / n)
    try:
        t = float(np.ravel(law.distance_ppf_log(np.array([log_p]), np.array([log_q])))[0])
        if math.isfinite(t) and t > 0:
            return t
    except InputError:
        pass
    g = lambda y: _log_cdf(law, math.exp(y)) - log_p  # noqa: E731  increasing in y
    hi = math.log(2.0)
    lo = hi - 1.0
    while g(lo) > 0:
        lo = hi - 2.0 * (hi - lo)
        if lo < -700.0:
            raise InputError(f"invalid n={n}: the 1/n quantile of law={law.spec!r} is below 1e-300")
    return math.exp(optimize.brentq(g, lo, hi, xtol=1e-15, rtol=1e-15))


def effective_exponent(law, n) -> EffectiveScale:
    """The effective exponent α_n and scale β̃*_n = 1/t_n at n keys (SPEC §2a).

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF and density (``has_distance_cdf``): uniform, subsphere, vMF centred
        on the query, or :class:`attnlimits.tails.EstimatedLaw`.
    n : int
        Number of keys, ≥ 2 (at n = 1 there is no competition and F(t_1) = 1 sits at the end of the support).

    Returns
    -------
    EffectiveScale
        t_n (F(t_n) = 1/n), α_n = t_n f(t_n)/F(t_n), β̃*_n = 1/t_n and the curvature κ_n = dα/d log t at t_n.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> e = effective_exponent(UniformSphere(3), 1000)   # d = 3: F(t) = t/2 exactly, so α_n = 1
    >>> round(e.t_n, 12), round(e.alpha_eff, 12), round(e.critical_beta_eff, 9)
    (0.002, 1.0, 500.0)
    """
    _check_law(law)
    n = check_int("n", n, minimum=2)
    return _effective(law, n)


def _effective(law, n: int) -> EffectiveScale:
    t = _quantile(law, n)
    lt = math.log(t)
    a = _local_alpha(law, lt)
    h = _LOG_STEP
    kappa = (_local_alpha(law, lt + h) - _local_alpha(law, lt - h)) / (2.0 * h)
    if not (math.isfinite(a) and a > 0):
        raise InputError(f"invalid law={law.spec!r}: its density vanishes at the 1/n quantile t_n={t:g} (n={n})")
    return EffectiveScale(n=n, t_n=t, alpha_eff=a, critical_beta_eff=1.0 / t, curvature=kappa)


def max_weight_eff(law, n, beta) -> float:
    """E W_1 of the Poisson–Kingman law PK(α_n, λ̃ = β t_n) (SPEC §2a): the effective-exponent prediction of
    the expected max weight of n keys at inverse temperature β (0 at β = 0, the λ → 0 limit)."""
    beta = check_real("beta", beta, lower=0.0)
    eff = effective_exponent(law, n)
    lam = beta * eff.t_n
    if lam == 0.0:
        return 0.0
    return PoissonKingman(eff.alpha_eff, lam).expected_max_weight()


@lru_cache(maxsize=512)
def lam_half(alpha: float) -> float:
    """The λ at which E W_1 of PK(α, λ) equals 1/2, root-found in log λ (E W_1 increases with λ)."""
    alpha = check_real("alpha", alpha, lower=0.0, lower_open=True)
    f = lambda y: PoissonKingman(alpha, math.exp(y)).expected_max_weight() - 0.5  # noqa: E731
    guess = -math.log(math.expm1(math.log(2.0) / alpha))  # one over the typical gap of the two nearest points
    lo, hi = guess - 0.5, guess + 0.5
    while f(lo) > 0:
        lo -= 1.0
    while f(hi) < 0:
        hi += 1.0
    return math.exp(optimize.brentq(f, lo, hi, xtol=1e-10, rtol=1e-12))


def beta_half_eff(law, n) -> float:
    """The effective-exponent prediction of β_{1/2}(n): the β at which PK(α_n, β t_n) has E W_1 = 1/2,
    i.e. λ_{1/2}(α_n)/t_n (SPEC §2a, first order)."""
    eff = effective_exponent(law, n)
    return lam_half(eff.alpha_eff) / eff.t_n
