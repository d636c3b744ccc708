"""One entry point from data to the critical scale: keys (known endpoint) or raw scores (:ref:`theory-extreme-value`).

What ``alpha`` measures. The fit (:func:`~attnlimits.tails.fit_local_power`) models the law of D on
[0, t_k], t_k = D_(k+1) the threshold (k ≤ min(m/16, 16√m)), as a power law with one curvature term, and
extrapolates it to t → 0. Where the power law F ≈ c t^α nearly holds at t_k — local exponent α ≤ 4 at
m = 1e5…1e6 (uniform keys in d ≤ 9, vMF centred on the query, great subspheres S^{k−1} with k ≤ 9,
mixtures of one exponent) — α̂ is α and its 95% interval covers at the nominal rate (measured:
tests/tails/test_tail_coverage.py). In high d it is neither α nor the exponent that governs attention at
this sample size: t_k sits far from 0 (the power law needs n ≫ e^{O(d)}, :ref:`theory-scales`), one curvature term does
not span the window, and α̂ is a biased extrapolation with a wide interval (uniform keys, d = 64, α = 31.5:
α̂ = 39.3 [30.6, 48.0] at m = 1e5, 36.1 [30.5, 41.7] at m = 1e6, curvature ẑ ≈ −25), while the exponent of
F at the threshold — the effective exponent α_n of :ref:`theory-effective-exponent` at n = m/k — is 13.3 and 15.3. Read α̂ there as
"the local exponent, extrapolated from t_k", next to α_n; ``threshold``, ``k``, ``m`` and ``curvature`` in
:meth:`TailEstimate.to_dict` say where it was measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .._validation import InputError, check_int, check_real
from ..laws import EstimatedLaw
from ._endpoint import LocalPowerFit, distances_to_query, fit_local_power
from ._pot import PeaksOverThreshold, fit_peaks_over_threshold

__all__ = ["BetaStar", "TailEstimate", "N_GRID", "n_key", "estimate_from_keys", "estimate_from_scores", "model_beta", "POOLED_QUERIES"]

#: Context lengths at which β*_n is predicted: 1e3, 1e4, …, 1e9.
N_GRID = tuple(10**e for e in range(3, 10))
#: At most this many distinct queries (evenly spaced) enter a pooled estimate.
POOLED_QUERIES = 64


class BetaStar(NamedTuple):
    """The predicted critical scale β*_n = (c·n)^{1/α} at one context length, with its 95% interval (:ref:`theory-scales`, :ref:`theory-extreme-value`).

    Parameters
    ----------
    value : float
        β*_n from the estimated α, c.
    lo, hi : float
        Its 95% interval.
    """

    value: float
    lo: float
    hi: float


@dataclass
class TailEstimate:
    """The estimated tail of one query's scores (or of a pool of queries), and β*_n from it (:ref:`theory-extreme-value`).

    :meth:`to_dict` is the JSON form of ``attnlimits tail`` (keys ``tail_class``, ``xi``, ``xi_ci``,
    ``alpha``, ``alpha_ci``, ``c``, ``beta_star``, ``model_beta``, ``regime_at``, ...), where context lengths
    become strings (``"1e6"``).

    Parameters
    ----------
    tail_class : {"weibull", "gumbel", "frechet"}
        The (effective, finite-n) extreme-value class of the scores.
    xi : float
        The shape ξ of the generalized Pareto tail (−1/α for a known endpoint).
    xi_ci : tuple of float
        Its 95% interval.
    alpha : float or None
        Local exponent α of F(t) ~ c·t^α (None where the class is not weibull).
    alpha_ci : tuple of float or None
        Its 95% interval.
    c : float or None
        Local constant c.
    beta_star : dict of int to BetaStar
        β*_n = (c·n)^{1/α} with its 95% interval for each context length n asked for, e.g.
        ``est.beta_star[10**6].value``.
    model_beta : float, optional
        The model's inverse temperature ‖q‖·median‖k‖·scale (:func:`model_beta`), where a scale was given.
    regime_at : dict of int to str, optional
        The regime (exact E[max weight], :ref:`theory-scales`) of the estimated law at ``model_beta``, per n.
    method : str
        How the estimate was made.
    fit : LocalPowerFit or PeaksOverThreshold, optional
        The underlying fit (pooled: the median query's).
    law : EstimatedLaw, optional
        The estimated key law (known endpoint, from keys only).
    per_query : list of dict, optional
        Pooled only: each query's α̂, interval, ĉ, k and stability.
    """

    tail_class: str
    xi: float
    xi_ci: tuple
    alpha: float | None
    alpha_ci: tuple | None
    c: float | None
    beta_star: dict
    model_beta: float | None = None
    regime_at: dict | None = None
    method: str = ""
    fit: object = None
    law: object = field(default=None, repr=False)
    per_query: list | None = None

    def to_dict(self) -> dict:
        """The JSON record of ``attnlimits tail --json``.

        Returns
        -------
        dict
            The fields above with context lengths as keys of ``n_key`` (``"1e6"``), each β*_n as
            ``{"value", "lo", "hi"}``, the fit's ``k``, ``m``, ``threshold``, ``curvature``, ``stable``, the number
            of pooled ``queries`` and ``effective`` (:meth:`effective`, by the same keys).
        """
        return {"tail_class": self.tail_class, "xi": self.xi, "xi_ci": list(self.xi_ci),
                "alpha": self.alpha, "alpha_ci": None if self.alpha_ci is None else list(self.alpha_ci),
                "c": self.c, "beta_star": {n_key(n): b._asdict() for n, b in self.beta_star.items()},
                "model_beta": self.model_beta,
                "regime_at": None if self.regime_at is None else {n_key(n): r for n, r in self.regime_at.items()},
                "method": self.method,
                "k": getattr(self.fit, "k", None), "m": getattr(self.fit, "m", None),
                "threshold": getattr(self.fit, "threshold", None), "curvature": getattr(self.fit, "z", None),
                "stable": getattr(self.fit, "stable", None), "queries": None if self.per_query is None else len(self.per_query),
                "effective": {n_key(n): v for n, v in self.effective().items()}}

    def effective(self) -> dict:
        """{n: {"alpha_eff", "critical_beta_eff"} or None} for each n of ``beta_star``: the effective exponent
        α_n and scale β̃*_n = 1/t_n of the estimated law of keys (:ref:`theory-effective-exponent`); None for raw scores (no law) or
        where the 1/n quantile t_n lies above the fitted tail."""
        if self.law is None:
            return {n: None for n in self.beta_star}
        values = self.law.effective_exponents(list(self.beta_star))
        return {n: None if values[n] is None else {"alpha_eff": values[n][0], "critical_beta_eff": values[n][1]}
                for n in self.beta_star}


def n_key(n) -> str:
    """The JSON key of a context length: ``1e6`` for a power of ten, else the integer (``4096``)."""
    n = int(n)
    e = len(str(n)) - 1
    return f"1e{e}" if n == 10**e and e >= 3 else str(n)


def _beta_table(fit, ns) -> dict:
    ns = list(ns)
    if len({int(n) for n in ns}) != len(ns):
        raise InputError(f"invalid n={ns}: expected distinct context lengths")
    value, lo, hi = fit.beta_star(np.asarray(ns, dtype=float))
    return {int(n): BetaStar(float(v), float(a), float(b))
            for n, v, a, b in zip(ns, np.atleast_1d(value), np.atleast_1d(lo), np.atleast_1d(hi))}


def _from_power(fit: LocalPowerFit, method: str, ns) -> TailEstimate:
    lo, hi = fit.alpha_ci
    return TailEstimate(tail_class="weibull", xi=-1.0 / fit.alpha, xi_ci=(-1.0 / lo, -1.0 / hi), alpha=fit.alpha,
                        alpha_ci=fit.alpha_ci, c=fit.c, beta_star=_beta_table(fit, ns), method=method, fit=fit)


def _from_pot(fit: PeaksOverThreshold, ns) -> TailEstimate:
    return TailEstimate(tail_class=fit.tail_class, xi=fit.xi, xi_ci=fit.xi_ci, alpha=fit.alpha, alpha_ci=fit.alpha_ci,
                        c=fit.c, beta_star=_beta_table(fit, ns), method="peaks-over-threshold", fit=fit)


def model_beta(queries, keys, scale: float) -> float:
    """The inverse temperature a model applies to unit directions: β = ‖q‖·median‖k‖·scale.

    A score q·k·scale equals β⟨q̂, k̂⟩ with β = ‖q‖‖k‖·scale; the median over keys stands in for ‖k‖.

    Parameters
    ----------
    queries : array_like, shape (d,) or (r, d)
        One query or several.
    keys : array_like, shape (m, d)
        The keys.
    scale : float
        The model's logit scale (1/√d_head).

    Returns
    -------
    float
        ‖q‖·median‖k‖·scale; for several queries the median over them.

    Examples
    --------
    >>> model_beta([3.0, 4.0], [[1.0, 0.0], [0.0, 2.0], [0.0, 3.0]], 0.5)
    5.0
    """
    q = np.atleast_2d(np.asarray(queries, dtype=float))
    med_k = float(np.median(np.linalg.norm(np.asarray(keys, dtype=float), axis=1)))
    return float(np.median(np.linalg.norm(q, axis=1)) * med_k * float(scale))


def estimate_from_scores(scores, *, endpoint: float | None = None, k: int | None = None, ns=N_GRID,
                         bootstrap: int = 200, seed=0) -> TailEstimate:
    """Estimate the tail of raw scores of one query, and β*_n from it (:ref:`theory-extreme-value`).

    With ``endpoint`` E the scores are bounded by E, D = E − s, and α, c come from the smallest D
    (:func:`fit_local_power`); without it a generalized Pareto fit above a threshold gives ξ and the class
    (:func:`fit_peaks_over_threshold`).

    Parameters
    ----------
    scores : array_like, shape (m,)
        Finite raw scores.
    endpoint : float, optional
        A known upper bound E of the scores (≥ every score).
    k : int, optional
        Order statistics (or exceedances) used; default chosen by the fit.
    ns : sequence of int
        Distinct context lengths at which β*_n is predicted (default 1e3 … 1e9).
    bootstrap : int
        Bootstrap replicates of the peaks-over-threshold interval.
    seed : int or SeedSequence
        Seed of the bootstrap.

    Returns
    -------
    TailEstimate
        The class, ξ, α, c and ``beta_star`` keyed by n.
    """
    s = np.asarray(scores)
    if s.ndim != 1 or s.dtype.kind not in "fiu":
        raise InputError(f"invalid scores of shape {s.shape} and dtype {s.dtype}: expected a 1-D numeric array")
    s = s.astype(float)
    if not np.all(np.isfinite(s)):
        raise InputError(f"invalid scores: {int(np.sum(~np.isfinite(s)))} of {s.size} are NaN or inf; expected finite values")
    if endpoint is not None:
        endpoint = check_real("endpoint", endpoint)
        if s.size and s.max() > endpoint:
            raise InputError(f"invalid endpoint={endpoint:g}: the largest score {s.max():g} exceeds it; expected E ≥ every score")
        return _from_power(fit_local_power(endpoint - s, k=k), "known endpoint (Hill/MLE)", ns)
    return _from_pot(fit_peaks_over_threshold(s, k=k, bootstrap=bootstrap, seed=seed), ns)


def estimate_from_keys(queries, keys, *, query_index: int | None = 0, pooled: bool = False, scale: float | None = None,
                       k: int | None = None, ns=N_GRID, regimes: bool = True, max_queries: int = POOLED_QUERIES,
                       seed=0) -> TailEstimate:
    """Estimate α, c of the distance D = 1 − ⟨q̂, k̂⟩ from a query (or a pool of queries) to real keys.

    The endpoint is known (D ≥ 0), so α and c come from the smallest distances (:func:`fit_local_power`).
    Exact duplicate keys count once (a special token at the same position in every window is one key).

    Pooled: each of up to ``max_queries`` evenly spaced queries is fitted on its own (each query has its
    own law of D; mixing them would not be a local law), and the estimate is the median over queries of
    α̂, log ĉ and β*_n, with 95% intervals for those medians from a bootstrap over queries.
    With ``scale`` (the model's 1/√d_head), ``model_beta`` is ‖q‖·median‖k‖·scale (pooled: the median over
    the queries) and ``regime_at`` maps each n of ``ns`` to the regime (exact E[max weight], :ref:`theory-scales`) of
    the estimated law at that β.

    Parameters
    ----------
    queries : array_like, shape (r, d)
        Queries.
    keys : array_like, shape (m, d)
        Keys (exact duplicates count once).
    query_index : int
        The query used when not pooled.
    pooled : bool
        Pool up to ``max_queries`` queries (medians with bootstrap intervals).
    scale : float, optional
        The model's logit scale (1/√d_head): gives ``model_beta`` and ``regime_at``.
    k : int, optional
        Order statistics per fit; default chosen by threshold stability.
    ns : sequence of int
        Distinct context lengths at which β*_n is predicted (default 1e3 … 1e9).
    regimes : bool
        With ``scale``, also compute ``regime_at`` (the exact E[max weight] per n).
    max_queries : int
        Most queries pooled (evenly spaced).
    seed : int or SeedSequence
        Seed of the bootstrap over queries.

    Returns
    -------
    TailEstimate
        α̂, ĉ, ``beta_star`` keyed by n, and ``law`` (the :class:`~attnlimits.laws.EstimatedLaw` of the median query).
    """
    queries = np.asarray(queries, dtype=float)
    keys = np.asarray(keys, dtype=float)
    if queries.ndim != 2 or keys.ndim != 2 or queries.shape[1] != keys.shape[1]:
        raise InputError(f"invalid queries {queries.shape} / keys {keys.shape}: expected two 2-D arrays with the same width")
    keys = np.unique(keys, axis=0)
    if pooled:
        uq = np.unique(queries, axis=0)
        pick = np.unique(np.linspace(0, len(uq) - 1, min(len(uq), check_int("max_queries", max_queries, minimum=1))).astype(int))
        qs = uq[pick]
        fits, dists = [], []
        for q in qs:
            dist = distances_to_query(keys, q)
            fits.append(fit_local_power(dist, k=k))
            dists.append(dist)
        est = _pooled(fits, ns, seed)
        est.method = f"median over {len(fits)} queries (second-order local MLE)"
        mid = int(np.argsort([f.alpha for f in fits])[len(fits) // 2])
        est.law = EstimatedLaw(fits[mid], dists[mid], keys.shape[1])
    else:
        i = check_int("query index", query_index, minimum=0, maximum=len(queries) - 1)
        dist = distances_to_query(keys, queries[i])
        qs = queries[i:i + 1]
        fit = fit_local_power(dist, k=k)
        est = _from_power(fit, f"query {i} (second-order local MLE)", ns)
        est.law = EstimatedLaw(fit, dist, keys.shape[1])
    if scale is not None:
        est.model_beta = model_beta(qs, keys, check_real("scale", scale, lower=0.0, lower_open=True))
        if regimes:
            from ..theory import regime

            est.regime_at = dict({n: regime(est.law, n, est.model_beta) for n in est.beta_star})
    return est


def _pooled(fits, ns, seed, level: float = 0.95, resamples: int = 2000) -> TailEstimate:
    """Medians over per-query fits, with bootstrap-over-queries percentile intervals."""
    from .._rng import as_seed_sequence, generator

    alpha = np.array([f.alpha for f in fits])
    log_c = np.array([f.log_c for f in fits])
    log_b = np.array([f.log_beta_star(np.asarray(ns, dtype=float)) for f in fits])  # (queries, n)
    rng = generator(as_seed_sequence(seed), 1)
    idx = rng.integers(0, len(fits), (resamples, len(fits)))
    q = [0.5 - level / 2.0, 0.5 + level / 2.0]
    a_lo, a_hi = np.quantile(np.median(alpha[idx], axis=1), q)
    b_med = np.median(log_b, axis=0)
    b_lo, b_hi = np.quantile(np.median(log_b[idx], axis=1), q, axis=0)
    a = float(np.median(alpha))
    beta_star = dict({n: BetaStar(float(np.exp(v)), float(np.exp(lo)), float(np.exp(hi)))
                                 for n, v, lo, hi in zip(_beta_table(fits[0], ns), b_med, b_lo, b_hi)})  # order of ns
    est = TailEstimate(tail_class="weibull", xi=-1.0 / a, xi_ci=(-1.0 / a_lo, -1.0 / a_hi), alpha=a,
                       alpha_ci=(float(a_lo), float(a_hi)), c=float(np.exp(np.median(log_c))), beta_star=beta_star)
    est.fit = fits[int(np.argsort(alpha)[len(fits) // 2])]
    est.per_query = [{"alpha": f.alpha, "alpha_ci": list(f.alpha_ci), "c": f.c, "k": f.k, "stable": f.stable} for f in fits]
    return est
