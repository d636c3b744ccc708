"""The exact integrals of :ref:`theory-exact-identities` where β is so large that only the nearest key and its next neighbour
matter (up to β = 1e30).

Given the nearest distance T = D_(1) (density n f(t)(1 − F(t))^{n−1}), the other n − 1 keys are i.i.d. on
(T, 2]; their rescaled gaps y = β(D − T) have intensity ρ(y) = (n−1) f(T + y/β) / (β(1 − F(T))) per unit y.
When ρ ≪ 1 at most one other key sits within O(1) of the nearest, and by the Mecke formula every
expectation is its two-key value integrated against that intensity, to first order in ρ:

* 1 − E max w = E ∫_0^∞ ρ e^{−y}/(1 + e^{−y}) dy = ln 2 · H/β;
* 1 − E Σ w² = E ∫ ρ 2e^{−y}/(1 + e^{−y})² dy = H/β, and 1 − E Σ w^p = I_p H/β,
  I_p = ∫_0^∞ [1 − (1 + e^{−py})/(1 + e^{−y})^p] dy;
* E Σ w βD = β E T + E ∫ ρ y e^{−y}/(1 + e^{−y}) dy = β E T + (π²/12) H/β;
* E Σ w² D(2 − D) = E[T(2 − T)] − H_{D(2−D)}/β;

with H = E[(n−1) f(T)/(1 − F(T))] = ∫ n(n−1) f² (1 − F)^{n−2} dt (the density of the top gap D_(2) − D_(1)
at 0) and H_h the same with h(T) inside. The neglected terms are relative O(H/β) (two or more neighbours)
and O(|f'/f|/β) (the intensity's slope across a gap of width 1/β): below 1e−9 where :func:`applies`.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

__all__ = ["applies", "nearest_pair_integrals", "gap_density"]

#: Use these formulas where H/β (the expected number of neighbours within one unit of x) is below this.
MAX_NEIGHBOURS = 1e-10


def gap_density(grid) -> tuple[float, float, float, float]:
    """(H, H_{D(2−D)}, E T, E T(2 − T)) for the count grid of (law, n), by its nodes."""
    n = grid.n
    c = np.exp(grid.log_dens) * grid.weights
    with np.errstate(under="ignore", divide="ignore", invalid="ignore"):
        near = c * np.exp((n - 1.0) * grid.log_sf)
        f_next = np.exp(grid.log_dens - np.log(grid.half)[:, None] - grid.log_n + math.log(n - 1.0)) if n > 1 else 0.0
        h = c * f_next * np.exp((n - 2.0) * grid.log_sf)
    h = np.where(np.isfinite(h), h, 0.0)
    d2 = grid.t * grid.tbar
    return float(h.sum()), float((h * d2).sum()), float((near * grid.t).sum()), float((near * d2).sum())


def applies(grid, beta: float) -> bool:
    """True where the first-order nearest-pair formulas hold to ~1e−10 (H/β ≤ MAX_NEIGHBOURS)."""
    return grid.n > 1 and _cached_gap(grid)[0] <= MAX_NEIGHBOURS * beta


def _cached_gap(grid):
    if not hasattr(grid, "_gap"):
        grid._gap = gap_density(grid)
    return grid._gap


@lru_cache(maxsize=32)
def _pair_power(p: float) -> float:
    """I_p = ∫_0^∞ [1 − (1 + e^{−py})/(1 + e^{−y})^p] dy (I_2 = 1)."""
    if p == 2.0:
        return 1.0
    from scipy import integrate  # here, not at import: scipy.integrate pulls in scipy.optimize (~0.4 s)

    f = lambda y: -math.expm1(math.log1p(math.exp(-p * y)) - p * math.log1p(math.exp(-y)))  # noqa: E731
    return integrate.quad(f, 0.0, math.inf, epsabs=0.0, epsrel=1e-13, limit=200)[0]


def nearest_pair_integrals(grid, beta: float, powers=(2.0,)) -> dict:
    """The integrals of :class:`._finite.FiniteQuadrature` (same keys) by the nearest-pair formulas."""
    h, h_d2, mean_t, mean_d2 = _cached_gap(grid)
    r = h / beta
    return {"power": {p: 1.0 - _pair_power(p) * r for p in powers}, "norm": 1.0,
            "defect": beta * mean_t + (math.pi ** 2 / 12.0) * r, "tangent_sq": mean_d2 - h_d2 / beta,
            "one_minus_ipr": r, "max": 1.0 - math.log(2.0) * r, "one_minus_max": math.log(2.0) * r}
