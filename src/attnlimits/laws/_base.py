"""The key-law interface: what the engine and the theory need to know about a law of keys."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

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
        D = 1 − ⟨q,K⟩ of each key (:ref:`theory-model`).
    latent : tuple
        The law's own per-key variables, read back by its :meth:`KeyLaw.tangents` (default empty).
    """

    distances: np.ndarray
    latent: tuple = ()


class KeyLaw(ABC):
    """A law μ of keys on S^{d−1}, seen from a fixed query q (:ref:`theory-model`).

    Subclasses draw distances directly (one scalar per key), rebuild the tangent components P⊥K of chosen
    keys on demand, and state the local exponent α and constant c of F(t) = P(D ≤ t) ~ c·t^α where known.
    What a law can do beyond drawing is declared by the capabilities below; the engine and the theory read
    them and nothing else (never the law's class or its private fields).

    A new law is one subclass (:ref:`how-to-add-key-law` walks through one). Two class attributes plug it into
    the rest of the package:

    - ``spec_name``: the name of its law strings. A subclass that declares one is registered when the class is
      created, and :func:`~attnlimits.laws.parse_law` (the CLI's ``--law``, the sweeps' ``law`` option) builds
      it from ``NAME[:ARGUMENTS]`` by :meth:`from_spec`. Laws built only from data (an estimate, an array)
      declare none.
    - ``cache_key``: its caching identity (below).

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
        the distances, and ‖P⊥K‖² = D(2 − D) — else None. The engine then builds the output vector from one
        scalar per key (``attnlimits.engine._zonal``) instead of rebuilding P⊥K.
    sphere_parameters : tuple of (int, float) or None
        (k, κ) where the keys are von Mises–Fisher with concentration κ about the query on a great sphere
        S^{k−1} through it (κ = 0: uniform; k = d: the whole sphere), so the closed Bessel and Beta forms of
        the theory apply (:ref:`theory-model` to :ref:`theory-limit-laws`); else None.
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
        The law's caching identity: what the theory's caches (and the claims') key its values by, so two laws
        with equal ``cache_key`` must have the same distance law. Two rules:

        - a law known by its data (:class:`~attnlimits.laws.Empirical`, :class:`~attnlimits.laws.EstimatedLaw`)
          keeps the default, the law object itself (identity): it is equal only to itself, and a cache holding
          it keeps it alive, so its id is never reused while cached;
        - a parametric law returns ``(class, parameters)``, e.g. ``(UniformSphere, (d,))`` or
          ``(VonMisesFisher, (d, κ, angle))``, so equal laws built twice share cached values.

        It must be hashable, and it is never derived from pickling (``__reduce__``).
    spec_name : str or None
        The name of the law's strings (``uniform``, ``vmf``, ``subsphere``, ``file``…), registered with
        :func:`~attnlimits.laws.parse_law` when the class is created; None (the default) for laws that no string
        names. Two classes cannot share a name.
    spec_syntax : str or None
        The law strings' form for messages and ``--help`` (e.g. ``vmf:KAPPA[:ANGLE]``); default ``spec_name``.
    """

    spec_name: ClassVar[str | None] = None
    spec_syntax: ClassVar[str | None] = None

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

    def __init_subclass__(cls, **kwargs):
        """Register a subclass that declares its own ``spec_name`` with the law-string parser."""
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("spec_name")
        if name is not None:
            _register_spec_name(cls, name)

    @classmethod
    def from_spec(cls, arguments: str, d: int) -> KeyLaw:
        """The law named by the string ``spec_name:ARGUMENTS`` in dimension ``d`` (:func:`~attnlimits.laws.parse_law`).

        Parameters
        ----------
        arguments : str
            What follows ``spec_name:`` in the string ("" when nothing does).
        d : int
            Dimension of the ambient space.

        Returns
        -------
        KeyLaw

        Raises
        ------
        ValueError
            For arguments of the wrong form (the parser then names the accepted forms).

        Notes
        -----
        This default builds ``cls(d)`` and accepts no arguments; a law with parameters overrides it.
        """
        if arguments:
            raise ValueError(f"{cls.spec_name} takes no arguments")
        return cls(d)

    @property
    def cache_key(self):
        """The law's caching identity (see the class docstring): by default the law object itself, right for a
        law known by its data; a parametric law returns ``(class, parameters)``."""
        return self

    @abstractmethod
    def draw(self, rng: np.random.Generator, size: int) -> Draw:
        """Draw ``size`` i.i.d. keys; return their distances (and latent variables)."""

    @abstractmethod
    def tangents(self, draw: Draw, index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Tangent components P⊥K (rows, in any orthonormal coordinates of q⊥) of the keys ``index`` of
        ``draw``. Randomness not fixed by the draw comes from ``rng``, consumed in the order of ``index``."""

    def distance_cdf(self, t):
        """Exact F(t) = P(D ≤ t) (laws with ``has_distance_law``)."""
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
        """Exact log density of D (laws with ``has_distance_law``)."""
        raise InputError(f"invalid law={self.spec!r}: it has no known distance density")

    def distance_ppf(self, p):
        """Exact quantile F^{-1}(p) of D, with relative accuracy for p down to 1e−300."""
        p = np.asarray(p, dtype=float)
        with np.errstate(divide="ignore"):
            return self.distance_ppf_log(np.log(p), np.log1p(-p))

    def distance_ppf_log(self, log_p, log_q):
        """F^{-1}(p) from log p and log q = log(1 − p), both given so that neither tail loses digits
        (the order-statistics sampler knows both exactly from its exponential spacings); laws with
        ``has_quantile``."""
        raise InputError(f"invalid law={self.spec!r}: it has no known distance quantile function")

    def draw_given_distances(self, distances) -> Draw:
        """A :class:`Draw` of keys at the given distances, whose :meth:`tangents` rebuild the keys with the
        law's conditional direction given D (used by the order-statistics sampler for the nearest keys); laws
        with ``can_rebuild_keys``."""
        raise InputError(f"invalid law={self.spec!r}: it cannot rebuild keys from distances alone")

    @property
    def has_critical_scale(self) -> bool:
        """True where α and c are known, so β*_n and λ = β/β*_n are defined."""
        return self.local_exponent is not None and self.log_local_constant is not None

    def critical_beta(self, n) -> float:
        """β*_n = (c·n)^{1/α} (:ref:`theory-scales`), for laws with a known local exponent and constant."""
        if not self.has_critical_scale:
            raise InputError(f"invalid law={self.spec!r}: its local constant is unknown, so λ (--lam) is undefined; give β")
        from ..theory._sphere_constants import log_critical_beta

        return float(np.exp(log_critical_beta(self.local_exponent, self.log_local_constant, n)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r}, d={self.d})"


#: Law classes by ``spec_name``, in the order they were created (filled by ``KeyLaw.__init_subclass__``).
SPEC_LAWS: dict[str, type] = {}


def _register_spec_name(cls, name) -> None:
    """Register ``cls`` under its law-string name; a class defined again (same module and qualified name: a
    module reloaded, a notebook cell run twice) replaces its earlier definition, another class is refused."""
    if not isinstance(name, str) or not name or ":" in name or "," in name or name != name.strip():
        raise TypeError(f"{cls.__qualname__}.spec_name={name!r}: expected a non-empty name without ':' or ','")
    old = SPEC_LAWS.get(name)
    if old is not None and old is not cls and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
        raise TypeError(f"{cls.__qualname__}.spec_name={name!r} is taken by {old.__module__}.{old.__qualname__}")
    SPEC_LAWS[name] = cls


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
