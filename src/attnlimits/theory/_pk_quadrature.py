"""Quadrature of Poisson–Kingman expectations in log-mass coordinates (:ref:`theory-effective-exponent`, :ref:`theory-limit-laws`).

Why a hand-written quadrature (DESIGN.md asks for a reason): the Poisson points η_k = λ Γ_k^{1/α} crowd into
a window of width θ = λ/α around λ when α is large (α up to 2047.5), spread over many decades when α is
small, and their weights e^{−η} underflow for λ up to 1e6. No general routine sees those scales.

Coordinates. Write a point by its log mass v = log M (M the mean measure below it): the points are a Poisson
process with intensity e^v dv whatever the law, placed at ξ(v) = η(v) − λ (shifted so that ξ(0) = 0; the
weights e^{−ξ}/Σe^{−ξ} do not see the shift, so e^{−λ} never appears). For PK(α, λ), ξ(v) = λ expm1(v/α);
as α → ∞ with θ = λ/α fixed, ξ(v) → θ v, the Poisson–Dirichlet(1/θ, 0) limit, reached continuously.
A map with curvature, v(u) = α u + κ u²/2 with u = log(η/λ), gives the curvature-corrected law of
:mod:`._effective`.

With s = log u (u the Laplace variable), t = s − ξ and γ_p(t) = e^{pt − e^t}/Γ(p):

* Q(s) = ∫ (1 − e^{−e^{s−ξ}}) dM, the Laplace exponent of T = Σ e^{−ξ_k};
* E Σ W^p = ∫ ds e^{−Q(s)} ∫ γ_p(s − ξ) dM;
* E W_1 = ∫ ds e^{−Q(s)} ∫ dM(x) γ_1(s − x) exp(−∫_{ξ<x} e^{−e^{s−ξ}} dM) (Palm/Mecke: the point at x is
  the nearest and the others are the same Poisson process);
* E[1 − W_1] = ∫ ds ∫ dM(x) γ_1(s − x) e^{−M(x)} (1 − exp(−∫_{ξ>x} (1 − e^{−e^{s−ξ}}) dM)), accurate
  where W_1 → 1.

At each s the inner integrals run over a window of v where the integrand is within e^{−40} of its largest
value (bounded by the envelope v + p·min(0, t), concave in v), in Gauss–Legendre panels of width ≤ 1 in v
and ≤ 1/2 … 2 in ξ (the kernel's scale); panels where ξ' > 1 are parametrised by t, which stays exact when
s is huge. The outer integral over s is taken in panels of width 1 in s where the points are dense (ξ' ≤ 1)
and 1 in log mass where they are sparse, marched outwards from Q(s) = 1 until the pieces stop contributing.
The inner integrals are computed for many s at once (the outer nodes of a panel and of the next one the
march will probably need), as flat arrays of panels: per s, the same nodes and sums as one s at a time.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._quad_nodes import _integration_matrices
from ._pk_maps import T_HI, DirichletMap, LogMassMap, increasing_root

__all__ = ["LogMassMap", "DirichletMap", "PoissonQuadrature"]

_NI = 12  # inner nodes per panel
_YI, _WI = special.roots_legendre(_NI)
_OUTER = {n: special.roots_legendre(n) for n in (8, 10)}  # outer nodes per panel: 10, or 8 for a root's ~1e−9
_V_LO = -100.0  # mass below e^{−100} is left out
_CUT = 40.0
_V_MAX_W = math.log(3200.0)  # beyond: M(x) − M(s) > 2000, so e^{−Q − Σ_{ξ<x} e^{−e^{s−ξ}}} < e^{−735}  # window: envelope within e^{−40} of its largest value
_OFFSETS = 2.0 ** np.arange(-6.0, 40.0, 0.5)  # trial distances from the envelope's top


_BATCH = 1024.0  # panels per batch of inner integrals (larger arrays leave the cache)
_B = _integration_matrices(_YI)[0]  # values at the nodes ↦ ∫_{−1}^{y_i} of their interpolating polynomial


class PoissonQuadrature:
    """The integrals of the module docstring for the Poisson process of log-mass intensity e^v dv placed at
    ``pmap.xi(v)``.

    Parameters
    ----------
    pmap : LogMassMap or DirichletMap
        Where the point of log mass v sits.
    powers : tuple of float
        The p of E Σ W^p to compute (each ≥ 1 for a :class:`DirichletMap`).
    moments : bool
        Also the η-moments (``defect``, ``ipr_x``, ``ipr_xx``; :class:`LogMassMap` only).
    outer_nodes : {10, 8}
        Gauss–Legendre nodes per outer panel (8: ~1e−9 relative for α ≥ 1, enough inside a root-finder).
    """

    def __init__(self, pmap, powers=(2.0,), moments: bool = True, outer_nodes: int = 10):
        self.m = pmap
        self.outer_nodes = outer_nodes
        self.powers = tuple(float(p) for p in powers)
        self.p_min = min((1.0,) + self.powers)
        self._lgam = {p: float(special.gammaln(p)) for p in self.powers}
        self._v_tail = pmap.v_at_log_slope(-math.log(self.p_min))  # envelope peak in the tail e^{v + p t}
        self._has_eta = moments and pmap.eta is not None

    # ------------------------------------------------------------------ inner integrals at a batch of s
    def _envelope(self, v, s):
        return v + self.p_min * np.minimum(0.0, s - self.m.xi(v))

    def _windows(self, s):
        """For each s, the [lo, hi] in v where the envelope is within e^{−40} of its top (widened by at most a
        factor 2 in the distance from the top), and whether everything below lo is saturated (t > 5). Where
        the top lies at a mass above e^{8} (many points, deep subcritical) the window also covers the points
        of mass below e^{8}, where the max-weight integrands live: a second interval below the first where
        the two do not overlap.

        Returns (ok, lo, hi, lo2, hi2, two, saturated): ``ok`` where the window exists, the first interval
        [lo, hi], the second [lo2, hi2] where ``two`` (it then lies below the first: lo2 < hi2 < lo)."""
        m = self.m
        v_a = m.v_of(s - T_HI)
        saturated = v_a >= _V_LO
        bottom = np.where(saturated, v_a, _V_LO)
        peak = np.maximum(np.maximum(m.v_of(s), self._v_tail), bottom)
        ok, lo, hi = self._cut(s, peak, bottom)
        lo2, hi2, two = lo, hi, np.zeros(s.shape, dtype=bool)
        wide = ok & (peak > _V_MAX_W) & (bottom < _V_MAX_W)
        if wide.any():  # concave envelope: its top below e^{8}
            ok_w, lo_w, hi_w = self._cut(s, np.full(s.shape, _V_MAX_W), bottom, cap=True)
            wide &= ok_w
            two = wide & (hi_w < lo)
            merge = wide & ~two
            lo = np.where(two, lo_w, np.where(merge, np.minimum(lo, lo_w), lo))
            hi = np.where(two, hi_w, np.where(merge, np.maximum(hi, hi_w), hi))
        return ok, lo, hi, lo2, hi2, two, saturated & (lo == bottom)

    def _cut(self, s, peak, bottom, cap: bool = False):
        top = self._envelope(peak, s)
        floor = (top - _CUT)[:, None]
        cand = peak[:, None] - _OFFSETS
        below = (_OFFSETS < (peak - bottom)[:, None]) & (self._envelope(cand, s[:, None]) < floor)
        lo = np.where(below.any(axis=1), _first(cand, below), bottom)
        if cap:
            return np.isfinite(top), lo, peak
        cand = peak[:, None] + _OFFSETS
        below = ~(self._envelope(cand, s[:, None]) >= floor)
        hi = np.where(below.any(axis=1), _first(cand, below), cand[:, -1])
        return np.isfinite(top), lo, hi

    def _nodes(self, s, lo, hi):
        """Nodes (v, t, log dM/dy) of the panels over the intervals [lo, hi] at s (one panel a row), with the
        interval ``row`` of each panel and its place ``pos`` there (ascending v)."""
        m = self.m
        h = m.v_step
        col = lambda a: a[:, None]  # noqa: E731
        bv = _arange(np.ceil(lo / h) * h, hi, h)
        # v-grid points where ξ' > 1 would carry an inexact t when |s| is large: the ξ-grid resolves there
        ok_b = m.log_slope(bv) <= 0.0
        tail_end = s - m.xi(hi)
        tail_t = _arange(np.full(s.shape, -40.0), tail_end, -np.maximum(m.tail_step, (-40.0 - tail_end) / 2000.0))
        tk = np.concatenate([np.broadcast_to(m.kernel_t, (s.size, m.kernel_t.size)), tail_t], axis=1)
        vk = m.v_of(col(s) - tk)
        br = np.broadcast_to(m.breaks, (s.size, m.breaks.size))
        vb = np.concatenate([col(lo), col(hi), bv, br, vk], axis=1)
        tb = np.concatenate([col(s) - m.xi(vb[:, : 2 + bv.shape[1] + br.shape[1]]), tk], axis=1)
        inside = lambda x: (x > col(lo)) & (x < col(hi))  # noqa: E731
        valid = np.concatenate([np.ones((s.size, 2), dtype=bool), ok_b, inside(br), inside(vk)], axis=1)
        vb = np.where(valid, vb, np.inf)
        order = np.arange(s.size)[:, None], np.argsort(vb, axis=1, kind="stable")
        vb, tb = vb[order], tb[order]
        keep = np.isfinite(vb)
        keep[:, 1:] &= vb[:, 1:] > vb[:, :-1]
        vb, tb = vb[keep], tb[keep]  # the points, row after row
        row = np.flatnonzero(keep) // keep.shape[1]
        pos = np.cumsum(keep, axis=1)[keep] - 1
        first = pos > 0  # a panel ends at each point but a row's first
        row, pos = row[first], pos[first] - 1
        v1, v2, t1, t2 = vb[:-1][first[1:]], vb[first], tb[:-1][first[1:]], tb[first]
        dv, dt = v2 - v1, t1 - t2
        by_t = dt > dv
        # panels where ξ changes faster than v are parametrised by t: those after the others
        order = np.argsort(by_t, kind="stable")
        nv = by_t.size - int(by_t.sum())
        row, pos, v1, v2, t1, t2, dv, dt = (x[order] for x in (row, pos, v1, v2, t1, t2, dv, dt))
        sp = s[row][:, None]
        log_half = np.log(0.5 * np.concatenate([dv[:nv], dt[nv:]]))[:, None]
        v = 0.5 * (v1 + v2)[:nv, None] + 0.5 * dv[:nv, None] * _YI
        t = sp[:nv] - m.xi(v)
        log_g = log_half[:nv] + v
        if nv < row.size:
            t_t = 0.5 * (t1 + t2)[nv:, None] - 0.5 * dt[nv:, None] * _YI
            v_t, log_slope = m.v_log_slope_of(sp[nv:] - t_t)
            log_g_t = np.where(v_t == -np.inf, -np.inf, log_half[nv:] + -log_slope + v_t)
            v, t, log_g = np.concatenate([v, v_t]), np.concatenate([t, t_t]), np.concatenate([log_g, log_g_t])
        return v, t, log_g, row, pos

    def inner(self, s: float, want_max: bool = True) -> dict:
        """Inner integrals at s: Q, K_p = ∫γ_p dM, K1x = ∫γ_1 η dM, K2x, K2xx, and the max-weight integrands."""
        r = self._inner(np.array([float(s)]), want_max)
        out = {k: float(a[0]) for k, a in r.items() if k != "K"}
        out["K"] = {p: float(a[0]) for p, a in r["K"].items()}
        return out

    def _inner(self, s, want_max: bool = True, q_only: bool = False) -> dict:
        """:meth:`inner` at each s of the array ``s``: a dict of arrays (only ``Q`` with ``q_only``)."""
        n = s.size
        out = {k: np.zeros(n) for k in ("Q", "K1", "K1x", "K2x", "K2xx", "M", "OM")}
        out["K"] = {p: np.zeros(n) for p in self.powers}
        with np.errstate(all="ignore"):
            ok, lo, hi, lo2, hi2, two, saturated = self._windows(s)
            full = ok & saturated & (lo > 700.0)  # more than e^{700} points below s − 5: e^{−Q}, e^{−M(x)} vanish
            out["Q"][full] = math.inf
            out["v_a"] = np.where(ok & saturated, lo, -math.inf)
            for i in self._batches(s, np.flatnonzero(ok & ~full), lo, hi, lo2, hi2, two):
                r = self._integrals(s[i], lo[i], hi[i], lo2[i], hi2[i], two[i], saturated[i], want_max, q_only)
                for k, a in r.items():
                    if k == "K":
                        for p in self.powers:
                            out[k][p][i] = a[p]
                    else:
                        out[k][i] = a
        return out

    def _batches(self, s, act, lo, hi, lo2, hi2, two):
        """``act`` in groups of at most about _BATCH panels (an upper estimate from the windows), as few as that
        allows, of equal sizes: big arrays no longer fit the cache, small ones cost a numpy call each."""
        m = self.m
        s, lo, hi, lo2, hi2, two = s[act], lo[act], hi[act], lo2[act], hi2[act], two[act]
        tail = lambda top: np.clip((-40.0 - s + m.xi(top)) / m.tail_step, 0.0, 2000.0)  # noqa: E731
        size = (hi - lo) / m.v_step + tail(hi) + np.where(two, (hi2 - lo2) / m.v_step + tail(hi2), 0.0)
        groups = min(float(act.size), np.ceil(size.sum() / _BATCH))
        return np.array_split(act, int(groups)) if act.size else []

    def _integrals(self, s, lo, hi, lo2, hi2, two, saturated, want_max: bool, q_only: bool) -> dict:
        """The inner integrals at s whose windows are [lo, hi] and, where ``two``, [lo2, hi2] (see
        :meth:`_windows`)."""
        n = s.size
        sec = np.flatnonzero(two)  # the rows of the second intervals follow the first ones
        row_s = np.concatenate([np.arange(n), sec])
        v, t, log_g, row, pos = self._nodes(s[row_s], np.concatenate([lo, lo2[sec]]), np.concatenate([hi, hi2[sec]]))
        at_s = row_s[row]
        integral = lambda f: np.bincount(at_s, weights=f @ _WI, minlength=n)  # noqa: E731
        out = {}
        et = np.exp(t)
        neg = -et
        lkq = np.where(t < -20.0, t - 0.5 * et, np.log(-np.expm1(neg)))
        lkq += log_g  # log of the integrand of Q
        out["Q"] = integral(np.exp(lkq)) + np.where(saturated, np.exp(lo), 0.0)
        if q_only:
            return out
        lg1 = t - et
        lg1 += log_g
        f1 = np.exp(lg1)
        out["K1"] = integral(f1)
        out["K"] = {p: integral(np.exp(p * t - et - self._lgam[p] + log_g)) for p in self.powers}
        if self._has_eta:
            eta = self.m.eta(v)
            out["K1x"] = integral(eta * f1)
            f2 = np.exp(2.0 * t - et + log_g)
            out["K2x"] = integral(eta * f2)
            out["K2xx"] = integral(eta * eta * f2)
        if want_max:
            # the cumulative masses only matter while < e^{8}: capping the integrands keeps them finite
            neg += log_g
            fp = np.exp(np.minimum(neg, 600.0, out=neg), out=neg)
            fj = np.exp(np.minimum(lkq, 600.0, out=lkq), out=lkq)
            tp, tj = fp @ _WI, fj @ _WI
            rows = row_s.size
            # an s with two intervals: the first lies below the second
            below_p, above_j = np.zeros(rows), np.zeros(rows)
            below_p[n:] = np.bincount(row, weights=tp, minlength=rows)[sec]
            above_j[sec] = np.bincount(row, weights=tj, minlength=rows)[n:]
            base = np.where(saturated, 0.0, np.exp(lo))[row_s] + below_p
            pcum = base[row, None] + _cumulative(fp, tp, row, pos, rows, forward=True)
            jrev = above_j[row, None] + _cumulative(fj, tj, row, pos, rows, forward=False)
            pcum = np.subtract(lg1 - out["Q"][at_s, None], pcum, out=pcum)
            out["M"] = integral(np.exp(pcum, out=pcum))
            jrev = np.negative(np.expm1(np.negative(jrev, out=jrev), out=jrev), out=jrev)
            out["OM"] = integral(np.exp(lg1 - np.exp(v)) * jrev)
        return out

    # ------------------------------------------------------------------ the outer integral over s
    def _outer_coordinate(self):
        """z ↦ (s, ds/dz): z = s where ξ' ≤ 1 (dense points), z = log mass / min(1, α) above (sparse points)."""
        m = self.m
        vc = m.v_at_log_slope(0.0)
        sc = float(m.xi(vc)) if math.isfinite(vc) else (math.inf if vc > 0 else -math.inf)

        h = m.v_step  # log mass changes the slope of ξ by e^{1/α} per unit: steps of min(1, α)

        # above a mass of e^{720} (or a slope e^{700}) e^{−Q} and e^{−M} have long vanished: stop moving there
        sig_cap = min(720.0, m.v_at_log_slope(700.0))

        def s_of(z):
            if z <= sc:
                return z, 1.0
            sig = min(vc + h * (z - sc) if math.isfinite(sc) else h * z, sig_cap)
            return float(m.xi(sig)), h * math.exp(float(m.log_slope(sig)))

        self._z_switch = sc  # the coordinate is only C¹ there: a panel boundary
        # so is ξ(v) at the map's breaks: their z are panel ends too
        zb = [float(m.xi(b)) if (not math.isfinite(sc) and vc > 0) or (math.isfinite(sc) and b <= vc)
              else (sc + (b - vc) / h if math.isfinite(sc) else b / h) for b in m.breaks]
        self._z_breaks = sorted(zb)
        if 0.0 <= sc:
            self._z_zero = 0.0
        else:  # z of s = 0 (log mass 0)
            self._z_zero = (-vc) / h + sc if math.isfinite(sc) else 0.0
        return s_of

    def _spans(self, z1, z2):
        """[z1, z2] cut at the coordinate's breaks (each piece one panel of outer nodes)."""
        ends = [z1] + [z for z in self._z_breaks if z1 < z < z2] + [z2]
        return list(zip(ends[:-1], ends[1:]))

    def _panel(self, z1, z2, s_of, want_max, cache: dict, ahead=()):
        """The outer panel [z1, z2]: its integrals, and the least and largest Q and least v_a at its nodes.
        ``cache`` keeps the pieces computed ahead: those of [z1, z2] and of the panels ``ahead`` (the next ones
        the march will probably need) are computed together where [z1, z2] is not there yet."""
        spans = self._spans(z1, z2)
        if spans[0] not in cache:
            todo = [sp for sp in spans + [sp for z in ahead for sp in self._spans(*z)] if sp not in cache]
            cache.update(zip(todo, self._one_panels(todo, s_of, want_max)))
        if len(spans) == 1:
            return cache.pop(spans[0])
        acc, q_min, q_max, va_min = _zero(self.powers), math.inf, -math.inf, math.inf
        for sp in spans:
            part, q1, q2, va = cache.pop(sp)
            _add(acc, part)
            q_min, q_max, va_min = min(q_min, q1), max(q_max, q2), min(va_min, va)
        return acc, q_min, q_max, va_min

    def _one_panels(self, spans, s_of, want_max):
        """:meth:`_panel` of each span [z1, z2] (one panel of outer nodes each), with one batch of inner
        integrals."""
        yo, wo = _OUTER[self.outer_nodes]
        zs = np.concatenate([0.5 * (z1 + z2) + 0.5 * (z2 - z1) * yo for z1, z2 in spans])
        s, dsdz = zip(*(s_of(z) for z in zs.tolist()))
        r = self._inner(np.array(s), want_max)
        r = {k: a.tolist() for k, a in r.items() if k != "K"} | {p: a.tolist() for p, a in r["K"].items()}
        out = []
        for j, (z1, z2) in enumerate(spans):
            acc = _zero(self.powers)
            q_min, q_max, va_min = math.inf, -math.inf, math.inf
            for i, wz in enumerate(0.5 * (z2 - z1) * wo, start=j * yo.size):
                q = r["Q"][i]
                q_min, q_max, va_min = min(q_min, q), max(q_max, q), min(va_min, r["v_a"][i])
                c = wz * dsdz[i]
                acc["max"] += c * r["M"][i]
                acc["one_minus_max"] += c * r["OM"][i]
                if q > 745.0:
                    continue
                phi = c * math.exp(-q)
                for p in self.powers:
                    acc["power"][p] += phi * r[p][i]
                acc["norm"] += phi * r["K1"][i]
                acc["defect"] += phi * r["K1x"][i]
                acc["ipr_x"] += phi * r["K2x"][i]
                acc["ipr_xx"] += phi * r["K2xx"][i]
            out.append((acc, q_min, q_max, va_min))
        return out

    def integrate(self, want_max: bool = True, want_one_minus: bool = True, rtol: float = 1e-14) -> dict:
        """All integrals: ``power`` {p: E Σ W^p}, ``max`` E W_1, ``one_minus_max`` E[1 − W_1], ``defect``
        E Σ W η, ``ipr_x`` E Σ W² η, ``ipr_xx`` E Σ W² η² (η-moments only for :class:`LogMassMap`), ``norm``
        E Σ W (1 up to the quadrature error). Without ``want_one_minus`` (or where E W_1 < 1/4) E[1 − W_1] is
        returned as 1 − E W_1, which saves marching on where only the points' e^{−M} is left. The marches stop
        where a panel adds less than ``rtol`` of every total."""
        s_of = self._outer_coordinate()
        def lq(zs):
            q = self._inner(np.array([s_of(z)[0] for z in zs]), q_only=True)["Q"]
            return [math.log(max(x, 1e-300)) for x in q.tolist()]

        z0 = _batched_root(lq, self._z_zero, 16.0, tol=0.05)  # only anchors the panels
        sw = self._z_switch
        if math.isfinite(sw):
            z0 = sw + round(z0 - sw)
        total = _zero(self.powers)
        down = lambda z, w: z - w if not (z - w < sw < z) else sw  # noqa: E731  the switch of coordinate is a
        up = lambda z, w: z + w if not (z < sw < z + w) else sw  # noqa: E731  panel boundary
        # each panel is computed with the next one the march will probably need (one batch of inner integrals),
        # the first one with the first of the march upwards too
        cache, grows, ahead = {}, False, [(z0, up(z0, 1.0))]
        z, w = z0, 1.0
        for _ in range(2000):  # downwards: the integrands fall like e^{p s} (dense) or like the mass e^{v}
            end = down(z, w)
            w_next = min(1.5 * w, 8.0) if grows else w
            part, q_min, q_max, _ = self._panel(end, z, s_of, want_max, cache, [(down(end, w_next), end)] + ahead)
            ahead = []
            _add(total, part)
            z = end
            grows = q_max < 1e-3
            if grows:  # below the transition: the integrands are smooth exponentials, panels can grow
                if _negligible(part, total, rtol):
                    break
                w = min(1.5 * w, 8.0)
        z, w = z0, 1.0
        for _ in range(4000):  # upwards: until e^{−Q} has underflowed, and e^{−M(s − 5)} if E[1 − W_1] is wanted
            end = up(z, w)
            part, q_min, q_max, va_min = self._panel(z, end, s_of, want_max, cache, [(end, up(end, w))])
            _add(total, part)
            z = end
            if q_min > 745.0 and _negligible(part, total, rtol, skip=("one_minus_max",)):
                if total["max"] < 0.25 or not want_one_minus:  # 1 − E W_1 loses nothing where E W_1 < 1/4
                    total["one_minus_max"] = 1.0 - total["max"]
                    break
                if va_min > math.log(800.0) and _negligible(part, total, rtol):
                    break
        return total


def _batched_root(g, center: float, step: float, tol: float, depth: int = 3) -> float:
    """:func:`._pk_maps.increasing_root` (the same points, the same result) for a g that takes a list of
    points: the first bracket's two ends together, then ``depth`` bisection steps at a time (all 2^depth − 1
    midpoints they might visit in one call)."""
    lo, hi = center - step, center + step
    g_lo, g_hi = g([lo, hi])
    if g_lo > 0 or g_hi < 0:  # the bracket has to grow: rare, point by point
        return increasing_root(lambda z: g([z])[0], center, step, tol)
    while True:
        tree = [(lo, hi)]  # breadth-first: the children of node i are 2i + 1 (lower half) and 2i + 2
        for i in range(2**depth - 1):
            a, b = tree[i]
            mid = 0.5 * (a + b)
            tree += [(a, mid), (mid, b)]
        values = g([0.5 * (a + b) for a, b in tree[: 2**depth - 1]])
        i = 0
        for _ in range(depth):
            mid = 0.5 * (lo + hi)
            if values[i] < 0:
                lo, i = mid, 2 * i + 2
            else:
                hi, i = mid, 2 * i + 1
            if hi - lo <= tol * max(1.0, abs(mid)):
                return 0.5 * (lo + hi)


def _cumulative(f, totals, row, pos, rows: int, forward: bool):
    """∫ of f (values at the nodes, one panel a row; ``totals`` the panels' integrals, ``row`` and ``pos`` their
    interval and place in it) from each interval's bottom (forward) or to its top."""
    within = f @ _B.T
    grid = np.zeros((rows, int(pos.max()) + 1))
    grid[row, pos] = totals
    if forward:
        return (np.cumsum(grid, axis=1)[row, pos] - totals)[:, None] + within
    after = np.cumsum(grid[:, ::-1], axis=1)[:, ::-1][row, pos] - totals
    return after[:, None] + (totals[:, None] - within)


def _arange(start, stop, step):
    """Rows of ``np.arange(start[i], stop[i], step[i])`` (its arithmetic: start, start + step, then
    start + k·((start + step) − start)), padded with NaN."""
    count = np.ceil((stop - start) / step)
    count[~(count > 0.0)] = 0.0
    k = np.arange(count.max(initial=0.0))
    second = start + step
    out = start[:, None] + k * (second - start)[:, None]
    if k.size > 1:
        out[:, 1] = second
    if k.size:
        out[:, 0] = start
    return np.where(k < count[:, None], out, np.nan)


def _first(x, mask):
    """x at the first True of each row of mask (x[i, 0] where a row has none)."""
    return np.take_along_axis(x, mask.argmax(axis=1)[:, None], 1)[:, 0]


def _zero(powers):
    return {"power": {p: 0.0 for p in powers}, "norm": 0.0, "defect": 0.0, "max": 0.0, "one_minus_max": 0.0,
            "ipr_x": 0.0, "ipr_xx": 0.0}


def _add(total, part):
    for p in total["power"]:
        total["power"][p] += part["power"][p]
    for k in ("norm", "defect", "max", "one_minus_max", "ipr_x", "ipr_xx"):
        total[k] += part[k]


def _negligible(part, total, rtol: float = 1e-14, skip=()) -> bool:
    keys = [k for k in ("norm", "defect", "max", "one_minus_max", "ipr_x", "ipr_xx") if k not in skip]
    pairs = [(part[k], total[k]) for k in keys]
    pairs += [(part["power"][p], total["power"][p]) for p in part["power"]]
    return all(abs(a) <= rtol * abs(b) or a == 0.0 for a, b in pairs)
