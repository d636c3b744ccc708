"""β_{1/2}(n) by simulation with common random numbers: the β at which the mean max weight is 1/2.

For each replicate the nearest keys' distances are drawn once, by the engine's nearest-keys samples
(:mod:`attnlimits.engine._nearest_sample`: ``dense`` or ``orderstat``); the replicate's max weight
W(β) = 1/Σ_i e^{−β(D_i − D_(1))} is then a smooth, increasing function of β (its derivative is
W²·Σ (D_i − D_(1)) e^{−β(D_i − D_(1))} ≥ 0), so the sample mean ḡ(β) of W over replicates is smooth and
increasing, and its root ḡ(β̂) = 1/2 is found by safeguarded Newton in log β with that derivative (a few
passes over the sample). The standard error follows from the delta method:
SE(log β̂) = sd_r(W_r(β̂)) / (√R · dḡ/dlog β(β̂)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._rng import as_seed_sequence, child
from .._validation import InputError
from ..engine._nearest_sample import (NearestSample, nearest_block, nearest_sample, nested_dense_samples,
                                      one_minus_max_weight)

# the samples are re-exported for the claims that import them from here
__all__ = ["BracketMiss", "HalfWeightEstimate", "NearestSample", "beta_half_crn", "estimate_beta_half", "mean_max_weight_curve",
           "nearest_block", "nearest_sample", "nested_dense_samples", "one_minus_max_weight"]


@dataclass
class HalfWeightEstimate:
    """β̂_{1/2}(n): the root of ḡ(β) = 1/2 with its delta-method standard error (see the module docstring).

    Parameters
    ----------
    n : int
        Context length.
    beta : float
        β̂_{1/2}.
    se, log_se : float
        Standard errors of β̂ and of log β̂: SE(log β̂) = sd_r(W_r(β̂))/(√R·dḡ/dlog β), SE(β̂) = β̂·SE(log β̂).
    samples : int
        Replicates R.
    method : {"orderstat", "dense"}
        How the sample's nearest keys were drawn.
    slope : float
        dḡ/dlog β at β̂.
    tail_share : float
        Largest share of a replicate's normaliser carried by the far keys' conditional mean at β_lo (0 for
        ``dense``); each weight's error from dropping the far keys' fluctuation is below it.
    dropped_bound : float
        Bound n·e^{−CUT} on the weight of the keys a dense sample drops (0 for ``orderstat``).
    """

    n: int
    beta: float
    se: float
    log_se: float
    samples: int
    method: str
    slope: float
    tail_share: float
    dropped_bound: float

    def to_dict(self) -> dict:
        """The fields as a JSON-ready dict."""
        return dict(self.__dict__)


def mean_max_weight_curve(sample: NearestSample, betas) -> tuple[np.ndarray, np.ndarray]:
    """(mean, SE) of the max weight over replicates at each β in ``betas`` (all ≥ the sample's β_lo)."""
    means, ses = [], []
    for b in np.atleast_1d(betas):
        w = sample.max_weights(float(b))
        means.append(w.mean())
        ses.append(w.std(ddof=1) / math.sqrt(w.size))
    return np.array(means), np.array(ses)


class BracketMiss(InputError):
    """The mean max weight does not cross the level inside the bracket; ``side`` ("low" or "high") says which
    end is on the wrong side."""

    def __init__(self, message: str, side: str):
        super().__init__(message)
        self.side = side


#: Newton stops when its step in log β is below this, or below 4 ulps of the gaps' dtype: float32 gaps are
#: multiplied by float32(β), so ḡ is a step function of β at a relative resolution of 6e−8 there.
_XTOL = 1e-10


def _newton_log_beta(sample: NearestSample, lo: float, hi: float, level: float, start: float):
    """Root x = log β of ḡ(β) − level in (lo, hi) by safeguarded Newton, with the analytic slope
    dḡ/dlog β = mean_r β W_r² Σ_i (D_i − D_(1)) e^{−β(D_i − D_(1))}: ḡ is increasing, so every evaluation
    narrows a bracket, a step leaving it is replaced by the unevaluated end (to test it) or by bisection, and
    the bracket ends are evaluated only when the iteration reaches them. Returns (x, W_r, dW_r/dlog β, slope)
    at the last evaluation, where the Newton step is below ``_XTOL`` (or the dtype's resolution)."""
    a, b = lo, hi
    a_known = b_known = False
    xtol = max(_XTOL, 4.0 * float(np.finfo(sample.gaps.dtype).eps))
    x = min(max(start, lo), hi)
    for _ in range(300):
        w, dw = sample.max_weights_and_slopes(math.exp(x))
        f, fp = float(w.mean()) - level, float(dw.mean())
        if x == lo and f >= 0.0 or x == hi and f <= 0.0:
            side = "low" if x == lo else "high"
            raise BracketMiss(f"invalid bracket beta in [{math.exp(lo):.6g}, {math.exp(hi):.6g}] at n={sample.n}: mean "
                              f"max weight is {f + level:.4g} at the {side} end, not across {level}", side)
        if f < 0.0:
            a, a_known = x, True
        else:
            b, b_known = x, True
        step = -f / fp if fp > 0.0 else math.copysign(math.inf, -f)
        if abs(step) <= xtol:
            return x, w, dw, fp
        nxt = x + step
        if not a < nxt < b:
            if nxt >= b and not b_known:
                nxt = b
            elif nxt <= a and not a_known:
                nxt = a
            else:
                nxt = 0.5 * (a + b)
        if nxt == x:  # the bracket cannot shrink further in float64
            return x, w, dw, fp
        x = nxt
    raise RuntimeError(f"Newton iteration for beta_1/2 did not converge at n={sample.n}")


def beta_half_crn(sample: NearestSample, beta_hi: float, *, level: float = 0.5,
                  start: float | None = None) -> HalfWeightEstimate:
    """Root of ḡ(β) = ``level`` in [β_lo, ``beta_hi``] with its delta-method standard error.

    The root is found by safeguarded Newton in log β from ``start`` (default: the bracket's geometric
    middle) to a step below 1e−10 (see :func:`_newton_log_beta`); SE(log β̂) = sd_r(W_r(β̂))/(√R·dḡ/dlog β).

    Raises
    ------
    BracketMiss (an InputError)
        When ḡ(β_lo) ≥ level or ḡ(β_hi) ≤ level (the bracket misses the root: widen it).
    """
    lo, hi = math.log(sample.beta_lo), math.log(beta_hi)
    x0 = 0.5 * (lo + hi) if start is None else math.log(start)
    root, w, _, slope = _newton_log_beta(sample, lo, hi, level, x0)
    beta = math.exp(root)
    log_se = float(w.std(ddof=1) / math.sqrt(w.size) / slope)
    return HalfWeightEstimate(sample.n, beta, beta * log_se, log_se, sample.samples, sample.method, slope,
                              sample.tail_share(sample.beta_lo), sample.dropped_bound)


def estimate_beta_half(law, n: int, samples: int, seed, guess: float, *, method: str = "orderstat",
                       pilot: int = 48, progress=None) -> tuple[HalfWeightEstimate, NearestSample]:
    """β̂_{1/2}(n), the β at which the mean max weight is 1/2, with its standard error.

    A small pilot (``pilot`` replicates, its own streams) locates the root from ``guess`` by steps of ×3, then
    ``samples`` replicates bracket it in [β_p/3, 3β_p] (see ``beta_half_crn``); should the main sample's
    mean not cross 1/2 in that bracket (a pilot far off), the bracket widens by ×3 on the side that missed and
    the same replicates are drawn again (same streams) to the new β_lo. The root and its SE are those of the
    module docstring (common random numbers, delta method).

    Parameters
    ----------
    law : KeyLaw
        The key law (its nearest-keys distances; ``orderstat`` needs a distance law).
    n : int
        Context length.
    samples : int
        Replicates R of the main sample.
    seed : int, sequence of int or numpy.random.SeedSequence
        The main sample's root; the pilot draws from its child at position 2^30.
    guess : float
        Starting β for the pilot (e.g. the theory's β_{1/2}).
    method : {"orderstat", "dense"}
        How the nearest keys are drawn (``attnlimits.engine._nearest_sample.nearest_sample``).
    pilot : int
        Replicates of the pilot.
    progress : callable, optional
        ``progress(done, samples)`` while the main sample is drawn.

    Returns
    -------
    estimate : HalfWeightEstimate
        β̂_{1/2} with its SE.
    sample : NearestSample
        The main sample (for curves of the mean max weight).

    Raises
    ------
    InputError
        When no β within a factor 3^12 of ``guess`` brings the pilot's mean max weight to 1/2, or the main
        sample's mean does not cross 1/2 after six widenings.
    """
    ss = as_seed_sequence(seed)
    pilot_ss = child(ss, 1 << 30)
    g = float(guess)
    for _ in range(12):
        s = nearest_sample(law, n, pilot, pilot_ss, g / 2.0, method=method)
        try:
            g = beta_half_crn(s, 2.0 * g, start=g).beta
            break
        except BracketMiss as miss:
            g = g / 3.0 if miss.side == "low" else g * 3.0
    else:
        raise InputError(f"invalid guess={guess!r} at n={n}: no β with mean max weight 1/2 within a factor 3^12")
    lo, hi = g / 3.0, 3.0 * g
    for _ in range(6):
        sample = nearest_sample(law, n, samples, ss, lo, method=method, progress=progress)
        try:
            return beta_half_crn(sample, hi, start=g), sample
        except BracketMiss as miss:
            if miss.side == "low":
                lo /= 3.0
            else:
                hi *= 3.0
    raise InputError(f"invalid guess={guess!r} at n={n}: the mean max weight does not cross 1/2 in "
                     f"[{lo:.6g}, {hi:.6g}]")
