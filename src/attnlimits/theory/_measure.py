"""The density of the distance D = 1 − ⟨q,K⟩ as the exact quadratures see it (SPEC §1, §4).

For the laws with a known distance CDF (uniform, subsphere, von Mises–Fisher centred on the query) D/2 is
Beta(α, α)-shaped times a smooth factor, so its log density is (α−1)(log t + log t̄) + const (+ κ(1 − t)
for vMF, with the e^{κ} of M(κ) cancelled analytically), with t̄ = 2 − t passed separately: near t = 2 it is known to more digits than 2 − t.
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
            from ._special import log_ive

            k, nu = float(law.kappa), law.d / 2.0 - 1.0
            self._kappa = k
            # κ − log M(κ) with M(κ) = Γ(d/2)(2/κ)^ν e^{κ} ive_ν(κ): the e^{κ} cancels analytically (at
            # κ = 1e8, κ(1 − t) − log M(κ) in float64 would lose 8 digits)
            self._shift = 0.0 if k == 0.0 else -float(special.gammaln(law.d / 2.0) + nu * math.log(2.0 / k)
                                                      + log_ive(nu, k))

    def log_density(self, t, tbar):
        """log f(t), with tbar = 2 − t given separately (no cancellation near t = 2)."""
        t = np.asarray(t, dtype=float)
        if self._beta_shape or self._vmf:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (self.alpha - 1.0) * (np.log(t) + np.log(np.asarray(tbar, dtype=float))) + self._log_norm
            if self._vmf:
                out = out - self._kappa * t + self._shift
            return out
        return self.law.distance_logpdf(t)
