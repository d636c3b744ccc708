"""Distance quantiles of von Mises–Fisher keys whose mean direction is the query (angle 0).

In the polar angle θ (D = 1 − cos θ = 2 sin²(θ/2)) the law of D has density
f(θ) = C e^{−2κ sin²(θ/2)} sin^{d−2}θ, C = e^{κ}/(M(κ) B(1/2, α)), smooth in θ for every d. The CDF is
assembled once per law: on [0, h] (h ≤ 1/(2√(κ+1)), where the exponential barely varies) by Gauss–Jacobi
quadrature with the exact weight u^{d−2} — so F keeps full relative precision however small θ is — and
beyond h on panels of width h by Gauss–Legendre, summed into a cumulative table. F^{-1} is then Newton's
method on log F in log θ. Hand-written because scipy has no vectorised incomplete integral of this
density, and ``quad`` per point is far too slow for the order-statistics sampler.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..theory._special import log_mgf

__all__ = ["VmfDistanceQuantile"]

_GL_X, _GL_W = np.polynomial.legendre.leggauss(16)


class VmfDistanceQuantile:
    """log F and F^{-1} of D for vMF(κ) keys in dimension d with mean direction at the query."""

    def __init__(self, d: int, kappa: float):
        self.d, self.kappa = d, float(kappa)
        alpha = (d - 1) / 2.0
        self.log_c = self.kappa - log_mgf(d, self.kappa) - special.betaln(0.5, alpha)
        self.h = min(0.5 / np.sqrt(self.kappa + 1.0), np.pi / 64)
        # Gauss–Jacobi nodes for ∫_0^1 u^{d−2} g(u) du (weight (1 + x)^{d−2} on [−1, 1]).
        x, w = special.roots_jacobi(24 + d // 2, 0.0, float(d - 2))
        self._gj_u = (1.0 + x) / 2.0
        self._gj_logw = np.log(w) - (d - 1) * np.log(2.0)
        edges = np.arange(1, int(np.ceil(np.pi / self.h)) + 1) * self.h
        edges[-1] = np.pi
        first = np.exp(self._log_head(np.array([self.h])))[0]
        panels = self._panel(edges[:-1], edges[1:])
        self.edges = edges
        self.cum = np.concatenate([[first], first + np.cumsum(panels)])
        self.total = self.cum[-1]  # ≈ 1 (quadrature check)
        self.log_cum = np.log(self.cum / self.total)

    def _log_density(self, theta):
        s = np.sin(theta / 2.0)
        with np.errstate(divide="ignore"):
            return -2.0 * self.kappa * s * s + (self.d - 2) * np.log(np.sin(theta))

    def _log_head(self, theta):
        """log ∫_0^θ f (up to C… included) for θ ≤ h, by Gauss–Jacobi in u = φ/θ."""
        phi = theta[:, None] * self._gj_u[None, :]
        s = np.sin(phi / 2.0)
        sinc = np.sinc(phi / np.pi)
        g = -2.0 * self.kappa * s * s + (self.d - 2) * np.log(sinc) + self._gj_logw[None, :]
        top = g.max(axis=1, keepdims=True)
        return self.log_c + (self.d - 1) * np.log(theta) + top[:, 0] + np.log(np.exp(g - top).sum(axis=1))

    def _panel(self, lo, hi):
        """∫_lo^hi C f(θ) dθ by 16-point Gauss–Legendre (elementwise)."""
        half = (hi - lo) / 2.0
        th = (hi + lo)[:, None] / 2.0 + half[:, None] * _GL_X[None, :]
        return half * (np.exp(self.log_c + self._log_density(th)) @ _GL_W)

    def log_cdf_theta(self, theta):
        """log P(Θ ≤ θ) for θ ∈ (0, π]."""
        theta = np.asarray(theta, dtype=float)
        out = np.empty_like(theta)
        head = theta <= self.h
        if np.any(head):
            out[head] = self._log_head(theta[head]) - np.log(self.total)
        if np.any(~head):
            th = theta[~head]
            j = np.clip(np.searchsorted(self.edges, th, side="right") - 1, 0, self.edges.size - 1)
            val = self.cum[j] + self._panel(self.edges[j], th)
            out[~head] = np.log(val / self.total)
        return out

    def ppf_theta_log(self, log_p, *, max_steps: int = 50):
        """θ with log P(Θ ≤ θ) = log p (log p ≤ 0)."""
        log_p = np.minimum(np.asarray(log_p, dtype=float), 0.0)
        lo_edge = self.log_cum[0]
        y = np.empty_like(log_p)
        inside = log_p >= lo_edge
        y[inside] = np.interp(log_p[inside], self.log_cum, np.log(self.edges))
        # below the table: F ≈ C θ^{d−1}/(d−1)·(1 + O(θ²)) relative to the head's value at h
        y[~inside] = np.log(self.h) + (log_p[~inside] - lo_edge) / (self.d - 1)
        cap = np.log(np.pi)
        active = np.flatnonzero(np.isfinite(y))
        log_total = np.log(self.total)
        for _ in range(max_steps):
            if active.size == 0:
                break
            ya = y[active]
            th = np.exp(ya)
            log_f = self.log_cdf_theta(th)
            log_slope = ya + self.log_c + self._log_density(th) - log_total - log_f
            step = (log_f - log_p[active]) * np.exp(-log_slope)
            ok = np.isfinite(step)
            step = np.where(ok, np.clip(step, -2.0, 2.0), 0.0)
            y[active] = np.minimum(ya - step, cap)
            active = active[ok & (np.abs(step) > 4e-16 * np.maximum(1.0, np.abs(ya)))]
        return np.exp(y)
