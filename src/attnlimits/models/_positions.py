"""Position-aware key laws (:ref:`theory-scales`, :ref:`theory-effective-exponent`, :ref:`theory-extreme-value`): under RoPE the keys a causal query sees are not i.i.d. relative
to it, so the law of D = 1 − ⟨q̂, k̂⟩ depends on the offset. It is modelled as a mixture over offsets, per
log-spaced bin of the visible count n = min(p + 1, W) (p the query's position, W the layer's sliding window;
an encoder's query sees its whole window): the distances of a bin's queries to all their visible keys are
pooled and fitted (:func:`attnlimits.tails.fit_local_power`), giving an estimated law per bin.

Normalising q̂ and k̂ drops the norms the softmax sees; they are kept in β, as everywhere in this package:
β = |q|·median|k|·scale per query (median over its visible keys), and the bin's β is the median over its
queries.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

import numpy as np

from .._validation import InputError, check_int
from ._sinks import (SINK_LAG, SINK_QUERIES, common_positions, detect_sinks, measured_sinks, predicted_sinks,
                     quartiles, sink_terms)
from ._spans import _positions, layer_rule, row_statistics, visible_counts, visible_keys

__all__ = ["position_edges", "binned_laws", "MIN_DISTANCES", "MIN_QUERIES"]

#: A bin is estimated only with at least this many pooled distances …
MIN_DISTANCES = 1000
#: … from at least this many queries.
MIN_QUERIES = 8


def position_edges(n_max: int, *, first: int = 16) -> list:
    """Log-spaced bin edges of the visible count n: first, 2·first, 4·first, … past ``n_max``.

    Parameters
    ----------
    n_max : int
        Largest visible count to cover.
    first : int
        Lower edge of the first bin, ≥ 1.

    Returns
    -------
    list of int
        Doubling edges from ``first`` up to the first one greater than ``n_max`` (just ``[first]`` when
        ``first > n_max``); bin i is [edges[i], edges[i+1]).

    Examples
    --------
    >>> position_edges(100), position_edges(128, first=32)
    ([16, 32, 64, 128], [32, 64, 128, 256])
    """
    edges = [check_int("first", first, minimum=1)]
    while edges[-1] <= n_max:
        edges.append(edges[-1] * 2)
    return edges


def _tail_effective(fit, n: int, alpha: float, z: float, log_km: float):
    """(α_n, log t_n) of the fitted tail F(x) = (k/m) u^α ₁F₁(α; α+1; zu)/₁F₁(α; α+1; z), u = x/t_k, at
    F(t_n) = 1/n, for parameters (α, z, log k/m); None when 1/n lies above the fitted tail (t_n > t_k)."""
    from scipy import optimize

    from ..tails._endpoint import _log_hyp

    h = lambda y: float(_log_hyp(alpha, z * math.exp(y)))  # noqa: E731
    g = lambda y: log_km + alpha * y + h(y) - h(0.0) + math.log(n)  # noqa: E731  increasing in y = log u
    if g(0.0) < 0:
        return None
    lo = -1.0
    while g(lo) > 0:
        lo *= 2.0
    y = optimize.brentq(g, lo, 0.0, xtol=1e-13)
    e = 1e-6
    return alpha + (h(y + e) - h(y - e)) / (2 * e), y + math.log(fit.threshold)


def _effective_interval(fit, n: int, level: float = 0.95):
    """Delta-method intervals of α_n and β̃*_n = 1/t_n from the fit's covariance of (α, z) and the Poisson
    variance 1/k of log(k/m) (as :meth:`LocalPowerFit.beta_star`); None above the fitted tail."""
    from scipy import stats

    p0 = np.array([fit.alpha, fit.z, math.log(fit.k / fit.m)])
    cov = np.zeros((3, 3))
    cov[:2, :2] = fit.cov[:2, :2]
    cov[2, 2] = 1.0 / fit.k
    base = _tail_effective(fit, n, *p0)
    if base is None:
        return None, None
    grads = []
    for i in range(3):
        step = 1e-5 * max(1.0, abs(p0[i]))
        up, dn = p0.copy(), p0.copy()
        up[i] += step
        dn[i] -= step
        a, b = _tail_effective(fit, n, *up), _tail_effective(fit, n, *dn)
        if a is None or b is None:
            return None, None
        grads.append([(a[0] - b[0]) / (2 * step), (a[1] - b[1]) / (2 * step)])
    g = np.array(grads)  # (parameter, [α_n, log t_n])
    se = np.sqrt(np.einsum("ij,ik,kj->j", g, cov, g))
    zq = stats.norm.ppf(0.5 + level / 2.0)
    a_ci = [float(base[0] - zq * se[0]), float(base[0] + zq * se[0])]
    b_ci = [float(math.exp(-base[1] - zq * se[1])), float(math.exp(-base[1] + zq * se[1]))]
    return a_ci, b_ci


def _constant_interval(fit, level: float = 0.95) -> list:
    """Delta-method interval of c, log c = log(k/m) − α log t_k − log ₁F₁(α; α+1; z), over (α, z, log k/m)."""
    from scipy import stats

    from ..tails._endpoint import _log_hyp

    f = lambda a, z: -a * math.log(fit.threshold) - float(_log_hyp(a, z))  # noqa: E731  (+ log k/m, gradient 1)
    ha, hz = 1e-6 * max(1.0, fit.alpha), 1e-6 * max(1.0, abs(fit.z))
    g = np.array([(f(fit.alpha + ha, fit.z) - f(fit.alpha - ha, fit.z)) / (2 * ha),
                  (f(fit.alpha, fit.z + hz) - f(fit.alpha, fit.z - hz)) / (2 * hz)])
    se = math.sqrt(float(g @ fit.cov[:2, :2] @ g) + 1.0 / fit.k)
    zq = stats.norm.ppf(0.5 + level / 2.0)
    return [float(math.exp(fit.log_c - zq * se)), float(math.exp(fit.log_c + zq * se))]


def _bootstrap_median(x, rng, resamples=400, level=0.95):
    x = np.asarray(x, dtype=float)
    med = np.median(x[rng.integers(0, len(x), (resamples, len(x)))], axis=1)
    return [float(v) for v in np.quantile(med, [0.5 - level / 2, 0.5 + level / 2])]


def _add(timings, stage: str, start: float) -> None:
    """Add the seconds since ``start`` to ``timings[stage]`` (nothing when ``timings`` is None)."""
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


@contextmanager
def _timed(timings, stage: str):
    """Add the seconds spent inside to ``timings[stage]`` (nothing when ``timings`` is None)."""
    if timings is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def _sink_prediction(ex, li, bulk_distances, n_bulk: int, terms: dict, *, exact: bool, timings=None) -> tuple:
    """(bulk law or None, fields): ``bulk_alpha`` of the law fitted to the pooled bulk distances (sink keys left
    out) and, with ``exact``, the sink-aware prediction (``_sinks.predicted_sinks``); or
    ``prediction_sink_error`` saying why there is none."""
    from ..tails import fit_local_power
    from ..laws import EstimatedLaw

    try:
        with _timed(timings, "fits"):
            fit = fit_local_power(bulk_distances)
            law = EstimatedLaw(fit, bulk_distances, ex.queries.shape[-1])
    except InputError as exc:
        return None, {"prediction_sink_error": str(exc)}
    out = {"bulk_alpha": float(fit.alpha)}
    if not exact:
        return law, out
    _, cap, _ = layer_rule(ex, li)
    if cap is not None:
        out["prediction_sink_error"] = (f"the layer soft-caps its logits (c = {cap:g}); the sink model (theory: fixed keys (sinks)) "
                                        "takes uncapped logits β·s")
        return law, out
    try:
        with _timed(timings, "theory"):
            out.update(predicted_sinks(law, max(int(n_bulk), 1), terms))
    except InputError as exc:
        out["prediction_sink_error"] = str(exc)
    return law, out


def binned_laws(ex, li: int, hi: int, *, first: int = 16, queries_per_bin: int = 32, min_distances: int = MIN_DISTANCES,
                min_queries: int = MIN_QUERIES, exact: bool = True, seed: int = 0, keep_law: bool = False,
                sinks: bool = True, sink_queries: int | None = None, timings: dict | None = None) -> list:
    """Per bin of visible count: the estimated law of D, its local and effective exponents, β, and the
    exact prediction of E[max weight] beside the measured mask-aware max weight and entropy.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (decoder or encoder).
    li, hi : int
        Extracted layer and head indices.
    first : int
        Lower edge of the first bin (bins double from there).
    queries_per_bin : int
        Queries (evenly spaced over the bin) whose distances are pooled.
    min_distances, min_queries : int
        A bin with fewer pooled distances or queries is reported with ``estimated: False`` and its counts.
    exact : bool
        Compute the exact E[max weight] of the estimated law (:ref:`theory-exact-identities`) at the bin's n and β.
    seed : int
        Seed of the bootstrap over queries behind ``beta_ci``.
    keep_law : bool
        Also return each estimated bin's law (``law``: an :class:`~attnlimits.laws.EstimatedLaw`) and, with
        ``sinks``, its bulk law (``bulk_law``, without the sink keys; None where it cannot be fitted).
    sinks : bool
        Measure the bin's attention sinks and, with ``exact``, give the sink-aware prediction (:ref:`theory-sinks`,
        ``_sinks``).
    sink_queries : int, optional
        Queries sampled per bin (seeded by ``seed``) for the sink scores and the sink-aware prediction
        (default ``_sinks.SINK_QUERIES``; all of a smaller bin).
    timings : dict, optional
        Seconds spent are added under "statistics" (streamed softmax rows, sinks, distances), "fits" (the
        laws, their exponents and intervals) and "theory" (the exact predictions).

    Returns
    -------
    list of dict
        Per bin: ``n_lo``, ``n_hi`` (visible count in [n_lo, n_hi)), ``n`` (median visible count), ``queries``
        (in the bin), ``measured_max_weight``, ``measured_entropy`` and ``measured_effective_support``
        (exp(entropy)) (mean over every query of the bin, from
        the streaming row statistics, with ``*_se`` = sd/√count: an SE that treats queries as independent),
        ``pooled_queries``, ``distances``, ``estimated``; when estimated also ``alpha`` with ``alpha_ci`` (the
        fit's 95 % interval), ``c`` with ``c_ci`` (delta method), ``alpha_eff`` (α_n at n) and ``beta_star_eff`` (β̃*_n = 1/t_n) with
        ``*_ci`` (delta method over the fit's (α, z, log k/m); None when t_n lies above the fitted tail, in the
        empirical body), ``beta`` (median over
        the pooled queries of ‖q‖·median‖k‖·scale) with ``beta_ci`` (bootstrap over queries), and
        ``predicted_max_weight`` with ``predicted_max_weight_ci`` (from the β interval; E[max w] increases
        with β; None with ``prediction_error`` when the exact theory cannot evaluate the estimated law).
        With ``sinks`` also the fields of ``_sinks.measured_sinks`` (``sinks`` positions,
        ``measured_sink_weight`` with ``_se``, ``measured_sink_weights``, ``sink_argmax_fraction``,
        ``measured_ipr`` with ``_se``), ``sink_queries`` (the seeded sample), ``sink_score_quartiles``,
        ``sink_logit_quartiles`` (per sink, [Q1, median, Q3] of S_q and of β_q·S_q over the sample),
        ``sink_beta_quartiles`` (of β_q = ‖q‖·median‖k_bulk‖·scale) and, when estimated, ``bulk_alpha`` (of
        the law without the sink keys) and with ``exact`` the fields of ``_sinks.predicted_sinks``
        (``predicted_max_weight_sink``, ``predicted_sink_weight``, ``predicted_ipr_sink``, each with ``_se``
        over the sample, and ``predicted_max_weight_bulk``), or ``prediction_sink_error``.
    """
    from ..tails import fit_local_power
    from ..tails._endpoint import distances_to_query
    from ..laws import EstimatedLaw
    from ..theory import effective_exponent, expected_max_weight

    scale, _, _ = layer_rule(ex, li)
    vis = visible_counts(ex, li)
    win = np.asarray(ex.window)
    starts = np.searchsorted(win, win, side="left")
    pos = _positions(ex)
    q_all, k_all = ex.queries[li, hi].astype(np.float64), ex.keys[li, hi].astype(np.float64)
    k_norm = np.linalg.norm(k_all, axis=1)
    rng = np.random.default_rng(seed)
    sink_rng = np.random.default_rng([seed, 2])  # its own stream: the bootstrap's draws stay those without sinks
    sink_queries = SINK_QUERIES if sink_queries is None else check_int("sink-queries", sink_queries, minimum=1)
    edges = position_edges(int(vis.max()), first=min(first, int(vis.max())))  # a short sliding window still gets a bin
    out = []
    for lo, up in zip(edges[:-1], edges[1:]):
        rows = np.flatnonzero((vis >= lo) & (vis < up))
        if rows.size == 0:
            continue
        t0 = time.perf_counter()
        st = row_statistics(ex, li, hi, rows=rows, lag=SINK_LAG if sinks else None)
        cnt = rows.size
        sd = lambda x: float(np.std(x, ddof=1) / math.sqrt(cnt)) if cnt > 1 else float("nan")  # noqa: E731
        rec = {"n_lo": lo, "n_hi": up, "n": int(np.median(vis[rows])), "queries": int(cnt),
               "measured_max_weight": float(st["max_weight"].mean()), "measured_max_weight_se": sd(st["max_weight"]),
               "measured_entropy": float(st["entropy"].mean()), "measured_entropy_se": sd(st["entropy"]),
               "measured_effective_support": float(st["effective_support"].mean()),
               "measured_effective_support_se": sd(st["effective_support"])}
        if sinks:
            found = detect_sinks(st["position_weight"], st["position_count"], *common_positions(ex, li, rows))
            rec.update(measured_sinks(ex, li, hi, rows, st, found))
            sample = np.sort(sink_rng.choice(rows, sink_queries, replace=False)) if cnt > sink_queries else rows
            terms = sink_terms(ex, li, hi, sample, found)
            rec.update({"sink_queries": int(sample.size),
                        "sink_score_quartiles": [quartiles(terms["score"][:, j]) for j in range(len(found))],
                        "sink_logit_quartiles": [quartiles(terms["logit"][:, j]) for j in range(len(found))],
                        "sink_beta_quartiles": quartiles(terms["beta"])})
        pick = rows[np.unique(np.linspace(0, cnt - 1, min(cnt, queries_per_bin)).astype(int))]
        dists, betas, bulk = [], [], []
        for r in pick:
            keys = visible_keys(ex, li, r, starts)
            dists.append(distances_to_query(k_all[keys], q_all[r]))
            betas.append(float(np.linalg.norm(q_all[r]) * np.median(k_norm[keys]) * scale))
            if sinks:
                bulk.append(dists[-1][~np.isin(pos[keys], rec["sinks"])])
        pooled = np.concatenate(dists)
        rec.update({"pooled_queries": int(len(pick)), "distances": int(pooled.size)})
        _add(timings, "statistics", t0)
        if pooled.size < min_distances or len(pick) < min_queries:
            rec["estimated"] = False
            out.append(rec)
            continue
        t0 = time.perf_counter()
        fit = fit_local_power(pooled)
        law = EstimatedLaw(fit, pooled, ex.queries.shape[-1])
        n = max(rec["n"], 2)
        eff = effective_exponent(law, n)
        a_ci, b_ci = _effective_interval(fit, n)
        beta = float(np.median(betas))
        rec.update({"estimated": True, "alpha": fit.alpha, "alpha_ci": [float(v) for v in fit.alpha_ci], "c": fit.c,
                    "c_ci": _constant_interval(fit),
                    "alpha_eff": eff.alpha_eff, "beta_star_eff": eff.critical_beta_eff,
                    "alpha_eff_ci": a_ci, "beta_star_eff_ci": b_ci, "beta": beta,
                    "beta_ci": _bootstrap_median(betas, rng)})
        _add(timings, "fits", t0)
        if keep_law:
            rec["law"] = law
        if exact:
            try:
                with _timed(timings, "theory"):
                    rec["predicted_max_weight"] = float(expected_max_weight(law, n, beta))
                    rec["predicted_max_weight_ci"] = [float(expected_max_weight(law, n, b)) for b in rec["beta_ci"]]
            except InputError as exc:  # the theory cannot evaluate this law: say so in the record, keep the rest
                rec["predicted_max_weight"], rec["prediction_error"] = None, str(exc)
        if sinks:
            bulk_law, fields = _sink_prediction(ex, li, np.concatenate(bulk), n - len(rec["sinks"]), terms, exact=exact,
                                               timings=timings)
            rec.update(fields)
            if keep_law:
                rec["bulk_law"] = bulk_law
        out.append(rec)
    return out
