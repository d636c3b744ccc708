"""Exact quadratures of SPEC §4 (finite n) and of their Poisson limits (SPEC §3).

Why a hand-written quadrature (DESIGN.md asks for a reason): the integrands live on scales that no
general-purpose routine finds by itself at n up to 1e18 and β up to 1e30 — a kernel of width one in
x = βD, an algebraic singularity x^{α−1} at both ends of [0, 2β], the scale of the smallest of n distances
(width 1/(n·g) in x) and power-law tails in v = ln u that decay like exp(−(v/λ)^α). ``scipy.integrate.quad``
on the nested integrals loses mass silently and costs seconds per value; composite Gauss–Legendre panels
placed at those scales give 1e−8 in milliseconds.

Formulation. With X = βD (law G, density g; or the Poisson mean measure Λ), s = ln u, t = s − x and
γ_p(t) = e^{pt − e^t}/Γ(p) (the density of ln Z, Z ~ Gamma(p)):

* 1 − φ(e^s) = Q(s) = E[1 − e^{−e^{s−X}}] and Φ(s) = φ^{n−1} = exp((n−1) log1p(−Q)) (Poisson: e^{−Q});
* E Σ w^p = n ∫ Φ(s) E[γ_p(s − X)] ds;   E Σ w X = n ∫ Φ(s) E[X γ_1(s − X)] ds  (so E⟨q,O⟩ = 1 − that/β);
* E max w = n ∫ ds E[γ_1(s − X) ψ(e^s, X)^{n−1}], with 1 − ψ(e^s, x) = Q(s) + ∫_0^x e^{−e^{s−x'}} dG(x');
* 1 − E max w = n ∫ ds E[γ_1(s − X) (1 − G(X))^{n−1} (1 − (1 − J/(1−G))^{n−1})], J = ∫_X (1 − e^{−e^{s−x'}}) dG,
  which keeps relative accuracy where max w → 1.

For each s the inner expectations are taken over a window of x where the kernel matters, cut into panels
of width ≤ 1 in t, refined at the quantiles of the smallest of n distances and graded towards the ends of
the support, where the substitution x = a·v^{1/α} removes the x^{α−1} singularity. The outer integral over s
is marched outwards in panels from the scale of the smallest distance until the pieces stop contributing.
Partial integrals inside a panel use the exact integration matrix of the Gauss–Legendre interpolant.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import legendre
from scipy import special

__all__ = ["ExactQuadrature"]

_N = 12
_Y, _W = special.roots_legendre(_N)
_NO = 10  # outer nodes per panel in s
_YO, _WO = special.roots_legendre(_NO)


def _integration_matrices(y):
    n = y.size
    vander = legendre.legvander(y, n - 1)
    fwd = np.empty((n, n))
    for j in range(n):
        coef = np.zeros(n)
        coef[j] = 1.0
        integ = legendre.legint(coef, lbnd=-1.0)
        fwd[:, j] = legendre.legval(y, integ)
    full = np.zeros(n)
    full[0] = 2.0
    rev = full[None, :] - fwd
    inv = np.linalg.inv(vander)
    return fwd @ inv, rev @ inv


_B_FWD, _B_REV = _integration_matrices(_Y)
_T_HI = 5.0  # e^{pt − e^t} < e^{−140} above, 1 − e^{−e^t} = 1 to 1e−64
_TRIAL = -(2.0 ** np.arange(0, 112))
_REGULAR, _LOWER, _UPPER = 0, 1, 2


class ExactQuadrature:
    """Integrals of SPEC §4 for n keys drawn from ``measure`` (n=None: its Poisson limit, SPEC §3)."""

    def __init__(self, measure, n: int | None, powers=(2.0,), max_weight: bool = True):
        self.m = measure
        self.n = n
        self.powers = tuple(float(p) for p in powers)
        self.want_max = max_weight
        self.mass = 1.0 if n is None else float(n)
        self.x_max = measure.x_max
        # panels over which the power law x^{α−1} changes by at most e^{8}
        self._ratio = min(4.0, 1.0 + 8.0 / max(measure.alpha - 1.0, 1e-9))
        self._lgam = {p: special.gammaln(p) for p in self.powers}
        ks = [-40, -30, -20, -15, -10, -8, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 10]
        pts = []
        for k in ks:
            q = 2.0 ** k / self.mass
            if n is not None and q >= 1.0:
                continue
            x = measure.quantile(q)
            if math.isfinite(x) and x > 0:
                pts.append(x)
        self.scale_points = np.unique(np.array(pts))

    # ------------------------------------------------------------------ inner expectations at one s
    def _window(self, s):
        lo = max(0.0, s - _T_HI)
        if lo >= self.x_max:
            return None
        x = s - _TRIAL
        ok = (x > 0) & (x < self.x_max)
        hits_top = bool(np.any(x >= self.x_max))
        if not np.any(ok):
            self._t_lo = s - self.x_max
            return lo, self.x_max
        xv = x[ok]
        lv = _TRIAL[ok] + self.m.log_density(xv, self.x_max - xv)
        top = np.nanmax(lv)
        keep = np.flatnonzero(lv >= top - 48.0)
        last = keep[-1] if keep.size else 0
        if last + 1 < xv.size:
            hi, self._t_lo = xv[last + 1], _TRIAL[ok][last + 1]
        else:
            hi = self.x_max if hits_top else xv[-1]
            self._t_lo = s - hi if hits_top else _TRIAL[ok][-1]
        return lo, min(hi, self.x_max)

    def _panels(self, s, lo, hi):
        """Panel ends (ascending x) and their kinds; t-coordinates where s is too large for x."""
        xmax = self.x_max
        if abs(s) > 2.0 ** 32:
            t_lo = self._t_lo
            tb = np.concatenate([np.arange(_T_HI, -10.0, -1.0), np.arange(-10.0, t_lo, -2.0), [t_lo]])
            tb = tb[(tb <= _T_HI) & (tb >= t_lo)]
            tb = np.unique(tb)[::-1]
            return None, tb
        t_lo = s - hi
        tt = np.concatenate([np.arange(_T_HI, max(-10.0, t_lo), -1.0), np.arange(-10.0, t_lo, -2.0)])
        pts = [np.array([lo, hi]), s - tt, self.scale_points]
        if lo == 0.0:
            b0 = min(1.0, hi / 2.0, xmax / 2.0)
            pts.append(b0 * 2.0 ** -np.arange(0, 13))
        if hi == xmax and math.isfinite(xmax):
            b1 = min(1.0, (hi - lo) / 2.0, xmax / 2.0)
            pts.append(xmax - b1 * 2.0 ** -np.arange(0, 13))
        xb = np.concatenate(pts)
        xb = np.unique(xb[(xb >= lo) & (xb <= hi)])
        return _geometric_refine(xb, xmax, self._ratio), None

    def _nodes(self, s, xb, tb):
        y = _Y
        if xb is None:  # t-coordinates, no end of the support in the window
            t1, t2 = tb[:-1], tb[1:]
            mid, half = (t1 + t2) / 2.0, (t1 - t2) / 2.0
            t = mid[:, None] - half[:, None] * y[None, :]
            x = s - t
            dxdy = np.broadcast_to(half[:, None], t.shape)
            kinds = np.zeros(t1.size, dtype=int)
            return x, self.x_max - x, t, np.log(dxdy), kinds
        x1, x2 = xb[:-1], xb[1:]
        mid, half = (x1 + x2) / 2.0, (x2 - x1) / 2.0
        x = mid[:, None] + half[:, None] * y[None, :]
        xbar = self.x_max - x
        logj = np.broadcast_to(np.log(half)[:, None], x.shape).copy()
        kinds = np.zeros(x1.size, dtype=int)
        v = (y + 1.0) / 2.0
        if x1[0] == 0.0:
            a, al = x2[0], self.m.alpha
            x[0] = a * v ** (1.0 / al)
            xbar[0] = self.x_max - x[0]
            logj[0] = math.log(a / (2.0 * al)) + (1.0 / al - 1.0) * np.log(v)
            kinds[0] = _LOWER
        if math.isfinite(self.x_max) and x2[-1] == self.x_max and x1.size > 1:
            a, al = self.x_max - x1[-1], self.m.alpha_hi
            xbar[-1] = a * v ** (1.0 / al)
            x[-1] = self.x_max - xbar[-1]
            logj[-1] = math.log(a / (2.0 * al)) + (1.0 / al - 1.0) * np.log(v)
            kinds[-1] = _UPPER
        return x, xbar, s - x, logj, kinds

    def inner(self, s: float) -> dict:
        """Inner expectations at s: Q, E γ_p(s−X), E X γ_1(s−X), and the max-weight integrands."""
        out = {"Q": None, "K": {p: 0.0 for p in self.powers}, "K1": 0.0, "K1x": 0.0, "K2x": 0.0, "K2xx": 0.0,
               "M": 0.0, "OM": 0.0}
        win = self._window(s)
        if win is None:
            out["Q"] = 1.0 if self.n is not None else math.inf
            return out
        lo, hi = win
        if hi <= lo and abs(s) <= 2.0 ** 32:
            out["Q"] = float(self.m.cdf(lo))
            return out
        xb, tb = self._panels(s, lo, hi)
        x, xbar, t, logj, kinds = self._nodes(s, xb, tb)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            logd = self.m.log_density(x, xbar) + logj
            logd = np.where(np.isfinite(logd), logd, -np.inf)
            et = np.exp(t)
            lk = np.where(t < -20.0, t - 0.5 * et, np.log(-np.expm1(-et)))
            w = _W[None, :]
            fk = np.exp(lk + logd)
            below = float(self.m.cdf(lo)) if lo > 0 else 0.0
            q = below + float(np.sum(w * fk))
            out["Q"] = q
            lg1 = t - et
            f1 = np.exp(lg1 + logd)
            out["K1"] = float(np.sum(w * f1))
            out["K1x"] = float(np.sum(w * x * f1))
            f2x = x * np.exp(2.0 * t - et + logd)
            out["K2x"] = float(np.sum(w * f2x))
            out["K2xx"] = float(np.sum(w * x * f2x))
            for p in self.powers:
                out["K"][p] = float(np.sum(w * np.exp(p * t - et - self._lgam[p] + logd)))
            if self.want_max:
                fp = np.exp(-et + logd)
                pcum = self._cumulative(fp, kinds, forward=True)
                jrev = self._cumulative(fk, kinds, forward=False)
                if self.n is None:
                    lpsi = -(q + pcum)
                    lam_x = self.m.cdf(x)
                    bracket = np.exp(-lam_x) * -np.expm1(-jrev)
                else:
                    nm1 = self.n - 1.0
                    lpsi = nm1 * np.log1p(-np.minimum(q + pcum, 1.0))
                    gcum = below + self._cumulative(np.exp(logd), kinds, forward=True)
                    sf = np.maximum(1.0 - gcum, 0.0)
                    ratio = np.where(sf > 0, jrev / sf, 1.0)
                    lsf = np.log1p(-np.minimum(gcum, 1.0))  # (1 − G)^{n−1} with G ~ 1/n: log1p, not log(1 − G)
                    bracket = np.where(sf > 0, np.exp(nm1 * lsf) * -np.expm1(nm1 * np.log1p(-np.minimum(ratio, 1.0))), 0.0)
                out["M"] = float(np.sum(w * np.exp(lg1 + logd + lpsi)))
                out["OM"] = float(np.sum(w * np.exp(lg1 + logd + np.log(bracket))))
        return out

    @staticmethod
    def _cumulative(f, kinds, forward: bool):
        """∫ from the window's bottom (forward) or to its top (reverse) up to each node, ascending x."""
        up = kinds == _UPPER
        mat_a, mat_b = (_B_FWD, _B_REV) if forward else (_B_REV, _B_FWD)
        within = f @ mat_a.T
        if np.any(up):
            within[up] = f[up] @ mat_b.T
        totals = f @ _W
        if forward:
            before = np.cumsum(totals) - totals
            return before[:, None] + within
        after = np.cumsum(totals[::-1])[::-1] - totals
        return after[:, None] + within

    # ------------------------------------------------------------------ the outer integral over s
    def _panel(self, s1, s2):
        mid, half = (s1 + s2) / 2.0, (s2 - s1) / 2.0
        svals = mid + half * _YO
        acc = _zero(self.powers)
        lphi_min, lphi_max = math.inf, -math.inf
        for s, wgt in zip(svals, _WO * half):
            r = self.inner(float(s))
            q = r["Q"]
            if self.n is None:
                lphi = -q
            else:
                lphi = (self.n - 1.0) * math.log1p(-min(q, 1.0)) if q < 1.0 else (0.0 if self.n == 1 else -math.inf)
            lphi_min, lphi_max = min(lphi_min, lphi), max(lphi_max, lphi)
            phi = math.exp(lphi) if lphi > -745 else 0.0
            c = wgt * self.mass
            acc["max"] += c * r["M"]
            acc["one_minus_max"] += c * r["OM"]
            if phi == 0.0:
                continue
            for p in self.powers:
                acc["power"][p] += c * phi * r["K"][p]
            acc["norm"] += c * phi * r["K1"]
            acc["defect"] += c * phi * r["K1x"]
            acc["ipr_x"] += c * phi * r["K2x"]
            acc["ipr_xx"] += c * phi * r["K2xx"]
        return acc, lphi_min, lphi_max

    def integrate(self) -> dict:
        """All integrals: ``power`` {p: E Σ w^p}, ``defect`` E Σ w X, ``max``, ``one_minus_max``,
        ``ipr_x`` E Σ w² X, ``ipr_xx`` E Σ w² X², and ``norm`` = E Σ w (1 up to the quadrature error)."""
        sp = self.scale_points
        if sp.size == 0:
            sp = np.array([0.0])
        keep = [sp[0]]
        for v in sp[1:]:
            if v - keep[-1] >= 0.01 * max(1.0, abs(v)):
                keep.append(v)
        pts = [float(v) for v in keep]
        # split gaps so that panels are at most max(1, s) wide
        grid = [pts[0]]
        for v in pts[1:]:
            step = min(1.0, self._ratio - 1.0)
            while v - grid[-1] > max(1.0, grid[-1] * step):
                grid.append(grid[-1] + max(1.0, grid[-1] * step))
            grid.append(v)
        total = _zero(self.powers)
        for a, b in zip(grid[:-1], grid[1:]):
            _add(total, self._panel(a, b)[0])
        # march downwards: the integrands decay like e^{s} below the scale of the smallest distance
        s = grid[0]
        lphi_low = -math.inf
        for _ in range(400):
            w = max(1.0, s * min(0.5, 1.0 - 1.0 / self._ratio)) if s > 2.0 else 1.0
            if s < 0.0 and lphi_low > -1e-9:
                w = 4.0  # φ^{n−1} ≈ 1 here and every integrand is ∝ e^{s}·(slowly varying)
            part, lphi_low, lphi_max = self._panel(s - w, s)
            _add(total, part)
            s -= w
            if lphi_max < -50.0 and s < grid[0] - 50.0:
                # still above the transition of φ^{n−1} = e^{−(n−1)Q}, Q ∝ e^{s} for s ≪ 0: skip to it
                s -= max(0.0, math.log(-lphi_max) - 4.0)
            if lphi_max > -1.0 and _negligible(part, total):  # below the transition of φ^{n−1}, and decayed
                break
        # march upwards until φ^{n−1} has underflowed (or past the end of the support)
        s = grid[-1]
        xmax = self.x_max
        for _ in range(600):
            w = max(1.0, abs(s) * min(0.5, self._ratio - 1.0))
            end = s + w
            if math.isfinite(xmax) and s < xmax + _T_HI:
                specials = [xmax - 2.0 ** k for k in range(6, -1, -1)] + [xmax, xmax + 1.0, xmax + _T_HI]
                nxt = [v for v in specials if v > s * (1 + 1e-15) + 1e-300]
                if nxt:
                    end = min(end, nxt[0])
            part, lphi_min, _ = self._panel(s, end)
            _add(total, part)
            s = end
            if math.isfinite(xmax) and s >= xmax + _T_HI:
                break
            if lphi_min < -800.0 and s >= grid[-1] + _T_HI and _negligible(part, total):
                break
        return total


def _geometric_refine(xb, xmax, ratio=4.0):
    """Split panels [x1, x2] with 0 < x1 and x2 > ratio·x1 (and likewise towards x_max) geometrically, so
    that the power law x^{α−1} is resolved on every panel."""
    x1, x2 = xb[:-1], xb[1:]
    bad = (x1 > 0) & (x2 > ratio * x1)
    if math.isfinite(xmax):
        b1, b2 = xmax - x2, xmax - x1
        badu = (b1 > 0) & (b2 > ratio * b1)
    else:
        badu = np.zeros_like(bad)
    if not (np.any(bad) or np.any(badu)):
        return xb
    extra = [xb]
    for a, b in zip(x1[bad], x2[bad]):
        k = math.ceil(math.log(b / a) / math.log(ratio))
        extra.append(a * np.exp(np.linspace(0.0, math.log(b / a), k + 1)))
    for a, b in zip(x1[badu], x2[badu]):
        ba, bb = xmax - b, xmax - a
        k = math.ceil(math.log(bb / ba) / math.log(ratio))
        extra.append(xmax - ba * np.exp(np.linspace(0.0, math.log(bb / ba), k + 1)))
    return np.unique(np.concatenate(extra))


def _zero(powers):
    return {"power": {p: 0.0 for p in powers}, "norm": 0.0, "defect": 0.0, "max": 0.0, "one_minus_max": 0.0,
            "ipr_x": 0.0, "ipr_xx": 0.0}


def _add(total, part):
    for p in total["power"]:
        total["power"][p] += part["power"][p]
    for k in ("norm", "defect", "max", "one_minus_max", "ipr_x", "ipr_xx"):
        total[k] += part[k]


def _negligible(part, total, rtol: float = 1e-13) -> bool:
    """True when every quantity of ``part`` is below ``rtol`` times its running total."""
    pairs = [(part[k], total[k]) for k in ("norm", "defect", "max", "one_minus_max", "ipr_x", "ipr_xx")]
    pairs += [(part["power"][p], total["power"][p]) for p in part["power"]]
    return all(abs(a) <= rtol * abs(b) or a == 0.0 for a, b in pairs)


def _size(part):
    return max(abs(part["norm"]), abs(part["max"]), abs(part["one_minus_max"]), *map(abs, part["power"].values()))
