"""Figures of self-attention heat runs (SPEC §3): the growth of the seeded mode against its predictions — one
panel drawn by :func:`heat_growth_panel` for ``attnlimits heat --plot`` and the reproduce report alike — and,
for a single run, the density before and after.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot, no backend switch); nothing here
computes a law.
"""

from __future__ import annotations

import numpy as np

from ._canvas import new_figure, save_figure

__all__ = ["heat_figure", "heat_growth_panel"]


def heat_growth_panel(ax, growth, rate: float, beta: float, mean_field: float, *, legend_size: int = 8) -> None:
    """Draw on ``ax`` the measured growth of mode ℓ per step k against (1 + ℓ(ℓ+d−2)/β)^k, exp(ℓ(ℓ+d−2)k/β)
    and the mean field g_ℓ(β)^k (SPEC §3).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    growth : array_like, shape (steps + 1,)
        Measured amplitude of the mode over its value at the start, per step (1 at k = 0).
    rate : float
        ℓ(ℓ+d−2).
    beta : float
        Inverse temperature β.
    mean_field : float
        Exact mean-field growth per step g_ℓ(β).
    legend_size : int
        Legend font size.
    """
    growth = np.asarray(growth, dtype=float)
    k = np.arange(growth.size)
    ax.plot(k, growth, "o-", label="measured", color="C0")
    ax.plot(k, (1.0 + rate / beta) ** k, "--", label=r"$(1+\ell(\ell+d-2)/\beta)^k$", color="C1")
    ax.plot(k, np.exp(rate * k / beta), ":", label=r"$\exp(\ell(\ell+d-2)k/\beta)$", color="C2")
    ax.plot(k, mean_field ** k, "-.", label=r"exact mean field $g_\ell(\beta)^k$", color="C4", lw=1)
    ax.set_xlabel("step k")
    ax.set_ylabel("mode amplitude / start")
    ax.legend(loc="upper left", fontsize=legend_size)


def heat_figure(result, path=None):
    """The figure of a :class:`~attnlimits.heat.HeatResult`; written to ``path`` too when given.

    Left: :func:`heat_growth_panel` of the run, with the off-mode power on a second axis. Right: histograms of
    θ (circle) or x_3 (S^2) at the start and end, when the result kept its points, with the seeded density
    1 + ε·Y_ℓ.

    Parameters
    ----------
    result : HeatResult
        A run of :func:`attnlimits.heat.run_dynamics`.
    path : path, optional
        Also save the figure there (:func:`~attnlimits.report._canvas.save_figure`; format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((11, 4.2))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    k = np.arange(result.steps + 1)
    g = result.growth_predicted_mean_field ** (1.0 / result.steps) if result.steps else 1.0
    heat_growth_panel(ax, result.growth_by_step, result.rate, result.beta, g)
    twin = ax.twinx()
    twin.semilogy(k, np.maximum(result.off_mode_power_by_step, 1e-300), color="C3", alpha=0.5, lw=1)
    twin.set_ylabel("off-mode power", color="C3")
    ax.set_title(f"d={result.d}, n={result.n:,}, β={result.beta:g}, ε={result.eps:g}, {result.init} start",
                 fontsize=10)

    ax = axes[1]
    if result.initial is not None and result.final is not None:
        if result.d == 2:
            coord = lambda p: np.arctan2(p[:, 1], p[:, 0])  # noqa: E731
            grid = np.linspace(-np.pi, np.pi, 400)
            seed = (1.0 + result.eps * np.cos(result.mode * grid)) / (2.0 * np.pi)
            label = "θ"
        else:
            coord = lambda p: p[:, 2]  # noqa: E731
            from scipy import special

            grid = np.linspace(-1.0, 1.0, 400)
            seed = (1.0 + result.eps * special.eval_legendre(result.mode, grid)) / 2.0
            label = "$x_3$"
        bins = 60
        ax.hist(coord(result.initial), bins=bins, density=True, histtype="step", label="start", color="C0")
        ax.hist(coord(result.final), bins=bins, density=True, histtype="step", label=f"after {result.steps} steps",
                color="C3")
        ax.plot(grid, seed, "k--", lw=1, label=r"$1+\varepsilon Y_\ell$")
        ax.set_xlabel(label)
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "points not kept (run with keep_points=True)", ha="center", va="center")
    ax.set_title(f"growth {result.growth_measured:.4g} vs per-step {result.growth_predicted_per_step:.4g}, "
                 f"exp {result.growth_predicted:.4g}", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
