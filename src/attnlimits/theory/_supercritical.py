"""The supercritical regime (SPEC §3): W_1 → 1 and the nearest key's distance in the Poisson limit."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._validation import check_int
from ._critical import PoissonKingman

__all__ = ["expected_one_minus_max_weight", "nearest_distance_sf", "expected_nearest_distance"]


def expected_one_minus_max_weight(alpha: float, lam: float) -> float:
    """E[1 − W_1] = E[Σ_{k≥2} e^{−η_k} / Σ_k e^{−η_k}] in the Poisson limit (SPEC §3); → 0 as λ → ∞."""
    return PoissonKingman(alpha, lam).expected_one_minus_max_weight()


def nearest_distance_sf(law, n, t, *, limit: bool = False):
    """P(D_(1) > t) = (1 − F(t))^n exactly, or exp(−c n t^α) in the Poisson limit (SPEC §3: D_(1) ≈
    (Γ_1/(c n))^{1/α})."""
    n = check_int("n", n, minimum=1)
    t = np.asarray(t, dtype=float)
    if limit:
        return np.exp(-np.exp(law.log_local_constant + math.log(n)) * t ** law.local_exponent)
    with np.errstate(divide="ignore"):
        return np.exp(n * np.log(law.distance_sf(t)))


def expected_nearest_distance(law, n) -> float:
    """E D_(1) in the Poisson limit: (c n)^{−1/α} Γ(1 + 1/α)."""
    n = check_int("n", n, minimum=1)
    a = law.local_exponent
    return math.exp(-(law.log_local_constant + math.log(n)) / a + special.gammaln(1.0 + 1.0 / a))
