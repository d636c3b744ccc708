"""The effective exponent at finite n (:ref:`theory-effective-exponent`).

The paper's scale uses the local law F(t) ≈ c t^α as t → 0. At finite n what matters is F near the 1/n
quantile t_n, F(t_n) = 1/n (exact F). A power law fitted there has exponent α_n = t_n f(t_n)/F(t_n)
(= d log F/d log t at t_n), critical scale β̃*_n = 1/t_n and λ̃ = β t_n; the nearest rescaled distances
βD_(k) are then ≈ λ̃ Γ_k^{1/α_n} (Γ_k Poisson arrival times, since n F(D_(k)) ≈ Γ_k), i.e. the
Poisson–Kingman law of :ref:`theory-limit-laws` with (α_n, λ̃) in place of (α, λ).

Second order (derived here, beyond :ref:`theory-effective-exponent`). Write D = t_n e^u. Then n F(t_n e^u) = exp(α_n u + κ_n u²/2 + O(u³))
with κ_n = d² log F/d(log t)² = dα(t)/d log t at t_n, and n F(D_(k)) ≈ Γ_k says that the point of log mass
v = log Γ sits at u(v), the root of α_n u + κ_n u²/2 = v: η = λ̃ e^{u(v)}. This is a Poisson–Kingman law with
a curvature-corrected mean measure (:class:`._pk_quadrature.LogMassMap` with κ = κ_n), evaluated by the same
quadrature. The first-order law is κ = 0. For the sphere κ_n < 0 (the density (1 − t/2)^{α−1} bends log F
down), so the first-order law puts the far points too close, gives W_1 too little mass and β_1/2 too large.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .._validation import LAM_RANGE, InputError, check_int, check_real
from ._critical import PoissonKingman, max_weight_limit_only
from ._pk_quadrature import LogMassMap, PoissonQuadrature

__all__ = ["EffectiveScale", "effective_exponent", "max_weight_eff", "beta_half_eff", "lam_half"]

#: Step in log t of the central difference that gives the curvature dα(t)/d log t at t_n.
_LOG_STEP = 1e-4


@dataclass(frozen=True)
class EffectiveScale:
    """The power law fitted to the exact distance CDF at its 1/n quantile (:ref:`theory-effective-exponent`).

    Parameters
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
    if not (getattr(law, "has_distance_law", False) and getattr(law, "has_quantile", False)):
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
    from scipy import optimize  # only here (a law without a log-quantile): the import costs ~0.3 s

    return math.exp(optimize.brentq(g, lo, hi, xtol=1e-15, rtol=1e-15))


def effective_exponent(law, n) -> EffectiveScale:
    """The effective exponent α_n and scale β̃*_n = 1/t_n at n keys (:ref:`theory-effective-exponent`).

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF and density (``has_distance_law``): uniform, subsphere, vMF centred
        on the query, or :class:`attnlimits.laws.EstimatedLaw`.
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


def _check_order(order):
    order = check_int("order", order, minimum=1, maximum=2)
    return order


@lru_cache(maxsize=4096)
def _max_weight(alpha: float, lam: float, kappa: float, near_one: bool = True) -> float:
    """E W_1 of the effective law; ``near_one``: keep relative accuracy in 1 − E W_1 where E W_1 > 1/2."""
    if kappa == 0.0 and near_one:  # PoissonKingman(α, λ).max_weight_limit(), without its moments
        return max_weight_limit_only(PoissonKingman(alpha, lam).alpha, lam)
    # a root needs E W_1 to ~1e−10, not to the last digit: the marches stop at 1e−11 of the totals there
    quad = PoissonQuadrature(LogMassMap(alpha, lam, kappa), powers=(), moments=False, outer_nodes=10 if near_one else 8)
    r = quad.integrate(want_one_minus=near_one, rtol=1e-14 if near_one else 1e-11)
    return float(r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"])


def max_weight_eff(law, n, beta, *, order: int = 2) -> float:
    """The effective-exponent prediction of the expected max weight of n keys at inverse temperature β
    (:ref:`theory-effective-exponent`): E W_1 of PK(α_n, λ̃ = β t_n) at ``order`` 1, and of its curvature-corrected form (κ_n, see the
    module docstring) at ``order`` 2 (the default). 0 at β = 0 (the λ → 0 limit); λ̃ must lie in [1e−6, 1e6]
    (``attnlimits._validation.LAM_RANGE``), the range the quadrature is guaranteed on.

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF and density (see :func:`effective_exponent`).
    n : int
        Number of keys, ≥ 2.
    beta : float
        Inverse temperature β ≥ 0.
    order : {1, 2}
        1: PK(α_n, λ̃); 2: with the curvature κ_n of log F at t_n.

    Returns
    -------
    float
        The predicted E max_i w_i.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(max_weight_eff(UniformSphere(3), 100, 50.0), 6)  # d = 3: PK(1, λ̃ = 1) exactly (:ref:`theory-effective-exponent`)
    0.561459
    """
    beta = check_real("beta", beta, lower=0.0)
    order = _check_order(order)
    eff = effective_exponent(law, n)
    lam = beta * eff.t_n
    if lam == 0.0:
        return 0.0
    lo, hi = LAM_RANGE
    if not lo <= lam <= hi:
        raise InputError(f"invalid beta={beta:g}: λ̃ = β t_n = {lam:.3g} is outside [{lo:g}, {hi:g}], the range of the "
                         f"Poisson–Kingman quadrature (expected β in [{lo / eff.t_n:.3g}, {hi / eff.t_n:.3g}] at n={n})")
    return _max_weight(eff.alpha_eff, lam, eff.curvature if order == 2 else 0.0)


@lru_cache(maxsize=1024)
def _lam_half(alpha: float, kappa: float) -> float:
    """The λ at which E W_1 of the (curvature-corrected) PK law equals 1/2: secant on the logit of E W_1 in
    log λ (nearly linear there) to ~1e−7, started at one over the typical gap of the two nearest points, with a
    bracketing fallback."""
    f = lambda y: _logit(_max_weight(alpha, math.exp(y), kappa, near_one=False))  # noqa: E731
    y0 = -math.log(math.expm1(math.log(2.0) / alpha))  # one over the typical gap of the two nearest points
    # secant; the second point from the logit's typical slope ≈ 2 in log λ (measured for α = 1 … 2000)
    ya, fa = y0, f(y0)
    yb = ya - max(-0.5, min(0.5, fa / 2.0))
    fb = f(yb)
    for _ in range(20):
        if fb == fa or not (math.isfinite(fa) and math.isfinite(fb)):
            break
        yc = yb - fb * (yb - ya) / (fb - fa)
        if not math.isfinite(yc) or abs(yc - yb) > 2.0:
            break
        ya, fa, yb, fb = yb, fb, yc, f(yc)
        if abs(fb) < 1e-7:  # E W_1 within 2.5e−8 of 1/2: log λ within ~5e−8 (slope ≈ 2)
            return math.exp(yb)
    lo, hi = y0 - 0.5, y0 + 0.5
    while f(lo) > 0:
        lo -= 1.0
    while f(hi) < 0:
        hi += 1.0
    from scipy import optimize  # only on the fallback: the import costs ~0.3 s

    return math.exp(optimize.brentq(f, lo, hi, xtol=1e-10, rtol=1e-12))


def _logit(m: float) -> float:
    m = min(max(m, 1e-300), 1.0 - 1e-16)
    return math.log(m) - math.log1p(-m)


def lam_half(alpha: float, kappa: float = 0.0) -> float:
    """λ_{1/2}(α, κ): the λ at which E W_1 = 1/2 for PK(α, λ) (κ = 0) or its curvature-corrected form."""
    alpha = check_real("alpha", alpha, lower=0.0, lower_open=True)
    kappa = check_real("kappa", kappa)
    return _lam_half(alpha, kappa)


def beta_half_eff(law, n, *, order: int = 2) -> float:
    """The effective-exponent prediction of β_{1/2}(n) (:ref:`theory-effective-exponent`): λ_{1/2}/t_n, the β at which the effective
    law has E W_1 = 1/2.

    ``order`` 2 (the default, the better of the two: see the module docstring and the tests) uses the
    curvature-corrected law; ``order`` 1 is PK(α_n, β t_n), the first-order prediction of :ref:`theory-effective-exponent`'s table.

    Parameters
    ----------
    law : KeyLaw
        A law with a smooth distance CDF and density (see :func:`effective_exponent`).
    n : int
        Number of keys, ≥ 2.
    order : {1, 2}
        1: PK(α_n, λ̃); 2: with the curvature κ_n of log F at t_n.

    Returns
    -------
    float
        The predicted β_{1/2}(n).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(beta_half_eff(UniformSphere(3), 100), 4)  # d = 3: λ_{1/2} of PK(1, λ) times n/2 (:ref:`theory-effective-exponent`)
    39.8962
    """
    order = _check_order(order)
    eff = effective_exponent(law, n)
    return lam_half(eff.alpha_eff, eff.curvature if order == 2 else 0.0) / eff.t_n
