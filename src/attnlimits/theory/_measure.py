"""The density of the distance D = 1 − ⟨q,K⟩ as the exact quadratures see it (SPEC §1, §4).

For the laws with a known distance CDF (uniform, subsphere, von Mises–Fisher centred on the query) D/2 is
Beta(α, α)-shaped times a smooth factor, so its log density is (α−1)(log t + log t̄) + const (+ κ(1 − t)
for vMF), with t̄ = 2 − t passed separately: near t = 2 it is known to more digits than 2 − t.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

__all__ = ["DistanceDensity"]


class DistanceDensity:
    """log density of D for keys of ``law`` (a KeyLaw with ``has_distance_cdf``)."""

    def __init__(self, law):
        self.law = law
        kind = type(law).__name__
        self._beta_shape = kind in ("UniformSphere", "Subsphere")
        self._vmf = kind == "VonMisesFisher"
        if self._beta_shape or self._vmf:
            a = self.alpha = float(law.local_exponent)
            self._log_norm = -(2.0 * a - 1.0) * math.log(2.0) - special.betaln(a, a)
        if self._vmf:
            from ._special import log_mgf

            self._kappa = float(law.kappa)
            self._log_m = float(log_mgf(law.d, law.kappa))

    def log_density(self, t, tbar):
        """log f(t), with tbar = 2 − t given separately (no cancellation near t = 2)."""
        t = np.asarray(t, dtype=float)
        if self._beta_shape or self._vmf:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (self.alpha - 1.0) * (np.log(t) + np.log(np.asarray(tbar, dtype=float))) + self._log_norm
            if self._vmf:
                out = out + self._kappa * (1.0 - t) - self._log_m
            return out
        return self.law.distance_logpdf(t)
