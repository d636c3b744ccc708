"""Each query's span and its softmax, from extracted q and k: dense for small windows (the check against the
model's eager probabilities) and streaming per-row statistics for long contexts (:ref:`theory-extreme-value`).

A query sees the keys of its own window; in a decoder (``causal``) only those at positions ≤ its own, and in
a layer with a sliding window W only those at positions > p − W. Logits are scale·⟨q, k⟩, soft-capped to
c·tanh(logit/c) where the layer caps, computed in float64.
"""

from __future__ import annotations

import numpy as np

__all__ = ["layer_rule", "span_probabilities", "row_statistics", "visible_counts", "key_weights"]


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


def visible_keys(ex, li: int, r: int, starts) -> np.ndarray:
    """Token indices of the keys query ``r`` sees in layer ``li`` (``starts``: each token's window start)."""
    _, _, window = layer_rule(ex, li)
    if not ex.causal:
        return np.flatnonzero(ex.window == ex.window[r])
    lo = starts[r] if window is None else max(starts[r], r - window + 1)
    return np.arange(lo, r + 1)


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


def row_statistics(ex, li: int, hi: int, *, rows=None, block: int = 1 << 22, key_positions=None,
                   lag: int | None = None) -> dict:
    """Per-query max weight, entropy, effective support exp(entropy) and IPR of head ``hi`` of layer ``li``,
    streaming over blocks of queries (memory O(block), never the T × T matrix); optionally the exact weight
    on given key positions and the weight each key position receives from queries ``lag`` or more positions
    later (sink detection, :ref:`theory-sinks`).

    With m = max logit and S = Σ_j e^{z_j − m} over the span: max weight = 1/S, entropy =
    log S + Σ_j e^{z_j − m}(m − z_j)/S (log-sum-exp, no cancellation), IPR = Σ_j e^{2(z_j − m)}/S² and
    log-normaliser m + log S; the weight on key j is e^{z_j − m}/S, the same softmax.

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
    key_positions : sequence of int, optional
        Positions (in each query's window) whose weights are returned in ``key_weight``.
    lag : int, optional
        Also sum, per key position, the weights it receives from the queries at least ``lag`` positions
        after it (``position_weight``) and count those queries (``position_count``).

    Returns
    -------
    dict
        Arrays over ``rows``: ``max_weight``, ``entropy``, ``effective_support``, ``ipr``, ``log_normalizer``
        (float64) and ``visible`` (int64, the number of keys each query sees); with ``key_positions`` also
        ``key_weight`` (len(rows), len(key_positions)): each query's exact weight on those positions (0 where
        a position is not visible to it); with ``lag`` also ``position_weight`` (float64) and
        ``position_count`` (int64), indexed by key position.
    """
    scale, cap, sw = layer_rule(ex, li)
    rows = np.arange(len(ex.window)) if rows is None else np.asarray(rows, dtype=int)
    pos = _positions(ex)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    ends = np.searchsorted(win, win, side="right")
    mw, ent, ipr, lse = (np.empty(len(rows)) for _ in range(4))
    vis = np.empty(len(rows), dtype=np.int64)
    kp = None if key_positions is None else np.asarray(key_positions, dtype=np.int64).reshape(-1)
    kw = None if kp is None else np.zeros((len(rows), kp.size))
    if lag is not None:
        width_max = int(np.max(ends - starts)) if len(win) else 0
        pw, pc = np.zeros(width_max), np.zeros(width_max, dtype=np.int64)
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
        ipr[sel] = np.einsum("ij,ij->i", e, e) / (s * s)
        lse[sel] = m[:, 0] + np.log(s)
        vis[sel] = v.sum(axis=1)
        kpos = pos[k_lo:k_hi]  # consecutive positions kpos[0], kpos[0] + 1, … of this window
        if kp is not None:
            inside = (kp >= kpos[0]) & (kp < kpos[0] + len(kpos))
            cols = np.clip(kp - kpos[0], 0, len(kpos) - 1)
            kw[sel] = np.where(inside[None, :], e[:, cols] / s[:, None], 0.0)
        if lag is not None:
            later = (pos[r][:, None] - kpos[None, :]) >= lag
            w = np.where(later, e / s[:, None], 0.0)
            pw[kpos[0]:kpos[0] + len(kpos)] += w.sum(axis=0)
            pc[kpos[0]:kpos[0] + len(kpos)] += later.sum(axis=0)
        i += len(sel)
    out = {"max_weight": mw, "entropy": ent, "effective_support": np.exp(ent), "ipr": ipr, "log_normalizer": lse,
           "visible": vis}
    if kp is not None:
        out["key_weight"] = kw
    if lag is not None:
        out["position_weight"], out["position_count"] = pw, pc
    return out


def key_weights(ex, li: int, hi: int, rows, positions, log_normalizer) -> np.ndarray:
    """Exact softmax weights of queries ``rows`` on the keys at ``positions`` of their windows, from each
    query's log-normaliser (``row_statistics(...)["log_normalizer"]``): w = e^{z − log Σ_j e^{z_j}}, the same
    softmax over the query's span, for a few keys at O(len(rows)·len(positions)) cost.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys.
    li, hi : int
        Extracted layer and head indices.
    rows : array of int
        Token indices of the queries.
    positions : sequence of int
        Key positions in each query's window.
    log_normalizer : array, shape (len(rows),)
        Each query's log Σ_j e^{z_j} over its span (:func:`row_statistics`).

    Returns
    -------
    numpy.ndarray, shape (len(rows), len(positions))
        Weights (float64); 0 where the position is not visible to the query (outside its window, after it in
        a causal layer, or out of its sliding window).
    """
    scale, cap, sw = layer_rule(ex, li)
    rows = np.asarray(rows, dtype=int)
    kp = np.asarray(positions, dtype=np.int64).reshape(-1)
    pos = _positions(ex)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    ends = np.searchsorted(win, win, side="right")
    idx = starts[rows][:, None] + kp[None, :]  # (Q, m) token index of each key
    inside = idx < ends[rows][:, None]
    idx = np.where(inside, idx, rows[:, None])
    q = ex.queries[li, hi, rows].astype(np.float64)
    k = ex.keys[li, hi][idx].astype(np.float64)  # (Q, m, d)
    z = np.einsum("qd,qmd->qm", q, k) * scale
    if cap is not None:
        z = cap * np.tanh(z / cap)
    qp = pos[rows][:, None]
    vis = inside.copy()
    if ex.causal:
        vis &= kp[None, :] <= qp
    if sw is not None:
        vis &= kp[None, :] > qp - sw
    return np.where(vis, np.exp(np.where(vis, z, 0.0) - np.asarray(log_normalizer, dtype=float)[:, None]), 0.0)
