"""Figures of self-attention heat runs (:ref:`theory-limit-laws`): the growth of the seeded mode against its predictions — one
panel drawn by ``heat_growth_panel`` for ``attnlimits heat --plot`` and the reproduce report alike — and,
for a single run, the density before and after.

Each function returns a :class:`matplotlib.figure.Figure` (no pyplot, no backend switch); nothing here
computes a law.
"""

from __future__ import annotations

import numpy as np

from ._canvas import new_figure, save_figure, set_title

__all__ = ["heat_figure", "heat_growth_panel"]


def heat_growth_panel(ax, curves: dict, *, legend_size: int = 8) -> None:
    """Draw on ``ax`` the measured growth of mode ℓ per step k against (1 + ℓ(ℓ+d−2)/β)^k, exp(ℓ(ℓ+d−2)k/β)
    and the mean field g_ℓ(β)^k (:ref:`theory-limit-laws`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw on.
    curves : dict
        ``k``, ``measured``, ``per_step``, ``limit`` and ``mean_field``, as
        :func:`attnlimits.heat._curves.growth_curves` computes them.
    legend_size : int
        Legend font size.
    """
    k = curves["k"]
    ax.plot(k, curves["measured"], "o-", label="measured", color="C0")
    ax.plot(k, curves["per_step"], "--", label=r"$(1+\ell(\ell+d-2)/\beta)^k$", color="C1")
    ax.plot(k, curves["limit"], ":", label=r"$\exp(\ell(\ell+d-2)k/\beta)$", color="C2")
    ax.plot(k, curves["mean_field"], "-.", label=r"exact mean field $g_\ell(\beta)^k$", color="C4", lw=1)
    ax.set_xlabel("step k")
    ax.set_ylabel("mode amplitude / start")
    ax.legend(loc="upper left", fontsize=legend_size)


def heat_figure(result, curves: dict, path=None):
    """The figure of a :class:`~attnlimits.heat.HeatResult`; written to ``path`` too when given.

    Left: ``heat_growth_panel`` of the run, with the off-mode power on a second axis. Right: histograms of
    θ (circle) or x_3 (S^2) at the start and end, when the result kept its points, with the seeded density
    1 + ε·Y_ℓ.

    Parameters
    ----------
    result : HeatResult
        A run of :func:`attnlimits.heat.run_dynamics` (its sizes, growths and off-mode power).
    curves : dict
        What to draw, from ``attnlimits.heat._curves.heat_plot_data`` of ``result``.
    path : path, optional
        Also save the figure there (:func:`~attnlimits.report.save_figure`; format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure
        The two panels.
    """
    fig = new_figure((11, 4.2))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    heat_growth_panel(ax, curves["growth"])
    twin = ax.twinx()
    twin.semilogy(curves["growth"]["k"], np.maximum(result.off_mode_power_by_step, 1e-300), color="C3", alpha=0.5,
                  lw=1)
    twin.set_ylabel("off-mode power", color="C3")
    set_title(ax, f"d={result.d}, n={result.n:,}, β={result.beta:g}, ε={result.eps:g}, {result.init} start",
              fontsize=10)

    ax = axes[1]
    density = curves["density"]
    if density is not None:
        bins = 60
        ax.hist(density["start"], bins=bins, density=True, histtype="step", label="start", color="C0")
        ax.hist(density["end"], bins=bins, density=True, histtype="step", label=f"after {result.steps} steps",
                color="C3")
        ax.plot(density["grid"], density["density"], "k--", lw=1, label=r"$1+\varepsilon Y_\ell$")
        ax.set_xlabel({"theta": "θ", "x3": "$x_3$"}[density["coordinate"]])
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "points not kept (run with keep_points=True)", ha="center", va="center")
    set_title(ax, f"growth {result.growth_measured:.4g} vs per-step {result.growth_predicted_per_step:.4g}, "
              f"exp {result.growth_predicted:.4g}", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
