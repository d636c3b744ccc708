"""The order-statistics engine: the m nearest of n keys exactly, the other n − m through their sums.

Cost per replicate does not depend on n, so n = 1e18 is as cheap as n = 1e3.

1. The m nearest distances come from the nearest-keys engine (:func:`._nearest.nearest_keys`: exponential
   spacings on stream ``(2, 0)`` below the replicate seed, m grown at β until the far keys' Bernstein bound
   T_hi ≤ tail_tol · Σ_{i≤m} e_i, or m reaches ``MAX_NEAREST``, where a :class:`TailToleranceWarning` says so).
2. Given D_(m) = t the other n − m keys are i.i.d. with D > t. Their sums T0 = Σ e_j, T2 = Σ e_j²,
   T1 = Σ e_j (D_j − D_(1)) (e_j = exp(−β(D_j − D_(1)))) are drawn as the exact conditional mean plus a
   Gaussian with the exact conditional covariance (:mod:`._tail`, stream ``(2, 1)``); with the output, their
   tangent sum Σ e_j P⊥K_j likewise (isotropic, stream ``(2, 3)``), and the m nearest keys are rebuilt with
   ``law.tangents`` (stream ``(2, 2)``).

``tail_error_bound`` = max(T_hi, T0)/(Σ_{i≤m} e_i + max(T_hi, T0)) bounds the far keys' share of the
normaliser, in the sample and in the surrogate; since every weight of a near key is e_i/(S + T) with
e_i ≤ S, replacing T by its surrogate changes any weight by at most this much.
"""

from __future__ import annotations

import math

import numpy as np

from .._rng import generator
from .._validation import InputError, check_int, check_real
from ._nearest import MAX_NEAREST, TAIL_TOL, nearest_keys, warn_at_cap
from ._reduction import _EXP_ZERO, ReductionSums

__all__ = ["attend_orderstat", "require_distance_law"]


def require_distance_law(law) -> None:
    """InputError unless ``law`` has an exact distance CDF and quantile function."""
    if not (getattr(law, "has_distance_law", False) and getattr(law, "has_quantile", False)):
        raise InputError(f"invalid method='orderstat' for law={law.spec!r}: it needs a key law with a known "
                         "distance CDF (uniform, subsphere:K, vmf:KAPPA with angle 0); use method='exact'")


def attend_orderstat(law, n: int, beta: float, seed: np.random.SeedSequence, *, k: int = 10, output: bool = True,
                     chunk_size=None, tail_tol: float = TAIL_TOL, max_nearest: int = MAX_NEAREST) -> dict:
    """One replicate of a query attending to n keys of ``law``, by exact top order statistics (:ref:`theory-model` weights;
    the nearest keys exactly, the far ones through their conditional sums: ``attnlimits.engine._nearest``).

    Parameters
    ----------
    law : KeyLaw
        A law with ``has_distance_law`` and ``has_quantile`` (uniform, subsphere, vMF with mean at the query);
        with ``output``, also ``can_rebuild_keys``.
    n : int
        Number of keys (any size up to ~1e18; cost does not grow with n).
    beta : float
        Inverse temperature β ≥ 0.
    seed : SeedSequence
        The replicate's seed; streams (2, 0)…(2, 3) below it (disjoint from the exact engine's).
    k : int
        Number of top weights to report.
    output : bool
        Also build the output vector's statistics.
    chunk_size : ignored
        Accepted so that both engines share a call signature.
    tail_tol : float
        Target for the far keys' share of the normaliser, in (0, 1); a :class:`TailToleranceWarning`
        carries the bound where m stops at the cap above it.
    max_nearest : int
        Most keys drawn exactly (keep the default ``MAX_NEAREST``, the one cap of the nearest-keys engine).

    Returns
    -------
    dict
        The keys of :func:`attend_exact` plus ``tail_error_bound`` (see the module docstring) and
        ``nearest_count`` (m).

    Examples
    --------
    >>> from attnlimits import UniformSphere
    >>> from attnlimits._rng import as_seed_sequence
    >>> law, n = UniformSphere(3), 10**18
    >>> s = attend_orderstat(law, n, law.critical_beta(n), as_seed_sequence(0))
    >>> 0 < s["max_weight"] <= 1 and s["tail_error_bound"] <= 1e-6 and s["nearest_distance"] < 1e-16
    True
    """
    require_distance_law(law)
    n = check_int("n", n, minimum=1)
    beta = check_real("beta", beta, lower=0.0)
    k = check_int("k", k, minimum=1)
    tail_tol = check_real("tail_tol", tail_tol, lower=0.0, upper=1.0, lower_open=True, upper_open=True)
    max_nearest = check_int("max_nearest", max_nearest, minimum=1)

    near = nearest_keys(law, n, beta, generator(seed, 2, 0), tail_tol=tail_tol, max_nearest=max_nearest, k=k)
    dist, e, mom, t_hi, far, m = near.dist, near.e, near.moments, near.t_hi, near.far, near.m
    d1 = float(dist[0])
    r = dist - d1
    s_top = near.near_sum

    t0 = t2 = t1 = 0.0
    if mom is not None:
        cov = far * mom.covariance
        vals, vecs = np.linalg.eigh(cov)
        z = generator(seed, 2, 1).standard_normal(3)
        t0, t2, t1 = np.maximum(far * mom.mean + vecs @ (np.sqrt(np.maximum(vals, 0.0)) * z), 0.0)
    sums = ReductionSums(beta, d1, s_top + float(t0), float(e @ r) + float(t1), float(e @ e) + float(t2), dist[:k])
    s0, mean_d = sums.s0, sums.mean_distance
    stats = sums.finish()
    worst = max(t_hi, t0)
    bound = float(worst / (s_top + worst))
    stats.update({"tail_error_bound": bound, "nearest_count": m})
    if near.at_cap(bound, tail_tol):
        warn_at_cap(near.cap, bound, tail_tol, f"n={n}, beta={beta:.6g}")
    if output:
        live = int(np.searchsorted(beta * r, _EXP_ZERO)) if beta > 0 else m
        live = max(live, 1)
        draw = law.draw_given_distances(dist[:live])
        tang = law.tangents(draw, np.arange(live), generator(seed, 2, 2))
        total = e[:live] @ tang
        if mom is not None:
            dim = tang.shape[1]
            sd = math.sqrt(max(far * mom.tangent / dim, 0.0))
            total = total + sd * generator(seed, 2, 3).standard_normal(dim)
        total = total / s0
        diff = total - tang[0]
        gap = mean_d - d1
        stats["tangent_sq"] = float(total @ total)
        stats["output_gap_sq"] = gap * gap + float(diff @ diff)
    return stats
