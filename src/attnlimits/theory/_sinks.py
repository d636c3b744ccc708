"""Fixed keys (attention sinks) beside the n i.i.d. keys: exact finite-n expectations (:ref:`theory-sinks`).

A setting is (law, n, β) plus m fixed scores s_j in the units of ⟨q,K⟩ (logit β s_j; s_j > 1 is allowed). The
quadrature is :mod:`._sink_quadrature`; this module validates, assembles the per-sink values and their
complements (each a sum of positive terms), evaluates many queries (each with its own β and sinks) at once,
and finds β_{1/2} with sinks. Many distinct β are interpolated through the logits of the probabilities
(each from its pair: log p − log(1 − p), the complement computed on its own) in log β. A sink switches on
like a logistic curve in β (its logit β(s − 1) crosses the bulk's log-partition), which a polynomial in β
follows badly and one in the logit well. Largest error over 32 queries, 9 (17) Chebyshev nodes:

* uniform d = 64, n = 1e6, two sinks in [0.2, 0.7], β in [40, 100]: 8.5e−6 (2.0e−10) for the values in 1/β,
  1.1e−6 (1.1e−10) for the logits in log β;
* a law fitted to d = 64 distances (α̂ = 48), n = 32768, one sink in [0.3, 0.8], β in [8, 30]: 2.2e−2
  (4.3e−4) against 2.7e−6 (3.0e−8).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from scipy import special

from .._validation import InputError, check_real, check_sinks
from ._counts import check_exact_setting, count_grid
from ._chebyshev import chebyshev_interpolate, chebyshev_nodes, expit_pair, logit_pair, logit_tail
from ._roots import bracket_increasing

__all__ = ["sink_expectations", "expected_sink_weight", "sink_beta_half", "SINK_KEYS"]

#: The arrays of :func:`sink_expectations`.
SINK_KEYS = ("max_weight", "one_minus_max_weight", "ipr", "one_minus_ipr", "sink_weight", "one_minus_sink_weight",
             "sink_weight_total", "interpolation_error")
#: Chebyshev–Lobatto node counts in log β tried in turn on an interval by :func:`sink_expectations` (each set
#: contains the last, so a refinement reuses every earlier quadrature); it may stop from _MIN_STOP nodes on,
#: and an interval whose last set misses the tolerance is halved.
_NODE_COUNTS = (5, 9, 17)
_MIN_STOP = 9
#: Queries with at most this many distinct β are evaluated at each of them directly.
_DIRECT = 9


def _check_law(law, n):
    return check_exact_setting(law, n, 0.0)[0]


def _direct(law, n: int, beta: float, scores: np.ndarray) -> dict:
    """Every expectation for the queries ``scores`` (Q, m) at one β ≥ 0, by one quadrature."""
    Q, m = scores.shape
    if beta == 0.0 or (n == 1 and m == 0):
        w = 1.0 / (n + m)
        return _uniform(Q, m, w)
    from ._sink_quadrature import SinkQuadrature

    log_c = beta * (scores - 1.0)
    r = SinkQuadrature(law, count_grid(law, n), beta, log_c).integrate()
    return _assemble(r, log_c, n)


def _uniform(Q, m, w):
    full = np.full(Q, w)
    return {"max_weight": full, "one_minus_max_weight": 1.0 - full, "ipr": full.copy(), "one_minus_ipr": 1.0 - full,
            "sink_weight": np.full((Q, m), w), "one_minus_sink_weight": np.full((Q, m), 1.0 - w),
            "sink_weight_total": m * full}


def _assemble(r, log_c, n) -> dict:
    Q, m = log_c.shape
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        lC = special.logsumexp(log_c, axis=1) if m else np.full(Q, -np.inf)
        share = np.exp(log_c - lC[:, None]) if m else np.zeros((Q, 0))
        others = np.empty((Q, m))
        for j in range(m):
            rest = np.delete(log_c, j, axis=1)
            others[:, j] = np.exp(special.logsumexp(rest, axis=1) - lC) if m > 1 else 0.0
        sq = np.exp(special.logsumexp(2.0 * log_c, axis=1) - 2.0 * lC) if m else np.zeros(Q)
        cross = np.zeros(Q)  # 1 − Σ C_j²/C² = 2 Σ_{i<j} C_i C_j / C²
        for i in range(m):
            for j in range(i + 1, m):
                cross += 2.0 * np.exp(log_c[:, i] + log_c[:, j] - 2.0 * lC)
    I0, I2 = r["I0"], r["I2"]
    return {
        "max_weight": r["Smax"] + r["Bmax"],
        "one_minus_max_weight": r["T1"] + r["T2"],
        "ipr": sq * I2 + r["J2"],
        "one_minus_ipr": cross * I2 + 2.0 * r["J1c"] + r["J11"],
        "sink_weight": share * I0[:, None],
        "one_minus_sink_weight": others * I0[:, None] + r["J1"][:, None],
        "sink_weight_total": I0 if m else np.zeros(Q),
    }


def _finish(raw: dict) -> dict:
    """Each value from its own integral below 1/2 and from its complement above (no cancellation near 1)."""
    out = dict(raw)
    for key, comp in (("max_weight", "one_minus_max_weight"), ("ipr", "one_minus_ipr"),
                      ("sink_weight", "one_minus_sink_weight")):
        v, c = raw[key], raw[comp]
        out[key] = np.where(v < 0.5, v, 1.0 - c)
        out[comp] = np.where(c < 0.5, c, 1.0 - v)
    return out


def sink_expectations(law, n, betas, scores, *, tol: float = 1e-6) -> dict:
    """Exact E[max w], E[IPR] and E[w_sink,j] per query, each query with its own β_q and fixed scores (:ref:`theory-sinks`).

    Each value is the expectation over the n i.i.d. keys of ``law`` given (β_q, s_q): the identities of
    :ref:`theory-sinks` by quadrature. One quadrature at a β serves every query's scores (the sinks enter only through
    e^{−uC} and the cut of the bulk at x* = β a*). Where the queries have more distinct β than the first set
    of interpolation nodes, every query is evaluated at Chebyshev–Lobatto nodes in log β over the queries'
    range and interpolated, each probability through its logit (module docstring); the node count
    doubles (5, 9, 17; each set contains the last, so nothing is computed twice) until the error estimate of
    the interpolant is at most ``tol`` at every query (from 9 nodes on), else the range is halved and each
    half treated alike (down to at most 9 distinct β, evaluated directly). The estimate bounds the neglected
    Chebyshev tail of the logits where the coefficients decay geometrically, as they do for these analytic
    functions: twice the larger of the last two coefficients where those have fallen by 4 from the two
    before, else the sum of the last three; times the largest p(1 − p) at the nodes, it is returned as
    ``interpolation_error`` (0 where β was evaluated directly).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query, or an
        :class:`~attnlimits.laws.EstimatedLaw`).
    n : int
        Number of i.i.d. keys, ≥ 1.
    betas : array_like, shape (Q,)
        Inverse temperature β_q ≥ 0 of each query.
    scores : array_like, shape (Q, m)
        Fixed scores s_qj in the units of ⟨q,K⟩ (logit β_q s_qj), any finite real; m may be 0.
    tol : float
        Target absolute accuracy of the interpolation in log β (> 0).

    Returns
    -------
    dict
        ``max_weight`` (Q,), ``one_minus_max_weight`` (Q,), ``ipr`` (Q,), ``one_minus_ipr`` (Q,),
        ``sink_weight`` (Q, m), ``one_minus_sink_weight`` (Q, m), ``sink_weight_total`` (Q,) and
        ``interpolation_error`` (Q,). Values above 1/2 come from their complements (sums of positive terms).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> r = sink_expectations(UniformSphere(8), 1000, [20.0], [[0.9]])  # :ref:`theory-sinks`
    >>> round(float(r["max_weight"][0]), 4), round(float(r["sink_weight"][0, 0]), 4), round(float(r["ipr"][0]), 4)
    (0.3188, 0.2703, 0.1703)
    """
    n = _check_law(law, n)
    tol = check_real("tol", tol, lower=0.0, lower_open=True)
    b = np.asarray(betas, dtype=float).ravel()
    S = np.asarray(scores, dtype=float)
    if S.ndim == 1 and S.size == 0:
        S = S.reshape(b.size, 0)
    if S.ndim != 2 or S.shape[0] != b.size:
        raise InputError(f"invalid scores of shape {S.shape}: expected (Q, m) with Q = len(betas) = {b.size}")
    if not np.all(np.isfinite(b)) or np.any(b < 0) or np.any(b > 1e30):
        bad = b[~(np.isfinite(b) & (b >= 0) & (b <= 1e30))][0]
        raise InputError(f"invalid betas={bad!r}: expected finite numbers in [0, 1e+30]")
    if not np.all(np.isfinite(S)):
        raise InputError(f"invalid scores={S[~np.isfinite(S)][0]!r}: expected finite numbers (fixed scores in the "
                         "units of <q,K>, any real)")
    Q, m = S.shape
    out = {k: np.zeros((Q, m)) if k in ("sink_weight", "one_minus_sink_weight") else np.zeros(Q) for k in SINK_KEYS}
    if Q == 0:
        return out
    zero = b == 0.0
    if zero.any():
        for k, v in _uniform(int(zero.sum()), m, 1.0 / (n + m)).items():
            out[k][zero] = v
    pos = ~zero
    bp, Sp = b[pos], S[pos]
    if bp.size:
        raw, err = _piecewise(law, n, bp, Sp, tol)
        res = _finish(raw)
        for k, v in res.items():
            out[k][pos] = v
        out["interpolation_error"][pos] = err
    return out


#: The probabilities interpolated through their logits, each with its complement.
_PAIRS = (("max_weight", "one_minus_max_weight"), ("ipr", "one_minus_ipr"),
          ("sink_weight", "one_minus_sink_weight"))


def _piecewise(law, n: int, bp: np.ndarray, Sp: np.ndarray, tol: float):
    """(raw values, error estimate) for queries with β > 0: direct where they have at most _DIRECT distinct β,
    else Chebyshev interpolation of the logits in log β on their range, halved until the estimate is at most
    ``tol`` (module docstring)."""
    uniq = np.unique(bp)
    if uniq.size <= _DIRECT or uniq[-1] <= uniq[0] * (1.0 + 1e-12):
        raw = {}
        for beta in uniq:
            sel = np.flatnonzero(bp == beta)
            r = _direct(law, n, float(beta), Sp[sel])
            for k, v in r.items():
                raw.setdefault(k, np.zeros((bp.size,) + v.shape[1:]))[sel] = v
        return raw, np.zeros(bp.size)
    lo, hi = math.log(uniq[0]), math.log(uniq[-1])
    t = np.clip((2.0 * np.log(bp) - (lo + hi)) / (hi - lo), -1.0, 1.0)
    cache: dict = {}
    for k_nodes in _NODE_COUNTS:
        rows = []
        for x in chebyshev_nodes(k_nodes):
            key = round(float(x), 14)
            if key not in cache:
                cache[key] = _direct(law, n, math.exp(0.5 * (lo + hi) + 0.5 * (hi - lo) * x), Sp)
            rows.append(cache[key])
        err = np.zeros(bp.size)
        logits = {}
        for p, c in _PAIRS:
            pv, cv = np.stack([r[p] for r in rows]), np.stack([r[c] for r in rows])
            logits[p] = logit_pair(pv, cv)
            tail = logit_tail(logits[p], pv, cv)
            err = np.maximum(err, tail if tail.ndim == 1 else tail.max(axis=1, initial=0.0))
        if k_nodes >= _MIN_STOP and np.all(err <= tol):
            raw = {}
            for p, c in _PAIRS:
                raw[p], raw[c] = expit_pair(chebyshev_interpolate(logits[p], t))
            raw["sink_weight_total"] = raw["sink_weight"].sum(axis=1)
            return raw, err
    left = np.log(bp) <= 0.5 * (lo + hi)
    raw, err = {}, np.zeros(bp.size)
    for sel in (np.flatnonzero(left), np.flatnonzero(~left)):
        r, e = _piecewise(law, n, bp[sel], Sp[sel], tol)
        for k, v in r.items():
            raw.setdefault(k, np.zeros((bp.size,) + v.shape[1:]))[sel] = v
        err[sel] = e
    return raw, err


#: Scalar results by (law.cache_key, n, β, sinks); at most _CACHE_SIZE, least recently used first.
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256


def sink_values(law, n: int, beta: float, sinks: tuple) -> dict:
    """:func:`sink_expectations` for one query (validated arguments), as floats and a per-sink tuple; cached."""
    key = (law.cache_key, n, float(beta), sinks)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    scores = np.asarray([sinks], dtype=float).reshape(1, len(sinks))
    r = _finish(_direct(law, n, float(beta), scores))
    res = {k: (tuple(float(x) for x in v[0]) if v.ndim == 2 else float(v[0])) for k, v in r.items()}
    _CACHE[key] = res
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return res


def expected_sink_weight(law, n, beta, sinks) -> np.ndarray:
    """E[w_sink,j] of each fixed key at finite n, exact: e^{−β a_j} ∫_0^∞ e^{−uC} φ(u)^n du (:ref:`theory-sinks`).

    a_j = 1 − s_j, C = Σ_j e^{−β a_j}, φ(u) = E e^{−uY}, Y = e^{−βD}. Where a value exceeds 1/2 it comes from
    E[1 − w_sink,j] = (C − C_j) ∫ e^{−uC} φ^n du + n ∫ e^{−uC} E[Y e^{−uY}] φ^{n−1} du (positive terms).

    Parameters
    ----------
    law : KeyLaw
        A law with an exact distance law and quantile (uniform, subsphere, vMF centred on the query).
    n : int
        Number of i.i.d. keys, ≥ 1.
    beta : float
        Inverse temperature β ≥ 0.
    sinks : sequence of float
        The fixed keys' scores s_j in the units of ⟨q,K⟩ (any finite real; s_j > 1 is above every random key).

    Returns
    -------
    numpy.ndarray
        E[w_sink,j], shape (m,).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(float(expected_sink_weight(UniformSphere(3), 500, 30.0, [0.95])[0]), 5)  # :ref:`theory-sinks`
    0.02766
    """
    n = _check_law(law, n)
    beta = check_real("beta", beta, lower=0.0, upper=1e30)
    sinks = check_sinks(sinks)
    if not sinks:
        return np.zeros(0)
    return np.array(sink_values(law, n, beta, sinks)["sink_weight"])


def sink_beta_half(law, n: int, sinks: tuple, rtol: float = 1e-7):
    """(β_{1/2}, note): the β where the exact E max w with the fixed keys ``sinks`` is 1/2, or (None, why)
    (validated arguments, m ≥ 1)."""
    top = max(sinks)
    ties = sum(1 for s in sinks if s == top)
    if ties >= 2 and top >= 1.0:
        return None, (f"beta_half: none with sinks: {ties} fixed keys tie at the top score {top:g} ≥ 1, above every "
                      f"random key, so the max weight is at most 1/{ties} at every β")
    total = n + len(sinks)
    if total == 2:
        return 0.0, None  # E max w = 1/2 at β = 0 and grows with β
    f = lambda lb: _logit(sink_values(law, n, math.exp(lb), sinks)["max_weight"])  # noqa: E731
    # bracket the crossing in log β from [1, e²] outwards, in steps of 2, within [e^−68, e^70],
    # then Brent's method on logit E max w (close to linear in log β)
    found = bracket_increasing(f, 0.0, 2.0, max_steps=34)
    if found is None:
        return None, "beta_half: none with sinks: E max w does not cross 1/2 for β in [e^−68, e^70]"
    from scipy import optimize

    return math.exp(optimize.brentq(f, found[0], found[1], xtol=rtol, rtol=1e-12)), None


def _logit(m: float) -> float:
    m = min(max(m, 1e-300), 1.0 - 1e-16)
    return math.log(m) - math.log1p(-m)

