"""The exact finite-n integrals of :ref:`theory-sinks` (fixed keys beside the n i.i.d. keys) for many sink settings at
one β: one pass over the bulk serves every query (the numerics behind :mod:`._sinks`).

Setting. m fixed keys with scores s_j (logits β s_j), a_j = 1 − s_j, C_j = e^{−β a_j}, C = Σ_j C_j, and the
top sink a* = min_j a_j, x* = β a*. In the variables of :mod:`._finite` (u = e^s, X = βD, the count measure
n·dG of X, k_p, Φ) and with E(s) = e^{−uC} = exp(−e^{s + log C}):

* E w_j = (C_j/C) I0, I0 = ∫ e^{s + log C} E Φ_n ds (the sinks' total weight), Φ_k = φ(e^s)^k;
  E[1 − w_j] = ((C − C_j)/C) I0 + J1, J1 = ∫ E k_1 Φ_{n−1} ds (the bulk's total weight);
* E Σ w² = (Σ C_j²/C²) I2 + ∫ E k_2 Φ_{n−1} ds, I2 = ∫ e^{2(s + log C)} E Φ_n ds; 1 − E Σ w² =
  (1 − Σ C_j²/C²) I2 + 2 ∫ e^{s + log C} E k_1 Φ_{n−1} ds + ((n−1)/n) ∫ E k_1² Φ_{n−2} ds (positive terms);
* E max w = ∫ e^{s − x*} E ψ̄_*^n ds + ∫ E M(s; x*) ds, with n(1 − ψ̄_*) = cnt(s; x*) = nQ(s) +
  ∫_0^{x*} e^{−e^{s−x}} n dG(x) and M(s; x*) = ∫_0^{x*} γ_1(s − x) ψ(x)^{n−1} n dG(x), the max-weight integrand of
  :mod:`._finite` cut at x*;
* E[1 − max w] = ∫ E [e^{s + log(C − C*)} ψ̄_*^n + K(s; x*) ψ̄_*^{n−1}] ds (the sink holds the maximum,
  K(s; x*) = ∫_{x*}^∞ γ_1(s − x) n dG(x)) + ∫ [OM(s; x*) + (1 − E) M(s; x*)] ds (a random key holds it; OM the
  1 − max w integrand of :mod:`._finite` cut at x*), every term positive.

Nothing at the nodes of the inner integrals depends on the sinks: only the cut at x* (a cumulative integral
in x, taken at any x* from the panel's Gauss–Legendre values by the partial-integration weights of the
panel's interpolating polynomial) and the factor E of the outer integral. So the node arrays of a block of
s are computed once and every query reads its own cut and factor. Every exponential is formed from its log
(s + log C, s − x*), never e^{βs_j} itself. The outer grid is the bulk's (:meth:`FiniteQuadrature._outer`)
with unit panels added over [−log C − 8, −log C + 8] for each query (where E turns from 1 to 0) and
widening panels below the lowest −log C down to 46 units under it (the sink integrands fall like e^{s + log C}
there). With no sinks (C = 0, x* = ∞) every added term is 0 and the sums are those of :mod:`._finite` on
the same nodes.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import legendre
from scipy import special

from ._counts import NODES
from ._finite import FiniteQuadrature
from ._quad_nodes import _B_FWD, _B_REV, _LOG_TINY, _W, _Y, _exp

__all__ = ["SinkQuadrature"]

#: Unit outer panels cover [−log C − _WINDOW, −log C + _WINDOW] (exp(−e^{8}) = 0 in float64 above).
_WINDOW = 8.0
#: Outer panels reach this far below the lowest −log C (the sink integrands fall like e^{s + log C}).
_DEPTH = 46.0
#: Coefficients of ∫_{−1}^{y} ℓ_k for the Lagrange basis ℓ_k of the Gauss–Legendre nodes (Legendre series).
_INV = np.linalg.inv(legendre.legvander(_Y, NODES - 1))
_INT_COEF = np.stack([legendre.legint(np.eye(NODES)[j], lbnd=-1.0) for j in range(NODES)])  # (NODES, NODES+1)


def partial_weights(y):
    """P[..., k] = ∫_{−1}^{y} ℓ_k(t) dt for the Lagrange basis ℓ_k of the panel's nodes (y clipped to
    [−1, 1]): the weights that integrate a panel's node values from its lower end to y."""
    y = np.clip(np.asarray(y, dtype=float), -1.0, 1.0)
    return (legendre.legvander(y, NODES) @ _INT_COEF.T) @ _INV


#: The same in the power basis: P_k(y) = Σ_j _POWER[j, k] y^j (degree NODES; coefficients of size ~10³ at
#: most, so ~1e−13 absolute on [−1, 1]), for :func:`cumulative_at`.
_POWER = np.stack([legendre.leg2poly(c) for c in (_INT_COEF.T @ _INV).T], axis=1)


def cumulative_at(f, y):
    """Σ_k f[..., k] P_k(y[..., i]) for node values f (..., NODES) at points y (..., I): the integral of the
    interpolant of f from the panel's lower end to each y (Horner's rule on its power-basis coefficients)."""
    c = np.einsum("...k,jk->...j", f, _POWER)  # (..., NODES + 1); einsum, not a threaded BLAS call (busy machines)
    y = np.clip(y, -1.0, 1.0)
    acc = np.broadcast_to(c[..., -1:], y.shape).copy()
    for j in range(NODES - 1, -1, -1):
        acc *= y
        acc += c[..., j:j + 1]
    return acc


def _panel_of(lo, xs):
    """Index of the last panel whose lower end is at most x*, per row of ``lo`` (rows ascending; (R, P)) and
    query (xs, (Q,)): (R, Q), −1 below every panel. One searchsorted over the rows laid end to end."""
    R, P = lo.shape
    if R == 1:
        return (np.searchsorted(lo[0], xs, side="right") - 1)[None, :]
    mn, mx = float(lo.min()), float(lo.max())
    width = mx - mn + 2.0
    shift = width * np.arange(R)[:, None]
    flat = (lo - mn + shift).ravel()
    keys = np.clip(xs, mn - 1.0, mx + 1.0)[None, :] - mn + shift
    return np.searchsorted(flat, keys.ravel(), side="right").reshape(R, -1) - P * np.arange(R)[:, None] - 1


class SinkQuadrature(FiniteQuadrature):
    """All integrals of the module docstring for n keys of ``law`` at β > 0, for Q sink settings at once.

    Parameters
    ----------
    law : KeyLaw
        A law with a known distance CDF (as :class:`._finite.FiniteQuadrature`).
    grid : CountGrid
        Its count grid for this n.
    beta : float
        β > 0.
    log_c : ndarray, shape (Q, m)
        log C_j = β(s_j − 1) for each query's sinks (m may be 0).
    """

    def __init__(self, law, grid, beta: float, log_c):
        super().__init__(law, grid, beta, powers=(2.0,), max_weight=True, moments=True)
        self._drop_empty = False  # the cut at x* reads every kernel panel of a block
        lc = np.asarray(log_c, dtype=float)
        self.log_c = lc.reshape(lc.shape[0], -1)
        q, m = self.log_c.shape
        with np.errstate(divide="ignore"):
            self.lC = special.logsumexp(self.log_c, axis=1) if m else np.full(q, -np.inf)
            self.xstar = -np.max(self.log_c, axis=1) if m else np.full(q, np.inf)
            top = np.argmax(self.log_c, axis=1) if m else np.zeros(q, dtype=int)
            rest = self.log_c.copy()
            if m:
                rest[np.arange(q), top] = -np.inf
            # log(C − C*): the other sinks (a tie at the top counts here too)
            self.l_rest = special.logsumexp(rest, axis=1) if m > 1 else np.full(q, -np.inf)

    # ------------------------------------------------------------------ tail sums over every panel
    def _setup(self):
        """As :mod:`._finite`, but the tail sums e^{ps} Σ (keys above a block) include the wide panels too, each
        by :meth:`_wide_moment`: a strong sink puts the whole outer integral at s ≈ −log C, far below every key,
        where each key enters k_p and Q only through e^{p(s − x)}, the wide panels included (:mod:`._finite`
        leaves them out: there they matter only at s where its τ-panels cover them)."""
        super()._setup()
        wide = np.flatnonzero(~self.fine)
        lw = np.where(self.fine[:, None], self._lw, -np.inf)
        for key, power in (("q", 1.0), (2.0, 2.0)):
            with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
                per = special.logsumexp(lw - power * self.x, axis=1)
            per = np.where(np.isfinite(per), per, -np.inf)
            if wide.size:
                per[wide] = self._wide_moment(wide, self.xb[wide], self.xb[wide + 1], power)
            rev = np.logaddexp.accumulate(per[::-1])[::-1]
            self.tails[key] = np.concatenate([rev, [-np.inf]])

    def _wide_moment(self, j, a, b, power):
        """log ∫_a^b e^{−p x} n dG(x) over [a, b] inside count panels j (arrays), by unit-wide Gauss–Legendre
        pieces over its first 80/p units (the rest is e^{−80} of it)."""
        j, a, b = np.atleast_1d(j), np.atleast_1d(np.asarray(a, dtype=float)), np.atleast_1d(np.asarray(b, dtype=float))
        span = np.clip(b - a, 0.0, 80.0 / power)
        k = np.maximum(np.ceil(span - 1e-12), 1.0).astype(int)
        idx = np.repeat(np.arange(j.size), k)
        r = np.arange(idx.size) - np.repeat(np.cumsum(k) - k, k)
        w = span[idx] / k[idx]
        lo = a[idx] + r * w
        xi = (lo + w / 2.0)[:, None] + (w / 2.0)[:, None] * _Y[None, :]
        t = xi / self.beta
        g = self.g
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            ld = (g.log_n + self._dens.log_density(t, 2.0 - t) - math.log(self.beta) + g.log_fix[j[idx]][:, None]
                  + np.log(w / 2.0)[:, None] + np.log(_W)[None, :] - power * xi)
            ld = np.where(np.isfinite(ld) & (w[:, None] > 0), ld, -np.inf)
            piece = special.logsumexp(ld, axis=1)
        out = np.full(j.size, -np.inf)
        np.logaddexp.at(out, idx, np.where(np.isfinite(piece), piece, -np.inf))
        return out

    # ------------------------------------------------------------------ grid
    def _sink_outer(self):
        ends = self._outer()
        ell = -self.lC[np.isfinite(self.lC)]
        ell = ell[ell - _WINDOW < ends[-1]]
        if ell.size == 0:
            return ends
        ell = np.sort(ell)
        lo = math.floor(ell[0] - _WINDOW)
        hi = min(math.ceil(ell[-1] + _WINDOW), math.floor(ends[-1]))
        lattice = np.arange(lo, hi + 1, dtype=float)
        # keep the lattice points within a window of some −log C
        j = np.searchsorted(ell, lattice)
        near = np.zeros(lattice.size, dtype=bool)
        for k in (j - 1, j):
            ok = (k >= 0) & (k < ell.size)
            near[ok] |= np.abs(ell[np.clip(k, 0, ell.size - 1)][ok] - lattice[ok]) <= _WINDOW + 1.0
        lattice = lattice[near]
        # widening panels below the lowest window, down to _DEPTH under the lowest −log C
        start = min(lo, ends[0])
        widths = np.minimum(2.0 ** np.arange(0, 64), 8.0)
        down = start - np.cumsum(widths)
        down = down[: int(np.searchsorted(-down, -(ell[0] - _DEPTH))) + 1]
        down = down[down < ends[0]]
        pos = np.searchsorted(ends, lattice)
        gap = np.minimum(np.abs(lattice - ends[np.clip(pos - 1, 0, ends.size - 1)]),
                         np.abs(lattice - ends[np.clip(pos, 0, ends.size - 1)]))
        lattice = lattice[gap >= 0.25]
        return np.unique(np.concatenate([ends, lattice, down, [start] if start < ends[0] else []]))

    # ------------------------------------------------------------------ one block of s values
    def _sink_block(self, s):
        """Per-s integrals and per-(s, query) cut integrals of one block (module docstring)."""
        n = self.n
        x, wd, _, lumps, below, j1 = self._block_nodes(s)
        tails = {k: v[j1] for k, v in self.tails.items()}
        out = {}
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            tt = s[:, None, None] - x
            if x.size and s[-1] - x[:, :, 0].min() > self._tt_max:
                np.minimum(tt, self._tt_max, out=tt)
            e = np.exp(tt)
            ne = -e
            fjm = np.expm1(ne) * wd  # −n dG (1 − e^{−e^τ}) per node
            tot_j = -(fjm @ _W)
            q_tail = np.exp(s + tails["q"])
            qn = below + lumps.sum(axis=1) + tot_j.sum(axis=1) + q_tail
            fp = _exp(ne) * wd  # n dG e^{−e^τ}
            g1 = fp * e  # n dG γ_1(τ)
            wg = g1 * _W
            out["Qn"] = qn
            out["k1"] = wg.sum(axis=(1, 2)) + q_tail
            out["k2"] = (wg * e).sum(axis=(1, 2)) + np.exp(2.0 * s + tails[2.0])
            P = x.shape[1]
            cut = self._max_cut(s, x) if n > 1 else P
            nm1 = n - 1.0
            tot_p = fp @ _W
            cnt_node = (qn[:, None] + np.cumsum(tot_p, axis=1) - tot_p)[:, :, None] + fp @ _B_FWD.T
            lpsi = np.log1p(np.fmax(cnt_node * (-1.0 / n), -1.0)) * nm1
            vM = np.zeros_like(g1)
            vM[:, :cut] = g1[:, :cut] * _exp(lpsi[:, :cut])
            vOM = np.zeros_like(g1)
            if n > 1 and cut:
                after = (np.cumsum(tot_j[:, ::-1], axis=1)[:, ::-1] - tot_j)[:, :cut]
                jn = (after + q_tail[:, None])[:, :, None] - fjm[:, :cut] @ _B_REV.T
                tot_g = wd @ _W
                gn = (np.cumsum(tot_g, axis=1) - tot_g + np.cumsum(lumps, axis=1) + below)[:, :cut, None] \
                    + wd[:, :cut] @ _B_FWD.T
                gn = np.minimum(gn, float(n))
                sf = n - gn
                ratio = np.divide(jn, sf, out=np.ones(jn.shape), where=sf > 0)
                ratio = np.expm1(np.log1p(-np.fmin(ratio, 1.0)) * nm1)
                vOM[:, :cut] = -g1[:, :cut] * ratio * _exp(np.log1p(-gn / n) * nm1)
            blk = {"x": x, "wd": wd, "fp": fp, "fjm": fjm, "lumps": lumps, "below": below, "qn": qn,
                   "q_tail": q_tail, "tot_j": tot_j, "cut": cut, "M": vM, "OM": vOM, "K": g1}
            out.update(self._cut(s, blk, j1))
        return out

    def _cut(self, s, blk, j1):
        """Each query's cut of the block's integrals at x*, each (S, Q): ``cnt`` (0 to x*, plus the keys between
        the block's last panel and x*, kernel 1 there to e^{−40}/n), ``M`` and ``OM`` (0 to x*) and ``K`` (x* up,
        tails included). Whole panels enter through their Gauss–Legendre sums; the panel that x* cuts is
        integrated by its own Gauss–Legendre nodes on [lo, x*] (or [x*, hi]), with the integrands evaluated
        there: the count, n·G and J at those points from the panel's interpolants (smooth integrands), the
        density exactly. (Partial integrals of the interpolants of the max-weight integrands themselves, which
        vary like e^{τ} ψ^{n−1} across a panel 4 units wide, are good to ~1e−7 relative only.)"""
        x = blk["x"]
        S, Q, n = s.size, self.xstar.size, self.n
        xs = self.xstar
        P = x.shape[1]
        if P == 0:
            res = {"cnt": np.broadcast_to(blk["qn"][:, None], (S, Q)).copy(), "M": np.zeros((S, Q)),
                   "OM": np.zeros((S, Q)), "K": np.zeros((S, Q))}
        else:
            res = self._cut_panels(s, blk, S, Q, P, n, xs)
        top = self.xb[j1]
        beyond = xs > top
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            k_tail = np.where(beyond[None, :], np.exp(s[:, None] + self._k_above[None, :]),
                              np.exp(s + self.tails["q"][j1])[:, None])
            res["K"] = res["K"] + k_tail
            res["cnt"] = res["cnt"] + np.where(beyond, self._count_between(j1), 0.0)[None, :]
        return res

    def _cut_panels(self, s, blk, S, Q, P, n, xs):
        x = blk["x"]
        half = (x[:, :, 1] - x[:, :, 0]) / (_Y[1] - _Y[0])
        mid = x[:, :, 0] - half * _Y[0]
        lo = mid - half  # (S or 1, P)
        p = np.broadcast_to(_panel_of(lo, xs), (S, Q))  # −1: below every panel
        pc = np.clip(p, 0, P - 1)
        rows = (np.arange(S)[:, None] * P + pc).ravel()

        def gather(a, r=rows, shape=(S, Q)):  # a (S or 1, P, ...) → its row p of each (s, q)
            a = np.broadcast_to(a, (S, P) + a.shape[2:])
            return a.reshape((S * P,) + a.shape[2:])[r].reshape(shape + a.shape[2:])

        h, mm = gather(half), gather(mid)
        lo_p, hi_p = mm - h, mm + h
        live = (p >= 0) & (h > 0)
        far = 40.0 + math.log(n)  # keys this far above s weigh below e^{−40}/n (module docstring of _finite)
        sc = s[:, None]
        res = {}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            ystar = np.where(h > 0, (np.minimum(xs[None, :], hi_p) - mm) / h, 1.0)
            ystar = np.clip(np.where(np.isfinite(ystar), ystar, 1.0), -1.0, 1.0)
            tot_p = blk["fp"] @ _W
            cnt0 = gather(np.cumsum(tot_p, axis=1) - tot_p) + blk["qn"][:, None]
            at_xs = cumulative_at(gather(blk["fp"]), ystar[..., None])[..., 0]
            res["cnt"] = np.where(p < 0, blk["qn"][:, None], cnt0 + at_xs)
            # the cut panel below x*: Gauss–Legendre nodes on [lo, min(x*, hi)], only where its kernel is not 0
            b = np.minimum(xs[None, :], hi_p)
            # ... and where ψ^{n−1} or (1 − G)^{n−1} at the panel's start (their largest) has not underflowed
            tot_g = blk["wd"] @ _W
            g0_all = gather(np.cumsum(tot_g, axis=1) - tot_g + np.cumsum(blk["lumps"], axis=1)) + blk["below"]
            alive = ((n - 1.0) * np.log1p(-np.minimum(cnt0, n) / n) > _LOG_TINY) | (
                (n - 1.0) * np.log1p(-np.minimum(g0_all, n) / n) > _LOG_TINY)
            act = (p < blk["cut"]) & live & (sc - b <= 8.0) & (sc - lo_p >= -far) & alive
            si, qi = np.nonzero(act)
            rc = si * P + pc[si, qi]
            A = (si.size,)
            lo_c, h_c, mm_c = lo_p[si, qi], h[si, qi], mm[si, qi]
            sub = (b[si, qi] - lo_c) / 2.0
            xi = lo_c[:, None] + sub[:, None] * (_Y + 1.0)  # (A, NODES)
            yi = np.clip((xi - mm_c[:, None]) / h_c[:, None], -1.0, 1.0)
            fp_c, wd_c, fjm_c = (gather(blk[k], rc, A) for k in ("fp", "wd", "fjm"))
            cnt_i = cnt0[si, qi][:, None] + cumulative_at(fp_c, yi)
            tau = s[si][:, None] - xi
            g1 = self._density(xi, sub) * _exp(tau - np.exp(np.minimum(tau, self._tt_max)))
            vM = g1 * _exp(np.log1p(np.fmax(cnt_i * (-1.0 / n), -1.0)) * (n - 1.0))
            gn = np.minimum(g0_all[si, qi][:, None] + cumulative_at(wd_c, yi), float(n))
            after = gather(np.cumsum(blk["tot_j"][:, ::-1], axis=1)[:, ::-1] - blk["tot_j"], rc, A) + blk["q_tail"][si]
            jn = after[:, None] - ((fjm_c @ _W)[:, None] - cumulative_at(fjm_c, yi))
            sf = n - gn
            ratio = np.divide(jn, sf, out=np.ones(jn.shape), where=sf > 0)
            ratio = np.expm1(np.log1p(-np.fmin(ratio, 1.0)) * (n - 1.0))
            vOM = -g1 * ratio * _exp(np.log1p(-gn / n) * (n - 1.0))
            for key, v in (("M", vM), ("OM", vOM)):
                tot = blk[key] @ _W  # (S, P)
                part = np.zeros((S, Q))
                part[si, qi] = v @ _W
                res[key] = np.where(p < 0, 0.0, gather(np.cumsum(tot, axis=1) - tot) + part)
            # K: x* up — the panels after p, and the cut panel on [max(x*, lo), hi] by its own nodes
            a2 = np.maximum(xs[None, :], lo_p)
            # (K enters multiplied by ψ̄(u, a*)^{n−1}: nothing where that has underflowed)
            act = live & (a2 < hi_p) & (sc - hi_p <= 8.0) & (sc - a2 >= -far) & (
                (n - 1.0) * np.log1p(-np.minimum(res["cnt"], n) / n) > _LOG_TINY)
            si, qi = np.nonzero(act)
            a2c, hic = a2[si, qi], hi_p[si, qi]
            sub2 = (hic - a2c) / 2.0
            xk = a2c[:, None] + sub2[:, None] * (_Y + 1.0)
            tau2 = s[si][:, None] - xk
            gk = self._density(xk, sub2) * _exp(tau2 - np.exp(np.minimum(tau2, self._tt_max)))
            part = np.zeros((S, Q))
            part[si, qi] = gk @ _W
            totk = blk["K"] @ _W
            res["K"] = np.where(p < 0, totk.sum(axis=1)[:, None],
                                gather(np.cumsum(totk[:, ::-1], axis=1)[:, ::-1] - totk) + part)
        return res

    def _density(self, xi, sub):
        """n·dG/dx at the points xi times the half-width ``sub`` of their panel (Gauss–Legendre weights left
        out), with the count grid's mass fix of the count panel each point lies in; 0 where ``sub`` is 0."""
        g, b = self.g, self.beta
        t = xi / b
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            ld = g.log_n + self._dens.log_density(t, 2.0 - t) - math.log(b) + np.log(sub)[..., None]
            if self._fixed:
                j = np.clip(np.searchsorted(self.xb, xi, side="right") - 1, 0, self.xb.size - 2)
                ld = ld + g.log_fix[j]
            return _exp(np.where(np.isfinite(ld), ld, -np.inf), np.broadcast_to(sub[..., None] > 0, ld.shape))

    def _count_between(self, j1):
        """n(G(x*) − G(x_b[j1])) for each query with x* above x_b[j1] (else 0)."""
        g = self.g
        out = np.zeros(self.xstar.size)
        sel = self.xstar > self.xb[j1]
        if not sel.any():
            return out
        lf, lsf = self._lf_star[sel], self._lsf_star[sel]
        lfj, lsfj = g.log_f_b[j1], g.log_sf_b[j1]
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            low = np.exp(g.log_n + lf) * -np.expm1(np.minimum(lfj - lf, 0.0))
            high = np.exp(g.log_n + lsfj) * -np.expm1(np.minimum(lsf - lsfj, 0.0))
        out[sel] = np.where(lfj < math.log(0.5), low, high)
        return out

    def _query_setup(self):
        """Per query: log F, log(1 − F) at t* = x*/β, and log of the tail sum Σ e^{lw − x} over the fine nodes
        above x* (the keys above x* in K that lie past a block's panels)."""
        g, b = self.g, self.beta
        xs = self.xstar
        ts = np.clip(xs / b, 0.0, 2.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            lf, lsf = self.law.distance_log_cdf_sf(ts, 2.0 - ts)
        lf, lsf = np.atleast_1d(np.asarray(lf, dtype=float)), np.atleast_1d(np.asarray(lsf, dtype=float))
        self._lf_star = np.where(xs <= 0, -np.inf, np.where(xs >= 2 * b, 0.0, lf))
        self._lsf_star = np.where(xs <= 0, 0.0, np.where(xs >= 2 * b, -np.inf, lsf))
        P = self.xb.size - 1
        J = np.clip(np.searchsorted(self.xb, xs, side="right") - 1, 0, P - 1)
        lo, hi = self.xb[J], self.xb[J + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.where(hi > lo, 2.0 * (xs - lo) / (hi - lo) - 1.0, 1.0)
            y = np.where(np.isfinite(y), y, np.sign(y))
            vals = np.exp(g.log_dens[J] - self.x[J]) * self.fine[J][:, None]
            part = np.einsum("qk,qk->q", vals, _W - partial_weights(y))
            wide = ~self.fine[J] & (xs >= self.xb[0]) & (xs < self.xb[-1])
            if wide.any():
                part[wide] = np.exp(self._wide_moment(J[wide], xs[wide], hi[wide], 1.0))
            part = np.where(xs < self.xb[0], 0.0, part)
            tail_j = np.where(xs < self.xb[0], self.tails["q"][0], self.tails["q"][np.minimum(J + 1, P)])
            tail_j = np.where(xs >= self.xb[-1], -np.inf, tail_j)
            part = np.where(xs >= self.xb[-1], 0.0, part)
            self._k_above = np.logaddexp(np.log(part), tail_j)

    # ------------------------------------------------------------------ the outer integral
    def integrate(self) -> dict:
        """The outer integrals per query, each (Q,): ``I0``, ``J1``, ``I2``, ``J2`` = ∫ E k_2 Φ_{n−1},
        ``J1c`` = ∫ e^{s + log C} E k_1 Φ_{n−1}, ``J11`` = ((n−1)/n) ∫ E k_1² Φ_{n−2}, ``Smax`` and ``Bmax`` (the sink's
        and the random keys' parts of E max w), ``T1`` and ``T2`` (theirs of E[1 − max w]); module docstring."""
        self._setup()
        self._query_setup()
        n = self.n
        Q = self.xstar.size
        ends = self._sink_outer()
        names = ("I0", "J1", "I2", "J2", "J1c", "J11", "Smax", "Bmax", "T1", "T2")
        tot = {k: np.zeros(Q) for k in names}
        for s, wo in self._outer_blocks(ends):
            r = self._sink_block(s)
            part = self._outer_terms(s, r)
            small = True
            for k in names:
                v = wo @ part[k]
                tot[k] += v
                small &= bool(np.all(np.abs(v) <= 1e-17 * np.abs(tot[k])))
            with np.errstate(divide="ignore"):
                l1q = np.log1p(-np.minimum(r["Qn"] / n, 1.0))
            if n > 1 and small and np.all((n - 1.0) * l1q < -40.0 - 2.0 * math.log(n)):
                break
        return tot

    def _outer_terms(self, s, r):
        """The integrands of the outer integral at the nodes s, each (S, Q) (module docstring)."""
        n = self.n
        lC, xs, lr = self.lC[None, :], self.xstar[None, :], self.l_rest[None, :]
        sc = s[:, None]
        with np.errstate(divide="ignore", invalid="ignore", under="ignore", over="ignore"):
            l1q = np.log1p(-np.minimum(r["Qn"] / n, 1.0))[:, None]
            lphi_n, lphi_1 = n * l1q, (n - 1.0) * l1q
            lphi_2 = (n - 2.0) * l1q if n > 2 else np.zeros_like(l1q)
            phi1 = np.exp(lphi_1) if n > 1 else np.ones_like(l1q)
            phi2 = np.exp(lphi_2)
            z = sc + lC  # log(uC)
            ez = np.exp(z)  # uC (inf where huge: E = 0 there)
            logE = -ez
            E = np.exp(logE)
            k1, k2 = r["k1"][:, None], r["k2"][:, None]
            out = {
                "I0": np.exp(z + logE + lphi_n),
                "I2": np.exp(2.0 * z + logE + lphi_n),
                "J1": E * k1 * phi1,
                "J2": E * k2 * phi1,
                "J1c": np.exp(z + logE) * k1 * phi1,
                "J11": E * k1 * k1 * phi2 * ((n - 1.0) / n),
            }
            lpsi = np.log1p(-np.minimum(r["cnt"] / n, 1.0))
            lpsi = np.where(np.isinf(xs), -np.inf, lpsi)
            out["Smax"] = np.exp(sc - xs + logE + n * lpsi)
            out["Bmax"] = E * r["M"]
            t1 = np.exp(sc + lr + logE + n * lpsi)
            t1 = t1 + r["K"] * np.exp(logE + (n - 1.0) * lpsi) if n > 1 else t1 + r["K"] * E
            out["T1"] = np.where(np.isinf(xs), 0.0, t1)
            out["T2"] = r["OM"] - np.expm1(logE) * r["M"]
        for k, v in out.items():
            out[k] = np.where(np.isnan(v), 0.0, v)
        return out
