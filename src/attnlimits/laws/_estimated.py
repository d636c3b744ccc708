"""A key law built from an estimate (:mod:`attnlimits.tails`): the fitted power tail near the query, the observed
body elsewhere."""

from __future__ import annotations

import math

import numpy as np

from .._validation import InputError, check_int
from ._base import Draw, KeyLaw, uniform_directions

__all__ = ["EstimatedLaw"]


class EstimatedLaw(KeyLaw):
    """Distance law: the fitted local law for t ≤ t_k (F ~ ĉ·t^α̂ near 0, with the fitted curvature up to the
    threshold; :ref:`theory-scales`) and, above t_k, the empirical CDF of the observed distances interpolated linearly
    between quantile knots (a histogram density).

    Continuous at t_k by construction (the fitted F(t_k) = k/m), with an exact CDF and density, so the theory's
    finite-n formulas (:ref:`theory-exact-identities`) apply to it: this is how predictions for real keys are made. Only the tail
    is extrapolated; the body is the data's.

    Parameters
    ----------
    fit : attnlimits.tails.LocalPowerFit
        The tail estimate (:func:`attnlimits.tails.fit_local_power`).
    distances : array_like
        The distances it was fitted to.
    d : int
        Dimension of the keys (for rebuilding tangents).
    knots : int
        Quantile knots of the body (default 256).

    Notes
    -----
    The tangent directions are drawn uniform in q⊥ whatever D, so the law is zonal, but it leaves
    ``zonal_dimension`` unset: declaring it would move the exact engine's output onto the scalar recursion
    (``attnlimits.engine._zonal``), which uses other random streams and so changes its numbers.
    """

    has_distance_law = True
    has_quantile = True
    can_rebuild_keys = True

    def __init__(self, fit, distances, d: int, knots: int = 256):
        self.d = check_int("d", d, minimum=2)
        self.fit = fit
        self.local_exponent = float(fit.alpha)
        self.log_local_constant = float(fit.log_c)
        dist = np.sort(np.asarray(distances, dtype=float).reshape(-1))
        dist = dist[dist > 0]
        m = dist.size
        if m != fit.m:
            raise InputError(f"invalid distances: {m} positive values, but the fit used m={fit.m}")
        p0 = fit.k / m
        probs = np.linspace(p0, 1.0, check_int("knots", knots, minimum=2))
        t = np.quantile(dist, probs)
        t[0] = fit.threshold
        t = np.minimum(np.maximum.accumulate(t), 2.0)
        keep = np.concatenate([[True], np.diff(t) > 0])
        self._t, self._p = t[keep], probs[keep]
        self._p[-1] = 1.0
        self._dens = np.diff(self._p) / np.diff(self._t)
        # log F against log x on the fitted tail, for sampling by inversion
        # (in logs directly: F itself underflows to 0 at 1e-6·t_k once α ≳ 50, and log 0 would break the table)
        from ..tails._endpoint import _log_hyp  # here: the fit's module loads scipy

        u = np.geomspace(1e-6, 1.0, 2000)
        self._tail_x = fit.threshold * u
        self._tail_logf = (math.log(fit.k / fit.m) + fit.alpha * np.log(u) + _log_hyp(fit.alpha, fit.z * u)
                           - _log_hyp(fit.alpha, fit.z))
        # a label only: the theory's caches key this law by its cache_key (the law itself), not by its spec
        self.spec = f"estimated:alpha={fit.alpha:.4g}:c={fit.c:.4g}"

    @property
    def smooth_up_to(self) -> float:
        """The threshold t_k: below it F is the fitted smooth tail (so the effective exponent α_n of :ref:`theory-effective-exponent` at
        a quantile t_n ≤ t_k is that of the fit); above it the density is the data's histogram."""
        return float(self._t[0])

    def effective_exponents(self, ns) -> dict:
        """{n: (α_n, β̃*_n = 1/t_n)} at each n whose 1/n quantile t_n lies in the fitted smooth tail, else
        {n: None} (:ref:`theory-effective-exponent`)."""
        from ..theory import effective_exponent

        out = {}
        for n in ns:
            eff = effective_exponent(self, int(n))
            out[n] = (eff.alpha_eff, eff.critical_beta_eff) if eff.t_n <= self.smooth_up_to else None
        return out

    def distance_cdf(self, t):
        t = np.asarray(t, dtype=float)
        tail = self.fit.tail_cdf(np.clip(t, 0.0, self._t[0]))
        body = np.interp(t, self._t, self._p)
        return np.where(t <= 0, 0.0, np.where(t <= self._t[0], tail, body))[()]

    def distance_sf(self, t):
        return (1.0 - np.asarray(self.distance_cdf(t)))[()]

    def distance_logpdf(self, t):
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore"):
            tail = self.fit.tail_logpdf(np.clip(t, 1e-300, self._t[0]))
            idx = np.clip(np.searchsorted(self._t, t, side="right") - 1, 0, len(self._dens) - 1)
            body = np.log(self._dens[idx])
        out = np.where(t <= self._t[0], tail, body)
        return np.where((t > 0) & (t <= self._t[-1]), out, -np.inf)[()]

    @property
    def distance_knots(self):
        """The body's quantile knots (t_k first), where the histogram density jumps: quadratures over D put
        panel ends there."""
        return self._t

    def distance_ppf_log(self, log_p, log_q):
        """Exact F^{-1}(p) from log p (and log q = log(1 − p)): in the fitted tail (p ≤ k/m) the root in
        y = log(x/t_k) of log(k/m) + α y + log ₁F₁(α; α+1; z e^y) − log ₁F₁(α; α+1; z) = log p (increasing in
        y; bisection to machine precision, so relative accuracy holds down to p = 1e−300); in the body, the
        inverse of the piecewise-linear CDF."""
        from ..tails._endpoint import _log_hyp

        shape = np.shape(log_p)
        log_p = np.atleast_1d(np.asarray(log_p, dtype=float))
        log_q = np.broadcast_to(np.asarray(log_q, dtype=float), log_p.shape)
        p = np.where(log_p < np.log(0.5), np.exp(log_p), -np.expm1(log_q))
        fit = self.fit
        a, z, log_km = fit.alpha, fit.z, math.log(fit.k / fit.m)
        h0 = float(_log_hyp(a, z))
        g = lambda y: log_km + a * y + _log_hyp(a, z * np.exp(y)) - h0  # noqa: E731
        lo = np.minimum((log_p - log_km) / a - 1.0 - abs(z) / a, 0.0) - 1.0  # g(lo) < log p: |log 1F1 terms| ≤ |z|
        hi = np.zeros_like(log_p)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            below = g(mid) < log_p
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        tail = fit.threshold * np.exp(0.5 * (lo + hi))
        out = np.where(p <= self._p[0], tail, np.interp(p, self._p, self._t))
        return out.reshape(shape)[()]

    def _quantile(self, u):
        u = np.asarray(u, dtype=float)
        log_u = np.log(np.maximum(u, 1e-300))
        below = log_u < self._tail_logf[0]  # deeper than the table: F ≈ c·x^α
        tail = np.where(below, np.exp((log_u - self._tail_logf[0]) / self.local_exponent) * self._tail_x[0],
                        np.exp(np.interp(log_u, self._tail_logf, np.log(self._tail_x))))
        return np.where(u <= self._p[0], tail, np.interp(u, self._p, self._t))

    def draw(self, rng, size):
        return Draw(self._quantile(rng.random(size)))

    def draw_given_distances(self, distances):
        """Keys at the given distances: their tangent directions are uniform in q⊥, as :meth:`tangents` draws
        them, so the distances alone rebuild them."""
        return Draw(np.asarray(distances, dtype=float))

    def tangents(self, draw, index, rng):
        dist = draw.distances[index]
        radius = np.sqrt(np.clip(dist * (2.0 - dist), 0.0, None))
        return radius[:, None] * uniform_directions(rng, len(index), self.d - 1)
