"""Key densities on the sphere for the population map and the self-attention dynamics (:ref:`theory-limit-laws`).

A density here is a positive function ρ on S^{d−1} (w.r.t. normalised surface measure σ; it need not be
normalised) that knows its tangential log-gradient ∇_S log ρ. :class:`HarmonicDensity` is the seeded
density 1 + ε·Y_ℓ of the heat experiments, with exact sampling and a deterministic quasi-uniform lattice;
:func:`as_density` turns a callable, a uniform or a von Mises–Fisher key law into a density.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from scipy import optimize, special

from .._validation import MAX_MODE, InputError, check_choice, check_int, check_real
from ._harmonics import zonal_harmonic

__all__ = ["SphereDensity", "HarmonicDensity", "CallableDensity", "VonMisesFisherDensity", "as_density"]

GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


def tangent_project(x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P_x v = v − ⟨x, v⟩x, row by row."""
    return v - np.sum(x * v, axis=-1, keepdims=True) * x


class SphereDensity(ABC):
    """A positive density ρ on S^{d−1} (w.r.t. normalised surface measure, up to a constant).

    Subclasses implement :meth:`pdf` and may override :meth:`grad_log_pdf` (the default differentiates
    log ρ numerically along the tangent space with central differences, error O(h²) = O(1e−10)).
    """

    d: int

    @abstractmethod
    def pdf(self, x) -> np.ndarray:
        """ρ at the rows of ``x`` (unit vectors, shape (m, d))."""

    def grad_log_pdf(self, x) -> np.ndarray:
        """∇_S log ρ(x): the tangential gradient, shape (m, d), orthogonal to each row of ``x``."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        h = 1e-5
        grad = np.zeros_like(x)
        for k in range(self.d):
            e = np.zeros(self.d)
            e[k] = 1.0
            t = tangent_project(x, np.broadcast_to(e, x.shape))
            plus = x + h * t
            minus = x - h * t
            plus /= np.linalg.norm(plus, axis=1, keepdims=True)
            minus /= np.linalg.norm(minus, axis=1, keepdims=True)
            deriv = (np.log(self.pdf(plus)) - np.log(self.pdf(minus))) / (2.0 * h)
            grad[:, k] = deriv
        return tangent_project(x, grad)


class HarmonicDensity(SphereDensity):
    """ρ = 1 + ε·Y_ℓ on S^1 (Y_ℓ = cos ℓθ) or S^2 (Y_ℓ = P_ℓ(x_3)); normalised since E_σ Y_ℓ = 0.

    Parameters
    ----------
    d : {2, 3}
        Ambient dimension.
    mode : int
        ℓ in [1, MAX_MODE].
    eps : float
        ε in (0, 1), so that ρ ≥ 1 − ε > 0 (``|Y_ℓ| ≤ 1``).

    Examples
    --------
    >>> from attnlimits.heat import harmonic_amplitude
    >>> rho = HarmonicDensity(3, 2, 0.3)
    >>> round(harmonic_amplitude(rho.quasi_uniform(2000), 3, 2), 6)
    0.3
    """

    def __init__(self, d: int, mode: int, eps: float):
        self.d = int(check_choice("d", check_int("d", d), (2, 3)))
        self.mode = check_int("mode", mode, minimum=1, maximum=MAX_MODE)
        self.eps = check_real("eps", eps, lower=0.0, upper=1.0, lower_open=True, upper_open=True)
        self._legendre = np.polynomial.Legendre.basis(self.mode)
        self._dlegendre = self._legendre.deriv()

    def __repr__(self) -> str:
        return f"HarmonicDensity(d={self.d}, mode={self.mode}, eps={self.eps:g})"

    def pdf(self, x):
        return 1.0 + self.eps * zonal_harmonic(self.d, self.mode, x)

    def grad_log_pdf(self, x):
        """Exact ∇_S log ρ: −εℓ sin(ℓθ)/(1+ε cos ℓθ)·e_θ on S^1; εP'_ℓ(z)/(1+εP_ℓ(z))·(e_3 − z x) on S^2."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        if self.d == 2:
            theta = np.arctan2(x[:, 1], x[:, 0])
            ell = self.mode
            scale = -self.eps * ell * np.sin(ell * theta) / (1.0 + self.eps * np.cos(ell * theta))
            return scale[:, None] * np.column_stack([-np.sin(theta), np.cos(theta)])
        z = np.clip(x[:, 2], -1.0, 1.0)
        scale = self.eps * self._dlegendre(z) / (1.0 + self.eps * self._legendre(z))
        e3 = np.zeros_like(x)
        e3[:, 2] = 1.0
        return scale[:, None] * (e3 - z[:, None] * x)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` i.i.d. points with density ρ, by rejection from the uniform law (acceptance ≥ 1/(1+ε)·…)."""
        out = np.empty((0, self.d))
        while out.shape[0] < size:
            want = int(1.2 * (1.0 + self.eps) * (size - out.shape[0])) + 16
            g = rng.standard_normal((want, self.d))
            g /= np.linalg.norm(g, axis=1, keepdims=True)
            keep = rng.random(want) * (1.0 + self.eps) < self.pdf(g)
            out = np.concatenate([out, g[keep]])
        return out[:size]

    def quasi_uniform(self, size: int) -> np.ndarray:
        """A deterministic ``size``-point set whose empirical law approximates ρ with no sampling noise.

        Circle: θ_i = F^{-1}((i+½)/n) with F(θ) = (θ + (ε/ℓ) sin ℓθ)/(2π). S^2: a Fibonacci (golden-angle)
        spiral whose heights are the quantiles (i+½)/n of the law of x_3, whose CDF is
        G(z) = (z+1)/2 + ε(P_{ℓ+1}(z) − P_{ℓ−1}(z))/(2(2ℓ+1)); the azimuth is uniform since ρ is zonal.
        """
        size = check_int("n", size, minimum=1)
        u = (np.arange(size) + 0.5) / size
        ell, eps = self.mode, self.eps
        if self.d == 2:
            cdf = lambda t: (t + (eps / ell) * np.sin(ell * t)) / (2.0 * np.pi)  # noqa: E731
            pdf = lambda t: (1.0 + eps * np.cos(ell * t)) / (2.0 * np.pi)  # noqa: E731
            theta = _invert_monotone(cdf, pdf, u, 0.0, 2.0 * np.pi)
            return np.column_stack([np.cos(theta), np.sin(theta)])
        cdf = lambda z: (z + 1.0) / 2.0 + eps * (special.eval_legendre(ell + 1, z)  # noqa: E731
                                                 - special.eval_legendre(ell - 1, z)) / (2.0 * (2 * ell + 1))
        pdf = lambda z: (1.0 + eps * special.eval_legendre(ell, z)) / 2.0  # noqa: E731
        z = np.clip(_invert_monotone(cdf, pdf, u, -1.0, 1.0), -1.0, 1.0)
        phi = GOLDEN_ANGLE * np.arange(size)
        r = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
        return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


def _invert_monotone(cdf, pdf, u, lo, hi, iters: int = 60):
    """Solve cdf(t) = u for increasing ``cdf`` on [lo, hi] by safeguarded Newton (bisection fallback)."""
    a = np.full_like(u, lo)
    b = np.full_like(u, hi)
    t = lo + (hi - lo) * u
    for _ in range(iters):
        f = cdf(t) - u
        a = np.where(f < 0, t, a)
        b = np.where(f >= 0, t, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = t - f / pdf(t)
        t_new = np.where((step > a) & (step < b), step, 0.5 * (a + b))
        if np.max(np.abs(t_new - t)) < 1e-15 * (hi - lo):
            t = t_new
            break
        t = t_new
    # polish the few that Newton left at a bracket end (the bracket is exact)
    bad = np.abs(cdf(t) - u) > 1e-13
    for i in np.flatnonzero(bad):
        t[i] = optimize.brentq(lambda s: cdf(s) - u[i], a[i], b[i], xtol=1e-15)
    return t


class CallableDensity(SphereDensity):
    """Wrap a function ``rho(x) -> (m,)`` of unit rows (unnormalised); gradient by central differences.

    Parameters
    ----------
    func : callable
        ``func(x)`` with ``x`` of shape (m, d) (unit rows) returns ρ > 0 at each row, shape (m,).
    d : int
        Ambient dimension, d ≥ 2.
    """

    def __init__(self, func, d: int):
        self.func = func
        self.d = check_int("d", d, minimum=2)

    def __repr__(self) -> str:
        return f"CallableDensity({getattr(self.func, '__name__', 'rho')}, d={self.d})"

    def pdf(self, x):
        return np.asarray(self.func(np.atleast_2d(np.asarray(x, dtype=float))), dtype=float)


class VonMisesFisherDensity(SphereDensity):
    """ρ(x) ∝ exp(κ⟨μ, x⟩): ∇_S log ρ = κ(μ − ⟨μ,x⟩x).

    Parameters
    ----------
    d : int
        Ambient dimension, d ≥ 2.
    kappa : float
        Concentration κ ≥ 0 (0: uniform).
    mean : array_like, shape (d,), optional
        Mean direction μ, any non-zero vector (normalised here); default e_1.
    """

    def __init__(self, d: int, kappa: float, mean=None):
        self.d = check_int("d", d, minimum=2)
        self.kappa = check_real("kappa", kappa, lower=0.0)
        mu = np.zeros(self.d) if mean is None else np.asarray(mean, dtype=float).copy()
        if mean is None:
            mu[0] = 1.0
        if mu.shape != (self.d,) or not np.isfinite(mu).all() or np.linalg.norm(mu) == 0:
            raise InputError(f"invalid mean={mean!r}: expected a non-zero vector of length d={self.d}")
        self.mean = mu / np.linalg.norm(mu)

    def __repr__(self) -> str:
        return f"VonMisesFisherDensity(d={self.d}, kappa={self.kappa:g})"

    def pdf(self, x):
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return np.exp(self.kappa * (x @ self.mean - 1.0))

    def grad_log_pdf(self, x):
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return self.kappa * tangent_project(x, np.broadcast_to(self.mean, x.shape))


def as_density(obj, d: int | None = None) -> SphereDensity:
    """A :class:`SphereDensity` from a density, a callable ``rho(x)`` (give ``d``), or a key law.

    Key laws with a ``attnlimits.laws.KeyLaw.vmf_concentration`` κ (uniform keys: 0; ``vmf:KAPPA:ANGLE``:
    κ) give exp(κ⟨μ,x⟩) with μ = e_1 (a key law is only defined relative to its query, so the frame is
    chosen here); other laws have no such density on the whole sphere.

    Parameters
    ----------
    obj : SphereDensity, callable or KeyLaw
        A density (returned as is), a function ``rho(x)`` of unit rows (wrapped in :class:`CallableDensity`),
        or a key law with a von Mises–Fisher density (uniform keys: κ = 0).
    d : int, optional
        Dimension, required for a callable.

    Returns
    -------
    SphereDensity
        The density ρ on S^{d−1}.

    Raises
    ------
    InputError
        For a key law without a density on the whole sphere, a callable without ``d``, or any other object.
    """
    if isinstance(obj, SphereDensity):
        return obj
    from ..laws import KeyLaw

    if isinstance(obj, KeyLaw):
        if obj.vmf_concentration is not None:
            return VonMisesFisherDensity(obj.d, obj.vmf_concentration)
        raise InputError(f"invalid density={obj.spec!r}: expected a density on the whole sphere "
                         "(uniform, vmf:K, a callable or a SphereDensity)")
    if callable(obj):
        if d is None:
            raise InputError("invalid d=None: a callable density needs its dimension d >= 2")
        return CallableDensity(obj, d)
    raise InputError(f"invalid density={obj!r}: expected a SphereDensity, a callable rho(x) or a key law")
