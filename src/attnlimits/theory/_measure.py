"""The law of the rescaled distance X = βD as the exact quadratures see it (SPEC §3–§4).

Two kinds of measure on [0, x_max]:

* :class:`ScaledDistance` — the probability law of X = βD for one key of a key law with a known distance
  CDF (uniform, subsphere, von Mises–Fisher centred on the query). Its density behaves like x^{α−1} at
  both ends of [0, 2β] (D/2 is Beta(α, α)-shaped times a smooth factor).
* :class:`PoissonMeasure` — the mean measure Λ(x) = λ^{−α} x^α of the Poisson limit (SPEC §3), on [0, ∞).

Both give log densities, the cumulative mass and its inverse, which is all the quadratures of
:mod:`._exact` need.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

__all__ = ["ScaledDistance", "PoissonMeasure"]


class ScaledDistance:
    """Law of X = βD for keys of ``law`` (a KeyLaw with ``has_distance_cdf``), β > 0."""

    poisson = False

    def __init__(self, law, beta: float):
        self.law = law
        self.beta = float(beta)
        self.x_max = 2.0 * self.beta
        self.alpha = float(law.local_exponent)
        self.alpha_hi = self.alpha  # D/2 ~ Beta(α, α) times a smooth factor for every law handled here
        self._log_beta = math.log(self.beta)
        kind = type(law).__name__
        self._beta_shape = kind in ("UniformSphere", "Subsphere")
        self._vmf = kind == "VonMisesFisher"
        if self._beta_shape or self._vmf:
            a = self.alpha
            self._log_norm = -(2.0 * a - 1.0) * math.log(2.0) - special.betaln(a, a)
        if self._vmf:
            from ._special import log_mgf

            self._kappa = float(law.kappa)
            self._log_m = float(log_mgf(law.d, law.kappa))

    def log_density(self, x, xbar):
        """log of the density of X at x, with xbar = x_max − x given separately (no cancellation)."""
        d = np.asarray(x, dtype=float) / self.beta
        dbar = np.asarray(xbar, dtype=float) / self.beta
        if self._beta_shape or self._vmf:
            a = self.alpha
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (a - 1.0) * (np.log(d) + np.log(dbar)) + self._log_norm - self._log_beta
            if self._vmf:
                out = out + self._kappa * (1.0 - d) - self._log_m
            return out
        return self.law.distance_logpdf(d) - self._log_beta

    def cdf(self, x):
        """G(x) = P(X ≤ x)."""
        return self.law.distance_cdf(np.asarray(x, dtype=float) / self.beta)

    def quantile(self, q: float) -> float:
        """The x with G(x) = q (0 < q < 1)."""
        if self._beta_shape:
            return float(2.0 * self.beta * special.betaincinv(self.alpha, self.alpha, q))
        f = lambda lx: math.log(max(float(self.cdf(math.exp(lx))), 1e-300)) - math.log(q)  # noqa: E731
        return math.exp(optimize.brentq(f, math.log(self.x_max) - 800.0, math.log(self.x_max), xtol=1e-12))


class PoissonMeasure:
    """Mean measure Λ(x) = λ^{−α} x^α on [0, ∞) of the rescaled distances' Poisson limit (SPEC §3)."""

    poisson = True

    def __init__(self, alpha: float, lam: float):
        self.alpha = float(alpha)
        self.alpha_hi = None
        self.lam = float(lam)
        self.x_max = math.inf
        self._log_const = math.log(self.alpha) - self.alpha * math.log(self.lam)

    def log_density(self, x, xbar=None):
        """log Λ'(x) = log(α λ^{−α}) + (α−1) log x."""
        with np.errstate(divide="ignore"):
            return self._log_const + (self.alpha - 1.0) * np.log(np.asarray(x, dtype=float))

    def cdf(self, x):
        """Λ(x) = (x/λ)^α."""
        return (np.asarray(x, dtype=float) / self.lam) ** self.alpha

    def quantile(self, q: float) -> float:
        """The x with Λ(x) = q."""
        return self.lam * q ** (1.0 / self.alpha)
