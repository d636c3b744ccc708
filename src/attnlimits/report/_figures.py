"""Figures of ``attnlimits reproduce``, one drawing function per figure kind; each reads a claim's stored
numbers and returns a :class:`matplotlib.figure.Figure` (no pyplot, no backend switch; matplotlib is imported
when a figure is drawn; nothing here computes a law)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._canvas import new_figure, save_figure
from .heat_figure import heat_growth_panel

__all__ = ["claim_figure", "draw_figure", "FIGURE_KINDS"]


def claim_figure(figure):
    """The figure of one claim: its kind's drawing function applied to its stored numbers, captioned.

    Parameters
    ----------
    figure : attnlimits.claims.Figure
        ``kind`` (a key of :data:`FIGURE_KINDS`), ``data`` (the claim's numbers) and ``caption`` (n, d, β or λ
        and samples).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = FIGURE_KINDS[figure.kind](figure.data)
    fig.suptitle(_wrap(figure.caption, 120), fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def draw_figure(figure, directory) -> Path:
    """Draw ``figure`` (:func:`claim_figure`) and save it as ``directory/figure.name`` (90 dpi).

    Parameters
    ----------
    figure : attnlimits.claims.Figure
    directory : path
        Existing directory of the report's figures.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return save_figure(claim_figure(figure), Path(directory) / figure.name, dpi=90)


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _exponent_fit(data):
    fig = new_figure((7.5, 5))
    ax = fig.subplots()
    for i, s in enumerate(data["series"]):
        n = np.asarray(s["n"], dtype=float)
        b = np.asarray(s["beta"])
        err = 1.96 * np.asarray(s["log_se"]) * b
        ax.errorbar(n, b, yerr=err, fmt="o", color=f"C{i}", label=f"d={s['d']}: slope {s['slope']:.4f} ± "
                    f"{1.96 * s['se']:.4f} (predicted {s['predicted']:.4f})")
        ax.plot(n, s["fit"], "-", color=f"C{i}", lw=1)
        ax.plot(n, s["beta_star"], ":", color=f"C{i}", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("n (keys)")
    ax.set_ylabel(r"$\beta_{1/2}(n)$ (points; dotted: $\beta^*_n$)")
    ax.legend(fontsize=7)
    return fig


def _crossover(data):
    series = data["series"]
    cols = 2 if len(series) > 2 else len(series)
    rows = -(-len(series) // cols)
    fig = new_figure((4.6 * cols, 3.6 * rows + 0.8))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[len(series):]:
        ax.set_visible(False)
    for ax, s in zip(axes.flat, series):
        n = np.asarray(s["n"], dtype=float)
        b = np.asarray(s["beta"])
        ax.plot(n, s["exact"], "-", color="k", lw=1.2, label=r"exact finite-n $\beta_{1/2}$")
        ax.errorbar(n, b, yerr=1.96 * np.asarray(s["log_se"]) * b, fmt="o", ms=4, color="C0",
                    label=rf"measured ({data['samples']} replicates)")
        ax.plot(n, s["effective"], "--", color="C2", label=r"effective exponent ($\alpha_n$, $\kappa_n$)")
        ax.plot(n, s["asymptotic"], "-.", color="C3", label=r"asymptotic $\lambda_{1/2}(\alpha)\,\beta^*_n$")
        ax.plot(n, s["beta_star"], ":", color="C7", label=r"$\beta^*_n = (c_d n)^{2/(d-1)}$")
        ax.set_title(f"d = {s['d']} (α = {s['alpha']:g}; α_n = {s['alpha_eff'][0]:.3g} … {s['alpha_eff'][-1]:.3g})",
                     fontsize=8)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("n")
        ax.set_ylabel(r"$\beta$")
        ax.legend(fontsize=6)
    return fig


def _ipr_convergence(data):
    fig = new_figure((7.5, 5))
    ax = fig.subplots()
    for i, s in enumerate(data["series"]):
        ax.plot(s["n"], s["exact"], "-", color=f"C{i}", label=f"λ={s['lam']:g}: exact finite n")
        ax.axhline(s["limit"], ls="--", color=f"C{i}", lw=1)
        for n, m, se in s["measured"]:
            ax.errorbar([n], [m], yerr=[1.96 * se], fmt="o", color=f"C{i}")
    ax.set_xscale("log")
    ax.set_xlabel("n")
    ax.set_ylabel("E[IPR] (dashed: Poisson–Kingman limit; points: simulation)")
    ax.legend(fontsize=7)
    return fig


def _w1_histogram(data):
    fig = new_figure((7.5, 5))
    ax = fig.subplots()
    bins = np.linspace(0, 1, 41)
    ax.hist(data["limit"], bins=bins, density=True, histtype="stepfilled", alpha=0.35, label="Poisson–Kingman limit")
    ax.hist(data["measured"], bins=bins, density=True, histtype="step", lw=1.5, label="simulation, n = 1e12")
    ax.hist(data["measured_exact_n"], bins=bins, density=True, histtype="step", lw=1, ls="--",
            label="simulation, exact engine at smaller n")
    ax.axvline(data["limit_mean"], color="k", lw=1, label=f"limit mean {data['limit_mean']:.4f}")
    ax.set_xlabel(r"max weight $W_1$")
    ax.set_ylabel("density")
    ax.legend(fontsize=7)
    return fig


def _collapse(data):
    rows = data["rows"]
    lam = [r["lam"] for r in rows]
    fig = new_figure((7.5, 5))
    ax = fig.subplots()
    ax.errorbar(lam, [r["measured"] for r in rows], yerr=[1.96 * r["se"] for r in rows], fmt="o",
                label=r"measured $E[1-W_1]$")
    ax.plot(lam, [r["exact"] for r in rows], "-", label="exact finite n")
    ax.plot(lam, [r["limit"] for r in rows], "--", label="Poisson–Kingman limit")
    ax.plot(lam, [r["gap_median"] for r in rows], "s", label=r"median of $\sqrt{\beta}\,|O-K_{(1)}|$")
    ax.plot(lam, [r["gap_q90"] for r in rows], "^", label=r"90% quantile of $\sqrt{\beta}\,|O-K_{(1)}|$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda = \beta/\beta^*_n$")
    ax.legend(fontsize=7)
    return fig


def _lln(data):
    rows = data["rows"]
    fig = new_figure((11, 4.5))
    axes = fig.subplots(1, len(rows))
    for ax, r in zip(np.atleast_1d(axes), rows):
        ax.hist(r["inner"], bins=30, histtype="stepfilled", alpha=0.5, label=r"$\langle q,O\rangle$ per replicate")
        ax.axvline(r["A"], color="k", label=r"$A_d(\beta)$")
        ax.axvline(r["first_order"], color="C3", ls="--", label=r"$1-(d-1)/(2\beta)$")
        ax.axvline(r["exact_inner"], color="C2", ls=":", label="exact finite-n mean")
        ax.set_title(f"d = {r['d']}, n = {r['n']:,}, β = {r['beta']:g}", fontsize=9)
        ax.legend(fontsize=7)
    return fig


def _qq(data):
    fig = new_figure((11, 4.5))
    axes = fig.subplots(1, 2)
    for ax, panel, label in ((axes[0], data["radial"], "radial: N(0,1)"),
                             (axes[1], data["tangent"], f"|P⊥O|/σ⊥: χ_{data['d'] - 1}")):
        q, z = np.asarray(panel["theoretical"]), np.asarray(panel["measured"])
        ax.plot(q, z, ".", ms=2)
        lim = [min(q.min(), z.min()), max(q.max(), z.max())]
        ax.plot(lim, lim, "k-", lw=1)
        ax.set_xlabel("theoretical quantile")
        ax.set_ylabel("standardised output (predicted variance, no fit)")
        ax.set_title(label, fontsize=9)
    return fig


def _local(data):
    rows = data["rows"]
    fig = new_figure((7.5, 4.5))
    ax = fig.subplots()
    y = np.arange(len(rows))
    ax.errorbar([r["measured"] / r["predicted"] for r in rows], y,
                xerr=[1.96 * r["se"] / r["predicted"] for r in rows], fmt="o", label="measured / predicted")
    for i, r in enumerate(rows):
        if r.get("alternative"):
            ax.plot([r["alternative"] / r["predicted"]], [i], "x", color="C3", label="ambient exponent / predicted")
    ax.axvline(1.0, color="k", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([r["label"] for r in rows], fontsize=8)
    ax.set_xlabel("ratio to prediction (1 = agreement)")
    ax.legend(fontsize=7)
    return fig


def _heat(data):
    runs = data["runs"]
    fig = new_figure((11, 4.5))
    axes = fig.subplots(1, len(runs))
    for ax, r in zip(np.atleast_1d(axes), runs):
        heat_growth_panel(ax, r["curves"], legend_size=7)
        ax.set_title(f"d = {r['d']} (S^{r['d'] - 1}), ℓ = {r['mode']}, n = {r['n']:,}, β = {r['beta']:g}", fontsize=9)
    return fig


def _phase(data):
    fig = new_figure((8, 5.5))
    ax = fig.subplots()
    n = np.asarray(data["n"], dtype=float)
    beta = np.asarray(data["beta"])
    z = np.ma.masked_invalid(np.asarray(data["mean"], dtype=float))
    lx = np.log10(n)
    ly = np.log10(beta)
    ex = np.concatenate([[lx[0] - (lx[1] - lx[0]) / 2], (lx[1:] + lx[:-1]) / 2, [lx[-1] + (lx[-1] - lx[-2]) / 2]])
    ey = np.concatenate([[ly[0] - (ly[1] - ly[0]) / 2], (ly[1:] + ly[:-1]) / 2, [ly[-1] + (ly[-1] - ly[-2]) / 2]])
    mesh = ax.pcolormesh(ex, ey, z.T, vmin=0, vmax=1, cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label="mean max weight")
    ax.plot(lx, np.log10(data["beta_star"]), "w--", label=r"$\beta^*_n$")
    ax.plot(lx, np.log10(data["exact_beta_half"]), "r-", label=r"exact $\beta_{1/2}(n)$")
    ax.plot(lx, np.log10(data["beta_half"]), "o", color="orange", label=r"measured $\beta_{1/2}(n)$")
    ax.set_xlabel(r"$\log_{10} n$")
    ax.set_ylabel(r"$\log_{10}\beta$")
    ax.legend(fontsize=7, loc="upper left")
    return fig


#: Drawing functions by figure kind.
FIGURE_KINDS = {
    "exponent_fit": _exponent_fit,
    "crossover": _crossover,
    "ipr_convergence": _ipr_convergence,
    "w1_histogram": _w1_histogram,
    "collapse": _collapse,
    "lln": _lln,
    "qq": _qq,
    "local": _local,
    "heat": _heat,
    "phase": _phase,
}
