"""The nearest keys of n, exactly, by order statistics: one growth loop, one cap, one far-key bound.

This is the single nearest-keys engine: ``simulate(method="orderstat")`` (:mod:`._orderstat`) and the
β_{1/2} estimators' samples (:mod:`._nearest_sample`) both draw their nearest keys here.

1. Exponential spacings E_j give the uniform order statistics exactly (Rényi):
   −log(1 − U_(i)) = S_i = Σ_{j≤i} E_j/(n − j + 1), so log U_(i) = log(−expm1(−S_i)) and
   log(1 − U_(i)) = −S_i keep full precision for n = 1e18. D_(i) = F^{-1}(U_(i)) through the law's
   ``distance_ppf_log`` (:ref:`theory-model`).
2. m is chosen adaptively at one β: starting near the expected number of keys with
   β(D − D_(1)) ≤ log(1/tail_tol) + 3, it doubles until T_hi ≤ tail_tol · Σ_{i≤m} e_i, where
   e_i = exp(−β(D_(i) − D_(1))) and T_hi is a Bernstein upper bound on the far keys' actual Σ e_j
   (exceeded with probability < 1e−12; per-key moments by the quadrature of :mod:`._tail`), or until m
   reaches the cap ``min(n, max(MAX_NEAREST, k))``.
3. The far keys' share of the normaliser is below T_hi/(Σ e_i + T_hi) ≤ tail_tol, except where the loop
   stopped at the cap: there :class:`TailToleranceWarning` says so with the numbers.

Since every far key lies beyond every near one, the far share T/(S + T) decreases in β: a sample grown at
β_lo meets the tolerance at every β ≥ β_lo.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ._tail import TailMoments, bernstein_upper, tail_moments

__all__ = ["MAX_NEAREST", "NearestKeys", "OrderSpacings", "TAIL_TOL", "TailToleranceWarning", "far_keys",
           "nearest_keys", "scaled_spacings", "spacing_logs", "warn_at_cap"]

#: Most nearest keys drawn exactly per replicate, by every user of this engine.
MAX_NEAREST = 1 << 14
#: Default target for the far keys' share of the normaliser.
TAIL_TOL = 1e-6
#: log(1/P) for the Bernstein bound on the far keys' actual normaliser share.
_LOG_INV_FAIL = math.log(1e12)


class TailToleranceWarning(RuntimeWarning):
    """The nearest-keys loop stopped at its cap with the far keys' share above the tolerance."""


def warn_at_cap(cap: int, bound: float, tail_tol: float, where: str, *, stacklevel: int = 3) -> None:
    """Warn (:class:`TailToleranceWarning`) that the loop stopped at ``cap`` nearest keys with the far keys'
    share bounded only by ``bound`` > ``tail_tol``.

    Parameters
    ----------
    cap : int
        The cap m stopped at.
    bound : float
        The far keys' share bound (``tail_error_bound``; for a sample, the largest over its replicates).
    tail_tol : float
        The tolerance it exceeds.
    where : str
        The call: n, β, and for a sample how many replicates stopped there.
    stacklevel : int
        Passed to :func:`warnings.warn` (3: the caller of the function that warns).
    """
    warnings.warn(f"orderstat stopped at the cap of {cap} nearest keys with tail_error_bound {bound:.3g} > "
                  f"tail_tol {tail_tol:.3g} ({where}): raise tail_tol (--tail-tol) or use method='exact'",
                  TailToleranceWarning, stacklevel=stacklevel)


def spacing_logs(s: np.ndarray):
    """(log U_(i), log(1 − U_(i))) from the cumulative scaled spacings s_i = Σ_{j≤i} E_j/(n − j + 1)."""
    return np.log(-np.expm1(-s)), -s


def scaled_spacings(rng, n: float, start: int, stop: int, rows=None) -> np.ndarray:
    """The scaled exponential spacings E_j/(n − j + 1), j = start + 1 … stop (Rényi; module docstring, item 1).

    Parameters
    ----------
    rng : numpy.random.Generator
        The stream.
    n : float
        Number of keys.
    start, stop : int
        The spacings' range.
    rows : int, optional
        Independent rows at once (one replicate per row).

    Returns
    -------
    ndarray, shape (stop − start,) or (rows, stop − start)
        Their cumulative sums along the last axis are −log(1 − U_(i)).
    """
    shape = stop - start if rows is None else (rows, stop - start)
    e = rng.standard_exponential(shape)
    e /= float(n) - np.arange(start, stop, dtype=float)
    return e


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
        e = scaled_spacings(self.rng, self.n, have, m)
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


def _initial_m(law, n: int, beta: float, d1: float, tail_tol: float, cap: int, k: int) -> int:
    if beta == 0.0:
        return cap
    reach = d1 + (math.log(1.0 / tail_tol) + 3.0) / beta
    if reach >= 2.0:
        return cap
    # a first guess only (the loop doubles m until the bound holds): n·c·t^α, F(t) ~ c t^α (docs theory-scales)
    log_count = math.log(n) + law.log_local_constant + law.local_exponent * math.log(reach)
    expected = math.exp(min(log_count, 50.0))
    return int(min(cap, max(32, k, math.ceil(1.25 * expected + 16))))


@dataclass
class NearestKeys:
    """The m nearest of n distances and what the far keys need.

    Attributes
    ----------
    n : int
        Number of keys.
    beta : float
        The β the loop bounded the far keys' share at.
    dist : ndarray, shape (m,)
        D_(1) ≤ … ≤ D_(m).
    e : ndarray, shape (m,)
        exp(−β(D_(i) − D_(1))) at the loop's β.
    log_tail_prob : float
        log P(D > D_(m)) (exact, from the spacings).
    moments : TailMoments or None
        Per-key conditional moments of a far key (None when m = n).
    t_hi : float
        Bernstein upper bound on the far keys' Σ e_j (0 when m = n).
    cap : int
        The cap the loop ran under.
    """

    n: int
    beta: float
    dist: np.ndarray
    e: np.ndarray
    log_tail_prob: float
    moments: TailMoments | None
    t_hi: float
    cap: int

    @property
    def m(self) -> int:
        return self.dist.size

    @property
    def far(self) -> int:
        """n − m, the keys left to the quadrature."""
        return self.n - self.dist.size

    @property
    def near_sum(self) -> float:
        return float(self.e.sum())

    def at_cap(self, bound: float, tail_tol: float) -> bool:
        """Whether the loop stopped at its cap, with far keys left and ``bound`` above ``tail_tol``."""
        return self.far > 0 and self.m >= self.cap and bound > tail_tol


def nearest_keys(law, n: int, beta: float, rng, *, tail_tol: float = TAIL_TOL, max_nearest: int = MAX_NEAREST,
                 k: int = 1) -> NearestKeys:
    """The m nearest of n distances of ``law``, m grown until the far keys' share at ``beta`` is below
    ``tail_tol`` or m reaches min(n, max(``max_nearest``, ``k``)) (see the module docstring).

    Parameters
    ----------
    law : KeyLaw
        A law with ``has_distance_law`` and ``has_quantile`` (``distance_ppf_log`` and ``distance_logpdf``).
    n : int
        Number of keys.
    beta : float
        β ≥ 0 at which the far keys' share is bounded (it then holds at every larger β).
    rng : numpy.random.Generator
        The stream of exponential spacings (its use does not depend on how m grows).
    tail_tol : float
        Target for the far keys' share, in (0, 1).
    max_nearest : int
        The cap on m (callers keep the default :data:`MAX_NEAREST`).
    k : int
        At least this many nearest keys (the top weights to report).

    Returns
    -------
    NearestKeys
    """
    cap = min(n, max(max_nearest, k))
    spacings = OrderSpacings(rng, n)
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
        e = np.exp(-beta * (dist - float(dist[0])))
        mom, t_hi = far_keys(law, n, beta, dist, float(log_q[-1]))
        if mom is None or t_hi <= tail_tol * float(e.sum()) or m >= cap:
            return NearestKeys(n, beta, dist, e, float(log_q[-1]), mom, t_hi, cap)
        m = min(cap, 2 * m)
