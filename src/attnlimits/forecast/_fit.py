"""The fitting-window estimates behind every forecast, from one index set of a :class:`~._windows.WindowData`
(all its queries for the central fit, a block resample for the bootstrap; repeated indices count twice):

- the measured mean max weight of the fitting bin (persistence);
- the i.i.d. pipeline: the law of D fitted to the pooled distances (:func:`attnlimits.tails.fit_local_power`,
  :class:`~attnlimits.laws.EstimatedLaw`) and β, the median of the queries' β;
- the sinks: each candidate kept when its mean weight from the queries ≥ 64 positions after it reaches the
  threshold (the first token always), the bulk law without the sink keys, and the (β_q, β_q·S_q) pairs;
- the drift: per sink, the least-squares slope of its logit β_q·S_q against log n over the trend window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validation import InputError
from ..models._sinks import SINK_LAG

__all__ = ["FitEstimate", "fit_estimate", "fit_law"]

#: Fewest eligible queries behind a drift slope (else the slope is 0: no trend fitted).
MIN_TREND_QUERIES = 16


@dataclass
class FitEstimate:
    """What one fit of the fitting window gives (module docstring).

    Parameters
    ----------
    persistence : float
        Mean measured max weight of the fitting bin's queries.
    law : EstimatedLaw or None
        Law of D fitted to the pooled distances (every key).
    beta : float
        Median of the queries' β (all visible keys).
    bulk_law : EstimatedLaw or None
        The law without the sink keys.
    sinks : ndarray
        Kept sink positions (m,).
    pair_beta, pair_logit, pair_logn : ndarray
        Per fitting query: β_q (Q,), the sink logits β_q·S_q (Q, m) and log n_q (Q,).
    slopes : ndarray
        Per sink, d(β_q·S_q)/d log n over the trend window (m,).
    law_error : str or None
        Why a law could not be fitted.
    """

    persistence: float
    law: object
    beta: float
    bulk_law: object
    sinks: np.ndarray
    pair_beta: np.ndarray
    pair_logit: np.ndarray
    pair_logn: np.ndarray
    slopes: np.ndarray
    law_error: str | None = None


def fit_law(distances, d: int):
    """(EstimatedLaw, None) of pooled distances, or (None, reason) when they cannot be fitted."""
    from ..laws import EstimatedLaw
    from ..tails import fit_local_power

    pooled = np.asarray(distances, dtype=float)
    pooled = pooled[pooled > 0]
    try:
        fit = fit_local_power(pooled)
        return EstimatedLaw(fit, pooled, d), None
    except InputError as exc:
        return None, str(exc)


def fit_estimate(data, origin_idx, trend_idx, threshold: float, key_counts=None) -> FitEstimate:
    """The estimates from the queries ``origin_idx`` (fitting bin) and ``trend_idx`` (trend window, which
    contains the fitting bin) of ``data``.

    Parameters
    ----------
    data : WindowData
        The trend window's per-query data (its candidates detected on the fitting bin).
    origin_idx, trend_idx : array of int
        Indices into ``data.rows`` (with repeats under the bootstrap).
    threshold : float
        Least mean weight of a kept sink.
    key_counts : array of int, optional
        Multiplicity of each key position in the pooled distances (a block resample of the keys: every query
        of the window shares its keys, so resampling queries alone leaves the keys' randomness out); default
        1 for every key.

    Returns
    -------
    FitEstimate
    """
    origin_idx = np.asarray(origin_idx, dtype=np.int64)
    trend_idx = np.asarray(trend_idx, dtype=np.int64)
    persistence = float(data.max_weight[origin_idx].mean())
    # sinks: candidate j kept when its mean weight over the eligible queries (≥ lag after it) reaches threshold
    keep = []
    for j, c in enumerate(data.candidates):
        if c == 0:
            keep.append(j)
            continue
        elig = origin_idx[data.position[origin_idx] >= c + SINK_LAG]
        if elig.size and data.sink_weight[elig, j].mean() >= threshold:
            keep.append(j)
    keep = np.asarray(keep, dtype=np.int64)
    # laws: the pooled queries among origin_idx, with multiplicity
    slot = {int(p): i for i, p in enumerate(data.pooled)}
    chosen = [slot[int(i)] for i in origin_idx if int(i) in slot]
    def rep(i, mask=None):
        d, p = data.distances[i], data.key_position[i]
        if mask is not None:
            d, p = d[mask], p[mask]
        return d if key_counts is None else np.repeat(d, key_counts[p])

    all_d = np.concatenate([rep(i) for i in chosen]) if chosen else np.zeros(0)
    bulk_d = (np.concatenate([rep(i, ~np.isin(data.is_sink[i], keep)) for i in chosen]) if chosen else np.zeros(0))
    law, err = fit_law(all_d, data.d)
    bulk_law, err_b = fit_law(bulk_d, data.d)
    beta = float(np.median(data.beta[origin_idx]))
    # drift: slope of each kept sink's logit against log n over the eligible trend queries
    slopes = np.zeros(keep.size)
    logn = np.log(data.n.astype(float))
    for a, j in enumerate(keep):
        elig = trend_idx[data.position[trend_idx] >= data.candidates[j] + SINK_LAG]
        if elig.size >= MIN_TREND_QUERIES and np.ptp(logn[elig]) > 0:
            slopes[a] = float(np.polyfit(logn[elig], data.logit[elig, j], 1)[0])
    return FitEstimate(persistence=persistence, law=law, beta=beta, bulk_law=bulk_law,
                       sinks=data.candidates[keep], pair_beta=data.beta_bulk[origin_idx],
                       pair_logit=data.logit[origin_idx][:, keep], pair_logn=logn[origin_idx], slopes=slopes,
                       law_error=err or err_b)


def median_n(lo: int, hi: int) -> int:
    """The median visible count of a full bin [lo, hi) (one query per count): the n a bin is forecast at.

    Parameters
    ----------
    lo, hi : int
        The bin [lo, hi).

    Returns
    -------
    int
        ⌊(lo + hi − 1)/2⌋.

    Examples
    --------
    >>> median_n(2048, 4096)
    3071
    """
    return int(math.floor((lo + hi - 1) / 2))
