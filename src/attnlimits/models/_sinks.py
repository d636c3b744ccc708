"""Attention sinks in real heads (:ref:`theory-sinks`): which key positions take mass whatever the context, what each
query scores them, and the sink-aware prediction beside the i.i.d. one.

Per bin of the visible count n (:mod:`._positions`):

- **Sinks**: the first token, plus every position that holds a mean weight ≥ :data:`SINK_THRESHOLD` from the
  bin's queries at least :data:`SINK_LAG` positions after it — among the positions every query of the bin
  sees (in a causal layer: up to the bin's first query; in a sliding-window layer also inside every query's
  window, so a bin past the window has no first-token sink). Weights are the exact softmax over each query's
  span, streamed from q and k (:func:`~._spans.row_statistics`, :func:`~._spans.key_weights`).
- **Scores**: per query, β_q = |q|·median|k_bulk|·scale (the median over the query's visible bulk keys, the
  sinks left out) and S_q = q·k_sink/(|q|·median|k_bulk|), so that β_q·S_q = scale·q·k_sink, the sink's logit,
  exactly (without a soft-cap).
- **Prediction**: the bulk law is estimated from the distances of the bin's pooled queries to their visible
  keys without the sink keys; the exact conditional E[max w], E[IPR] and E[w_sink] given (β_q, S_q) over the
  n − m bulk keys (:func:`attnlimits.theory.sink_expectations`) are averaged over a seeded sample of the bin's
  queries (at least :data:`SINK_QUERIES`, all of them in a smaller bin) — never a median β with per-query S.
"""

from __future__ import annotations

import math

import numpy as np

from ._spans import _positions, key_weights, layer_rule, visible_keys

__all__ = ["SINK_THRESHOLD", "SINK_LAG", "SINK_QUERIES", "MIN_SINK_QUERIES", "common_positions", "detect_sinks",
           "sink_terms", "measured_sinks", "predicted_sinks", "quartiles"]

#: A position is a sink when its mean weight from later queries is at least this …
SINK_THRESHOLD = 0.05
#: … counting only the queries at least this many positions after it …
SINK_LAG = 64
#: … and at least this many of them.
MIN_SINK_QUERIES = 8
#: Queries sampled (seeded) per bin for the sink-aware prediction and the score quartiles (all when fewer).
SINK_QUERIES = 256
#: Absolute accuracy asked of the theory's interpolation in log β (:func:`attnlimits.theory.sink_expectations`):
#: a thousandth of the measured means' typical standard error (~1e-2).
SINK_TOL = 1e-5


def common_positions(ex, li: int, rows) -> tuple:
    """The key positions visible to every query of ``rows``: (first, last), inclusive; empty when first > last.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li : int
        Extracted layer index (its sliding window).
    rows : array of int
        Token indices of the queries.

    Returns
    -------
    first, last : int
        Causal layer: (max(0, max p − W + 1), min p) with W the sliding window (no W: first = 0); encoder:
        (0, shortest window among the rows − 1).
    """
    _, _, window = layer_rule(ex, li)
    rows = np.asarray(rows, dtype=int)
    if not ex.causal:
        lengths = np.bincount(np.asarray(ex.window))[np.asarray(ex.window)[rows]]
        return 0, int(lengths.min()) - 1
    p = _positions(ex)[rows]
    first = 0 if window is None else max(0, int(p.max()) - window + 1)
    return first, int(p.min())


def detect_sinks(position_weight, position_count, first: int, last: int, *, threshold: float = SINK_THRESHOLD,
                 min_count: int = MIN_SINK_QUERIES) -> list:
    """Sink positions: position 0 when it lies in [first, last], and every position p in [first, last] whose mean
    weight from the later queries, position_weight[p]/position_count[p], is ≥ ``threshold`` over at least
    ``min_count`` of them.

    Parameters
    ----------
    position_weight, position_count : array
        Per key position, the summed weight from the queries at least the lag after it and their number
        (:func:`~._spans.row_statistics` with ``lag``).
    first, last : int
        The positions every query of the bin sees (:func:`common_positions`).
    threshold : float
        Least mean weight.
    min_count : int
        Fewest later queries behind a mean.

    Returns
    -------
    list of int
        Increasing positions, the first token first where it is visible.

    Examples
    --------
    >>> detect_sinks([5.0, 0.1, 3.0, 0.0], [10, 10, 10, 0], 0, 3)
    [0, 2]
    """
    pw = np.asarray(position_weight, dtype=float)
    pc = np.asarray(position_count, dtype=float)
    out = [0] if first <= 0 <= last else []
    top = min(last, len(pw) - 1)
    for p in range(max(first, 1), top + 1):
        if pc[p] >= min_count and pw[p] >= threshold * pc[p]:
            out.append(p)
    return out


def sink_terms(ex, li: int, hi: int, rows, sinks) -> dict:
    """β_q and the sink scores S_q of each query (module docstring).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices.
    rows : array of int
        Token indices of the queries (each sees every sink: :func:`common_positions`).
    sinks : sequence of int
        Sink positions.

    Returns
    -------
    dict
        ``beta`` (Q,): |q|·median|k_bulk|·scale; ``score`` (Q, m): q·k_sink/(|q|·median|k_bulk|);
        ``logit`` (Q, m): β_q·S_q (= scale·q·k_sink); ``bulk_median_norm`` (Q,): median|k| over each query's
        visible keys without the sinks.
    """
    scale, _, _ = layer_rule(ex, li)
    rows = np.asarray(rows, dtype=int)
    sinks = np.asarray(sinks, dtype=np.int64)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    pos = _positions(ex)
    q_all = ex.queries[li, hi]
    k_all = ex.keys[li, hi]
    k_norm = np.linalg.norm(k_all.astype(np.float64), axis=1)
    med = np.empty(len(rows))
    for i, r in enumerate(rows):
        keys = visible_keys(ex, li, r, starts)
        bulk = keys[~np.isin(pos[keys], sinks)]
        med[i] = np.median(k_norm[bulk if bulk.size else keys])
    q = q_all[rows].astype(np.float64)
    qn = np.linalg.norm(q, axis=1)
    k_s = k_all[starts[rows][:, None] + sinks[None, :]].astype(np.float64)  # (Q, m, d)
    dots = np.einsum("qd,qmd->qm", q, k_s)
    score = dots / (qn * med)[:, None]
    beta = qn * med * scale
    return {"beta": beta, "score": score, "logit": beta[:, None] * score, "bulk_median_norm": med}


def quartiles(x) -> list:
    """[Q1, median, Q3] of ``x`` as floats.

    Parameters
    ----------
    x : array_like
        Values.

    Returns
    -------
    list of float
        The three quartiles.
    """
    return [float(v) for v in np.quantile(np.asarray(x, dtype=float), [0.25, 0.5, 0.75])]


def measured_sinks(ex, li: int, hi: int, rows, st: dict, sinks) -> dict:
    """The measured weight on the sinks: mean over every query of the bin, with its SE.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices.
    rows : array of int
        The bin's queries.
    st : dict
        :func:`~._spans.row_statistics` of those rows (its ``log_normalizer``, ``max_weight``, ``ipr``).
    sinks : sequence of int
        Sink positions.

    Returns
    -------
    dict
        ``sinks``, ``measured_sink_weight`` (total over the sinks) with ``measured_sink_weight_se``,
        ``measured_sink_weights`` (per sink), ``sink_argmax_fraction`` (share of queries whose largest weight
        is on a sink), ``measured_ipr`` with ``measured_ipr_se`` (Σ w², for the predicted E[IPR]).
    """
    cnt = len(rows)
    se = lambda x: float(np.std(x, ddof=1) / math.sqrt(cnt)) if cnt > 1 else float("nan")  # noqa: E731
    w = key_weights(ex, li, hi, rows, sinks, st["log_normalizer"]) if len(sinks) else np.zeros((cnt, 0))
    total = w.sum(axis=1)
    top = w.max(axis=1) if len(sinks) else np.zeros(cnt)
    return {"sinks": [int(p) for p in sinks], "measured_sink_weight": float(total.mean()),
            "measured_sink_weight_se": se(total), "measured_sink_weights": [float(v) for v in w.mean(axis=0)],
            "sink_argmax_fraction": float(np.mean(top >= st["max_weight"] * (1.0 - 1e-9))) if len(sinks) else 0.0,
            "measured_ipr": float(st["ipr"].mean()), "measured_ipr_se": se(st["ipr"])}


def predicted_sinks(law, n: int, terms: dict, *, bulk: bool = False) -> dict:
    """The sink-aware prediction of a bin: the exact conditional values given each sampled query's (β_q, S_q),
    averaged over the sample, with the sample's SE (:ref:`theory-sinks`); beside it the same average without sinks (the
    bulk law at each β_q: isolates what the sinks add from what per-query β adds).

    Parameters
    ----------
    law : EstimatedLaw
        The bulk law (sink keys left out).
    n : int
        Bulk keys (visible count less the sinks), ≥ 1.
    terms : dict
        :func:`sink_terms` of the sampled queries.
    bulk : bool
        Also give ``predicted_max_weight_bulk``: the same average with the sinks left out (a second quadrature).

    Returns
    -------
    dict
        ``predicted_max_weight_sink`` with ``_se``, ``predicted_sink_weight`` with ``_se`` (total over the
        sinks), ``predicted_ipr_sink`` with ``_se``; with ``bulk`` also ``predicted_max_weight_bulk``.
    """
    from ..theory import sink_expectations

    beta, score = terms["beta"], terms["score"]
    Q = beta.size
    se = lambda x: float(np.std(x, ddof=1) / math.sqrt(Q)) if Q > 1 else float("nan")  # noqa: E731
    r = sink_expectations(law, n, beta, score, tol=SINK_TOL)
    total = r["sink_weight"].sum(axis=1)
    out = {"predicted_max_weight_sink": float(r["max_weight"].mean()),
           "predicted_max_weight_sink_se": se(r["max_weight"]),
           "predicted_sink_weight": float(total.mean()), "predicted_sink_weight_se": se(total),
           "predicted_ipr_sink": float(r["ipr"].mean()), "predicted_ipr_sink_se": se(r["ipr"])}
    if bulk:
        alone = sink_expectations(law, n, beta, np.zeros((Q, 0)), tol=SINK_TOL)
        out["predicted_max_weight_bulk"] = float(alone["max_weight"].mean())
    return out
