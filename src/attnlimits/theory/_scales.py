"""Scales (SPEC §2): the critical inverse temperature, the effective number of competitors, the exact
finite-n scale β_{1/2}(n), the regime and the pre-asymptotic flag."""

from __future__ import annotations

import math

from scipy import optimize

from .._validation import InputError, check_int, check_real
from ._exact import expected_max_weight

__all__ = ["critical_beta", "n_effective", "beta_half", "regime", "pre_asymptotic", "lam_of"]

#: E[max weight] below this: subcritical; above 1 − this: supercritical (SPEC §2).
REGIME_THRESHOLD = 0.05


def critical_beta(law, n) -> float:
    """β*_n = (c·n)^{1/α} (SPEC §2), computed in logs; uniform keys: (c_d n)^{2/(d−1)}.

    >>> from attnlimits.laws import UniformSphere
    >>> round(critical_beta(UniformSphere(3), 10**6), 6)  # c_3 = 1/2, α = 1
    500000.0
    """
    n = check_int("n", n, minimum=1)
    return law.critical_beta(n)


def lam_of(law, n, beta) -> float:
    """λ = β/β*_n."""
    return check_real("beta", beta, lower=0.0) / critical_beta(law, n)


def n_effective(law, n, beta) -> float:
    """The effective number of competing keys n·F(1/β) with the exact distance CDF F (SPEC §2); n at β = 0,
    ≈ λ^{−α} in the power-law range."""
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    if beta == 0.0:
        return float(n)
    return float(n * law.distance_cdf(1.0 / beta))


def regime(law, n, beta) -> str:
    """"subcritical" (exact E max w < 0.05), "supercritical" (> 0.95) or "critical" (SPEC §2)."""
    m = expected_max_weight(law, n, beta)
    if m < REGIME_THRESHOLD:
        return "subcritical"
    if m > 1.0 - REGIME_THRESHOLD:
        return "supercritical"
    return "critical"


def pre_asymptotic(law, n) -> bool:
    """True when n·F(1/β*_n) lies outside [0.5, 2]: the power law F(t) ≈ c t^α does not yet hold at the
    critical scale, so λ mis-states the regime (SPEC §2; e.g. d = 64 at n = 1e6)."""
    neff = n_effective(law, n, critical_beta(law, n))
    return not (0.5 <= neff <= 2.0)


def beta_half(law, n, *, rtol: float = 1e-7) -> float:
    """β_{1/2}(n): the β at which the exact E[max weight] equals 1/2 (SPEC §2), root-found in log β.

    NaN for n = 1 (max weight is 1 at every β); 0 for n = 2 (E max w = 1/2 at β = 0)."""
    n = check_int("n", n, minimum=1)
    if n == 1:
        return math.nan
    if n == 2:
        return 0.0  # E max w = 1/2 at β = 0 and grows with β
    a = float(law.local_exponent)
    # first guess: one over the typical gap between the two smallest distances, β*_n/(2^{1/α} − 1)
    guess = math.log(critical_beta(law, n)) - math.log(math.expm1(math.log(2.0) / a))
    f = lambda lb: _logit(expected_max_weight(law, n, math.exp(lb)))  # noqa: E731  (logit: ~linear in log β)
    try:
        res = optimize.root_scalar(f, x0=guess, x1=guess + 0.25, method="secant", xtol=rtol, maxiter=30)
        if res.converged and math.isfinite(res.root) and abs(f(res.root)) < 1e-6:
            return math.exp(res.root)
    except (ArithmeticError, ValueError):
        pass
    lo, hi = guess - 1.0, guess + 1.0
    flo, fhi = f(lo), f(hi)
    for _ in range(200):
        if flo < 0:
            break
        hi, fhi = lo, flo
        lo -= 2.0
        flo = f(lo)
    for _ in range(200):
        if fhi > 0:
            break
        lo, flo = hi, fhi
        hi += 2.0
        fhi = f(hi)
    if not (flo < 0 < fhi):
        raise InputError(f"invalid n={n}: could not bracket β_1/2 (E max w does not cross 1/2)")
    return math.exp(optimize.brentq(f, lo, hi, xtol=rtol, rtol=1e-12))


def _logit(m: float) -> float:
    m = min(max(m, 1e-300), 1.0 - 1e-16)
    return math.log(m) - math.log1p(-m)
