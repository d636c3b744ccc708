"""Exact finite-n expectations of :ref:`theory-exact-identities` for keys whose distance law is known.

Every value is an exact identity evaluated by quadrature (:mod:`._finite`), no asymptotics and no
Monte Carlo: E Σ w_i^p (p = 2: the inverse participation ratio), E max_i w_i, E⟨q,O⟩, the well-conditioned
defect E[β(1 − ⟨q,O⟩)] and E|P⊥O|² (for laws symmetric about the query).
"""

from __future__ import annotations

import math
from collections import OrderedDict

from .._validation import InputError, check_real, check_sinks
from ._counts import check_exact_setting as _check, count_grid
from ._extreme import applies, nearest_pair_integrals
from ._finite import FiniteQuadrature

__all__ = [
    "expected_power_sum",
    "expected_ipr",
    "expected_max_weight",
    "expected_one_minus_max_weight",
    "expected_inner",
    "expected_defect",
    "expected_tangent_sq",
]


#: Integrals by (law.cache_key, n, β, powers, with max weight), least recently used first; at most
#: _CACHE_SIZE entries (a law known by its data is kept alive only while one of its entries is); powers
#: None: the max weight alone.
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256


def _integrals(law, n: int, beta: float, powers, want_max: bool) -> dict:
    """All integrals of :mod:`._finite` (or, where only the nearest pair matters, :mod:`._extreme`) for
    (law, n, β), cached; a result with the max weight serves a request without it. ``powers`` None asks for
    the max weight alone, without the moments (about a quarter cheaper; a full set serves it too)."""
    key = law.cache_key
    tries = [(powers, wm) for wm in ((True, False) if not want_max else (True,))]
    if powers is None:
        tries.append(((2.0,), True))
    for pw, wm in tries:
        hit = _CACHE.get((key, n, beta, pw, wm))
        if hit is not None:
            _CACHE.move_to_end((key, n, beta, pw, wm))
            return hit
    grid = count_grid(law, n)
    if applies(grid, beta):
        res = nearest_pair_integrals(grid, beta, powers or (2.0,))
    else:
        res = FiniteQuadrature(law, grid, beta, powers=powers or (), max_weight=want_max,
                               moments=powers is not None).integrate()
    _CACHE[(key, n, beta, powers, want_max)] = res
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return res


#: E max w from its direct integral alone (:func:`max_weight_direct`) by (law.cache_key, n, β), least recently
#: used first, at most _CACHE_SIZE (laws known by their data kept alive as in _CACHE): a root search's last
#: points are often the values asked for next.
_DIRECT: OrderedDict = OrderedDict()


def max_weight_direct(law, n: int, beta: float) -> float:
    """E max w from its direct integral alone (for root searches such as β_1/2: ~25 % cheaper than the full
    set; accurate to ~1e−12 relative wherever E max w is not close to 1). β > 0, n ≥ 2, unchecked; cached.

    Below 1/2 it is the value :func:`expected_max_weight` returns: the same nodes and sums, the full set only
    marching on while E[1 − max w] still changes (where that added anything, below 1e−17 of the total per
    block; measured bitwise equal at d = 2 … 4096, n = 10 … 1e18)."""
    beta = float(beta)
    for powers in (None, (2.0,)):
        key = (law.cache_key, n, beta, powers, True)
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return float(_CACHE[key]["max"])
    key = (law.cache_key, n, beta)
    hit = _DIRECT.get(key)
    if hit is not None:
        _DIRECT.move_to_end(key)
        return hit
    grid = count_grid(law, n)
    if applies(grid, beta):
        value = float(nearest_pair_integrals(grid, beta)["max"])
    else:
        value = float(FiniteQuadrature(law, grid, beta, powers=(), max_only=True).integrate()["max"])
    _DIRECT[key] = value
    if len(_DIRECT) > _CACHE_SIZE:
        _DIRECT.popitem(last=False)
    return value


def _all(law, n, beta, p=None, want_max=True):
    powers = (2.0,) if p is None or p == 2.0 else (2.0, float(p))
    return _integrals(law, n, float(beta), powers, want_max)


def law_mean_distance(law) -> float:
    """E[D] = 1 − E⟨q,K⟩ for one key (1 for laws symmetric under K → −K, e.g. uniform)."""
    sphere = law.sphere_parameters
    if sphere is not None:  # vMF(κ) about the query on S^{k−1}: E⟨q,K⟩ = A_k(κ), 0 for uniform keys
        k, kappa = sphere
        if kappa == 0.0:
            return 1.0
        from ._special import mean_resultant

        return 1.0 - float(mean_resultant(k, kappa))
    from scipy import integrate

    return integrate.quad(lambda t: float(law.distance_sf(t)), 0.0, 2.0, epsabs=0.0, epsrel=1e-12, limit=200)[0]


def expected_power_sum(law, n, beta, p=2.0) -> float:
    """E Σ_i w_i^p at finite n (:ref:`theory-exact-identities`): n Γ(p)^{−1} ∫_0^∞ u^{p−1} E[Y^p e^{−uY}] φ(u)^{n−1} du, Y = e^{−βD}.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    p : float
        Power p > 0 (p = 2: the expected inverse participation ratio).

    Returns
    -------
    float
        E Σ_i w_i^p, exact at this n.

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
    if p == 2.0:
        return expected_ipr(law, n, beta)
    return float(_all(law, n, beta, p, want_max=False)["power"][p])


def expected_ipr(law, n, beta, sinks=()) -> float:
    """E[IPR] = E Σ_i w_i² at finite n, exact (:ref:`theory-exact-identities`, p = 2; with fixed keys :ref:`theory-sinks`).

    Where it exceeds 1/2 it is returned as 1 − E Σ_{i≠j} w_i w_j, whose integrand is positive (no
    cancellation as the IPR tends to 1). With fixed keys the sum runs over the m + n weights:
    Σ_j e^{−2β a_j} ∫ u e^{−uC} φ^n du + n ∫ u e^{−uC} E[Y² e^{−uY}] φ^{n−1} du.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    sinks : sequence of float
        Scores s_j of fixed keys beside the n random ones, in the units of ⟨q,K⟩ (logit β s_j; any finite
        real, s_j > 1 above every random key; :ref:`theory-sinks`). Empty: the i.i.d. model.

    Returns
    -------
    float
        The expected inverse participation ratio.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_ipr(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    0.102567
    """
    n, beta = _check(law, n, beta)
    sinks = check_sinks(sinks)
    if sinks:
        from ._sinks import sink_values

        return sink_values(law, n, beta, sinks)["ipr"]
    if n == 1:
        return 1.0
    if beta == 0.0:
        return 1.0 / n
    r = _all(law, n, beta, want_max=False)
    return float(r["power"][2.0]) if r["power"][2.0] < 0.5 else float(1.0 - r["one_minus_ipr"])


def expected_max_weight(law, n, beta, sinks=()) -> float:
    """E max_i w_i at finite n, exact: n ∫_0^∞ E[Y e^{−uY} ψ(u, Y)^{n−1}] du, ψ(u,y) = E[e^{−uY'}; Y' < y].

    :ref:`theory-exact-identities`, Y = e^{−βD}. Where the mean exceeds 1/2 it is returned as 1 − E[1 − max w], computed without
    cancellation. With fixed keys (:ref:`theory-sinks`) the maximum runs over the m + n weights:
    e^{−β a*} ∫ e^{−uC} ψ̄(u, a*)^n du + n ∫ e^{−uC} E[Y e^{−uY} ψ̄(u, D)^{n−1}; D < a*] du.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    sinks : sequence of float
        Scores s_j of fixed keys beside the n random ones, in the units of ⟨q,K⟩ (logit β s_j; any finite
        real, s_j > 1 above every random key; :ref:`theory-sinks`). Empty: the i.i.d. model.

    Returns
    -------
    float
        The expected largest attention weight.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_max_weight(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    0.179328
    """
    n, beta = _check(law, n, beta)
    sinks = check_sinks(sinks)
    if sinks:
        from ._sinks import sink_values

        return sink_values(law, n, beta, sinks)["max_weight"]
    if n == 1:
        return 1.0
    if beta == 0.0:
        return 1.0 / n
    hit = _DIRECT.get((law.cache_key, n, float(beta)))  # a root search's direct integral: below 1/2, this value
    if hit is not None and hit < 0.5:
        return hit
    r = _integrals(law, n, float(beta), None, True)
    return float(r["max"]) if r["max"] < 0.5 else float(1.0 - r["one_minus_max"])


def expected_one_minus_max_weight(law, n, beta) -> float:
    """E[1 − max_i w_i] at finite n, exact, with relative accuracy where max w → 1 (:ref:`theory-exact-identities`, supercritical).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        E[1 − max_i w_i].

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_one_minus_max_weight(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    0.820672
    """
    n, beta = _check(law, n, beta)
    if n == 1:
        return 0.0
    if beta == 0.0:
        return 1.0 - 1.0 / n
    r = _integrals(law, n, float(beta), None, True)
    return float(r["one_minus_max"]) if r["one_minus_max"] < 0.5 else float(1.0 - r["max"])


def expected_defect(law, n, beta) -> float:
    """E[β(1 − ⟨q,O⟩)] at finite n, exact: E Σ w_i β D_i = n ∫_0^∞ E[βD Y e^{−uY}] φ(u)^{n−1} du.

    :ref:`theory-exact-identities`; well conditioned where ⟨q,O⟩ = 1 − 1e−12.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        E[β(1 − ⟨q,O⟩)] (value matrix the identity).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_defect(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    1.057224
    """
    n, beta = _check(law, n, beta)
    if beta == 0.0:
        return 0.0
    if n == 1:
        return beta * law_mean_distance(law)
    return float(_all(law, n, beta, want_max=False)["defect"])


def expected_inner(law, n, beta) -> float:
    """E⟨q,O⟩ at finite n, exact: 1 − E[β(1 − ⟨q,O⟩)]/β (:ref:`theory-exact-identities`; value matrix the identity).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        E⟨q,O⟩.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_inner(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    0.989428
    """
    n, beta = _check(law, n, beta)
    if beta == 0.0 or n == 1:
        return 1.0 - law_mean_distance(law)
    return 1.0 - expected_defect(law, n, beta) / beta


def expected_tangent_sq(law, n, beta) -> float:
    """E|P⊥O|² at finite n, exact: E Σ_i w_i² D_i(2 − D_i) for zonal laws (:ref:`theory-exact-identities`).

    For laws with ``zonal_dimension`` set (uniform, subsphere, vMF centred on the query), whose tangent
    directions are uniform and independent of D, the cross terms have mean zero.

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (``has_distance_law``, ``has_quantile``: uniform,
        subsphere, vMF centred on the query).
    n : int
        Number of keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.

    Returns
    -------
    float
        E|P⊥O|².

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(expected_tangent_sq(UniformSphere(3), 1000, 100.0), 6)  # :ref:`theory-exact-identities`
    0.001138
    """
    n, beta = _check(law, n, beta)
    if law.zonal_dimension is None:
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
    return float(_all(law, n, beta, want_max=False)["tangent_sq"])
