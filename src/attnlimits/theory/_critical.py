"""The critical law (:ref:`theory-limit-laws`): the Poisson–Kingman limit of the ordered weights at β = λ β*_n, and its
Poisson–Dirichlet limit as α → ∞ (:ref:`theory-effective-exponent`).

The rescaled distances η converge to a Poisson process with mean measure Λ(x) = λ^{−α} x^α; the ordered
weights are W_k = e^{−η_k}/Σ_j e^{−η_j}. Its expectations are exact quadratures (Laplace and Palm/Mecke
formulas) in log-mass coordinates (:mod:`._pk_quadrature`), stable for α in (0, 2047.5] and λ in [1e−6, 1e6]:
no Monte Carlo.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache

import numpy as np
from scipy import special

from .._validation import check_int, check_real
from ._pk_quadrature import DirichletMap, LogMassMap, PoissonQuadrature

__all__ = ["PoissonKingman", "ipr_limit", "max_weight_limit", "dirichlet_ipr", "dirichlet_max_weight"]


class PoissonKingman:
    """The Poisson–Kingman law of the critical regime with exponent α > 0 and λ > 0 (:ref:`theory-limit-laws`).

    Every expectation is one of the n → ∞ limit at fixed λ, hence named ``*_limit``.

    Parameters
    ----------
    alpha : float
        Local exponent α of the distance law ((d−1)/2 for uniform keys).
    lam : float
        λ = β/β*_n.

    Examples
    --------
    >>> pk = PoissonKingman(1.0, 1.0)   # d = 3, λ = 1 (:ref:`theory-limit-laws`)
    >>> round(pk.ipr_limit(), 6)
    0.438541
    """

    def __init__(self, alpha: float, lam: float):
        self.alpha = check_real("alpha", alpha, lower=0.0, lower_open=True)
        self.lam = check_real("lam", lam, lower=0.0, lower_open=True)

    def __repr__(self) -> str:
        return f"PoissonKingman(alpha={self.alpha:g}, lam={self.lam:g})"

    @cached_property
    def _integrals(self) -> dict:
        return _pk_integrals(self.alpha, self.lam)

    def laplace_exponent(self, u):
        """−log E e^{−uT} = ∫_0^∞ (1 − e^{−u e^{−x}}) dΛ(x), T = Σ_j e^{−η_j} (:ref:`theory-limit-laws`); closed form for α = 1:
        (E1(u) + ln u + γ)/λ. In the log-mass coordinates the points are shifted by λ, so this is the inner
        integral Q at log u − λ."""
        u = np.asarray(u, dtype=float)
        if self.alpha == 1.0:
            return (special.exp1(u) + np.log(u) + np.euler_gamma) / self.lam
        quad = PoissonQuadrature(LogMassMap(self.alpha, self.lam), powers=())
        return np.vectorize(lambda v: quad.inner(math.log(v) - self.lam, want_max=False)["Q"])(u)[()]

    def power_sum_limit(self, p: float = 2.0) -> float:
        """E Σ_k W_k^p = Γ(p)^{−1} ∫ u^{p−1} E[e^{−uT}] ∫ e^{−px − u e^{−x}} dΛ(x) du (:ref:`theory-limit-laws`)."""
        p = check_real("p", p, lower=0.0, lower_open=True)
        if p == 2.0:
            return float(self._integrals["power"][2.0])
        return float(PoissonQuadrature(LogMassMap(self.alpha, self.lam), powers=(p,)).integrate()["power"][p])

    def ipr_limit(self) -> float:
        """E Σ W_k² (the limit of the expected IPR)."""
        return self.power_sum_limit(2.0)

    def max_weight_limit(self) -> float:
        """E W_1 by the Palm/Mecke formula ∫ dΛ(x) ∫_0^∞ e^{−z} E[e^{−z Σ_{η_j > x} e^{x−η_j}}] e^{−Λ(x)} dz."""
        r = self._integrals
        return float(r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"])

    def one_minus_max_weight_limit(self) -> float:
        """E[1 − W_1], accurate where W_1 → 1 (λ → ∞, :ref:`theory-limit-laws` supercritical)."""
        r = self._integrals
        return float(r["one_minus_max"] if r["one_minus_max"] < 0.5 else 1.0 - r["max"])

    def defect_limit(self) -> float:
        """E Σ_k W_k η_k: the limit of E[β(1 − ⟨q,O⟩)] (:ref:`theory-limit-laws`)."""
        return float(self._integrals["defect"])

    def tangent_sq_limit(self) -> float:
        """E|Σ_k W_k √η_k U_k|² = E Σ_k W_k² η_k: the limit of E[(β/2)|P⊥O|²] (:ref:`theory-limit-laws`)."""
        return float(self._integrals["ipr_x"])

    def sample(self, rng, size: int, m: int = 256) -> np.ndarray:
        """``size`` draws of the ordered weights W_1 ≥ … ≥ W_m (array (size, m)).

        The first m points η_k = λ Γ_k^{1/α} are exact; the mass of the rest, Σ_{k>m} e^{−η_k}, is replaced
        by its conditional mean ∫_{η_m}^∞ e^{−x} dΛ(x) = λ^{−α} Γ(α+1) Q(α, η_m) (Q the regularised upper
        incomplete gamma, in logs: it underflows at large α; the error is the tail's fluctuation about its
        mean, small against the first m points once m ≫ λ^{−α}, or against the tail when that holds many points).
        """
        size = check_int("size", size, minimum=1)
        m = check_int("m", m, minimum=1)
        rng = np.random.default_rng(rng)
        gam = np.cumsum(rng.standard_exponential((size, m)), axis=1)
        eta = self.lam * gam ** (1.0 / self.alpha)
        shift = eta[:, :1]
        e = np.exp(-(eta - shift))
        a = self.alpha
        log_tail = -a * math.log(self.lam) + special.gammaln(a) + log_gamma_q(a, eta[:, -1]) + math.log(a) + shift[:, 0]
        tail = np.exp(np.minimum(log_tail, 700.0))
        return e / (e.sum(axis=1) + tail)[:, None]

    def count_above_limit(self, mass: float, *, rng=0, samples: int = 200_000) -> tuple[float, float]:
        """E #{k : W_k ≥ mass} and its standard error (Monte Carlo over :meth:`sample`)."""
        mass = check_real("mass", mass, lower=0.0, upper=1.0, lower_open=True)
        counts = (self.sample(rng, samples, m=max(8, math.ceil(1.0 / mass))) >= mass).sum(axis=1)
        return float(counts.mean()), float(counts.std(ddof=1) / math.sqrt(samples))


def log_gamma_q(a: float, x):
    """log Q(a, x), Q the regularised upper incomplete gamma, without underflow: scipy's ``gammaincc`` where it
    is above 1e−280, else the continued fraction Γ(a, x) = e^{−x} x^a / (x + 1 − a − 1·(1 − a)/(x + 3 − a − …))
    (modified Lentz, x > a + 1 there)."""
    x = np.asarray(x, dtype=float)
    q = special.gammaincc(a, x)
    with np.errstate(divide="ignore"):
        out = np.log(q)
    bad = q < 1e-280
    if np.any(bad):
        xb = x[bad]
        tiny = 1e-300
        b = xb + 1.0 - a
        c = np.full_like(xb, 1.0 / tiny)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, 400):
            an = -i * (i - a)
            b = b + 2.0
            d = an * d + b
            d = np.where(np.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            d = 1.0 / d
            delta = d * c
            h = h * delta
            if np.all(np.abs(delta - 1.0) < 1e-15):
                break
        out[bad] = -xb + a * np.log(xb) + np.log(h) - special.gammaln(a)
    return out[()]


@lru_cache(maxsize=1024)
def _pk_integrals(alpha: float, lam: float) -> dict:
    return PoissonQuadrature(LogMassMap(alpha, lam), powers=(2.0,)).integrate()


@lru_cache(maxsize=1024)
def max_weight_limit_only(alpha: float, lam: float) -> float:
    """:meth:`PoissonKingman.max_weight_limit` (validated α, λ > 0) without the moments (~15 % cheaper: what
    a root search on E W_1 needs). The same nodes and sums; the march stops on the max-weight totals alone,
    which has never moved the value (bitwise equal at α = 0.5 … 2047.5, λ = 1e−6 … 1e6)."""
    r = PoissonQuadrature(LogMassMap(alpha, lam), powers=(), moments=False).integrate()
    return float(r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"])


def ipr_limit(alpha: float, lam: float) -> float:
    """The n → ∞ limit of the expected IPR at λ = β/β*_n: E Σ_k W_k² of :class:`PoissonKingman` (α, λ).

    E Σ_k W_k² = ∫_0^∞ u E[e^{−uT}] ∫_0^∞ e^{−2x − u e^{−x}} dΛ(x) du, Λ(x) = λ^{−α} x^α (:ref:`theory-limit-laws`, p = 2).

    Parameters
    ----------
    alpha : float
        Local exponent α > 0 of the distance law ((d−1)/2 for uniform keys).
    lam : float
        λ = β/β*_n > 0.

    Returns
    -------
    float
        The limit of E Σ_i w_i² as n → ∞ at fixed λ.

    Examples
    --------
    >>> round(ipr_limit(1.0, 1.0), 6)  # d = 3, λ = 1 (:ref:`theory-limit-laws`)
    0.438541
    """
    return PoissonKingman(alpha, lam).ipr_limit()


def max_weight_limit(alpha: float, lam: float) -> float:
    """The n → ∞ limit of E max_i w_i at λ = β/β*_n: E W_1 of :class:`PoissonKingman` (α, λ).

    By the Palm/Mecke formula E W_1 = ∫ dΛ(x) ∫_0^∞ e^{−z} E[e^{−z Σ_{η_j > x} e^{x−η_j}}] e^{−Λ(x)} dz
    (:ref:`theory-limit-laws`).

    Parameters
    ----------
    alpha : float
        Local exponent α > 0 of the distance law ((d−1)/2 for uniform keys).
    lam : float
        λ = β/β*_n > 0.

    Returns
    -------
    float
        The limit of E max_i w_i as n → ∞ at fixed λ.

    Examples
    --------
    >>> round(max_weight_limit(1.0, 1.0), 6)  # d = 3, λ = 1 (:ref:`theory-limit-laws`)
    0.561459
    """
    return PoissonKingman(alpha, lam).max_weight_limit()


def dirichlet_ipr(theta: float) -> float:
    """lim E Σ W_k² of PK(α, θα) as α → ∞ (:ref:`theory-effective-exponent`): 1 − 1/θ for θ > 1 (Poisson–Dirichlet(1/θ, 0)), 0 for
    θ ≤ 1 (the weights all tend to 0)."""
    theta = check_real("theta", theta, lower=0.0, lower_open=True)
    return 1.0 - 1.0 / theta if theta > 1.0 else 0.0


def dirichlet_max_weight(theta: float) -> float:
    """lim E W_1 of PK(α, θα) as α → ∞ (:ref:`theory-effective-exponent`): E of the largest Poisson–Dirichlet(a, 0) weight, a = 1/θ,
    for θ > 1 (0 for θ ≤ 1), by the quadrature of :mod:`._pk_quadrature` with points at ξ = θ v.

    For PD(a, 0) this is also ∫_0^∞ e^{−z} / (z^a γ(1 − a, z) + e^{−z}) dz, γ the lower incomplete gamma (the
    Palm formula with the stable Lévy measure a w^{−a−1} dw); the tests check the two against each other."""
    theta = check_real("theta", theta, lower=0.0, lower_open=True)
    if theta <= 1.0:
        return 0.0
    r = PoissonQuadrature(DirichletMap(theta), powers=(2.0,)).integrate()
    return float(r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"])
