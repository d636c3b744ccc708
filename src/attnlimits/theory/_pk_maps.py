"""The point-position maps of the Poisson–Kingman quadrature (:mod:`._pk_quadrature`, :ref:`theory-effective-exponent`, :ref:`theory-limit-laws`).

A map places the point of log mass v at ξ(v) (shifted so that ξ(0) = 0) and gives the quadrature the scales
it needs: its slope, where the slope reaches a value, and the panel widths of its kernel in t = s − ξ.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["LogMassMap", "DirichletMap", "increasing_root", "T_HI"]

T_HI = 5.0  # above: 1 − e^{−e^t} = 1 to 1e−64 and γ_p(t) < e^{−140}
#: Panel ends in t = s − ξ over the kernel's range: 1 and 2 apart, or half that where α < 1 (the mean measure
#: then changes faster than the kernel).
_KERNEL_T = np.concatenate([np.arange(T_HI, -10.0, -1.0), np.arange(-10.0, -40.0, -2.0)])
_KERNEL_T_FINE = np.concatenate([np.arange(T_HI, -10.0, -0.5), np.arange(-10.0, -40.0, -1.0)])


class LogMassMap:
    """Point position ξ(v) = λ(e^{u(v)} − 1) of the point of log mass v, with v(u) = α u + κ u²/2 (κ = 0: the
    Poisson–Kingman law PK(α, λ) of :ref:`theory-limit-laws`; κ ≠ 0: its curvature-corrected form, :ref:`theory-effective-exponent`).

    Where the slope dv/du = α + κ u would fall below α/2, v continues linearly with slope α/2, so the mean
    measure stays increasing (those points are far out in the tails of the law and carry no weight at the
    orders the correction is for).
    """

    def __init__(self, alpha: float, lam: float, kappa: float = 0.0):
        self.alpha, self.lam, self.kappa = float(alpha), float(lam), float(kappa)
        self.xi_min = -self.lam
        self.v_step = min(1.0, self.alpha)
        self.tail_step = max(2.0, math.sqrt(self.alpha) / 4.0)  # the tail peak has width ~√α in ξ
        self.kernel_t = _KERNEL_T_FINE if self.alpha < 1.0 else _KERNEL_T
        self._log_lam = math.log(self.lam)
        k = self.kappa
        if k == 0.0:
            self._ub = None
            self.breaks = np.empty(0)
        else:
            ub = -self.alpha / (2.0 * k)  # slope α + κu = α/2 there
            self._ub = ub
            self._vb = self.alpha * ub + 0.5 * k * ub * ub
            self.breaks = np.array([self._vb])  # ξ(v) is only C¹ there: a panel end

    def _v_of_u(self, u):
        a, k = self.alpha, self.kappa
        if self._ub is None:
            return a * u
        ub, vb = self._ub, self._vb
        core = a * u + 0.5 * k * u * u
        outside = (u > ub) if k < 0 else (u < ub)
        return np.where(outside, vb + 0.5 * a * (u - ub), core) if np.any(outside) else core

    def _u_of_v(self, v):
        a, k = self.alpha, self.kappa
        v = np.asarray(v, dtype=float)
        if self._ub is None:
            return v / a
        ub, vb = self._ub, self._vb
        if v.ndim == 0:  # scalar fast path (the windows' ends): the same IEEE operations, without np.errstate
            x = float(v)
            outside = (x > vb) if k < 0 else (x < vb)
            if outside:
                return np.float64(ub + 2.0 * (x - vb) / a)
            r = a * a + 2.0 * k * x
            return np.float64(2.0 * x / (a + math.sqrt(0.0 if r < 0.0 else r)))
        with np.errstate(invalid="ignore"):  # 2v / (α + √max(α² + 2κv, 0)), in place
            r = 2.0 * k * v
            r += a * a
            r = np.sqrt(np.maximum(r, 0.0, out=r), out=r)
            r += a
            core = np.divide(2.0 * v, r, out=r)
        outside = (v > vb) if k < 0 else (v < vb)  # the far tail: rarely reached
        return np.where(outside, ub + 2.0 * (v - vb) / a, core) if outside.any() else core

    def _log_dv_du(self, u):
        if self._ub is None:
            return np.full(np.shape(u), math.log(self.alpha))
        a, k = self.alpha, self.kappa
        outside = (u > self._ub) if k < 0 else (u < self._ub)
        return np.log(np.where(outside, 0.5 * a, a + k * u) if np.any(outside) else a + k * u)

    def xi(self, v):
        """ξ(v) = λ expm1(u(v))."""
        with np.errstate(over="ignore"):
            return self.lam * np.expm1(self._u_of_v(v))

    def eta(self, v):
        """η(v) = λ e^{u(v)} (the unshifted rescaled distance)."""
        with np.errstate(over="ignore"):
            return np.exp(self._log_lam + self._u_of_v(v))

    def v_of(self, xi):
        """v(ξ); −∞ at or below the bottom of the support ξ = −λ."""
        return self._v_u_of(xi)[0]

    def v_log_slope_of(self, xi):
        """v(ξ) and log dξ/dv there (from the same u)."""
        v, u = self._v_u_of(xi)
        return v, self._log_lam + u - self._log_dv_du(u)

    def _v_u_of(self, xi):
        xi = np.asarray(xi, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.log1p(xi / self.lam)
        return np.where(xi > -self.lam, self._v_of_u(u), -np.inf), u

    def log_slope(self, v):
        """log dξ/dv = log λ + u − log(dv/du)."""
        u = self._u_of_v(v)
        return self._log_lam + u - self._log_dv_du(u)

    def v_at_log_slope(self, c: float) -> float:
        """The v with log dξ/dv = c (dξ/dv increases with v)."""
        if self._ub is None:
            return self.alpha * (c - self._log_lam + math.log(self.alpha))
        return increasing_root(lambda v: float(self.log_slope(v)) - c)


class DirichletMap:
    """ξ(v) = θ v: the α → ∞ limit of PK(α, θα), whose weights are Poisson–Dirichlet(1/θ, 0) (:ref:`theory-effective-exponent`)."""

    xi_min = -math.inf
    v_step = 1.0
    tail_step = 2.0
    kernel_t = _KERNEL_T
    breaks = np.empty(0)

    def __init__(self, theta: float):
        self.theta = float(theta)
        self._log_theta = math.log(self.theta)

    def xi(self, v):
        return self.theta * np.asarray(v, dtype=float)

    eta = None

    def v_of(self, xi):
        return np.asarray(xi, dtype=float) / self.theta

    def v_log_slope_of(self, xi):
        v = self.v_of(xi)
        return v, self.log_slope(v)

    def log_slope(self, v):
        return np.full(np.shape(v), self._log_theta)

    def v_at_log_slope(self, c: float) -> float:
        return -math.inf if self._log_theta >= c else math.inf


def increasing_root(g, center: float = 0.0, step: float = 64.0, tol: float = 1e-12) -> float:
    """The root of an increasing g, bracketed outwards from ``center`` (±∞ if there is none)."""
    lo, hi, w = center - step, center + step, step
    while g(lo) > 0:
        w *= 2.0
        lo = center - w
        if w > 1e9:
            return -math.inf
    w = step
    while g(hi) < 0:
        w *= 2.0
        hi = center + w
        if w > 1e9:
            return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if g(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * max(1.0, abs(mid)):
            break
    return 0.5 * (lo + hi)
