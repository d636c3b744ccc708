"""Exact finite-n expectations of SPEC §4 for keys whose distance law is known.

Every value is an exact identity evaluated by quadrature (:mod:`._quadrature`), no asymptotics and no
Monte Carlo: E Σ w_i^p (p = 2: the inverse participation ratio), E max_i w_i, E⟨q,O⟩, the well-conditioned
defect E[β(1 − ⟨q,O⟩)] and E|P⊥O|² (for laws symmetric about the query).
"""

from __future__ import annotations

import math
from functools import lru_cache

from .._validation import InputError, check_int, check_real
from ._measure import ScaledDistance
from ._quadrature import ExactQuadrature

__all__ = [
    "expected_power_sum",
    "expected_ipr",
    "expected_max_weight",
    "expected_one_minus_max_weight_exact",
    "expected_inner",
    "expected_defect",
    "expected_tangent_sq",
    "law_mean_distance",
]


def _check(law, n, beta):
    if not getattr(law, "has_distance_cdf", False) or law.local_exponent is None:
        raise InputError(f"invalid law={getattr(law, 'spec', law)!r}: the exact theory needs a key law with a known "
                         "distance CDF (uniform, subsphere:K or vmf:KAPPA centred on the query)")
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    return n, beta


def _law_key(law):
    return (type(law).__name__, law.spec, law.d)


_LAWS: dict = {}


@lru_cache(maxsize=256)
def _integrals(key, n: int, beta: float, extra_powers: tuple = ()) -> dict:
    law = _LAWS[key]
    quad = ExactQuadrature(ScaledDistance(law, beta), n, powers=(2.0,) + extra_powers)
    return quad.integrate()


def _all(law, n, beta, p=None):
    key = _law_key(law)
    _LAWS[key] = law
    extra = () if p is None or p == 2.0 else (float(p),)
    return _integrals(key, n, float(beta), extra)


def law_mean_distance(law) -> float:
    """E[D] = 1 − E⟨q,K⟩ for one key (1 for laws symmetric under K → −K, e.g. uniform)."""
    kind = type(law).__name__
    if kind in ("UniformSphere", "Subsphere"):
        return 1.0
    if kind == "VonMisesFisher" and law.angle == 0.0:
        from ._special import mean_resultant

        return 1.0 - float(mean_resultant(law.d, law.kappa))
    from scipy import integrate

    return integrate.quad(lambda t: float(law.distance_sf(t)), 0.0, 2.0, epsabs=0.0, epsrel=1e-12, limit=200)[0]


def expected_power_sum(law, n, beta, p=2.0) -> float:
    """E Σ_i w_i^p at finite n (SPEC §4): n Γ(p)^{−1} ∫_0^∞ u^{p−1} E[Y^p e^{−uY}] φ(u)^{n−1} du, Y = e^{−βD}.

    Parameters
    ----------
    law : KeyLaw
        A law with ``has_distance_cdf`` (uniform, subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    p : float
        Power p > 0 (p = 2: the expected inverse participation ratio).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> expected_power_sum(UniformSphere(3), 1000, 0.0)  # β = 0: every weight is 1/n
    0.001
    """
    n, beta = _check(law, n, beta)
    p = check_real("p", p, lower=0.0, lower_open=True)
    if n == 1:
        return 1.0
    if beta == 0.0:
        return float(n) ** (1.0 - p)
    return float(_all(law, n, beta, p)["power"][p])


def expected_ipr(law, n, beta) -> float:
    """E[IPR] = E Σ_i w_i² at finite n (SPEC §4, p = 2)."""
    return expected_power_sum(law, n, beta, 2.0)


def expected_max_weight(law, n, beta) -> float:
    """E max_i w_i at finite n (SPEC §4): n ∫_0^∞ E[Y e^{−uY} ψ(u, Y)^{n−1}] du, ψ(u,y) = E[e^{−uY'}; Y' < y].

    Where the mean exceeds 1/2 it is returned as 1 − E[1 − max w], computed without cancellation.
    """
    n, beta = _check(law, n, beta)
    if n == 1:
        return 1.0
    if beta == 0.0:
        return 1.0 / n
    r = _all(law, n, beta)
    return float(r["max"]) if r["max"] < 0.5 else float(1.0 - r["one_minus_max"])


def expected_one_minus_max_weight_exact(law, n, beta) -> float:
    """E[1 − max_i w_i] at finite n, with relative accuracy where max w → 1 (supercritical)."""
    n, beta = _check(law, n, beta)
    if n == 1:
        return 0.0
    if beta == 0.0:
        return 1.0 - 1.0 / n
    r = _all(law, n, beta)
    return float(r["one_minus_max"]) if r["one_minus_max"] < 0.5 else float(1.0 - r["max"])


def expected_defect(law, n, beta) -> float:
    """E[β(1 − ⟨q,O⟩)] = E Σ w_i β D_i = n ∫_0^∞ E[βD Y e^{−uY}] φ(u)^{n−1} du (SPEC §4), well conditioned
    where ⟨q,O⟩ = 1 − 1e−12."""
    n, beta = _check(law, n, beta)
    if beta == 0.0:
        return 0.0
    if n == 1:
        return beta * law_mean_distance(law)
    return float(_all(law, n, beta)["defect"])


def expected_inner(law, n, beta) -> float:
    """E⟨q,O⟩ = 1 − E[β(1 − ⟨q,O⟩)]/β (SPEC §4; value matrix the identity)."""
    n, beta = _check(law, n, beta)
    if beta == 0.0 or n == 1:
        return 1.0 - law_mean_distance(law)
    return 1.0 - expected_defect(law, n, beta) / beta


def expected_tangent_sq(law, n, beta) -> float:
    """E|P⊥O|² = E Σ_i w_i² D_i(2 − D_i) for laws whose tangent directions are uniform and independent of D
    (uniform, subsphere, vMF centred on the query): the cross terms have mean zero."""
    n, beta = _check(law, n, beta)
    kind = type(law).__name__
    if kind not in ("UniformSphere", "Subsphere", "VonMisesFisher"):
        raise InputError(f"invalid law={law.spec!r}: E|P⊥O|² needs tangent directions independent of D")
    if beta == 0.0:
        from scipy import integrate

        m2 = integrate.quad(lambda t: t * (2 - t) * math.exp(float(law.distance_logpdf(t))), 0.0, 2.0,
                            epsabs=0.0, epsrel=1e-12, limit=200)[0]
        return m2 / n
    if n == 1:
        from scipy import integrate

        return integrate.quad(lambda t: t * (2 - t) * math.exp(float(law.distance_logpdf(t))), 0.0, 2.0,
                              epsabs=0.0, epsrel=1e-12, limit=200)[0]
    r = _all(law, n, beta)
    return float((2.0 * r["ipr_x"] - r["ipr_xx"] / beta) / beta)
