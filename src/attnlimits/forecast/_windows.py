"""Per-query data of one stretch of queries of one head, read once from q and k (:ref:`theory-sinks`): each query's
measured max weight, its model β, its weights on the candidate sinks, the pair (β_q, β_q·S_q) of each
candidate, and the distances of evenly spaced queries to their visible keys (for the law). Every later fit
(central or bootstrap) indexes these arrays; nothing is recomputed from the keys.

A query at position p of a causal head sees the keys at positions ≤ p only, so the data of queries with
n < N never involve a query or key of the bins at n ≥ N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models._sinks import SINK_LAG, common_positions, detect_sinks, sink_terms
from ..models._spans import _positions, layer_rule, row_statistics, visible_counts, visible_keys

__all__ = ["WindowData", "window_data", "bin_rows", "find_sinks", "block_se"]


@dataclass
class WindowData:
    """Per-query arrays over ``rows`` (token indices, in increasing order within one context window).

    Parameters
    ----------
    rows, n, position : ndarray (Q,)
        Token index, visible count and position of each query.
    max_weight : ndarray (Q,)
        Measured max weight (exact softmax over the query's span).
    beta : ndarray (Q,)
        ‖q‖·median‖k‖·scale over all visible keys (the i.i.d. pipeline's β).
    beta_bulk : ndarray (Q,)
        β_q = ‖q‖·median‖k_bulk‖·scale (sinks left out).
    logit : ndarray (Q, m)
        β_q·S_q = scale·q·k_sink of each candidate sink.
    sink_weight : ndarray (Q, m)
        Exact weight of each query on each candidate (0 where not visible).
    candidates : ndarray (m,)
        Candidate sink positions.
    pooled : ndarray (P,)
        Indices into ``rows`` of the queries whose distances are kept.
    distances : list of ndarray
        Per pooled query, D = 1 − ⟨q̂, k̂⟩ to each visible key.
    is_sink : list of ndarray of bool
        Per pooled query, whether each of those keys sits at a candidate (columns of ``candidates``: the
        index of the candidate, −1 for a bulk key).
    key_position : list of ndarray of int
        Per pooled query, the position of each of those keys (the bootstrap resamples keys by position).
    d : int
        Head dimension.
    """

    rows: np.ndarray
    n: np.ndarray
    position: np.ndarray
    max_weight: np.ndarray
    beta: np.ndarray
    beta_bulk: np.ndarray
    logit: np.ndarray
    sink_weight: np.ndarray
    candidates: np.ndarray
    pooled: np.ndarray
    distances: list
    is_sink: list
    key_position: list
    d: int


def bin_rows(ex, li: int, window: int, lo: int, hi: int) -> np.ndarray:
    """Token indices of the queries of context window ``window`` whose visible count n lies in [lo, hi)."""
    vis = visible_counts(ex, li)
    return np.flatnonzero((np.asarray(ex.window) == window) & (vis >= lo) & (vis < hi))


def find_sinks(ex, li: int, hi: int, rows, threshold: float) -> tuple:
    """(sink positions, row statistics) of the queries ``rows``: :func:`attnlimits.models._sinks.detect_sinks`
    over the positions every one of them sees, with the given threshold; the statistics carry each query's
    ``max_weight``."""
    st = row_statistics(ex, li, hi, rows=rows, lag=SINK_LAG)
    found = detect_sinks(st["position_weight"], st["position_count"], *common_positions(ex, li, rows),
                         threshold=threshold)
    return np.asarray(found, dtype=np.int64), st


def _betas(ex, li, hi, rows) -> np.ndarray:
    scale, _, _ = layer_rule(ex, li)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    q = ex.queries[li, hi, rows].astype(np.float64)
    k_norm = np.linalg.norm(ex.keys[li, hi].astype(np.float64), axis=1)
    med = np.array([np.median(k_norm[visible_keys(ex, li, r, starts)]) for r in rows])
    return np.linalg.norm(q, axis=1) * med * scale


def window_data(ex, li: int, hi: int, rows, candidates, *, pooled: int, pool_from: int = 0,
                max_weight=None) -> WindowData:
    """Read the per-query data of ``rows`` of head (li, hi) (class docstring).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (causal, no soft-cap: the sink model takes logits β·s).
    li, hi : int
        Extracted layer and head index.
    rows : array of int
        Increasing token indices of one context window.
    candidates : array of int
        Candidate sink positions.
    pooled : int
        Evenly spaced queries of ``rows[pool_from:]`` whose distances are kept (all when fewer).
    pool_from : int
        First index of ``rows`` eligible for pooling (the fitting bin's start inside a trend window).
    max_weight : array, optional
        The rows' measured max weights where already computed.

    Returns
    -------
    WindowData
    """
    from ..tails import distances_to_query

    rows = np.asarray(rows, dtype=np.int64)
    cand = np.asarray(candidates, dtype=np.int64)
    pos = _positions(ex)
    st = row_statistics(ex, li, hi, rows=rows, key_positions=cand) if len(cand) else None
    if max_weight is None:
        max_weight = st["max_weight"] if st is not None else row_statistics(ex, li, hi, rows=rows)["max_weight"]
    terms = sink_terms(ex, li, hi, rows, cand)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    span = len(rows) - pool_from
    pick = pool_from + np.unique(np.linspace(0, span - 1, min(span, pooled)).astype(int))
    q_all, k_all = ex.queries[li, hi], ex.keys[li, hi]
    dists, flags, kpos = [], [], []
    for i in pick:
        keys = visible_keys(ex, li, rows[i], starts)
        dists.append(distances_to_query(k_all[keys].astype(np.float64), q_all[rows[i]].astype(np.float64)))
        col = np.full(keys.size, -1, dtype=np.int64)
        for j, c in enumerate(cand):
            col[pos[keys] == c] = j
        flags.append(col)
        kpos.append(pos[keys])
    return WindowData(rows=rows, n=visible_counts(ex, li)[rows], position=pos[rows], max_weight=np.asarray(max_weight),
                      beta=_betas(ex, li, hi, rows), beta_bulk=terms["beta"], logit=terms["logit"],
                      sink_weight=st["key_weight"] if st is not None else np.zeros((len(rows), 0)), candidates=cand,
                      pooled=pick, distances=dists, is_sink=flags, key_position=kpos, d=int(ex.queries.shape[-1]))


def block_se(x, block: int) -> float:
    """Standard error of the mean of ``x`` from the means of consecutive blocks of ``block`` values (a trailing
    partial block is merged into the last one): sd(block means)/√blocks; NaN with fewer than 2 blocks.

    Parameters
    ----------
    x : array_like
        Per-query values, in query order.
    block : int
        Consecutive values per block.

    Returns
    -------
    float
        The block standard error of the mean.

    Examples
    --------
    >>> round(block_se([1.0, 1.0, 3.0, 3.0], 2), 6)
    1.0
    """
    x = np.asarray(x, dtype=float)
    nb = len(x) // block
    if nb < 2:
        return float("nan")
    means = np.array([x[i * block:(i + 1) * block if i < nb - 1 else len(x)].mean() for i in range(nb)])
    return float(np.std(means, ddof=1) / np.sqrt(nb))
