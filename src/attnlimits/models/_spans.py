"""Each query's span and its softmax, from extracted q and k: dense for small windows (the check against the
model's eager probabilities) and streaming per-row statistics for long contexts (SPEC §5).

A query sees the keys of its own window; in a decoder (``causal``) only those at positions ≤ its own, and in
a layer with a sliding window W only those at positions > p − W. Logits are scale·⟨q, k⟩, soft-capped to
c·tanh(logit/c) where the layer caps, computed in float64.
"""

from __future__ import annotations

import numpy as np

__all__ = ["layer_rule", "span_probabilities", "row_statistics", "visible_counts"]


def layer_rule(ex, li: int) -> tuple:
    """(scale, softcap, sliding_window) of extracted layer ``li`` of a :class:`KeyExtraction`."""
    if ex.specs is None:
        return float(ex.scale), None, None
    s = ex.specs[li]
    return s.scale, s.softcap, s.sliding_window


def _logits(q, k, scale, softcap):
    z = (np.asarray(q, dtype=np.float64) @ np.asarray(k, dtype=np.float64).T) * scale
    return softcap * np.tanh(z / softcap) if softcap is not None else z


def _visible(qpos, kpos, causal, window):
    """Boolean (len(qpos), len(kpos)) mask of the keys each query sees (same window assumed)."""
    qp, kp = np.asarray(qpos)[:, None], np.asarray(kpos)[None, :]
    vis = np.ones((qp.shape[0], kp.shape[1]), dtype=bool)
    if causal:
        vis &= kp <= qp
    if window is not None:
        vis &= kp > qp - window
    return vis


def visible_counts(ex, li: int) -> np.ndarray:
    """Keys each query of layer ``li`` sees: its window's length, or min(p + 1, W) for a causal query at p."""
    _, _, window = layer_rule(ex, li)
    if not ex.causal:
        return np.bincount(ex.window)[ex.window]
    n = np.asarray(ex.position) + 1
    return np.minimum(n, window) if window is not None else n


def _positions(ex):
    if ex.position is not None:
        return np.asarray(ex.position)
    starts = np.r_[0, np.flatnonzero(np.diff(ex.window)) + 1]
    return np.arange(len(ex.window)) - np.repeat(starts, np.diff(np.r_[starts, len(ex.window)]))


def span_probabilities(ex, li: int, hi: int, window: int) -> np.ndarray:
    """Dense attention probabilities of head ``hi`` of extracted layer ``li`` in one window.

    For checks against the model's eager probabilities at small T (O(T²) memory).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices (positions in ``ex.layers``/``ex.heads``, not the model's).
    window : int
        Window index (a value of ``ex.window``).

    Returns
    -------
    numpy.ndarray, shape (T, T)
        Row i: softmax over the keys query i sees of its soft-capped logits scale·⟨q, k⟩ (float64); zero
        outside each query's span. T is the window's token count.
    """
    scale, cap, sw = layer_rule(ex, li)
    idx = np.flatnonzero(ex.window == window)
    pos = _positions(ex)[idx]
    z = _logits(ex.queries[li, hi, idx], ex.keys[li, hi, idx], scale, cap)
    z = np.where(_visible(pos, pos, ex.causal, sw), z, -np.inf)
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def row_statistics(ex, li: int, hi: int, *, rows=None, block: int = 1 << 22) -> dict:
    """Per-query max weight, entropy and effective support exp(entropy) of head ``hi`` of layer ``li``,
    streaming over blocks of queries (memory O(block), never the T × T matrix).

    With m = max logit and S = Σ_j e^{z_j − m} over the span: max weight = 1/S and entropy =
    log S + Σ_j e^{z_j − m}(m − z_j)/S (log-sum-exp, no cancellation).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices (positions in ``ex.layers``/``ex.heads``).
    rows : array of int, optional
        Token indices of the queries (default all).
    block : int
        Logits held at once.

    Returns
    -------
    dict
        Arrays over ``rows``: ``max_weight``, ``entropy``, ``effective_support`` (float64) and ``visible``
        (int64, the number of keys each query sees).
    """
    scale, cap, sw = layer_rule(ex, li)
    rows = np.arange(len(ex.window)) if rows is None else np.asarray(rows, dtype=int)
    pos = _positions(ex)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    ends = np.searchsorted(win, win, side="right")
    mw, ent, vis = np.empty(len(rows)), np.empty(len(rows)), np.empty(len(rows), dtype=np.int64)
    order = np.argsort(rows, kind="stable")
    i = 0
    while i < len(order):
        r0 = rows[order[i]]
        width = int(ends[r0] - starts[r0])
        take = max(1, block // max(width, 1))
        sel = order[i:i + take]
        sel = sel[win[rows[sel]] == win[r0]]  # one window per block
        r = rows[sel]
        k_lo = starts[r0]
        k_hi = int(r.max()) + 1 if ex.causal else int(ends[r0])
        z = _logits(ex.queries[li, hi, r], ex.keys[li, hi, k_lo:k_hi], scale, cap)
        v = _visible(pos[r], pos[k_lo:k_hi], ex.causal, sw)
        z = np.where(v, z, -np.inf)
        m = z.max(axis=1, keepdims=True)
        e = np.exp(z - m)
        s = e.sum(axis=1)
        mw[sel] = 1.0 / s
        gap = np.where(v, m - z, 0.0)
        ent[sel] = np.log(s) + (e * gap).sum(axis=1) / s
        vis[sel] = v.sum(axis=1)
        i += len(sel)
    return {"max_weight": mw, "entropy": ent, "effective_support": np.exp(ent), "visible": vis}
