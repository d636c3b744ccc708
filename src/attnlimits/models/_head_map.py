"""A layer × head map of a real model in one bin of the visible count n (:ref:`theory-sinks`, :ref:`theory-extreme-value`): where each head puts its
mass — on the sinks (:mod:`._sinks`) or on the bulk — and how concentrated the bulk's own softmax is.

Per head, from one evenly spaced sample of the bin's queries (the same sample for every head):

- the sinks, detected as everywhere in this package (:func:`~._sinks.detect_sinks`: the first token and every
  position with mean weight ≥ 0.05 from the sample's queries ≥ 64 positions later);
- the measured mean weight on the first token, on all the sinks together, and the mean max weight (the exact
  softmax over each query's span, :func:`~._spans.row_statistics`);
- the bulk's max weight: per query, the largest weight of the softmax over the visible keys *without* the
  sinks, max_j e^{z_j}/Σ_{j ∉ sinks} e^{z_j} = max weight among the bulk / (1 − sink weight), the quantity the
  i.i.d. theory describes for the bulk given the sinks (:ref:`theory-sinks`);
- its regime class by the library's thresholds (:data:`attnlimits.theory._scales.REGIME_THRESHOLD`: below 0.05
  "subcritical", above 0.95 "supercritical", else "critical") applied to the *measured* mean bulk max weight —
  a measured class, not the theory's prediction for the head.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_int
from ._sinks import SINK_LAG, common_positions, detect_sinks
from ._spans import _logits, _positions, _visible, key_weights, layer_rule, row_statistics, visible_counts

__all__ = ["head_map", "bulk_max_weight"]


def bulk_max_weight(ex, li: int, hi: int, rows, sinks, log_normalizer, sink_weight) -> np.ndarray:
    """Per query, the max weight of the softmax over its visible keys without the sinks.

    It is max_{j ∉ sinks} e^{z_j − L} / (1 − w_sinks), with L the query's log-normaliser over its whole span
    and w_sinks its total weight on the sinks: the largest bulk weight renormalised over the bulk.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices.
    rows : array of int
        Token indices of the queries (one window or several).
    sinks : sequence of int
        Sink positions (in each query's window).
    log_normalizer : array, shape (len(rows),)
        ``row_statistics(...)["log_normalizer"]`` of those rows.
    sink_weight : array, shape (len(rows),)
        Each query's total weight on the sinks.

    Returns
    -------
    numpy.ndarray, shape (len(rows),)
        In (0, 1]; NaN for a query that sees no bulk key.
    """
    scale, cap, sw = layer_rule(ex, li)
    rows = np.asarray(rows, dtype=int)
    pos = _positions(ex)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    sinks = np.asarray(sinks, dtype=np.int64)
    top = np.full(len(rows), -np.inf)
    for w in np.unique(win[rows]):
        sel = np.flatnonzero(win[rows] == w)
        r = rows[sel]
        lo, up = int(starts[r[0]]), int(r.max()) + 1 if ex.causal else int(np.searchsorted(win, w, side="right"))
        z = _logits(ex.queries[li, hi, r], ex.keys[li, hi, lo:up], scale, cap)
        v = _visible(pos[r], pos[lo:up], ex.causal, sw) & ~np.isin(pos[lo:up], sinks)[None, :]
        top[sel] = np.where(v, z, -np.inf).max(axis=1)
    rest = 1.0 - np.asarray(sink_weight, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(top - np.asarray(log_normalizer, dtype=float)) / rest
    return np.where(np.isfinite(top) & (rest > 0), np.minimum(out, 1.0), np.nan)


def _regime(value: float) -> str:
    from ..theory._scales import REGIME_THRESHOLD

    if not math.isfinite(value):
        return "unknown"
    if value < REGIME_THRESHOLD:
        return "subcritical"
    return "supercritical" if value > 1 - REGIME_THRESHOLD else "critical"


def head_map(ex, *, bin=None, queries: int = 256) -> dict:
    """Sink mass, max weight and the bulk's measured regime of every extracted head in one bin of n.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (a decoder: sinks are defined for causal heads; an encoder works too).
    bin : (int, int), optional
        The bin [lo, hi) of the visible count (default the last doubling bin [2^k, 2^(k+1)) that the text
        fills, i.e. whose top is at most the largest visible count + 1).
    queries : int
        Queries sampled evenly over the bin (all of a smaller bin), the same for every head.

    Returns
    -------
    dict
        ``bin``, ``n`` (median visible count of the sample), ``queries`` (sampled), ``layers``, ``heads`` and,
        as nested lists [layer][head]: ``first_token_weight`` (mean weight on position 0) with ``_se``,
        ``sink_weight`` (total on the sinks) with ``_se``, ``sinks`` (positions), ``max_weight`` with ``_se``,
        ``sink_argmax_fraction`` (share of queries whose largest weight is on a sink), ``bulk_max_weight``
        with ``_se`` and ``bulk_regime`` (module docstring). SEs are sd/√queries (queries treated as
        independent).

    Raises
    ------
    InputError
        When the bin holds no query or ``queries`` < 2.
    """
    queries = check_int("queries", queries, minimum=2)
    vis = visible_counts(ex, 0)
    if bin is None:
        hi_edge = 2 ** int(math.floor(math.log2(int(vis.max()) + 1)))
        bin = (hi_edge // 2, hi_edge)
    lo, up = (int(b) for b in bin)
    out = {"bin": [lo, up], "layers": list(ex.layers), "heads": list(ex.heads)}
    fields = ("first_token_weight", "first_token_weight_se", "sink_weight", "sink_weight_se", "sinks", "max_weight",
              "max_weight_se", "sink_argmax_fraction", "bulk_max_weight", "bulk_max_weight_se", "bulk_regime")
    for f in fields:
        out[f] = []
    for li in range(len(ex.layers)):
        vis = visible_counts(ex, li)
        rows = np.flatnonzero((vis >= lo) & (vis < up))
        if rows.size == 0:
            raise InputError(f"invalid bin=[{lo}, {up}): no query of layer {ex.layers[li]} sees that many keys; "
                             f"expected a bin below {int(vis.max()) + 1}")
        sample = rows[np.unique(np.linspace(0, rows.size - 1, min(rows.size, queries)).astype(int))]
        q = sample.size
        se = lambda x: float(np.nanstd(x, ddof=1) / math.sqrt(q)) if q > 1 else float("nan")  # noqa: E731
        out["n"], out["queries"] = int(np.median(vis[sample])), int(q)
        per = {f: [] for f in fields}
        for hi in range(len(ex.heads)):
            st = row_statistics(ex, li, hi, rows=sample, lag=SINK_LAG)
            sinks = detect_sinks(st["position_weight"], st["position_count"], *common_positions(ex, li, sample))
            w = key_weights(ex, li, hi, sample, sinks, st["log_normalizer"]) if sinks else np.zeros((q, 0))
            total = w.sum(axis=1)
            first = w[:, 0] if sinks and sinks[0] == 0 else np.zeros(q)
            bulk = bulk_max_weight(ex, li, hi, sample, sinks, st["log_normalizer"], total)
            on_sink = (w.max(axis=1) >= st["max_weight"] * (1.0 - 1e-9)) if sinks else np.zeros(q, bool)
            mean_bulk = float(np.nanmean(bulk))
            for f, v in (("first_token_weight", float(first.mean())), ("first_token_weight_se", se(first)),
                         ("sink_weight", float(total.mean())), ("sink_weight_se", se(total)),
                         ("sinks", [int(p) for p in sinks]), ("max_weight", float(st["max_weight"].mean())),
                         ("max_weight_se", se(st["max_weight"])), ("sink_argmax_fraction", float(on_sink.mean())),
                         ("bulk_max_weight", mean_bulk), ("bulk_max_weight_se", se(bulk)),
                         ("bulk_regime", _regime(mean_bulk))):
                per[f].append(v)
        for f in fields:
            out[f].append(per[f])
    return out
