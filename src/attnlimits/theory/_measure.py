"""The density of the distance D = 1 − ⟨q,K⟩ as the exact quadratures see it (:ref:`theory-model`, :ref:`theory-exact-identities`).

For the laws with a known distance CDF (uniform, subsphere, von Mises–Fisher centred on the query) D/2 is
Beta(α, α)-shaped times a smooth factor, so its log density is (α−1)(log t + log t̄) + const (+ κ(1 − t)
for vMF, with the e^{κ} of M(κ) cancelled analytically), with t̄ = 2 − t passed separately: near t = 2 it is known to more digits than 2 − t.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ._special import log_ive

__all__ = ["DistanceDensity"]


class DistanceDensity:
    """log density of D for keys of ``law`` (a KeyLaw with :attr:`~attnlimits.laws.KeyLaw.has_distance_law`):
    in closed form for the laws with :attr:`~attnlimits.laws.KeyLaw.sphere_parameters` (k, κ), else the law's
    own ``distance_logpdf``."""

    def __init__(self, law):
        self.law = law
        sphere = law.sphere_parameters
        self._closed = sphere is not None
        #: True where the density is the closed form (a few logs a node), not the law's own ``distance_logpdf``.
        self.closed_form = self._closed
        if self._closed:
            k, kappa = sphere
            a = self.alpha = float(law.local_exponent)
            self._log_norm = -(2.0 * a - 1.0) * math.log(2.0) - special.betaln(a, a)
            self._kappa = kappa = float(kappa)
            nu = k / 2.0 - 1.0
            # κ − log M(κ) with M(κ) = Γ(k/2)(2/κ)^ν e^{κ} ive_ν(κ): the e^{κ} cancels analytically (at
            # κ = 1e8, κ(1 − t) − log M(κ) in float64 would lose 8 digits)
            self._shift = 0.0 if kappa == 0.0 else -float(special.gammaln(k / 2.0) + nu * math.log(2.0 / kappa)
                                                          + log_ive(nu, kappa))

    def log_density(self, t, tbar):
        """log f(t), with tbar = 2 − t given separately (no cancellation near t = 2)."""
        t = np.asarray(t, dtype=float)
        if self._closed:
            with np.errstate(divide="ignore", invalid="ignore"):
                out = (self.alpha - 1.0) * (np.log(t) + np.log(np.asarray(tbar, dtype=float))) + self._log_norm
            if self._kappa != 0.0:
                out = out - self._kappa * t + self._shift
            return out
        return self.law.distance_logpdf(t)
