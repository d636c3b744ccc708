"""Von Mises–Fisher keys: density ∝ exp(κ⟨μ,K⟩), mean direction μ at angle θ from the query."""

from __future__ import annotations

import numpy as np

from .._validation import InputError, check_dimension, check_kappa, check_real
from ._base import Draw, KeyLaw, uniform_directions
from ._uniform import uniform_distances

__all__ = ["VonMisesFisher"]


class VonMisesFisher(KeyLaw):
    """Keys from the von Mises–Fisher law on S^{d−1} with concentration κ ≥ 0 and mean direction μ at
    angle θ ∈ [0, π] from the query.

    Near the query the law of D is that of uniform keys times the density at q,
    ρ(q) = e^{κ cos θ}/M(κ) (w.r.t. normalised surface measure), so α = (d−1)/2 and c = c_d·ρ(q) (:ref:`theory-scales`).
    The distance to μ is drawn by Wood's (1994) rejection algorithm written in D' = 1 − ⟨μ,K⟩,
    D' = 2bZ/(1 − (1−b)Z) with Z ~ Beta(α, α), which keeps full relative precision near D' = 0.

    Parameters
    ----------
    d : int
        Dimension of the ambient space, in [2, 4096].
    kappa : float
        Concentration κ ∈ [0, 1e8] (κ = 0: uniform keys).
    angle : float
        Angle θ ∈ [0, π] between the mean direction μ and the query (default 0). Only θ = 0 has an exact
        distance law (the theory and ``method="orderstat"`` need it).
    """

    spec_name = "vmf"
    spec_syntax = "vmf:KAPPA[:ANGLE]"

    def __init__(self, d: int, kappa: float, angle: float = 0.0):
        self.d = check_dimension(d)
        self.kappa = check_kappa(kappa)
        self.angle = check_real("angle", angle, lower=0.0, upper=np.pi)
        self.spec = f"vmf:{self.kappa:g}:{self.angle:g}"
        from ..theory._special import log_mgf, log_uniform_constant, uniform_alpha  # here: the theory loads scipy

        self.local_exponent = uniform_alpha(self.d)
        self.log_density_at_query = float(self.kappa * np.cos(self.angle) - log_mgf(self.d, self.kappa))
        self.log_local_constant = log_uniform_constant(self.d) + self.log_density_at_query
        centred = self.angle == 0.0  # the distance law has a closed form only with the mean at the query
        self.has_distance_law = self.has_quantile = self.can_rebuild_keys = centred
        self.sphere_parameters = (self.d, self.kappa) if centred else None
        self.vmf_concentration = self.kappa
        self._quantile = None
        m = self.d - 1.0
        self._b = m / (2.0 * self.kappa + np.sqrt(4.0 * self.kappa**2 + m * m))
        self._x0 = (1.0 - self._b) / (1.0 + self._b)
        self._c = self.kappa * self._x0 + m * np.log1p(-self._x0 * self._x0)

    def __reduce__(self):
        return (type(self), (self.d, self.kappa, self.angle))

    @classmethod
    def from_spec(cls, arguments: str, d: int) -> VonMisesFisher:
        """``vmf:KAPPA[:ANGLE]``: concentration κ about a mean direction at angle θ from the query (default 0)."""
        parts = arguments.split(":") if arguments else []
        if not 1 <= len(parts) <= 2:
            raise ValueError("vmf needs KAPPA[:ANGLE]")
        return cls(d, float(parts[0]), float(parts[1]) if len(parts) == 2 else 0.0)

    @property
    def cache_key(self):
        """(class, (d, κ, angle)): vMF laws with equal parameters share the theory's caches."""
        return (type(self), (self.d, self.kappa, self.angle))

    def _mean_distances(self, rng, size: int) -> np.ndarray:
        """D' = 1 − ⟨μ,K⟩ by Wood's rejection sampler (vectorised; consumption fixed by ``rng`` alone)."""
        if self.kappa == 0.0:
            return uniform_distances(rng, size, self.d)
        out = np.empty(0)
        b, m = self._b, self.d - 1.0
        while out.size < size:
            want = int(1.25 * (size - out.size)) + 16
            z = uniform_distances(rng, want, self.d) / 2.0
            log_u = np.log(rng.random(want))
            dist = 2.0 * b * z / (1.0 - (1.0 - b) * z)
            w = 1.0 - dist
            accept = self.kappa * w + m * np.log1p(-self._x0 * w) - self._c >= log_u
            out = np.concatenate([out, dist[accept]])
        return out[:size]

    def draw(self, rng, size):
        dmu = self._mean_distances(rng, size)
        if self.angle == 0.0:
            return Draw(dmu, (dmu, None))
        t = (1.0 - uniform_distances(rng, size, self.d - 1)) if self.d >= 3 else np.where(rng.random(size) < 0.5, -1.0, 1.0)
        s = np.sqrt(dmu * (2.0 - dmu))
        dist = 2.0 * np.sin(self.angle / 2.0) ** 2 + np.cos(self.angle) * dmu + np.sin(self.angle) * t * s
        return Draw(np.clip(dist, 0.0, 2.0), (dmu, t))

    def tangents(self, draw, index, rng):
        dmu, t = draw.latent
        dmu = dmu[index]
        s = np.sqrt(dmu * (2.0 - dmu))  # √(1 − w²), w = ⟨μ,K⟩
        if t is None:
            return s[:, None] * uniform_directions(rng, len(index), self.d - 1)
        t = t[index]
        w = 1.0 - dmu
        first = w * np.sin(self.angle) + s * t * np.cos(self.angle)
        if self.d == 2:
            return first[:, None]
        rest = (s * np.sqrt(np.clip(1.0 - t * t, 0.0, 1.0)))[:, None] * uniform_directions(rng, len(index), self.d - 2)
        return np.column_stack([first, rest])

    @property
    def zonal_dimension(self) -> int | None:
        """m = d − 1 when the mean direction is the query (the law is then invariant under the rotations
        fixing q); None off the query."""
        return self.d - 1 if self.angle == 0.0 else None

    def _table(self):
        """The distance law's CDF/quantile tables (``laws._vmf_quantile``), built on first use."""
        self._require_cdf()
        if self._quantile is None:
            from ..theory._measure import DistanceDensity
            from ._vmf_quantile import VmfDistanceQuantile

            dens = DistanceDensity(self)
            self._quantile = VmfDistanceQuantile(self.d, self.kappa, dens._shift + dens._log_norm)
        return self._quantile

    def distance_logpdf(self, t):
        """log f(t) = κ(1 − t) − log M(κ) + log f_uniform(t), with the e^{κ} of M(κ) cancelled analytically."""
        from ..theory._measure import DistanceDensity

        self._require_cdf()
        t = np.asarray(t, dtype=float)
        return DistanceDensity(self).log_density(t, 2.0 - t)[()]

    def distance_cdf(self, t):
        t = np.clip(np.asarray(t, dtype=float), 0.0, 2.0)
        return np.exp(self._table().log_cdf_sf(t.ravel())[0]).reshape(t.shape)[()]

    def distance_sf(self, t):
        t = np.clip(np.asarray(t, dtype=float), 0.0, 2.0)
        return np.exp(self._table().log_cdf_sf(t.ravel())[1]).reshape(t.shape)[()]

    def distance_log_cdf_sf(self, t, tbar=None):
        """(log F(t), log(1 − F(t))) from the polar-angle table of ``laws._vmf_quantile`` (mean at the query
        only); ``tbar`` is accepted for the interface and not needed (the table works in the angle)."""
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            theta = 2.0 * np.arcsin(np.sqrt(np.clip(t, 0.0, 2.0) / 2.0))
            lf = np.minimum(self._table().log_cdf_theta(np.maximum(theta, 1e-300)), 0.0)
            return lf, np.log1p(-np.exp(lf))

    def distance_ppf_log(self, log_p, log_q):
        """F^{-1}(p) from log p and log(1 − p), each side from its own logarithm (``laws._vmf_quantile``);
        relative accuracy ~1e−12 in D at p down to 1e−300 and below (mean at the query only)."""
        log_p = np.asarray(log_p, dtype=float)
        log_q = np.asarray(log_q, dtype=float)
        shape = np.broadcast(log_p, log_q).shape
        lp, lq = np.broadcast_to(log_p, shape).ravel(), np.broadcast_to(log_q, shape).ravel()
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            return self._table().ppf_log(lp, lq).reshape(shape)[()]

    def draw_given_distances(self, distances):
        self._require_cdf()
        dist = np.asarray(distances, dtype=float)
        return Draw(dist, (dist, None))

    def _require_cdf(self):
        if not self.has_distance_law:
            raise InputError(f"invalid law={self.spec!r}: the distance law of a vMF whose mean is off the query has no closed form")
