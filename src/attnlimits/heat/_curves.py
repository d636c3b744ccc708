"""The curves of the heat figures (:ref:`theory-limit-laws`), computed here so that :mod:`attnlimits.report` only draws them: the
measured growth of the seeded mode per step against its three predictions, and the seeded density 1 + ε·Y_ℓ on
the coordinate the figure histograms (θ on S^1, x_3 on S^2; see :mod:`._harmonics`)."""

from __future__ import annotations

import numpy as np

__all__ = ["growth_curves", "seeded_density", "heat_plot_data"]

#: Points of the seeded density's curve.
_DENSITY_POINTS = 400


def growth_curves(growth, rate: float, beta: float, mean_field: float) -> dict:
    """The measured growth of mode ℓ per step k and its predictions (:ref:`theory-limit-laws`).

    Parameters
    ----------
    growth : array_like, shape (steps + 1,)
        Measured amplitude of the mode over its value at the start, per step (1 at k = 0).
    rate : float
        ℓ(ℓ+d−2), minus the Laplace–Beltrami eigenvalue of Y_ℓ.
    beta : float
        Inverse temperature β.
    mean_field : float
        Exact mean-field growth per step g_ℓ(β) (:func:`attnlimits.heat.mode_growth_factor`).

    Returns
    -------
    dict
        JSON-ready lists over k = 0 … steps: ``k``, ``measured`` (``growth``), ``per_step``
        (1 + ℓ(ℓ+d−2)/β)^k, ``limit`` exp(ℓ(ℓ+d−2)k/β) (the backward heat equation) and ``mean_field``
        g_ℓ(β)^k.

    Examples
    --------
    >>> c = growth_curves([1.0, 1.1], 6.0, 100.0, 1.05)
    >>> c["k"], c["per_step"], c["mean_field"]
    ([0, 1], [1.0, 1.06], [1.0, 1.05])
    """
    growth = np.asarray(growth, dtype=float)
    k = np.arange(growth.size)
    return {"k": k.tolist(), "measured": growth.tolist(), "per_step": ((1.0 + rate / beta) ** k).tolist(),
            "limit": np.exp(rate * k / beta).tolist(), "mean_field": (mean_field ** k).tolist()}


def seeded_density(d: int, ell: int, eps: float) -> dict:
    """The seeded density 1 + ε·Y_ℓ as the density of the coordinate a heat figure histograms.

    On the circle (d = 2) the coordinate is θ ∈ [−π, π] with density (1 + ε cos(ℓθ))/(2π); on S^2 (d = 3)
    it is x_3 ∈ [−1, 1] with density (1 + ε P_ℓ(x_3))/2 (Archimedes: x_3 is uniform under the uniform law).

    Parameters
    ----------
    d : {2, 3}
        Ambient dimension.
    ell : int
        Harmonic degree ℓ of the seed.
    eps : float
        Seed amplitude ε.

    Returns
    -------
    dict
        ``coordinate`` (``"theta"`` or ``"x3"``), ``grid`` (400 points) and ``density`` on it (lists).
    """
    if d == 2:
        grid = np.linspace(-np.pi, np.pi, _DENSITY_POINTS)
        return {"coordinate": "theta", "grid": grid.tolist(),
                "density": ((1.0 + eps * np.cos(ell * grid)) / (2.0 * np.pi)).tolist()}
    from scipy import special

    grid = np.linspace(-1.0, 1.0, _DENSITY_POINTS)
    return {"coordinate": "x3", "grid": grid.tolist(),
            "density": ((1.0 + eps * special.eval_legendre(ell, grid)) / 2.0).tolist()}


def heat_plot_data(result) -> dict:
    """What the figure of one heat run draws (:func:`attnlimits.report.heat_figure`).

    Parameters
    ----------
    result : HeatResult
        A run of :func:`attnlimits.heat.run_dynamics`.

    Returns
    -------
    dict
        ``growth``: :func:`growth_curves` of the run (mean-field factor per step
        g_ℓ(β) = (g_ℓ(β)^steps)^{1/steps}); ``density``: None, or when the run kept its points
        :func:`seeded_density` with ``start`` and ``end``, the histogrammed coordinate of the particles
        before the first step and after the last (θ = atan2(x_2, x_1) on S^1, x_3 on S^2).
    """
    g = result.growth_predicted_mean_field ** (1.0 / result.steps) if result.steps else 1.0
    out = {"growth": growth_curves(result.growth_by_step, result.rate, result.beta, g), "density": None}
    if result.initial is not None and result.final is not None:
        density = seeded_density(result.d, result.mode, result.eps)
        coord = (lambda p: np.arctan2(p[:, 1], p[:, 0])) if result.d == 2 else (lambda p: p[:, 2])
        out["density"] = {**density, "start": coord(result.initial), "end": coord(result.final)}
    return out
