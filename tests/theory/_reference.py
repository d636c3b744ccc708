"""An independent reference for the exact finite-n theory at real head dimensions (uniform keys).

Written separately from ``attnlimits.theory``: it uses a different formulation, different coordinates and
only scipy.special for the law. Condition on the nearest distance T (its quantile p = F(T) = e^ℓ/n, so
the law of T is e^ℓ (1 − p)^{n−1} dℓ); the other m = n − 1 keys are i.i.d. on (T, 2] and enter through
their rescaled gaps y = β(D − T), of density f(T + y/β)/(β(1 − p)). With ψ(u) = E e^{−u e^{−y}} = 1 − j(u),
c_k(u) = E[e^{−ky} e^{−u e^{−y}}] and S = Σ e^{−y}, 1/(1+S)^k = ∫ u^{k−1} e^{−u(1+S)} du/Γ(k) gives

* E[max w | T] = E[1/(1 + S)] = ∫ e^{−u} ψ^m du, and 1 − that = ∫ e^{−u} (1 − ψ^m) du;
* E[Σ w² | T] = ∫ u e^{−u} [ψ^m + m c_2 ψ^{m−1}] du;
* 1 − E[Σ w² | T] = ∫ u e^{−u} [2 m c_1 ψ^{m−1} + m(m−1) c_1² ψ^{m−2}] du (all terms positive).

Every integral is a composite 10-node Gauss–Legendre rule: ℓ ∈ [−25, min(log n, 5)] (width 2; the
nearest key is below with probability e^{−25}), v = ln u ∈ [−36, 4] (width 1), y ∈ [0, 40] (width 1),
[40, 200] (width 4), then geometric to β(2 − T). The gap coordinate y is exact
whatever β (no float64 x = βD of size 1e30 is ever formed), so β = 1e30 needs no special case.
Valid for β not far below β_1/2 (the density must be smooth at the scale of half a unit of y).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

_GL_Y, _GL_W = np.polynomial.legendre.leggauss(10)


def _composite(edges):
    a, b = edges[:-1], edges[1:]
    mid, half = (a + b) / 2, (b - a) / 2
    return (mid[:, None] + half[:, None] * _GL_Y).ravel(), (half[:, None] * _GL_W).ravel()


def _uniform_logpdf(t, a):
    return (a - 1) * (np.log(t) + np.log(2 - t)) - (2 * a - 1) * math.log(2) - special.betaln(a, a)


def reference(d: int, n: int, beta: float, refine: int = 1) -> dict:
    """E max w, 1 − E max w, E Σ w², 1 − E Σ w² for n uniform keys in dimension d at β (``refine``: halve
    every panel that many times, for a convergence check)."""
    a = (d - 1) / 2.0
    m = n - 1.0
    f = 2.0 ** (refine - 1)
    lo_l, hi_l = -25.0, min(math.log(n), 5.0)
    ell, wl = _composite(np.linspace(lo_l, hi_l, int(math.ceil((hi_l - lo_l) * f / 2.0)) + 1))
    p = np.exp(ell) / n
    with np.errstate(divide="ignore"):
        w_t = wl * np.exp(ell + m * np.log1p(-p))  # law of T in ℓ
    t_near = 2.0 * special.betaincinv(a, a, p)
    v, wv = _composite(np.linspace(-36.0, 4.0, int(40 * f) + 1))
    u = np.exp(v)
    out = np.zeros(4)
    for t, wt, pt in zip(t_near, w_t, p):
        if wt == 0.0 or not (0.0 < t < 2.0):
            continue
        top = beta * (2.0 - t)
        edges = [np.arange(0.0, min(40.0, top), 1.0 / f), np.arange(40.0, min(200.0, top), 4.0 / f)]
        if top > 200.0:  # e^{−200} below every other term: geometric panels just close the range
            edges.append(200.0 * 1.25 ** np.arange(1, int(math.log(min(top, 1e4) / 200.0) / math.log(1.25)) + 1))
        if top > 1e4:
            edges.append(1e4 * 4.0 ** np.arange(1, int(math.log(top / 1e4) / math.log(4.0)) + 1))
        edges = np.unique(np.concatenate(edges + [[top]]))
        y, wy = _composite(edges)
        r = t + y / beta
        dens = np.where(r < 2.0, np.exp(_uniform_logpdf(np.minimum(r, 2.0 - 1e-300), a)), 0.0) / (beta * (1.0 - pt))
        wy = wy * dens
        ey = np.exp(-y)
        arg = u[:, None] * ey[None, :]
        em = np.exp(-arg)
        j = -np.expm1(-arg) @ wy
        c1 = (ey * em) @ wy
        c2 = (ey * ey * em) @ wy
        with np.errstate(divide="ignore", under="ignore"):
            l1j = np.log1p(-np.minimum(j, 1.0))
            psi_m = np.exp(m * l1j)
            psi_m1 = np.exp((m - 1.0) * l1j)
            psi_m2 = np.exp((m - 2.0) * l1j)
        ker1, ker2 = wv * u * np.exp(-u), wv * u * u * np.exp(-u)
        out += wt * np.array([ker1 @ psi_m, ker1 @ -np.expm1(m * l1j), ker2 @ (psi_m + m * c2 * psi_m1),
                              ker2 @ (2.0 * m * c1 * psi_m1 + m * (m - 1.0) * c1 * c1 * psi_m2)])
    return {"max": out[0], "one_minus_max": out[1], "ipr": out[2], "one_minus_ipr": out[3]}


#: The reference points of ``data/reference_values.json``: β near β_1/2(n) (4 digits) and β = 1e30.
POINTS = [(64, 10, 14.62), (64, 10**6, 73.58), (64, 10**18, 268.0), (512, 10, 41.16), (512, 10**6, 168.7),
          (512, 10**18, 340.0), (4096, 10, 116.4), (4096, 10**6, 465.3), (4096, 10**18, 875.0)]


def generate(path):
    """Compute the reference at every point (minutes) and write them as JSON."""
    import json

    rows = []
    for d, n, b in POINTS:
        for beta in (b, 1e30):
            r = reference(d, n, beta)
            rows.append({"d": d, "n": n, "beta": beta} | {k: float(v) for k, v in r.items()})
            print(rows[-1], flush=True)
    with open(path, "w") as fh:
        json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    import sys

    generate(sys.argv[1])
