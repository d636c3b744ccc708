"""Each forecast kind of E[max weight] at a target visible count n, from a :class:`~._fit.FitEstimate`:

- ``persistence``: the fitting bin's measured mean, carried forward;
- ``iid``: the exact E[max w] of the estimated law at n and the median β (:ref:`theory-exact-identities`; today's pipeline);
- ``sink``: the exact conditional E[max w] given each fitting query's (β_q, S_q), over n − m bulk keys of the
  bulk law, averaged over the queries (:ref:`theory-sinks`, :func:`attnlimits.theory.sink_expectations`);
- ``drift``: the same with each sink logit moved along its fitted trend, β_q·S_q + b_j·(log n − log n_q).

The sink-aware kinds group the queries into quantile groups of β_q and evaluate each at its group's median β,
keeping each query's sink logit β_q·S_q exact (S_q = logit/β_group): one quadrature per group rather than
Chebyshev interpolation over every β_q (seconds per call at d = 64). Both variants share the quadratures
(one call, the queries stacked).
"""

from __future__ import annotations

import numpy as np

__all__ = ["forecast_values", "grouped_betas"]


def grouped_betas(betas, groups: int) -> np.ndarray:
    """Each β replaced by the median of its quantile group (``groups`` groups of near-equal size).

    Parameters
    ----------
    betas : array_like
        β_q of each query.
    groups : int
        Number of groups (at most one per query).

    Returns
    -------
    ndarray
        The group median of each query's β, in the input order.

    Examples
    --------
    >>> grouped_betas([1.0, 2.0, 3.0, 10.0], 2).tolist()
    [1.5, 1.5, 6.5, 6.5]
    """
    b = np.asarray(betas, dtype=float)
    order = np.argsort(b, kind="stable")
    out = np.empty_like(b)
    for part in np.array_split(order, min(groups, b.size)):
        out[part] = np.median(b[part])
    return out


def _sink_pair(est, n: int, groups: int, variants) -> dict:
    from ..theory import sink_expectations

    m = est.sinks.size
    n_bulk = max(int(n) - m, 1)
    bg = grouped_betas(est.pair_beta, groups)
    logits = {"sink": est.pair_logit,
              "drift": est.pair_logit + est.slopes[None, :] * (np.log(n) - est.pair_logn)[:, None]}
    names = [v for v in ("sink", "drift") if v in variants]
    betas = np.concatenate([bg] * len(names))
    scores = np.concatenate([logits[v] / bg[:, None] for v in names]) if m else np.zeros((betas.size, 0))
    r = sink_expectations(est.bulk_law, n_bulk, betas, scores)
    Q = bg.size
    return {v: float(r["max_weight"][i * Q:(i + 1) * Q].mean()) for i, v in enumerate(names)}


def forecast_values(est, ns, *, groups: int, variants=("sink", "drift")) -> dict:
    """{kind: [forecast at each n of ``ns``]} for persistence, iid and the sink-aware ``variants`` (NaN where
    the law could not be fitted).

    Parameters
    ----------
    est : FitEstimate
        A fit of the fitting window.
    ns : sequence of int
        Target visible counts.
    groups : int
        Quantile groups of β_q in the sink-aware theory (module docstring).
    variants : sequence of str
        Among "sink", "drift".

    Returns
    -------
    dict
        kind → list of float, one per n.
    """
    from ..theory import expected_max_weight

    out = {"persistence": [est.persistence] * len(ns)}
    out["iid"] = [float(expected_max_weight(est.law, int(n), est.beta)) if est.law is not None else float("nan")
                  for n in ns]
    for v in variants:
        out[v] = []
    for n in ns:
        vals = _sink_pair(est, n, groups, variants) if est.bulk_law is not None else {v: float("nan") for v in variants}
        for v in variants:
            out[v].append(vals[v])
    return out
