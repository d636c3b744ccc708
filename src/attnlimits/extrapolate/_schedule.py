"""The iso multipliers the ``yarn_iso`` recipes apply: each head's sink-aware r_iso(n) = β_iso(n)/β at nodes in
(T, 2T] (:func:`attnlimits.models.audit_checkpoint`), and the uniform-key r_iso(n) of d_head dimensions.

The per-head schedule is estimated on the model **with YaRN's frequencies and attention factor 1** (YaRN moves
the higher frequency pairs, so the bulk law and the sinks move too), at n ≤ T: the audit reads the text's first
T tokens (the schedule range, disjoint from the evaluation windows that follow it) and keeps each head's
E[max weight] of its last full bin below T. A head whose audit fails (no root at some node, too few
distances, a soft-capped or windowed layer) gets the uniform schedule; the result says which and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validation import check_int

__all__ = ["IsoSchedule", "iso_nodes", "uniform_multipliers", "estimate_schedule", "SCHEDULE_POINTS", "ROW_NODES"]

#: Nodes of the schedule in (T, 2T] (at least 16: the interpolation in log n between them).
SCHEDULE_POINTS = 16
#: Of which the audit solves this many exactly (Chebyshev–Lobatto in log n) and interpolates the rest, checked
#: at one more (:func:`attnlimits.schedules.sink_iso_multipliers`' ``row_nodes``: 2.4× fewer quadratures, r_iso
#: within 3e−7 of the exact roots on a d = 64 law in (2048, 4096]).
ROW_NODES = 5


def iso_nodes(n_train: int, points: int = SCHEDULE_POINTS, factor: float = 2.0) -> np.ndarray:
    """``points`` visible counts log-spaced in (T, factor·T]: round(T·factor^(k/points)), k = 1 … points.

    Parameters
    ----------
    n_train : int
        T.
    points : int
        Nodes (≥ 2); the rounding must keep them distinct (T·(factor^(1/points) − 1) ≥ 1).
    factor : float
        The extension (2): the last node is factor·T.

    Returns
    -------
    numpy.ndarray of int
        The nodes, increasing.

    Examples
    --------
    >>> iso_nodes(64, 4).tolist()
    [76, 91, 108, 128]
    """
    n_train = check_int("train-length", n_train, minimum=2)
    points = check_int("points", points, minimum=2)
    nodes = np.round(n_train * factor ** (np.arange(1, points + 1) / points)).astype(int)
    if np.any(np.diff(nodes) <= 0) or nodes[0] <= n_train:
        from .._validation import InputError

        raise InputError(f"invalid train-length={n_train}: {points} distinct schedule nodes in ({n_train}, "
                         f"{int(factor * n_train)}] need T ≥ {int(np.ceil(1 / (factor ** (1 / points) - 1)))}")
    return nodes


def uniform_multipliers(d: int, n_train: int, nodes) -> tuple:
    """The uniform-key iso multiplier r(n) = β_iso(n)/β_1/2(T) on S^{d−1} at the nodes (:ref:`theory-exact-identities`): the schedule
    ``attnlimits schedule --d D`` prints (β_train = β_1/2(T), where E[max weight] = 1/2 at T).

    Parameters
    ----------
    d : int
        Head dimension.
    n_train : int
        T.
    nodes : sequence of int
        Visible counts n > T.

    Returns
    -------
    tuple
        (multipliers, β_1/2(T)): an array over the nodes and the β it scales.

    Examples
    --------
    >>> r, b = uniform_multipliers(16, 64, [128])
    >>> 1.0 < float(r[0]) < 1.5
    True
    """
    from ..laws import UniformSphere
    from ..schedules import beta_iso
    from ..theory import beta_half

    law = UniformSphere(int(d))
    b = float(beta_half(law, n_train))
    return np.array([beta_iso(law, int(n), n_train, b) / b for n in nodes]), b


@dataclass
class IsoSchedule:
    """The multipliers of the iso recipes at the nodes.

    Parameters
    ----------
    n_train : int
        T.
    nodes : numpy.ndarray
        Visible counts in (T, 2T].
    uniform : numpy.ndarray
        The uniform-key multiplier at each node (``yarn_iso_uniform``; the fallback of failed heads).
    per_head : numpy.ndarray
        Shape (layers, heads, nodes): each head's multiplier (the uniform one where its audit failed).
    source : numpy.ndarray
        Shape (layers, heads): ``"audit"`` or ``"uniform"``.
    record : dict
        What was estimated and how (JSON-ready): token range, options, per-head values, fallbacks and reasons.
    """

    n_train: int
    nodes: np.ndarray
    uniform: np.ndarray
    per_head: np.ndarray
    source: np.ndarray
    record: dict = field(default_factory=dict)


def _audit(lm, rope, text_path, n_train, nodes, queries, tol, seed, workers, row_nodes, progress):
    """audit_checkpoint of every head on the model with ``rope`` (its per-head work in ``workers`` forked
    processes; the values do not depend on them)."""
    from ..models import audit_checkpoint
    from ._attention import applied

    with applied(lm, rope=rope):
        return audit_checkpoint(lm, text_path, n_train=n_train, ns=nodes, max_tokens=n_train, queries=queries,
                                tol=tol, seed=seed, workers=workers, row_nodes=row_nodes, progress=progress)


def estimate_schedule(lm, text_path, n_train: int, *, points: int = SCHEDULE_POINTS, queries: int = 64,
                      tol: float | None = None, seed: int = 0, per_head: bool = True, workers: int = 1,
                      row_nodes: int | None = ROW_NODES, progress=None) -> IsoSchedule:
    """Estimate the iso multipliers of every head on the model with YaRN ×2 frequencies and attention factor 1,
    from the text's first T tokens (module docstring).

    Parameters
    ----------
    lm : LoadedModel
        A plain-RoPE decoder (its RoPE is swapped for the audit and restored).
    text_path : str or path
        A named text or a UTF-8 file.
    n_train : int
        T.
    points : int
        Nodes in (T, 2T] (≥ 16 for the recipes).
    queries : int
        Queries sampled per head by the audit.
    tol : float, optional
        The audit's accuracy of each E[max weight] (its default).
    seed : int
        The audit's seed (each head's stream keyed by (layer, head)).
    per_head : bool
        False: only the uniform schedule (no audit: ``yarn_iso`` not asked for).
    workers : int
        Forked processes for the audit's per-head work (1: this process; the values do not depend on it).
    row_nodes : int, optional
        The audit solves each head's root exactly at this many Chebyshev–Lobatto nodes in log n over the
        schedule's nodes and interpolates between them, checked at the node farthest from them
        (:func:`attnlimits.schedules.sink_iso_multipliers`); None: exactly at every node.
    progress : callable, optional
        ``progress(done, total, stage)`` from the audit.

    Returns
    -------
    IsoSchedule
        The multipliers and their record.
    """
    from ._recipes import recipe_rope

    nodes = iso_nodes(n_train, points)
    uniform, b_half = uniform_multipliers(lm.d_head, n_train, nodes)
    table = np.broadcast_to(uniform, (lm.layers, lm.heads, len(nodes))).copy()
    source = np.full((lm.layers, lm.heads), "uniform", dtype=object)
    record = {"nodes": nodes.tolist(), "uniform": uniform.tolist(), "uniform_beta_train": b_half,
              "uniform_source": f"UniformSphere({lm.d_head}): β_iso(n)/β_1/2(T), β_1/2(T) = {b_half:.6g}",
              "interpolation": "linear in log n through (T, 1) and the nodes; 1 for n ≤ T"}
    if per_head:
        rope = recipe_rope("yarn_noscale", dict(lm.model.config.rope_parameters), n_train)
        audit = _audit(lm, rope, text_path, n_train, nodes.tolist(), queries, tol, seed, workers, row_nodes, progress)
        heads, fallbacks = [], []
        for h in audit["heads"]:
            rows = h.get("rows") or []
            r = np.array([row["r_iso"] for row in rows], dtype=float)
            reason = h.get("error")
            if reason is None and (r.size != len(nodes) or not np.all(np.isfinite(r))):
                bad = next((row for row in rows if not np.isfinite(row["r_iso"])), {})
                reason = f"no root at n = {bad.get('n')}: {bad.get('error', 'r_iso not finite')}"
            entry = {"layer": h["layer"], "head": h["head"]}
            if reason is None:
                table[h["layer"], h["head"]] = r
                source[h["layer"], h["head"]] = "audit"
                entry.update({"r_iso": r.tolist(), "r_iso_error": [row["r_iso_error"] for row in rows],
                              "sinks": h.get("sinks"), "max_weight_train": h.get("max_weight_train"),
                              "bin": h.get("bin"), "exact_at": h.get("row_nodes"), "check": h.get("check")})
            else:
                entry.update({"fallback": "uniform", "reason": reason})
                fallbacks.append(entry)
            heads.append(entry)
        record.update({"model_variant": "YaRN ×2 frequencies, attention_factor 1 (rope_parameters "
                                        f"{rope})", "token_range": [0, n_train], "queries": audit["queries"],
                       "tol": audit["tol"], "seed": audit["seed"], "workers": audit.get("workers", workers),
                       "row_nodes": row_nodes, "heads": heads, "fallback_heads": len(fallbacks),
                       "kept_quartiles": audit["kept_quartiles"], "timings": audit["timings"],
                       "tokens": audit["tokens"]})
    return IsoSchedule(n_train=int(n_train), nodes=nodes, uniform=uniform, per_head=table, source=source,
                       record=record)
