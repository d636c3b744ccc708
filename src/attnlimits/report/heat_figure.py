"""Figure of a self-attention heat run: mode growth against the two predictions, and the density before/after.

Self-contained: matplotlib is imported inside :func:`heat_figure` (Agg backend), nothing here computes a law.
"""

from __future__ import annotations

import numpy as np

__all__ = ["heat_figure"]


def heat_figure(result, path) -> str:
    """Draw a :class:`~attnlimits.heat.HeatResult` to ``path`` (format from the suffix); return the path.

    Left: growth of the mode-ℓ amplitude per step, measured, (1 + ℓ(ℓ+d−2)/β)^k and exp(ℓ(ℓ+d−2)k/β), with
    the off-mode power on a second axis. Right: histograms of θ (circle) or x_3 (S^2) at the start and end,
    when the result kept its points, with the seeded density 1 + ε·Y_ℓ.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    k = np.arange(result.steps + 1)
    rate = result.rate
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    ax.plot(k, result.growth_by_step, "o-", label="measured", color="C0")
    ax.plot(k, (1.0 + rate / result.beta) ** k, "--", label=r"$(1+\ell(\ell+d-2)/\beta)^k$", color="C1")
    ax.plot(k, np.exp(rate * k / result.beta), ":", label=r"$\exp(\ell(\ell+d-2)k/\beta)$", color="C2")
    g = result.growth_predicted_mean_field ** (1.0 / result.steps) if result.steps else 1.0
    ax.plot(k, g ** k, "-.", label=r"mean field $g_\ell(\beta)^k$", color="C4", lw=1)
    ax.set_xlabel("step k")
    ax.set_ylabel(f"amplitude of mode ℓ={result.mode} / start")
    ax.legend(loc="upper left", fontsize=8)
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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)
