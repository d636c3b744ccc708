"""The audit of a checkpoint's long-context scaling (:ref:`theory-sinks`, :ref:`theory-extreme-value`): for every head (or the chosen ones), the
logit multiplier β_iso(n)/β it needs at n = 2T … 16T to keep its sink-aware E[max weight] of T, beside what
the checkpoint's own config applies and what each practical rule would apply.

One forward pass over the text; per head, statistics of one bin only: the last full doubling bin of the
visible count below T ([T/2, T) when the text reaches T). There the sinks are detected (:mod:`._sinks`: the
first token and positions with mean weight ≥ 0.05 from queries ≥ 64 later, measured on an evenly spaced
subset of the bin's queries), each sampled query's (β_q, S_q) is read (:func:`~._sinks.sink_terms`), the bulk
law is fitted to the pooled distances without the sink keys, and the root is that of
:func:`attnlimits.schedules.sink_iso_multipliers`. The pairs measured at n ≤ T are carried to n unchanged
(persistence) and scaled by r: a stationary-sink assumption (:ref:`theory-sinks` notes real sinks drift).

The config's multiplier is :func:`attnlimits.schedules.config_multiplier`. A static factor that rides on
cos/sin (YaRN, LongRoPE m²) is already in q and k as the library reads them (``decoder_qk``), so it is in the
measured β: relative to the measurement the config applies multiplier(n)/multiplier(T) (×1 for a static one).
"""

from __future__ import annotations

import time

import numpy as np

from .._fork import fork_map
from .._validation import InputError, check_int, check_real
from ._extract import extract_keys, shared_model, shared_text
from ._positions import MIN_DISTANCES
from ._sinks import SINK_LAG, common_positions, detect_sinks, quartiles, sink_terms
from ._spans import _positions, layer_rule, row_statistics, visible_counts, visible_keys

__all__ = ["audit_checkpoint", "AUDIT_QUERIES", "DETECT_QUERIES", "POOLED_QUERIES"]

#: Queries sampled (seeded) per head for the sink-aware E[max w] (all of a smaller bin).
AUDIT_QUERIES = 64
#: Queries (evenly spaced over the bin) whose softmax rows detect the sinks …
DETECT_QUERIES = 512
#: … and whose distances to their visible bulk keys are pooled for the bulk law.
POOLED_QUERIES = 32


def audit_bin(vis, n_train: int) -> tuple:
    """The last full doubling bin [lo, hi) of visible counts below T: hi = T, T/2, … down to the first one the
    text reaches (some query sees hi − 1 keys); None when none of ≥ 2 keys is.

    Examples
    --------
    >>> audit_bin(np.arange(1, 9000), 8192), audit_bin(np.arange(1, 3000), 8192)
    ((4096, 8192), (1024, 2048))
    """
    top = int(np.max(vis))
    hi = int(n_train)
    while hi >= 4:
        if top >= hi - 1:
            return hi // 2, hi
        hi //= 2
    return None


def _head(ex, li, hi, rows, lo_hi, n_train, ns, config_extra, rules, *, queries, tol, rng, timings, row_nodes=None):
    from ..schedules import sink_iso_multipliers
    from ..tails import fit_local_power
    from ..tails._endpoint import distances_to_query
    from ..laws import EstimatedLaw

    t0 = time.perf_counter()
    _, cap, _ = layer_rule(ex, li)
    rec = {"bin": list(lo_hi), "queries": int(rows.size), "n_bin": int(np.median(visible_counts(ex, li)[rows]))}
    detect = rows[np.unique(np.linspace(0, rows.size - 1, min(rows.size, DETECT_QUERIES)).astype(int))]
    st = row_statistics(ex, li, hi, rows=detect, lag=SINK_LAG)
    sinks = detect_sinks(st["position_weight"], st["position_count"], *common_positions(ex, li, rows))
    sample = np.sort(rng.choice(rows, queries, replace=False)) if rows.size > queries else rows
    terms = sink_terms(ex, li, hi, sample, sinks)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    pos = _positions(ex)
    q_all, k_all = ex.queries[li, hi], ex.keys[li, hi]
    pick = rows[np.unique(np.linspace(0, rows.size - 1, min(rows.size, POOLED_QUERIES)).astype(int))]
    bulk = []
    for r in pick:
        keys = visible_keys(ex, li, r, starts)
        keys = keys[~np.isin(pos[keys], sinks)]
        bulk.append(distances_to_query(k_all[keys].astype(np.float64), q_all[r].astype(np.float64)))
    pooled = np.concatenate(bulk)
    rec.update({"sinks": [int(p) for p in sinks], "sample": int(sample.size),
                "measured_max_weight": float(st["max_weight"].mean()),
                "beta_quartiles": quartiles(terms["beta"]),
                "sink_score_quartiles": [quartiles(terms["score"][:, j]) for j in range(len(sinks))],
                "distances": int(pooled.size)})
    if timings is not None:
        timings["statistics"] = timings.get("statistics", 0.0) + time.perf_counter() - t0
    if cap is not None:
        rec["error"] = f"the layer soft-caps its logits (c = {cap:g}); the sink model (theory: fixed keys (sinks)) takes uncapped logits"
        return rec
    if pooled.size < MIN_DISTANCES:
        rec["error"] = f"{pooled.size} pooled bulk distances; the fit needs {MIN_DISTANCES}"
        return rec
    t0 = time.perf_counter()
    try:
        fit = fit_local_power(pooled)
        law = EstimatedLaw(fit, pooled, ex.queries.shape[-1])
        rec["bulk_alpha"] = float(fit.alpha)
        mults = {"none": np.ones(len(ns)), "config": config_extra, **rules}
        res = sink_iso_multipliers(law, n_train, ns, terms["beta"], terms["score"], tol=tol, row_nodes=row_nodes,
                                   multipliers=None if row_nodes else mults)
    except InputError as exc:
        rec["error"] = str(exc)
        return rec
    finally:
        if timings is not None:
            timings["theory"] = timings.get("theory", 0.0) + time.perf_counter() - t0
    rec["max_weight_train"] = res["max_weight_train"]
    rec["quadratures"] = res["quadratures"]
    rec["rows"] = [{"n": row["n"], "r_iso": row["r_iso"], "r_iso_error": row["r_iso_error"],
                    "multipliers": {k: float(v[i]) for k, v in mults.items()}, "max_weight": row["max_weight"],
                    "nodes": row["nodes"], **({"error": row["error"]} if "error" in row else {}),
                    **({"interpolated": row["interpolated"]} if "interpolated" in row else {})}
                   for i, row in enumerate(res["rows"])]
    if "check" in res:
        rec["row_nodes"], rec["check"] = res["row_nodes"], res["check"]
    return rec


def _audit_head(context: dict, item) -> tuple:
    """One head's audit record and the seconds it spent per stage (run by :func:`attnlimits._fork.fork_map`)."""
    li, hi, layer, head, rows, lo_hi, seen, error = item
    timings: dict = {}
    if error is not None:
        return {"layer": layer, "head": head, "error": error}, timings
    # each head's stream is keyed by (layer, head), so its sample does not depend on the other heads chosen
    rng = np.random.default_rng(np.random.SeedSequence(context["seed"], spawn_key=(int(layer), int(head))))
    rec = _head(context["ex"], li, hi, rows, lo_hi, context["T"], seen, context["extra"], context["rules"],
                queries=context["queries"], tol=context["tol"], rng=rng, timings=timings,
                row_nodes=context["row_nodes"])
    for row, n in zip(rec.get("rows", []), context["ns"]):
        row["n"], row["n_visible"] = n, row["n"]
    return {"layer": layer, "head": head, **rec}, timings


def audit_checkpoint(model, text_path=None, *, layers=None, heads=None, n_train: int | None = None, ns=None,
                     max_tokens: int | None = None, queries: int = AUDIT_QUERIES, tol: float | None = None,
                     seed: int = 0, workers: int = 1, row_nodes: int | None = None, shared: dict | None = None,
                     progress=None) -> dict:
    """Audit a decoder's heads: the sink-aware multiplier each needs at n = 2T, 4T, 8T, 16T, the config's, and
    each practical rule's, with the E[max weight] each gives against the kept value (module docstring).

    Parameters
    ----------
    model : str, path or LoadedModel
        A decoder ('smollm2', a GGUF file, a Hugging Face directory) or a model already loaded.
    text_path : path, optional
        UTF-8 text or a named text (default: the standard-library docstrings).
    layers, heads : list of int, optional
        Default all.
    n_train : int, optional
        T (default the config's: ``original_max_position_embeddings`` where it has one, else
        ``max_position_embeddings``, as :func:`attnlimits.schedules.config_multiplier` reads it).
    ns : sequence of int, optional
        Context lengths (default 2T, 4T, 8T, 16T).
    max_tokens : int, optional
        Tokens read from the text (default T: the text's one window then reaches T).
    queries : int
        Queries sampled per head for the sink-aware theory (each head seeded by (``seed``, layer, head)).
    tol : float, optional
        Absolute accuracy of each E[max w] (default ``attnlimits.schedules._audit.AUDIT_TOL``).
    seed : int
        Seed of the query sample (one child stream per head, keyed by its layer and head).
    workers : int
        Processes for the per-head work after the forward pass (``attnlimits._fork.fork_map``; the results
        do not depend on it).
    row_nodes : int, optional
        For many lengths in a short range (a schedule): exact roots at this many nodes in log n, interpolated
        between (:func:`attnlimits.schedules.sink_iso_multipliers`); the rules' E[max weight] is then not
        computed (``max_weight`` empty, no rules in the summary).
    shared : dict, optional
        As in :func:`~attnlimits.models.head_bins`.
    progress : callable, optional
        ``progress(done, total, stage)`` with stages "forward pass" and "heads".

    Returns
    -------
    dict
        ``model``, ``n_train`` with ``n_train_source``, ``n``, ``tokens``, ``config`` (the config's multiplier
        record, with ``extra``: relative to the measured β), ``config_note``, ``rules`` (name → multiplier at
        each n), ``queries``, ``tol``, ``seed``, ``heads`` (per head ``layer``, ``head``, ``bin``, ``sinks``,
        ``beta_quartiles``, ``max_weight_train``, ``rows`` per n: ``r_iso``, ``r_iso_error``,
        ``multipliers``, ``max_weight``; or ``error``), ``summary`` (:func:`attnlimits.schedules.audit_summary`),
        ``kept_quartiles`` (Q1, median, Q3 over the audited heads of their sink-aware E[max w] at T; None without
        any), ``workers`` and ``timings`` (seconds: forward; statistics and theory summed over the heads; heads, the
        wall time of the per-head work; total; per_head).
    """
    from ..schedules import audit_summary, config_multiplier, multipliers

    start = time.perf_counter()
    lm = shared_model(model, shared)
    if not lm.causal:
        raise InputError(f"invalid model={lm.name!r}: the audit needs a decoder (causal attention, a trained "
                         "length T); "
                         "for one head's estimated-law schedule give one --layer and one --head with --n-train and --n")
    config = lm.model.config
    cm_t = config_multiplier(config, [1])
    T = cm_t.n_train if n_train is None else check_int("n-train", n_train, minimum=4)
    ns = [2 * T, 4 * T, 8 * T, 16 * T] if ns is None else [check_int("n", n, minimum=2) for n in ns]
    if not ns:
        raise InputError("invalid n=[]: expected at least one context length")
    queries = check_int("queries", queries, minimum=2)
    workers = check_int("workers", workers, minimum=1)
    row_nodes = None if row_nodes is None else check_int("row-nodes", row_nodes, minimum=3)
    if tol is None:
        from ..schedules._audit import AUDIT_TOL
        tol = AUDIT_TOL
    tol = check_real("tol", tol, lower=0.0, lower_open=True)
    max_tokens = T if max_tokens is None else check_int("max-tokens", max_tokens, minimum=64)
    timings: dict = {}
    forward = None if progress is None else (lambda done, total: progress(done, total, "forward pass"))
    t0 = time.perf_counter()
    width = min(lm.max_tokens, max_tokens)
    ex = extract_keys(lm, shared_text(text_path, shared), layers=layers, heads=heads, max_tokens=max_tokens,
                      window=width, batch=1, min_tokens=64, shared=shared, progress=forward)
    timings["forward"] = time.perf_counter() - t0
    cm = config_multiplier(config, [T, *ns])
    # the measured β holds what the config applies at T (static cos/sin factors: q and k as read); beyond T the
    # config adds multiplier(n)/multiplier(T)
    extra = cm.multiplier[1:] / cm.multiplier[0]
    applied = ", ".join(f"{v:.4g}" for v in cm.multiplier[1:])
    relative = ("a STATIC factor on cos/sin, already in q and k as read here and so in the measured β: ×1 extra "
                "beyond T" if cm.static and cm.in_rotary else
                "relative to its value at T: ×" + ", ×".join(f"{v:.4g}" for v in extra))
    note = ("the config applies no logit scaling" if cm.rule == "none" else
            f"the config's {cm.rule} multiplies the logits by {applied} at n = {', '.join(map(str, ns))}; {relative}")
    rules = {k: np.asarray(v, dtype=float) for k, v in multipliers(ns, T).items()}
    items = []
    for li, layer in enumerate(ex.layers):
        vis = visible_counts(ex, li)
        _, _, window = layer_rule(ex, li)
        lo_hi = audit_bin(vis, T)
        rows = None if lo_hi is None else np.flatnonzero((vis >= lo_hi[0]) & (vis < lo_hi[1]))
        seen = ns if window is None else [min(n, window) for n in ns]  # a sliding window caps the visible keys
        for hi, head in enumerate(ex.heads):
            if window is not None and window <= T:
                error = (f"sliding window {window} ≤ T = {T}: the head sees at most {window} keys at every n, so "
                         "longer contexts ask no multiplier of it")
            elif rows is None or rows.size < 8:
                error = f"the text gives no full bin of visible counts below T = {T}; expected a longer text"
            else:
                error = None
            items.append((li, hi, layer, head, rows, lo_hi, seen, error))
    context = {"ex": ex, "T": T, "ns": ns, "extra": extra, "rules": rules, "queries": queries, "tol": tol,
               "seed": seed, "row_nodes": row_nodes}
    done_heads = None if progress is None else (lambda done: progress(done, len(items), "heads"))
    out_heads = []
    t0 = time.perf_counter()
    for rec, spent in fork_map(_audit_head, context, items, workers=workers, progress=done_heads):
        out_heads.append(rec)
        for k, v in spent.items():
            timings[k] = timings.get(k, 0.0) + v
    timings["heads"] = time.perf_counter() - t0
    names = [] if row_nodes else ["none", "config", *rules]
    timings["total"] = time.perf_counter() - start
    done = [h for h in out_heads if "rows" in h]
    timings["per_head"] = (timings.get("statistics", 0.0) + timings.get("theory", 0.0)) / max(len(out_heads), 1)
    cfg = cm.to_dict()
    cfg["extra"] = extra.tolist()
    return {"model": lm.name, "model_type": lm.model_type, "n_train": T,
            "n_train_source": cm_t.n_train_source if n_train is None else "given",
            "n": ns, "tokens": int(ex.keys.shape[2]), "config": cfg, "config_note": note,
            "rules": {k: v.tolist() for k, v in rules.items()}, "queries": queries, "tol": tol, "seed": seed,
            "heads_audited": len(done), "heads": out_heads, "summary": audit_summary(done, ns, names),
            "kept_quartiles": ([float(v) for v in np.quantile([h["max_weight_train"] for h in done], [0.25, 0.5, 0.75])]
                               if done else None),
            "workers": workers, "timings": timings, "source": getattr(lm, "source", None)}
