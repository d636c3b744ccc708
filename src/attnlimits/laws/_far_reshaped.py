"""A key law equal to uniform keys near the query and different far from it (the ``local-not-global`` claim:
only the law of D near the query sets the critical scale, :ref:`theory-scales`)."""

from __future__ import annotations

import math

import numpy as np

from ._base import Draw, KeyLaw, uniform_directions
from ._uniform import UniformSphere, uniform_distances

__all__ = ["FarReshaped"]


class FarReshaped(KeyLaw):
    """Uniform keys on S^{d−1} with the far hemisphere reshaped: D' = D for D ≤ 1 and D' = 1 + (D − 1)² for
    D > 1. The law of D near the query is that of uniform keys (same α and c), while the global shape differs
    (the far keys crowd towards the equator, so E⟨q,K⟩ > 0). Zonal about q: K = (1 − D')q + √(D'(2 − D'))·U.

    Parameters
    ----------
    d : int
        Dimension of the ambient space, in [2, 4096]. The law string is ``far-reshaped``.
    """

    spec_name = "far-reshaped"
    has_distance_law = True
    has_quantile = True

    def __init__(self, d: int):
        self._base = UniformSphere(d)
        self.d = self._base.d
        self.spec = "far-reshaped"
        self.local_exponent = self._base.local_exponent
        self.log_local_constant = self._base.log_local_constant

    @staticmethod
    def _reshape(t):
        t = np.asarray(t, dtype=float)
        return np.where(t <= 1.0, t, 1.0 + (t - 1.0) ** 2)

    def draw(self, rng, size):
        return Draw(self._reshape(uniform_distances(rng, size, self.d)))

    def tangents(self, draw, index, rng):
        dist = draw.distances[index]
        return np.sqrt(dist * (2.0 - dist))[:, None] * uniform_directions(rng, len(index), self.d - 1)

    def distance_ppf_log(self, log_p, log_q):
        return self._reshape(self._base.distance_ppf_log(log_p, log_q))

    def distance_cdf(self, t):
        t = np.asarray(t, dtype=float)
        return self._base.distance_cdf(np.where(t <= 1.0, t, 1.0 + np.sqrt(np.maximum(t - 1.0, 0.0))))

    def distance_logpdf(self, t):
        t = np.asarray(t, dtype=float)
        r = np.sqrt(np.maximum(t - 1.0, 1e-300))
        with np.errstate(divide="ignore", invalid="ignore"):
            far = self._base.distance_logpdf(1.0 + r) - np.log(2.0 * r)
        return np.where(t <= 1.0, self._base.distance_logpdf(t), far)

    def mean_inner(self) -> float:
        """E⟨q,K⟩ = 1 − E D' (uniform keys: 0), by quadrature of the base law."""
        from scipy import integrate

        def integrand(t):
            return (1.0 - float(self._reshape(t))) * math.exp(float(self._base.distance_logpdf(t)))

        return float(sum(integrate.quad(integrand, a, b, limit=200)[0] for a, b in ((0.0, 1.0), (1.0, 2.0))))

    def __reduce__(self):
        return (type(self), (self.d,))

    @property
    def cache_key(self):
        """(class, (d,)): reshaped laws of equal dimension share the theory's caches."""
        return (type(self), (self.d,))
