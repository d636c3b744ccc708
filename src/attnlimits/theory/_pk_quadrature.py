"""Quadrature of Poisson–Kingman expectations in log-mass coordinates (SPEC §2a, §3).

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
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._finite import _integration_matrices
from ._pk_maps import T_HI, DirichletMap, LogMassMap, increasing_root

__all__ = ["LogMassMap", "DirichletMap", "PoissonQuadrature"]

_NI = 12  # inner nodes per panel
_YI, _WI = special.roots_legendre(_NI)
_OUTER = {n: special.roots_legendre(n) for n in (8, 10)}  # outer nodes per panel: 10, or 8 for a root's ~1e−9
_V_LO = -100.0  # mass below e^{−100} is left out
_CUT = 40.0
_V_MAX_W = math.log(3200.0)  # beyond: M(x) − M(s) > 2000, so e^{−Q − Σ_{ξ<x} e^{−e^{s−ξ}}} < e^{−735}  # window: envelope within e^{−40} of its largest value
_OFFSETS = 2.0 ** np.arange(-6.0, 40.0, 0.5)  # trial distances from the envelope's top


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

    # ------------------------------------------------------------------ inner integrals at one s
    def _envelope(self, v, s):
        v = np.asarray(v, dtype=float)
        with np.errstate(invalid="ignore"):
            t = s - self.m.xi(v)
        return v + self.p_min * np.minimum(0.0, t)

    def _window(self, s):
        """[lo, hi] in v where the envelope is within e^{−40} of its top (widened by at most a factor 2 in the
        distance from the top), and whether everything below lo is saturated (t > 5). Where the top lies at
        a mass above e^{8} (many points, deep subcritical) the window also covers the points of mass below
        e^{8}, where the max-weight integrands live."""
        m = self.m
        v_a = float(m.v_of(s - T_HI)) if s - T_HI > m.xi_min else -math.inf
        saturated = v_a >= _V_LO
        bottom = v_a if saturated else _V_LO
        v_s = float(m.v_of(s)) if s > m.xi_min else -math.inf
        peak = max(v_s, self._v_tail, bottom)
        lo, hi = self._cut(s, peak, bottom)
        if lo is None:
            return None
        parts = [(lo, hi)]
        if peak > _V_MAX_W and bottom < _V_MAX_W:
            lo_w, hi_w = self._cut(s, _V_MAX_W, bottom, cap=True)  # concave envelope: its top below e^{8}
            if lo_w is not None:
                parts = [(lo_w, hi_w), (lo, hi)] if hi_w < lo else [(min(lo, lo_w), max(hi, hi_w))]
        return parts, saturated and parts[0][0] == bottom

    def _cut(self, s, peak, bottom, cap: bool = False):
        top = float(self._envelope(peak, s))
        if not math.isfinite(top):
            return None, None
        floor = top - _CUT
        lo = bottom
        if peak > bottom:
            cand = peak - _OFFSETS[_OFFSETS < peak - bottom]
            below = cand[self._envelope(cand, s) < floor]
            if below.size:
                lo = float(below[0])
        if cap:
            return lo, peak
        cand = peak + _OFFSETS
        with np.errstate(invalid="ignore"):
            below = np.flatnonzero(~(self._envelope(cand, s) >= floor))
        hi = float(cand[below[0]]) if below.size else float(cand[-1])
        return lo, hi

    def _nodes(self, s, parts):
        """Nodes (v, t, log dM/dy) of the panels over the window's intervals, in ascending v (one row per panel);
        between two intervals the integrands are negligible."""
        rows = [self._interval_nodes(s, lo, hi) for lo, hi in parts]
        return tuple(np.concatenate([r[i] for r in rows]) for i in range(3)) if len(rows) > 1 else rows[0]

    def _interval_nodes(self, s, lo, hi):
        m = self.m
        h = m.v_step
        bv = np.arange(math.ceil(lo / h) * h, hi, h)
        tail_end = s - float(m.xi(hi))
        tail_step = max(m.tail_step, (-40.0 - tail_end) / 2000.0)
        tail_t = np.arange(-40.0, tail_end, -tail_step) if tail_end < -40.0 else np.empty(0)
        tk = np.concatenate([m.kernel_t, tail_t])
        vk = m.v_of(s - tk)
        inside = (vk > lo) & (vk < hi)
        tk, vk = tk[inside], vk[inside]
        # v-grid points where ξ' > 1 would carry an inexact t when |s| is large: the ξ-grid resolves there
        bv = bv[m.log_slope(bv) <= 0.0] if bv.size else bv
        bv = np.concatenate([bv, m.breaks[(m.breaks > lo) & (m.breaks < hi)]])
        vb = np.concatenate([[lo, hi], bv, vk])
        tb = np.concatenate([s - m.xi(np.array([lo, hi])), s - m.xi(bv), tk])
        order = np.argsort(vb, kind="stable")
        vb, tb = vb[order], tb[order]
        keep = np.concatenate([[True], np.diff(vb) > 0])
        vb, tb = vb[keep], tb[keep]
        v1, v2, t1, t2 = vb[:-1], vb[1:], tb[:-1], tb[1:]
        dv, dt = v2 - v1, t1 - t2
        by_t = dt > dv
        y = _YI[None, :]
        rv, rt = ~by_t, by_t
        v = np.empty((v1.size, _NI))
        t = np.empty_like(v)
        log_jac = np.zeros_like(v)
        v[rv] = 0.5 * (v1 + v2)[rv, None] + 0.5 * dv[rv, None] * y
        t[rv] = s - m.xi(v[rv])
        if np.any(rt):
            t[rt] = 0.5 * (t1 + t2)[rt, None] - 0.5 * dt[rt, None] * y
            v[rt] = m.v_of(s - t[rt])
            log_jac[rt] = -m.log_slope(v[rt])
        with np.errstate(divide="ignore"):
            log_half = np.log(0.5 * np.where(by_t, dt, dv))
        with np.errstate(invalid="ignore"):
            log_g = np.where(v == -np.inf, -np.inf, log_half[:, None] + log_jac + v)  # dM/dy at the nodes
        return v, t, log_g

    def inner(self, s: float, want_max: bool = True) -> dict:
        """Inner integrals at s: Q, K_p = ∫γ_p dM, K1x = ∫γ_1 η dM, K2x, K2xx, and the max-weight integrands."""
        out = {"Q": 0.0, "K": {p: 0.0 for p in self.powers}, "K1": 0.0, "K1x": 0.0, "K2x": 0.0, "K2xx": 0.0,
               "M": 0.0, "OM": 0.0, "v_a": -math.inf}
        win = self._window(s)
        if win is None:
            return out
        parts, saturated = win
        lo = parts[0][0]
        if saturated and lo > 700.0:  # more than e^{700} points below s − 5: e^{−Q} and e^{−M(x)} vanish
            out["Q"], out["v_a"] = math.inf, lo
            return out
        v, t, log_g = self._nodes(s, parts)
        below = math.exp(lo) if saturated else 0.0
        out["v_a"] = lo if saturated else -math.inf
        w = _WI[None, :]
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            et = np.exp(t)
            lkq = np.where(t < -20.0, t - 0.5 * et, np.log(-np.expm1(-et)))
            fq = np.exp(lkq + log_g)
            q = below + float(np.sum(w * fq))
            out["Q"] = q
            lg1 = t - et + log_g
            f1 = np.exp(lg1)
            out["K1"] = float(np.sum(w * f1))
            for p in self.powers:
                out["K"][p] = float(np.sum(w * np.exp(p * t - et - self._lgam[p] + log_g)))
            if self._has_eta:
                eta = self.m.eta(v)
                out["K1x"] = float(np.sum(w * eta * f1))
                f2 = np.exp(2.0 * t - et + log_g)
                out["K2x"] = float(np.sum(w * eta * f2))
                out["K2xx"] = float(np.sum(w * eta * eta * f2))
            if want_max:
                # the cumulative masses only matter while < e^{8}: capping the integrands keeps them finite
                fp = np.exp(np.minimum(-et + log_g, 600.0))
                pcum = (0.0 if saturated else math.exp(lo)) + _cumulative(fp, forward=True)
                jrev = _cumulative(np.exp(np.minimum(lkq + log_g, 600.0)), forward=False)
                out["M"] = float(np.sum(w * np.exp(lg1 - q - pcum)))
                out["OM"] = float(np.sum(w * np.exp(lg1 - np.exp(v)) * -np.expm1(-jrev)))
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

    def _panel(self, z1, z2, s_of, want_max):
        inside = [z for z in self._z_breaks if z1 < z < z2]
        if not inside:
            return self._one_panel(z1, z2, s_of, want_max)
        ends = [z1] + inside + [z2]
        acc, q_min, q_max, va_min = _zero(self.powers), math.inf, -math.inf, math.inf
        for a, b in zip(ends[:-1], ends[1:]):
            part, q1, q2, va = self._one_panel(a, b, s_of, want_max)
            _add(acc, part)
            q_min, q_max, va_min = min(q_min, q1), max(q_max, q2), min(va_min, va)
        return acc, q_min, q_max, va_min

    def _one_panel(self, z1, z2, s_of, want_max):
        mid, half = 0.5 * (z1 + z2), 0.5 * (z2 - z1)
        acc = _zero(self.powers)
        q_min, q_max, va_min = math.inf, -math.inf, math.inf
        yo, wo = _OUTER[self.outer_nodes]
        for z, wz in zip(mid + half * yo, half * wo):
            s, dsdz = s_of(float(z))
            r = self.inner(s, want_max)
            q = r["Q"]
            q_min, q_max, va_min = min(q_min, q), max(q_max, q), min(va_min, r["v_a"])
            c = wz * dsdz
            acc["max"] += c * r["M"]
            acc["one_minus_max"] += c * r["OM"]
            if q > 745.0:
                continue
            phi = c * math.exp(-q)
            for p in self.powers:
                acc["power"][p] += phi * r["K"][p]
            acc["norm"] += phi * r["K1"]
            acc["defect"] += phi * r["K1x"]
            acc["ipr_x"] += phi * r["K2x"]
            acc["ipr_xx"] += phi * r["K2xx"]
        return acc, q_min, q_max, va_min

    def integrate(self, want_max: bool = True, want_one_minus: bool = True, rtol: float = 1e-14) -> dict:
        """All integrals: ``power`` {p: E Σ W^p}, ``max`` E W_1, ``one_minus_max`` E[1 − W_1], ``defect``
        E Σ W η, ``ipr_x`` E Σ W² η, ``ipr_xx`` E Σ W² η² (η-moments only for :class:`LogMassMap`), ``norm``
        E Σ W (1 up to the quadrature error). Without ``want_one_minus`` (or where E W_1 < 1/4) E[1 − W_1] is
        returned as 1 − E W_1, which saves marching on where only the points' e^{−M} is left. The marches stop
        where a panel adds less than ``rtol`` of every total."""
        s_of = self._outer_coordinate()
        lq = lambda z: math.log(max(self.inner(s_of(z)[0], want_max=False)["Q"], 1e-300))  # noqa: E731
        z0 = increasing_root(lq, self._z_zero, 16.0, tol=0.05)  # only anchors the panels
        sw = self._z_switch
        if math.isfinite(sw):
            z0 = sw + round(z0 - sw)
        total = _zero(self.powers)
        z, w = z0, 1.0
        for _ in range(2000):  # downwards: the integrands fall like e^{p s} (dense) or like the mass e^{v}
            end = z - w if not (z - w < sw < z) else sw  # the switch of coordinate is a panel boundary
            part, q_min, q_max, _ = self._panel(end, z, s_of, want_max)
            _add(total, part)
            z = end
            if q_max < 1e-3:  # below the transition: the integrands are smooth exponentials, panels can grow
                if _negligible(part, total, rtol):
                    break
                w = min(1.5 * w, 8.0)
        z, w = z0, 1.0
        for _ in range(4000):  # upwards: until e^{−Q} has underflowed, and e^{−M(s − 5)} if E[1 − W_1] is wanted
            end = z + w if not (z < sw < z + w) else sw
            part, q_min, q_max, va_min = self._panel(z, end, s_of, want_max)
            _add(total, part)
            z = end
            if q_min > 745.0 and _negligible(part, total, rtol, skip=("one_minus_max",)):
                if total["max"] < 0.25 or not want_one_minus:  # 1 − E W_1 loses nothing where E W_1 < 1/4
                    total["one_minus_max"] = 1.0 - total["max"]
                    break
                if va_min > math.log(800.0) and _negligible(part, total, rtol):
                    break
        return total


def _bisect(g, lo, hi, iters: int = 80) -> float:
    """The point in [lo, hi] where g changes sign from ≥ 0 to < 0 … or from < 0 to ≥ 0 (g monotone)."""
    glo = g(lo) >= 0
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if (g(mid) >= 0) == glo:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-9 * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)


def _cumulative(f, forward: bool):
    """∫ of f (values at the nodes, one row per panel) from the window's bottom (forward) or to its top."""
    within = f @ _B.T
    totals = f @ _WI
    if forward:
        return (np.cumsum(totals) - totals)[:, None] + within
    after = np.cumsum(totals[::-1])[::-1] - totals
    return after[:, None] + (totals[:, None] - within)


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
