"""The supercritical regime (:ref:`theory-limit-laws`): W_1 → 1 and the nearest key's distance in the Poisson limit."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_int
from ._critical import PoissonKingman

__all__ = ["one_minus_max_weight_limit", "nearest_distance_sf", "nearest_distance_limit"]


def one_minus_max_weight_limit(alpha: float, lam: float) -> float:
    """E[1 − W_1] of the Poisson–Kingman limit n → ∞ at λ = β/β*_n, accurate where W_1 → 1.

    E[1 − W_1] = E[Σ_{k≥2} e^{−η_k} / Σ_k e^{−η_k}] (:ref:`theory-limit-laws`, supercritical: → 0 as λ → ∞), by the
    quadrature of :class:`PoissonKingman`.

    Parameters
    ----------
    alpha : float
        Local exponent α > 0 of the distance law ((d−1)/2 for uniform keys).
    lam : float
        λ = β/β*_n > 0.

    Returns
    -------
    float
        The limit of E[1 − max_i w_i] as n → ∞ at fixed λ.

    Examples
    --------
    >>> round(one_minus_max_weight_limit(1.0, 10.0), 6)  # d = 3, λ = 10 (:ref:`theory-limit-laws`)
    0.065735
    """
    return PoissonKingman(alpha, lam).one_minus_max_weight_limit()


def nearest_distance_sf(law, n, t, *, limit: bool = False):
    """P(D_(1) > t), the survival function of the nearest key's distance (:ref:`theory-limit-laws`, supercritical).

    Exact: (1 − F(t))^n; with ``limit``, the Poisson limit exp(−c n t^α) (D_(1) ≈ (Γ_1/(c n))^{1/α}).

    Parameters
    ----------
    law : KeyLaw
        The key law (exact: ``has_distance_law``; limit: a known local exponent and constant).
    n : int
        Number of keys, ≥ 1.
    t : array_like
        Distances in [0, 2].
    limit : bool
        The Poisson limit instead of the exact value.

    Returns
    -------
    ndarray
        P(D_(1) > t), shaped like ``t``.

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> float(nearest_distance_sf(UniformSphere(3), 10, 1.0))  # d = 3: F(t) = t/2 (:ref:`theory-model`, :ref:`theory-limit-laws`)
    0.0009765625
    """
    n = check_int("n", n, minimum=1)
    t = np.asarray(t, dtype=float)
    if limit:
        return np.exp(-np.exp(law.log_local_constant + math.log(n)) * t ** law.local_exponent)
    with np.errstate(divide="ignore"):
        return np.exp(n * np.log(law.distance_sf(t)))


def nearest_distance_limit(law, n) -> float:
    """E D_(1), the nearest key's mean distance, in the Poisson limit: (c n)^{−1/α} Γ(1 + 1/α) (:ref:`theory-limit-laws`).

    Parameters
    ----------
    law : KeyLaw
        A key law with a known local exponent α and constant c.
    n : int
        Number of keys, ≥ 1.

    Returns
    -------
    float
        The leading n → ∞ asymptote of E D_(1).

    Examples
    --------
    >>> from attnlimits.laws import UniformSphere
    >>> round(nearest_distance_limit(UniformSphere(3), 1000), 12)  # d = 3: c = 1/2, α = 1 (:ref:`theory-scales`, :ref:`theory-limit-laws`)
    0.002
    """
    n = check_int("n", n, minimum=1)
    a = law.local_exponent
    return math.exp(-(law.log_local_constant + math.log(n)) / a + special.gammaln(1.0 + 1.0 / a))
