"""Distance CDF, survival function and quantiles of von Mises–Fisher keys centred on the query.

D = 1 − ⟨q,K⟩ has density f(s) = C e^{−κs} s^{α−1} (2−s)^{α−1} on (0, 2), α = (d−1)/2,
log C = −log(e^{−κ}M(κ)) − (2α−1) log 2 − log B(α, α) (``theory._measure.DistanceDensity``; the e^{κ} of
M(κ) cancels analytically). Every integral is taken in logs (log-sum-exp), in the variable where the
integrand is smooth and free of the s^{α−1} endpoint behaviour:

* lower half, x = log s: g(x) = log C + αx − κe^x + (α−1) log(2 − e^x);
* upper half, y = log(2 − s): ḡ(y) = log C + αy − κ(2 − e^y) + (α−1) log(2 − e^y).

Far tails, where the log-integrand's slope λ = g'(z) stays within [3α/4, 4α/3] (g'(z) → α as z → −∞), use the
exact substitution z' = z − w/μ, μ = √(λα): ∫_{−∞}^{z} e^{g} = e^{g(z)}/μ ∫_0^∞ e^{−w} e^{g(z−w/μ)−g(z)+w} dw, whose
second factor varies slowly in w, by 60-point Gauss–Laguerre: F keeps full relative precision however small
(F ≪ 1e−300 in logs). Between, panels adaptive to the slope and curvature of g (|Δg| ≲ 16 per panel) with
20-point Gauss–Legendre, cumulated from both ends, so F and 1 − F each keep relative precision on their
side. Where the log-integrand falls below −800 past the mode (large κ), the table stops; beyond it
1 − F < e^{−800}, estimated by the same substitution in s itself (φ = log f is concave in s for d ≥ 3).
F^{-1} is Newton's method on log F in log t (on log(1 − F) in log(2 − t) for the upper side).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["VmfDistanceQuantile"]

_GL_X, _GL_W = special.roots_legendre(20)
_LAG_X, _LAG_W = special.roots_laguerre(60)
_LOG_GL_W, _LOG_LAG_W = np.log(_GL_W), np.log(_LAG_W)
#: The table stops where the normalised log-integrand falls below this, past the mode.
_CUT = -800.0


def _lse(a, axis=-1):
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        return special.logsumexp(a, axis=axis)


class _Table:
    """Gauss–Legendre panels of e^{g} on edges z_0 < … < z_m, with the mass ``inner`` below z_0 and
    ``outer`` above z_m: :meth:`split` gives log ∫ below and above any z in [z_0, z_m]."""

    def __init__(self, g, edges, log_inner, log_outer):
        self.g, self.edges = g, np.asarray(edges, dtype=float)
        panels = self.integral(self.edges[:-1], self.edges[1:])
        self.below = np.logaddexp.accumulate(np.concatenate([[log_inner], panels]))  # mass below each edge
        above = np.logaddexp.accumulate(np.concatenate([[log_outer], panels[::-1]]))[::-1]
        self.above = above  # mass above each edge
        self.log_total = np.logaddexp(self.below[-1], log_outer)

    def integral(self, lo, hi):
        """log ∫_lo^hi e^{g} (elementwise, hi ≥ lo)."""
        half = (hi - lo) / 2.0
        z = ((hi + lo) / 2.0)[:, None] + half[:, None] * _GL_X[None, :]
        with np.errstate(divide="ignore"):
            return np.log(half) + _lse(self.g(z) + _LOG_GL_W[None, :])

    def split(self, z):
        """(log mass below z, log mass above z)."""
        j = np.clip(np.searchsorted(self.edges, z, side="right") - 1, 0, self.edges.size - 2)
        below = np.logaddexp(self.below[j], self.integral(self.edges[j], z))
        above = np.logaddexp(self.above[j + 1], self.integral(z, self.edges[j + 1]))
        return below, above


def _laguerre(g, z, lam, far):
    """log ∫_{−∞}^{z} e^{g} = g(z) − log μ + log Σ W_k e^{w_k + g(z − w_k/μ) − g(z)} (exact substitution),
    μ = √(λ·far): the geometric mean of the slopes at z and at −∞, so the integrand decays like e^{−w}·e^{±cw},
    |c| ≤ 1 − √(1/2)."""
    z = np.asarray(z, dtype=float)
    lam = np.sqrt(np.asarray(lam, dtype=float) * far)
    gz = g(z)
    nodes = z[:, None] - _LAG_X[None, :] / lam[:, None]
    with np.errstate(invalid="ignore"):
        terms = _LOG_LAG_W[None, :] + _LAG_X[None, :] + g(nodes) - gz[:, None]
    return gz - np.log(lam) + _lse(terms)


def _march(g1, g2, start, stop, done, h_max=0.25):
    """Edges from ``start`` toward ``stop`` with steps ≤ 16/|g'| and ≤ 3/√|g''| (at both ends of a step),
    ending at ``stop`` or at the first edge where ``done`` holds."""
    sign = 1.0 if stop > start else -1.0
    edges, z = [start], start
    while sign * (stop - z) > 1e-15 and not done(z) and len(edges) < 20_000:
        h = h_max
        for _ in range(2):
            ze = z + sign * h
            h = min(h, *(16.0 / max(abs(g1(u)), 1e-300) for u in (z, ze)),
                    *(3.0 / math.sqrt(max(abs(g2(u)), 1e-300)) for u in (z, ze)))
        z = z + sign * h if sign * (stop - z - sign * h) > 1e-12 else stop
        edges.append(z)
    return np.array(edges if sign > 0 else edges[::-1])


def _bisect(ok, lo, hi, steps=80):
    """Largest z in [lo, hi] (to bisection accuracy) with ok(z), given ok(lo) and not ok(hi)."""
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


class VmfDistanceQuantile:
    """log F, log(1 − F) and F^{-1} of D for vMF(κ) keys in dimension d with mean direction at the query."""

    def __init__(self, d: int, kappa: float, log_c: float):
        self.d, self.kappa, self.log_c = d, float(kappa), float(log_c)
        a, k = (d - 1) / 2.0, self.kappa
        self.alpha, a1 = a, a - 1.0
        c = self.log_c

        def g_lo(x):
            s = np.exp(x)
            return c + a * x - k * s + a1 * np.log1p(1.0 - s)

        def g_up(y):
            r = np.exp(y)
            return c + a * y - k * (2.0 - r) + a1 * np.log1p(1.0 - r)

        self._g_lo, self._g_up = g_lo, g_up
        d_lo = lambda x: a - k * math.exp(x) - a1 * math.exp(x) / (2.0 - math.exp(x))  # noqa: E731
        d2_lo = lambda x: -k * math.exp(x) - 2.0 * a1 * math.exp(x) / (2.0 - math.exp(x)) ** 2  # noqa: E731
        d_up = lambda y: a + k * math.exp(y) - a1 * math.exp(y) / (2.0 - math.exp(y))  # noqa: E731
        d2_up = lambda y: k * math.exp(y) - 2.0 * a1 * math.exp(y) / (2.0 - math.exp(y)) ** 2  # noqa: E731
        self._d_lo, self._d_up = d_lo, d_up
        lag_lo_ok = lambda x: 0.75 * a <= d_lo(x) <= a / 0.75  # noqa: E731
        lag_up_ok = lambda y: 0.75 * a <= d_up(y) <= a / 0.75  # noqa: E731
        low = math.log(1e-300)
        self.x_lo = 0.0 if lag_lo_ok(0.0) else _bisect(lag_lo_ok, low, 0.0)
        self.y_lo = 0.0 if lag_up_ok(0.0) else _bisect(lag_up_ok, low, 0.0)
        past = lambda x: d_lo(x) < 0.0 and float(g_lo(x)) < _CUT  # noqa: E731
        lower = _march(d_lo, d2_lo, self.x_lo, 0.0, past)
        self.s_hi = math.exp(lower[-1]) if lower[-1] < 0.0 else 1.0
        log_a0 = float(_laguerre(g_lo, [self.x_lo], [d_lo(self.x_lo)], a)[0])
        if self.s_hi < 1.0 or float(g_up(0.0)) < _CUT:  # nothing worth a table above s_hi
            self._up, self.y_a = None, 0.0
            log_r = float(self._log_sf_linear(np.array([self.s_hi]))[0])
        else:
            upper = _march(d_up, d2_up, 0.0, self.y_lo, lambda y: float(g_up(y)) < _CUT)
            self.y_a = upper[0]
            log_u0 = self._log_sf_beyond(np.array([self.y_a]))[0]
            log_r = None
        lo_inner = log_a0
        if lower.size >= 2:
            if log_r is None:  # the upper table's total is the lower table's outer mass
                f1 = _Table(g_lo, lower, lo_inner, -np.inf).below[-1]
                self._up = _Table(g_up, upper, log_u0, f1) if upper.size >= 2 else None
                log_r = self._up.below[-1] if self._up is not None else log_u0
            self._lo = _Table(g_lo, lower, lo_inner, log_r)
            f1 = self._lo.below[-1]
        else:
            self._lo, f1 = None, log_a0
            if log_r is None:
                self._up = _Table(g_up, upper, log_u0, f1) if upper.size >= 2 else None
                log_r = self._up.below[-1] if self._up is not None else log_u0
        self.log_total = float(np.logaddexp(f1, log_r))  # ≈ 0 (a check of the quadrature and of C)
        self._knots()

    # -- pieces outside the tables -------------------------------------------------------------------
    def _phi(self, s):
        """log f(s) (normalised by C, not by the quadrature total)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.log_c - self.kappa * s + (self.alpha - 1.0) * (np.log(s) + np.log(2.0 - s))

    def _log_sf_linear(self, t):
        """log ∫_t^2 f by the substitution s = t + w/λ, λ = −φ'(t) > 0 (past the mode; nodes past 2 dropped):
        only used where 1 − F < e^{−800}."""
        t = np.asarray(t, dtype=float)
        a1 = self.alpha - 1.0
        lam = np.maximum(self.kappa - a1 / t + a1 / (2.0 - t), 1e-300)
        s = t[:, None] + _LAG_X[None, :] / lam[:, None]
        with np.errstate(invalid="ignore"):
            terms = np.where(s < 2.0, _LOG_LAG_W + _LAG_X + self._phi(np.minimum(s, 2.0)) - self._phi(t)[:, None], -np.inf)
        return self._phi(t) - np.log(lam) + _lse(terms)

    def _log_sf_beyond(self, y):
        """log ∫ above s = 2 − e^y for y below the upper table: Gauss–Laguerre in y where valid, else linear."""
        y = np.asarray(y, dtype=float)
        if self.y_a <= self.y_lo:
            lam = np.array([self._d_up(v) for v in y])
            return _laguerre(self._g_up, y, lam, self.alpha)
        return self._log_sf_linear(2.0 - np.exp(y))

    # -- the CDF -------------------------------------------------------------------------------------
    def log_cdf_sf(self, t, tbar=None):
        """(log F(t), log(1 − F(t))) for t in [0, 2], each with relative precision on its own side;
        ``tbar`` = 2 − t where known more precisely than from t."""
        t = np.atleast_1d(np.asarray(t, dtype=float)).astype(float)
        tbar = 2.0 - t if tbar is None else np.atleast_1d(np.asarray(tbar, dtype=float)).astype(float)
        lf = np.full(t.shape, np.nan)
        ls = np.full(t.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            x = np.log(t)
            head = t <= math.exp(self.x_lo)
            lower = ~head & (t <= self.s_hi) & (self._lo is not None)
            rest = ~head & ~lower & (tbar > 0)
            if np.any(head):
                lam = np.array([self._d_lo(v) for v in x[head]])
                lf[head] = _laguerre(self._g_lo, x[head], lam, self.alpha)
            if np.any(lower):
                lf[lower], ls[lower] = self._lo.split(x[lower])
            if np.any(rest):
                y = np.log(tbar[rest])
                out = np.empty(y.shape)
                inside = (y >= self.y_a) if self._up is not None else np.zeros(y.shape, bool)
                if self._up is not None and np.any(inside):
                    ls_in, lf_in = self._up.split(y[inside])
                    out[inside] = ls_in
                    tmp = np.full(y.shape, np.nan)
                    tmp[inside] = lf_in
                    lf[rest] = tmp
                far = ~inside
                if np.any(far):
                    out[far] = self._log_sf_linear(t[rest][far]) if self.s_hi < 1.0 else self._log_sf_beyond(y[far])
                ls[rest] = out
            lf, ls = lf - self.log_total, ls - self.log_total
            # each side from the other where that one is the smaller (≤ 1/2): no lost digits near 1
            half = math.log(0.5)
            lf, ls = (np.where((ls < half) | np.isnan(lf), np.log1p(-np.exp(ls)), lf),
                      np.where((lf <= half) | np.isnan(ls), np.log1p(-np.exp(lf)), ls))
            lf = np.where(t <= 0, -np.inf, np.where(tbar <= 0, 0.0, np.minimum(lf, 0.0)))
            ls = np.where(tbar <= 0, -np.inf, np.where(t <= 0, 0.0, np.minimum(ls, 0.0)))
        return lf, ls

    def log_cdf_theta(self, theta):
        """log P(Θ ≤ θ) for the polar angle θ ∈ (0, π] (D = 2 sin²(θ/2))."""
        theta = np.asarray(theta, dtype=float)
        half = np.sin(theta / 2.0)
        return self.log_cdf_sf(2.0 * half * half, 2.0 * np.cos(theta / 2.0) ** 2)[0].reshape(theta.shape)

    # -- the quantile --------------------------------------------------------------------------------
    def _knots(self):
        """(log t, log F) and (log(2 − t), log(1 − F)) on the table edges, for Newton's starting points."""
        pts = [np.exp(self.x_lo + np.linspace(-3.0, 0.0, 4))]
        if self._lo is not None:
            pts.append(np.exp(self._lo.edges))
        tb = [] if self._up is None else [np.exp(self._up.edges)]
        t = np.concatenate(pts + [2.0 - v for v in tb])
        tbar = np.concatenate([2.0 - v for v in pts] + tb)
        order = np.argsort(t)
        t, tbar = t[order], tbar[order]
        lf, ls = self.log_cdf_sf(t, tbar)
        ok_f, ok_s = np.isfinite(lf) & (lf < 0), np.isfinite(ls) & (ls < 0)
        self._kf = (lf[ok_f], np.log(t[ok_f]))
        self._ks = (ls[ok_s][::-1], np.log(tbar[ok_s])[::-1])

    def _newton(self, target, knots, side, max_steps=60, start=None):
        """Newton on log F in z = log t (side 0), on log(1 − F) in z = log(2 − t) (side 1) or in z = log t
        (side 2: refines side 1 where t < 1, whose absolute precision in t side 1 limits to 4e−16)."""
        if start is None:
            lv, lz = knots
            z = np.interp(target, lv, lz)
            z = np.where(target < lv[0], lz[0] + (target - lv[0]) / self.alpha, z)
        else:
            z = np.log(start)
        cap = math.log(2.0) if side == 1 else 0.0 if side == 0 else math.log(2.0)
        z = np.minimum(z, cap)
        active = np.flatnonzero(np.isfinite(z))
        for _ in range(max_steps):
            if active.size == 0:
                break
            za = z[active]
            e = np.exp(za)
            t, tbar = (2.0 - e, e) if side == 1 else (e, 2.0 - e)
            val = self.log_cdf_sf(t, tbar)[min(side, 1)]
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                dens = self._phi(t) - self.log_total
                slope = np.exp(za + dens - val) * (-1.0 if side == 2 else 1.0)
                step = (val - target[active]) / slope
            ok = np.isfinite(step)
            step = np.where(ok, np.clip(step, -2.0, 2.0), 0.0)
            z[active] = np.minimum(za - step, cap)
            active = active[ok & (np.abs(step) > 4e-16 * np.maximum(1.0, np.abs(za)))]
        return np.exp(z)

    def ppf_log(self, log_p, log_q):
        """D with F(D) = p, from log p and log q = log(1 − p): the lower side (p ≤ q) by Newton on log F in
        log t, the upper side on log(1 − F) in log(2 − t)."""
        log_p = np.atleast_1d(np.asarray(log_p, dtype=float))
        log_q = np.atleast_1d(np.asarray(log_q, dtype=float))
        lower = log_p <= log_q
        out = np.empty(log_p.shape)
        if np.any(lower):
            out[lower] = self._newton(log_p[lower], self._kf, 0)
        if np.any(~lower):
            up = 2.0 - self._newton(log_q[~lower], self._ks, 1)
            near = up < 1.0
            if np.any(near):
                up[near] = self._newton(log_q[~lower][near], None, 2, start=up[near])
            out[~lower] = up
        return out
