"""The key-law interface: what the engine and the theory need to know about a law of keys."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from .._validation import InputError

__all__ = ["KeyLaw", "Draw", "uniform_directions"]


@dataclass
class Draw:
    """One block of keys drawn from a law: their distances D = 1 − ⟨q,K⟩ and whatever the law needs
    (``latent``) to rebuild the keys' tangent components later without drawing the distances again.

    Parameters
    ----------
    distances : numpy.ndarray
        D = 1 − ⟨q,K⟩ of each key (SPEC §1).
    latent : tuple
        The law's own per-key variables, read back by its :meth:`KeyLaw.tangents` (default empty).
    """

    distances: np.ndarray
    latent: tuple = ()


class KeyLaw(ABC):
    """A law μ of keys on S^{d−1}, seen from a fixed query q (SPEC §1).

    Subclasses draw distances directly (one scalar per key), rebuild the tangent components P⊥K of chosen
    keys on demand, and state the local exponent α and constant c of F(t) = P(D ≤ t) ~ c·t^α where known.
    What a law can do beyond drawing is declared by the capabilities below; the engine and the theory read
    them and nothing else (never the law's class or its private fields).

    Attributes
    ----------
    d : int
        Ambient dimension.
    spec : str
        The canonical ``--law`` string (``uniform``, ``vmf:KAPPA:ANGLE``, ``subsphere:K``, ``file:PATH``).
    local_exponent : float or None
        α, or None where unknown.
    log_local_constant : float or None
        log c, or None where unknown.
    has_distance_law : bool
        True where :meth:`distance_cdf`, :meth:`distance_sf` and :meth:`distance_logpdf` are exact (the
        exact theory and the order-statistics sampler's far keys need them).
    has_quantile : bool
        True where :meth:`distance_ppf_log` is exact down to p = 1e−300 (the order-statistics sampler and
        the theory's count grid invert F with it).
    can_rebuild_keys : bool
        True where :meth:`draw_given_distances` rebuilds keys at given distances (the order-statistics
        sampler needs it for the output vector).
    zonal_dimension : int or None
        m where the law is zonal — invariant under the rotations that fix the query, so the keys' tangent
        directions are i.i.d. uniform on the unit sphere of an m-dimensional subspace of q⊥, independent of
        the distances, and |P⊥K|² = D(2 − D) — else None. The engine then builds the output vector from one
        scalar per key (:mod:`attnlimits.engine._zonal`) instead of rebuilding P⊥K.
    sphere_parameters : tuple of (int, float) or None
        (k, κ) where the keys are von Mises–Fisher with concentration κ about the query on a great sphere
        S^{k−1} through it (κ = 0: uniform; k = d: the whole sphere), so the closed Bessel and Beta forms of
        the theory apply (SPEC §1–§3); else None.
    vmf_concentration : float or None
        κ where the law of the keys on the whole sphere S^{d−1} is von Mises–Fisher with concentration κ
        about some mean direction (uniform keys: 0), whatever the query; else None (a heat-flow density,
        :func:`attnlimits.heat.as_density`, is built from it).
    device_sampler : callable or None
        ``sample(torch, generator, size, device)`` → a float64 tensor of ``size`` distances drawn on the
        device, where the torch backend can draw this law's keys there; else None (drawn on the host).
    symmetric_distance : bool
        True where D and 2 − D have the same law (uniform keys on a great sphere through the query): then
        F^{-1}(1 − p) = 2 − F^{-1}(p), and the theory's count grid reuses the lower quantiles for the upper tail.
    cache_key : hashable
        What the theory's caches key this law by: equal for laws with the same distance law.
    """

    d: int
    spec: str
    local_exponent: float | None = None
    log_local_constant: float | None = None
    has_distance_law: bool = False
    has_quantile: bool = False
    can_rebuild_keys: bool = False
    zonal_dimension: int | None = None
    sphere_parameters: tuple[int, float] | None = None
    vmf_concentration: float | None = None
    symmetric_distance: bool = False
    device_sampler = None

    @property
    def cache_key(self):
        """The law object itself (identity): a law known by its data is equal only to itself. Parametric laws
        return their class and parameters instead. The caches holding it keep the law alive, so an id is
        never reused while cached."""
        return self

    @property
    def has_distance_cdf(self) -> bool:
        """Deprecated alias of :attr:`has_distance_law` (it stood for four capabilities at once; read
        :attr:`has_distance_law`, :attr:`has_quantile` and :attr:`can_rebuild_keys` instead)."""
        import warnings

        warnings.warn("KeyLaw.has_distance_cdf is deprecated: read has_distance_law, has_quantile and "
                      "can_rebuild_keys", DeprecationWarning, stacklevel=2)
        return self.has_distance_law

    @abstractmethod
    def draw(self, rng: np.random.Generator, size: int) -> Draw:
        """Draw ``size`` i.i.d. keys; return their distances (and latent variables)."""

    @abstractmethod
    def tangents(self, draw: Draw, index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Tangent components P⊥K (rows, in any orthonormal coordinates of q⊥) of the keys ``index`` of
        ``draw``. Randomness not fixed by the draw comes from ``rng``, consumed in the order of ``index``."""

    def distance_cdf(self, t):
        """Exact F(t) = P(D ≤ t) (laws with :attr:`has_distance_law`)."""
        raise InputError(f"invalid law={self.spec!r}: it has no known distance CDF")

    def distance_sf(self, t):
        """Exact 1 − F(t), without cancellation where the law allows it."""
        return 1.0 - self.distance_cdf(t)

    def distance_log_cdf_sf(self, t, tbar=None):
        """(log F(t), log(1 − F(t))) of D.

        Parameters
        ----------
        t : array_like
            Distances in [0, 2].
        tbar : array_like, optional
            2 − t, where the caller knows it more precisely than from t (the upper tail).

        Returns
        -------
        tuple of numpy.ndarray
            log F(t) and log(1 − F(t)). This default takes both from :meth:`distance_cdf` (relative accuracy on
            the lower side only); laws that know each side in its own arithmetic override it.
        """
        t = np.asarray(t, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            f = np.clip(np.asarray(self.distance_cdf(t), dtype=float), 0.0, 1.0)
            return np.log(f), np.log1p(-f)

    def distance_logpdf(self, t):
        """Exact log density of D (laws with :attr:`has_distance_law`)."""
        raise InputError(f"invalid law={self.spec!r}: it has no known distance density")

    def distance_ppf(self, p):
        """Exact quantile F^{-1}(p) of D, with relative accuracy for p down to 1e−300."""
        p = np.asarray(p, dtype=float)
        with np.errstate(divide="ignore"):
            return self.distance_ppf_log(np.log(p), np.log1p(-p))

    def distance_ppf_log(self, log_p, log_q):
        """F^{-1}(p) from log p and log q = log(1 − p), both given so that neither tail loses digits
        (the order-statistics sampler knows both exactly from its exponential spacings); laws with
        :attr:`has_quantile`."""
        raise InputError(f"invalid law={self.spec!r}: it has no known distance quantile function")

    def draw_given_distances(self, distances) -> Draw:
        """A :class:`Draw` of keys at the given distances, whose :meth:`tangents` rebuild the keys with the
        law's conditional direction given D (used by the order-statistics sampler for the nearest keys); laws
        with :attr:`can_rebuild_keys`."""
        raise InputError(f"invalid law={self.spec!r}: it cannot rebuild keys from distances alone")

    @property
    def has_critical_scale(self) -> bool:
        """True where α and c are known, so β*_n and λ = β/β*_n are defined."""
        return self.local_exponent is not None and self.log_local_constant is not None

    def critical_beta(self, n) -> float:
        """β*_n = (c·n)^{1/α} (SPEC §2), for laws with a known local exponent and constant."""
        if not self.has_critical_scale:
            raise InputError(f"invalid law={self.spec!r}: its local constant is unknown, so λ (--lam) is undefined; give β")
        from ..theory._sphere_constants import log_critical_beta

        return float(np.exp(log_critical_beta(self.local_exponent, self.log_local_constant, n)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r}, d={self.d})"


def uniform_directions(rng: np.random.Generator, count: int, dim: int) -> np.ndarray:
    """``count`` i.i.d. uniform unit vectors in R^dim (dim = 1: random signs; dim = 2: a uniform angle;
    otherwise normalised Gaussian vectors)."""
    if dim == 1:
        return np.where(rng.random((count, 1)) < 0.5, -1.0, 1.0)
    if dim == 2:
        angle = rng.random(count) * (2.0 * np.pi)
        return np.column_stack([np.cos(angle), np.sin(angle)])
    g = rng.standard_normal((count, dim))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    return g
