"""Harmonics on S^1 and S^2: the zonal mode Y_ℓ, its amplitude in a point cloud, and the power elsewhere.

On the circle Y_ℓ(x) = cos(ℓθ) with θ = atan2(x_2, x_1); on S^2 the zonal harmonic about e_3 is
Y_ℓ(x) = P_ℓ(x_3) (Legendre). Both are eigenfunctions of the Laplace–Beltrami operator with eigenvalue
−ℓ(ℓ+d−2), which is why the backward heat equation ∂_t ρ = −Δ_S ρ multiplies their coefficient by
exp(ℓ(ℓ+d−2)·t) (:ref:`theory-limit-laws`).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["zonal_harmonic", "harmonic_norm", "harmonic_amplitude", "off_mode_power", "laplace_eigenvalue"]


def laplace_eigenvalue(d: int, ell: int) -> int:
    """ℓ(ℓ+d−2): minus the Laplace–Beltrami eigenvalue of a degree-ℓ harmonic on S^{d−1} (:ref:`theory-limit-laws`).

    Parameters
    ----------
    d : int
        Dimension (the sphere S^{d−1} ⊂ R^d), d ≥ 2.
    ell : int
        Harmonic degree ℓ ≥ 0.

    Returns
    -------
    int
        ℓ(ℓ+d−2), the rate of the mode ℓ under the backward heat equation ∂_t ρ = −Δ_S ρ.

    Examples
    --------
    >>> laplace_eigenvalue(3, 2), laplace_eigenvalue(2, 4)
    (6, 16)
    """
    return ell * (ell + d - 2)


def zonal_harmonic(d: int, ell: int, x) -> np.ndarray:
    """Y_ℓ at the rows of ``x``: cos(ℓθ) on S^1 (d = 2), P_ℓ(x_3) on S^2 (d = 3).

    Parameters
    ----------
    d : {2, 3}
        Dimension: the circle (θ = atan2(x_2, x_1)) or S^2 (zonal about e_3); other d raise ValueError.
    ell : int
        Degree ℓ ≥ 0.
    x : array_like, shape (..., d)
        Unit vectors (x_3 is clipped to [−1, 1] on S^2).

    Returns
    -------
    numpy.ndarray, shape (...)
        Y_ℓ at each row, in [−1, 1] (unnormalised: E_unif[Y_ℓ²] is :func:`harmonic_norm`).

    Examples
    --------
    >>> zonal_harmonic(2, 2, [[0.0, 1.0]]), zonal_harmonic(3, 2, [[0.0, 0.0, 1.0]])
    (array([-1.]), array([1.]))
    """
    x = np.asarray(x, dtype=float)
    if d == 2:
        return np.cos(ell * np.arctan2(x[..., 1], x[..., 0]))
    if d == 3:
        return special.eval_legendre(ell, np.clip(x[..., 2], -1.0, 1.0))
    raise ValueError(f"zonal harmonics are implemented for d in {{2, 3}}, not d={d}")


def harmonic_norm(d: int, ell: int) -> float:
    """E[Y_ℓ²] under the uniform law: 1/2 on S^1 (ℓ ≥ 1), 1/(2ℓ+1) on S^2.

    Parameters
    ----------
    d : {2, 3}
        Dimension: 2 for the circle; any other value is treated as S^2.
    ell : int
        Degree ℓ ≥ 1.

    Returns
    -------
    float
        The mean square of :func:`zonal_harmonic` under normalised surface measure.
    """
    return 0.5 if d == 2 else 1.0 / (2 * ell + 1)


def harmonic_amplitude(points, d: int, ell: int) -> float:
    """The ε̂ for which the empirical law of ``points`` has density 1 + ε̂·Y_ℓ in the Y_ℓ direction.

    For keys with density ρ = 1 + ε·Y_ℓ (w.r.t. normalised surface measure), E[Y_ℓ(X)] = ε·E_unif[Y_ℓ²],
    so ε̂ = mean Y_ℓ(X_i) / E_unif[Y_ℓ²] (:ref:`theory-limit-laws`).

    Parameters
    ----------
    points : array_like, shape (m, d)
        Unit vectors (particles or keys).
    d : {2, 3}
        Dimension.
    ell : int
        Degree ℓ ≥ 1 of the mode.

    Returns
    -------
    float
        ε̂; for n i.i.d. points with density 1 + ε·Y_ℓ it is unbiased for ε.

    Examples
    --------
    >>> theta = 2 * np.pi * np.arange(8) / 8
    >>> abs(harmonic_amplitude(np.column_stack([np.cos(theta), np.sin(theta)]), 2, 2)) < 1e-12
    True
    """
    return float(np.mean(zonal_harmonic(d, ell, points)) / harmonic_norm(d, ell))


def off_mode_power(points, d: int, ell: int, max_degree: int = 8) -> float:
    """Power of the empirical measure in the harmonics of degree 1..``max_degree`` other than the mode ℓ.

    With orthonormal harmonics (w.r.t. normalised measure) the power of degree m is Σ_o (mean Y_m^o(X_i))²;
    for n i.i.d. uniform points its expectation is (number of harmonics of degree m)/n. On S^1 every
    degree has the two harmonics √2·cos(mθ), √2·sin(mθ); on S^2, the 2m+1 real spherical harmonics of
    degree m (the sin(ℓθ) and non-zonal parts of degree ℓ count as "off-mode" too, since the seeded
    density has none).

    Parameters
    ----------
    points : array_like, shape (m, d)
        Unit vectors.
    d : {2, 3}
        Dimension; other d raise ValueError.
    ell : int
        Degree ℓ of the seeded mode (its zonal part is excluded).
    max_degree : int
        Highest degree summed, ≥ 1.

    Returns
    -------
    float
        The power in degrees 1..``max_degree`` outside the seeded mode: ≈ Σ_m N_m/n for n i.i.d. uniform
        points (N_m = 2 on S^1, 2m+1 on S^2, one less at m = ℓ); its population value for the density
        1 + ε·Y_ℓ is 0.
    """
    x = np.asarray(points, dtype=float)
    total = 0.0
    if d == 2:
        theta = np.arctan2(x[:, 1], x[:, 0])
        for m in range(1, max_degree + 1):
            c = np.mean(np.exp(1j * m * theta))
            if m == ell:
                total += 2.0 * c.imag**2
            else:
                total += 2.0 * abs(c) ** 2
        return float(total)
    if d == 3:
        polar = np.arccos(np.clip(x[:, 2], -1.0, 1.0))
        azimuth = np.arctan2(x[:, 1], x[:, 0])
        for m in range(1, max_degree + 1):
            for order in range(-m, m + 1):
                if m == ell and order == 0:
                    continue
                y = special.sph_harm_y(m, order, polar, azimuth) * np.sqrt(4.0 * np.pi)
                total += abs(np.mean(y)) ** 2
        return float(total)
    raise ValueError(f"harmonic power is implemented for d in {{2, 3}}, not d={d}")
