"""The order-statistics sampler: the m nearest of n keys exactly, the other n − m through their sums.

Cost per replicate does not depend on n, so n = 1e18 is as cheap as n = 1e3.

1. Exponential spacings E_j (stream ``(2, 0)`` below the replicate seed) give the uniform order
   statistics exactly (Rényi): −log(1 − U_(i)) = S_i = Σ_{j≤i} E_j/(n − j + 1), so
   log U_(i) = log(−expm1(−S_i)) and log(1 − U_(i)) = −S_i keep full precision for n = 1e18.
   D_(i) = F^{-1}(U_(i)) through the law's ``distance_ppf_log``.
2. Given D_(m) = t the other n − m keys are i.i.d. with D > t. Their sums T0 = Σ e_j, T2 = Σ e_j²,
   T1 = Σ e_j (D_j − D_(1)) (e_j = exp(−β(D_j − D_(1)))) are drawn as the exact conditional mean plus a
   Gaussian with the exact conditional covariance (:mod:`._tail`, stream ``(2, 1)``); with the output, their
   tangent sum Σ e_j P⊥K_j likewise (isotropic, stream ``(2, 3)``), and the m nearest keys are rebuilt with
   ``law.tangents`` (stream ``(2, 2)``).
3. m is chosen adaptively: starting near the expected number of keys with β(D − D_(1)) ≤ log(1/tail_tol)
   + 3, it doubles until T_hi / Σ_{i≤m} e_i ≤ tail_tol, where T_hi is a Bernstein upper bound on the far
   keys' actual T0 (exceeded with probability < 1e−12), or until m reaches ``MAX_NEAREST`` (or n).

``tail_error_bound`` = max(T_hi, T0)/(Σ_{i≤m} e_i + max(T_hi, T0)) bounds the far keys' share of the
normaliser, in the sample and in the surrogate; since every weight of a near key is e_i/(S + T) with
e_i ≤ S, replacing T by its surrogate changes any weight by at most this much.
"""

from __future__ import annotations

import math

import numpy as np

from .._rng import generator
from .._validation import InputError, check_int, check_real
from ._reduction import _EXP_ZERO, ReductionSums
from ._tail import bernstein_upper, tail_moments

__all__ = ["attend_orderstat", "far_keys", "MAX_NEAREST", "OrderSpacings", "require_distance_law", "spacing_logs"]

#: Most nearest keys drawn exactly per replicate (beyond it the tail carries more than tail_tol).
MAX_NEAREST = 1 << 14
#: log(1/P) for the Bernstein bound on the far keys' actual normaliser share.
_LOG_INV_FAIL = math.log(1e12)


def require_distance_law(law) -> None:
    """InputError unless ``law`` has an exact distance CDF and quantile function."""
    if not getattr(law, "has_distance_cdf", False):
        raise InputError(f"invalid method='orderstat' for law={law.spec!r}: it needs a key law with a known "
                         "distance CDF (uniform, subsphere:K, vmf:KAPPA with angle 0); use method='exact'")


def _initial_m(law, n: int, beta: float, d1: float, tail_tol: float, cap: int, k: int) -> int:
    if beta == 0.0:
        return cap
    reach = d1 + (math.log(1.0 / tail_tol) + 3.0) / beta
    if reach >= 2.0:
        return cap
    # a first guess only (the loop doubles m until the bound holds): n·c·t^α, F(t) ~ c t^α (SPEC §2)
    log_count = math.log(n) + law.log_local_constant + law.local_exponent * math.log(reach)
    expected = math.exp(min(log_count, 50.0))
    return int(min(cap, max(32, k, math.ceil(1.25 * expected + 16))))


def spacing_logs(s: np.ndarray):
    """(log U_(i), log(1 − U_(i))) from the cumulative scaled spacings s_i = Σ_{j≤i} E_j/(n − j + 1)."""
    return np.log(-np.expm1(-s)), -s


class OrderSpacings:
    """Uniform order statistics of n uniforms, in logs (exponential spacings), extended on demand from one
    stream: ``extend(m)`` then ``logs(m)`` gives the m smallest; the stream's use does not depend on how m grows."""

    def __init__(self, rng, n: int):
        self.rng, self.n = rng, float(n)
        self.s = np.empty(0)

    def extend(self, m: int) -> None:
        have = self.s.size
        if m <= have:
            return
        e = self.rng.standard_exponential(m - have)
        e /= self.n - np.arange(have, m, dtype=float)
        np.cumsum(e, out=e)
        if have:
            e += self.s[-1]
        self.s = np.concatenate([self.s, e])

    def logs(self, m: int):
        return spacing_logs(self.s[:m])


def far_keys(law, n: int, beta: float, nearest: np.ndarray, log_tail_prob: float):
    """The n − m far keys given the m nearest distances ``nearest`` (sorted): their per-key conditional
    moments (:func:`._tail.tail_moments`, None when m = n) and T_hi, the Bernstein upper bound on their
    actual normaliser Σ_j exp(−β(D_j − D_(1))), exceeded with probability below 1e−12.

    ``log_tail_prob`` is log P(D > D_(m)).
    """
    far = n - nearest.size
    if far <= 0:
        return None, 0.0
    d1, t = float(nearest[0]), float(nearest[-1])
    mom = tail_moments(law, beta, t, d1, log_tail_prob)
    cap = math.exp(-beta * (t - d1))
    return mom, bernstein_upper(far, mom.covariance[0, 0], cap, float(mom.mean[0]), _LOG_INV_FAIL)


def attend_orderstat(law, n: int, beta: float, seed: np.random.SeedSequence, *, k: int = 10, output: bool = True,
                     chunk_size=None, tail_tol: float = 1e-6, max_nearest: int = MAX_NEAREST) -> dict:
    """One replicate of a query attending to n keys of ``law``, by exact top order statistics.

    Parameters
    ----------
    law : KeyLaw
        A law with ``has_distance_cdf`` (uniform, subsphere, vMF with mean at the query).
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
        Target for the far keys' share of the normaliser, in (0, 1).
    max_nearest : int
        Most keys drawn exactly.

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
    cap = min(n, max(max_nearest, k))

    spacings = OrderSpacings(generator(seed, 2, 0), n)
    spacings.extend(1)
    d1 = float(law.distance_ppf_log(*spacings.logs(1))[0])
    m = _initial_m(law, n, beta, d1, tail_tol, cap, k)
    dist = np.empty(0)
    while True:
        spacings.extend(m)
        log_p, log_q = spacings.logs(m)
        have = dist.size
        more = np.asarray(law.distance_ppf_log(log_p[have:], log_q[have:]), dtype=float)
        dist = np.concatenate([dist, more])
        dist = np.maximum.accumulate(dist)  # F^{-1} is monotone; guard against last-bit ties
        d1 = float(dist[0])
        r = dist - d1
        e = np.exp(-beta * r)
        s_top = float(e.sum())
        far = n - m
        mom, t_hi = far_keys(law, n, beta, dist, float(log_q[-1]))
        if mom is None or t_hi <= tail_tol * s_top or m >= cap:
            break
        m = min(cap, 2 * m)

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
    stats.update({"tail_error_bound": float(worst / (s_top + worst)), "nearest_count": m})
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
