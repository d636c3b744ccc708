"""The sink-aware iso-selectivity multiplier of a head and the summary of a checkpoint's audit (:ref:`theory-sinks`, :ref:`theory-exact-identities`, :ref:`theory-extreme-value`).

A head is described at n ≤ T by a bulk key law (sink keys left out), m fixed keys (sinks) and a sample of
queries, each with its pair (β_q, S_q): logit β_q·S_qj on sink j, β_q·(1 − D) on a bulk key. A logit
multiplier r scales every logit alike, so at n the query's pair is (r·β_q, S_q) over n − m bulk keys. The
kept selectivity is the sample mean of the exact conditional E[max w] at T (:ref:`theory-sinks`); the multiplier the head
needs at n is the root r_iso(n) of

    Ē_n(r) = mean_q E[max w](law, n − m; r·β_q, S_q) = Ē_T(1).

Ē_n increases with r (for fixed logits x, d/dr max softmax(r x) = p_max (x_max − E_p x) ≥ 0), so the root is
unique. Each query's E[max w] is a smooth function of β whose logit is smoother still (a sink switches on
like a logistic curve: :mod:`attnlimits.theory._sinks`); the logits are evaluated at Chebyshev–Lobatto nodes
in log β that cover r·β_q for every query and every r of the search range (one quadrature per node serves
every query's scores: :func:`attnlimits.theory.sink_expectations` with at most nine distinct β), and
interpolated there. So the root and every rule's multiplier at one n cost one set of nodes (5, 9 or 17, as
the interpolation error asks), not one set per r. The interpolation error is estimated from the Chebyshev
coefficients of the logits (the neglected tail, as in :mod:`attnlimits.theory._sinks`, times the largest
p(1 − p)) and carried to r through the slope: δr/r ≈ δĒ / (dĒ/d log r).
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_int, check_real
from ..theory._chebyshev import chebyshev_interpolate, chebyshev_nodes, expit_pair, logit_pair, logit_tail

__all__ = ["sink_iso_multipliers", "audit_summary", "AUDIT_RTOL", "AUDIT_TOL"]

#: Relative accuracy asked of each r_iso(n) (interpolation error carried through the slope).
AUDIT_RTOL = 1e-3
#: Absolute accuracy asked of each E[max w] quadrature and interpolation (sink_expectations' tol).
AUDIT_TOL = 1e-4
#: Node counts of the interpolation in 1/β, tried in turn (each Lobatto set contains the last).
_NODES = (5, 9, 17)


class _Interpolant:
    """E[max w](law, n; β, S_q) of every sampled query for β in [b_lo, b_hi], through its logit on Chebyshev nodes
    in log β (module docstring)."""

    def __init__(self, law, n: int, scores: np.ndarray, b_lo: float, b_hi: float, tol: float):
        self.law, self.n, self.scores, self.tol = law, n, scores, tol
        self.y_lo, self.y_hi = math.log(b_lo), math.log(b_hi)
        self.cache: dict = {}
        self.quadratures = 0
        self._at(_NODES[0])

    def _at(self, k: int) -> None:
        from ..theory import sink_expectations

        xs = chebyshev_nodes(k)
        todo = [x for x in xs if round(float(x), 14) not in self.cache]
        Q = self.scores.shape[0]
        for start in range(0, len(todo), 9):  # at most nine distinct β per call: one quadrature each
            part = todo[start:start + 9]
            y = 0.5 * (self.y_lo + self.y_hi) + 0.5 * (self.y_hi - self.y_lo) * np.asarray(part)
            r = sink_expectations(self.law, self.n, np.repeat(np.exp(y), Q), np.tile(self.scores, (len(part), 1)),
                                  tol=self.tol)
            for i, x in enumerate(part):
                rows = slice(i * Q, (i + 1) * Q)
                self.cache[round(float(x), 14)] = (r["max_weight"][rows], r["one_minus_max_weight"][rows])
            self.quadratures += len(part)
        p = np.stack([self.cache[round(float(x), 14)][0] for x in xs])
        c = np.stack([self.cache[round(float(x), 14)][1] for x in xs])
        self.logits = logit_pair(p, c)
        self.error = logit_tail(self.logits, p, c)

    @property
    def nodes(self) -> int:
        return self.logits.shape[0]

    def refine(self) -> None:
        """The next node set (5 → 9 → 17: 4, then 8 new quadratures)."""
        if self.nodes < _NODES[-1]:
            self._at(_NODES[_NODES.index(self.nodes) + 1])

    def mean(self, betas: np.ndarray) -> float:
        """Sample mean of E[max w] at each query's own β (betas (Q,), inside the range)."""
        x = (2.0 * np.log(betas) - (self.y_lo + self.y_hi)) / (self.y_hi - self.y_lo)
        return float(np.mean(expit_pair(chebyshev_interpolate(self.logits, np.clip(x, -1.0, 1.0)))[0]))


def sink_iso_multipliers(law, n_train, ns, betas, scores, *, multipliers=None, tol: float = AUDIT_TOL,
                         rtol: float = AUDIT_RTOL, row_nodes: int | None = None) -> dict:
    """The multiplier r_iso(n) = β_iso(n)/β that keeps a head's sink-aware E[max weight] at its value at T,
    and the sink-aware E[max weight] at n under given multipliers (module docstring; :ref:`theory-sinks`, :ref:`theory-exact-identities`).

    Parameters
    ----------
    law : KeyLaw
        The bulk law (sink keys left out), with an exact distance law (uniform, or an ``EstimatedLaw``).
    n_train : int
        Training length T (visible keys, sinks included), > m.
    ns : sequence of int
        Visible context lengths n > m (sinks included: the bulk holds n − m keys).
    betas : array_like, shape (Q,)
        β_q > 0 of each sampled query.
    scores : array_like, shape (Q, m)
        The queries' sink scores S_qj in the units of ⟨q, K⟩ (logit β_q S_qj); m may be 0.
    multipliers : dict of str to array_like, optional
        name → multiplier at each n (e.g. every rule of :func:`multipliers`): their E[max w] at n is returned.
    tol : float
        Absolute accuracy of each E[max w] (quadrature and interpolation), > 0.
    rtol : float
        Relative accuracy asked of r_iso: the interpolant's nodes go 5 → 9 → 17 until its error, carried to r
        through the slope, is at most this.
    row_nodes : int, optional
        For many lengths in a short range (a schedule in (T, 2T]): solve exactly only at this many
        Chebyshev–Lobatto nodes in log n over [min ns, max ns] (rounded to integers) and at one check length (the
        requested n farthest in log n from every node), and interpolate r_iso and logit Ē_n(1) in log n between
        the nodes (barycentric, at the rounded nodes). Each row says ``interpolated`` and its ``r_iso_error``
        includes the check's relative deviation. Only without ``multipliers``.

    Returns
    -------
    dict
        ``max_weight_train`` (Ē_T: the kept value, the sample mean of the exact E[max w] at T, r = 1),
        ``quadratures`` (total, T included), and ``rows``: per n, ``n``, ``r_iso``, ``r_iso_error`` (estimated relative
        error), ``max_weight_none`` (Ē_n(1)), ``max_weight`` (name → Ē_n at that multiplier), ``nodes``,
        ``quadratures``; ``r_iso`` is NaN with ``error`` where no root was bracketed.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> r = sink_iso_multipliers(UniformSphere(8), 200, [800], [20.0, 24.0], [[0.9], [0.8]])
    >>> 1.0 < r["rows"][0]["r_iso"] < 2.0
    True
    """
    from ..theory import sink_expectations

    n_train = check_int("n-train", n_train, minimum=2)
    ns = [check_int("n", n, minimum=2) for n in ns]
    tol = check_real("tol", tol, lower=0.0, lower_open=True)
    rtol = check_real("rtol", rtol, lower=0.0, lower_open=True)
    b = np.asarray(betas, dtype=float).ravel()
    S = np.asarray(scores, dtype=float)
    if S.size == 0:
        S = S.reshape(b.size, 0)
    if S.ndim != 2 or S.shape[0] != b.size or b.size == 0:
        raise InputError(f"invalid scores of shape {S.shape}: expected (Q, m) with Q = len(betas) = {b.size} ≥ 1")
    if not np.all(np.isfinite(b) & (b > 0)):
        raise InputError(f"invalid betas={b[~(np.isfinite(b) & (b > 0))][0]!r}: expected finite numbers > 0")
    m = S.shape[1]
    if n_train <= m or min(ns) <= m:
        raise InputError(f"invalid n: every length (n-train = {n_train} included) must exceed the {m} sinks")
    mults = {k: np.broadcast_to(np.asarray(v, dtype=float), (len(ns),)) for k, v in (multipliers or {}).items()}
    dense = row_nodes is not None and len(ns) > check_int("row-nodes", row_nodes, minimum=3)
    if dense and mults:
        raise InputError("invalid multipliers: row_nodes interpolates r_iso between exact lengths; it takes no "
                         "multipliers (their E[max w] would need every length)")
    if b.max() > b.min():
        it = _Interpolant(law, n_train - m, S, b.min(), b.max(), tol)
        while float(np.mean(it.error)) > tol and it.nodes < _NODES[-1]:
            it.refine()
        e_train, total = it.mean(b), it.quadratures
    else:
        e_train = float(np.mean(sink_expectations(law, n_train - m, b, S, tol=tol)["max_weight"]))
        total = len(np.unique(b))
    if dense:
        out = _interpolated_rows(law, m, ns, b, S, e_train, tol, rtol, row_nodes)
        out.update(max_weight_train=e_train, quadratures=total + out["quadratures"])
        return out
    rows, prev = [], []
    for i, n in enumerate(ns):
        wanted = [1.0] + [float(v[i]) for v in mults.values()]
        row = _iso_row(law, n - m, b, S, e_train, wanted, tol, rtol, prev)
        if math.isfinite(row["r_iso"]):
            prev.append(row["r_iso"])
        row["n"] = n
        vals = row.pop("values")
        row["max_weight"] = {k: vals[j + 1] for j, k in enumerate(mults)}
        total += row["quadratures"]
        rows.append(row)
    return {"max_weight_train": e_train, "quadratures": total, "rows": rows}


def _interpolated_rows(law, m, ns, b, S, target, tol, rtol, k) -> dict:
    """Rows at every n of ``ns`` from exact rows at k Chebyshev–Lobatto nodes in log n (sink_iso_multipliers'
    ``row_nodes``), checked at the requested n farthest from the nodes."""
    y = np.log(np.asarray(ns, dtype=float))
    lo, hi = y.min(), y.max()
    nodes = sorted({int(round(math.exp(0.5 * (lo + hi) + 0.5 * (hi - lo) * x))) for x in chebyshev_nodes(k)})
    yn = np.log(np.asarray(nodes, dtype=float))
    check = int(ns[int(np.argmax([np.min(np.abs(yn - v)) for v in y]))])
    exact, prev, quads = {}, [], 0
    for n in [*nodes, check] if check not in nodes else nodes:
        row = _iso_row(law, n - m, b, S, target, [1.0], tol, rtol, prev if n != check else [])
        quads += row["quadratures"]
        if not math.isfinite(row["r_iso"]):
            bad = {"r_iso": math.nan, "r_iso_error": math.nan, "error": f"at n = {n}: {row['error']}",
                   "max_weight_none": math.nan, "max_weight": {}, "nodes": 0, "quadratures": 0}
            return {"rows": [{"n": int(v), **bad} for v in ns], "row_nodes": nodes, "quadratures": quads}
        prev.append(row["r_iso"])
        exact[n] = row
    w = _barycentric_weights(yn)
    r_at = lambda v: _barycentric(yn, w, np.array([exact[n]["r_iso"] for n in nodes]), v)  # noqa: E731
    logit_e = np.array([logit_pair(exact[n]["max_weight_none"], 1.0 - exact[n]["max_weight_none"]) for n in nodes])
    deviation = abs(r_at(math.log(check)) / exact[check]["r_iso"] - 1.0)
    node_error = max(exact[n]["r_iso_error"] for n in nodes)
    rows = []
    for n, v in zip(ns, y):
        if int(n) in exact and int(n) in nodes:
            row = {k2: exact[int(n)][k2] for k2 in ("r_iso", "r_iso_error", "max_weight_none", "nodes")}
            row["interpolated"] = False
        else:
            row = {"r_iso": float(r_at(v)), "r_iso_error": max(node_error, deviation),
                   "max_weight_none": float(expit_pair(np.asarray(_barycentric(yn, w, logit_e, v)))[0]),
                   "nodes": int(k), "interpolated": True}
        rows.append({"n": int(n), **row, "max_weight": {}, "quadratures": 0})
    return {"rows": rows, "row_nodes": nodes, "quadratures": quads,
            "check": {"n": check, "r_iso": exact[check]["r_iso"], "interpolated": float(r_at(math.log(check))),
                      "relative_deviation": deviation}}


def _barycentric_weights(x: np.ndarray) -> np.ndarray:
    """Barycentric weights 1/∏_{k≠j}(x_j − x_k) of distinct nodes x (scaled: only their ratios matter)."""
    d = x[:, None] - x[None, :]
    np.fill_diagonal(d, 1.0)
    w = 1.0 / np.prod(d / (x.max() - x.min()), axis=1)
    return w


def _barycentric(x: np.ndarray, w: np.ndarray, f: np.ndarray, t: float) -> float:
    """The polynomial through (x_j, f_j) at t (second barycentric form)."""
    diff = t - x
    if np.any(diff == 0.0):
        return float(f[np.flatnonzero(diff == 0.0)[0]])
    c = w / diff
    return float(np.dot(c, f) / c.sum())


def _iso_row(law, n_bulk, b, S, target, wanted, tol, rtol, prev) -> dict:
    """r_iso at one n from the interpolant over [lo, hi] ∋ every wanted multiplier; the range starts from the
    roots at the smaller n (``prev``: r_iso grows with n) and widens until it brackets the root."""
    from scipy import optimize

    guess = prev[-1] * (prev[-1] / prev[-2] if len(prev) > 1 else 1.3) if prev else 1.3
    lo, hi = 0.97 * min(wanted), 1.1 * max(max(wanted), guess)
    quads = 0
    for _ in range(6):  # widen the range until it brackets the root
        it = _Interpolant(law, n_bulk, S, lo * b.min(), hi * b.max(), tol)
        f = lambda y, it=it: it.mean(math.exp(y) * b) - target  # noqa: E731
        f_lo, f_hi = f(math.log(lo)), f(math.log(hi))
        if f_lo <= 0.0 <= f_hi:
            break
        quads += it.quadratures
        lo, hi = (lo / 1.5, hi) if f_lo > 0 else (lo, hi * 1.5)
    else:
        quads += it.quadratures
        return {"r_iso": math.nan, "r_iso_error": math.nan, "error": f"no root for r in [{lo:.3g}, {hi:.3g}]",
                "max_weight_none": math.nan, "values": [math.nan] * len(wanted), "nodes": 0, "quadratures": quads}
    while True:
        f = lambda y, it=it: it.mean(math.exp(y) * b) - target  # noqa: E731
        y = optimize.brentq(f, math.log(lo), math.log(hi), xtol=1e-9)
        h = 1e-4
        slope = (f(y + h) - f(y - h)) / (2 * h)  # dĒ/d log r
        err = float(np.mean(it.error)) / slope if slope > 0 else math.inf
        if err <= rtol or it.nodes >= _NODES[-1]:
            break
        it.refine()
    quads += it.quadratures
    return {"r_iso": math.exp(y), "r_iso_error": err, "max_weight_none": it.mean(b),
            "values": [it.mean(w * b) for w in wanted], "nodes": int(it.nodes), "quadratures": quads,
            "interpolation_error": float(np.mean(it.error))}


def audit_summary(heads, ns, rule_names) -> dict:
    """Over the audited heads, per n: quartiles of the needed multiplier r_iso and, per rule, how many heads it
    over-scales (its multiplier > r_iso) or under-scales, with the median change of E[max w] from the kept value.

    Parameters
    ----------
    heads : list of dict
        Per head ``max_weight_train`` and ``rows`` (per n: ``r_iso``, ``multipliers`` name → value,
        ``max_weight`` name → Ē_n), as :func:`attnlimits.models.audit_checkpoint` gives.
    ns : sequence of int
        The context lengths, in the order of each head's rows.
    rule_names : sequence of str
        The rules to summarise (each in every row's ``multipliers``).

    Returns
    -------
    list of dict
        Per n: ``n``, ``heads`` (with a root), ``r_iso_quartiles`` ([Q1, median, Q3]), ``r_iso_range``,
        ``rules``: name → ``multiplier`` (median over heads), ``over``, ``under``, ``delta_max_weight``
        (median over heads of Ē_n(rule) − Ē_T), ``delta_over`` and ``delta_under`` (the same over the heads it
        over- and under-scales; None when there are none).
    """
    out = []
    med = lambda x: float(np.median(x)) if len(x) else None  # noqa: E731
    for i, n in enumerate(ns):
        ok = [h for h in heads if h.get("rows") and math.isfinite(h["rows"][i]["r_iso"])]
        r = np.array([h["rows"][i]["r_iso"] for h in ok])
        rules = {}
        for name in rule_names:
            mult = np.array([h["rows"][i]["multipliers"][name] for h in ok])
            delta = np.array([h["rows"][i]["max_weight"][name] - h["max_weight_train"] for h in ok])
            over, under = mult > r, mult < r
            rules[name] = {"multiplier": med(mult), "over": int(over.sum()), "under": int(under.sum()),
                           "delta_max_weight": med(delta), "delta_over": med(delta[over]),
                           "delta_under": med(delta[under])}
        out.append({"n": int(n), "heads": len(ok),
                    "r_iso_quartiles": [float(v) for v in np.quantile(r, [0.25, 0.5, 0.75])] if len(r) else None,
                    "r_iso_range": [float(r.min()), float(r.max())] if len(r) else None, "rules": rules})
    return out
