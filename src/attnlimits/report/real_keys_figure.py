"""Figures of a real model's heads (:ref:`theory-extreme-value`): estimated α and β*_n against the model's own β and where YaRN /
Qwen / SSMax land (the reproduce report), and attention against the visible n (``attnlimits attention``).
Each returns a :class:`matplotlib.figure.Figure` (no pyplot, no backend switch) of numbers handed in."""

from __future__ import annotations

import numpy as np

from ._canvas import new_figure, save_figure, set_title

__all__ = ["real_keys_figure", "attention_figure"]


def real_keys_figure(summary: dict, path=None):
    """Two panels from :func:`attnlimits.models.real_keys_summary`'s dict; written to ``path`` too when given.

    Left: estimated local exponent α̂ per head (95% interval) with the uniform-law value (d_head−1)/2.
    Right: per head, the model's β against β*_n at n = T (the training length), and the ratio
    λ = β/β*_n reached at the largest n by no rule, YaRN, Qwen and SSMax. Third panel (when the summary
    carries the exact values): measured mean max weight at n = T against the exact E[max weight] of the
    estimated law at the model's β.

    Parameters
    ----------
    summary : dict
        :func:`attnlimits.models.real_keys_summary`'s output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """

    heads = summary["heads"]
    x = np.arange(len(heads))
    exact = "max_weight_at_train" in heads[0]
    fig = new_figure((17 if exact else 12, 4.5))
    axes = fig.subplots(1, 3 if exact else 2)
    a1, a2 = axes[0], axes[1]
    alpha = np.array([h["alpha"] for h in heads])
    lo = np.array([h["alpha_ci"][0] for h in heads])
    hi = np.array([h["alpha_ci"][1] for h in heads])
    a1.errorbar(x, alpha, yerr=[alpha - lo, hi - alpha], fmt="o", ms=3, capsize=2)
    a1.axhline(summary["uniform_alpha"], color="k", ls="--", lw=1, label=f"uniform S^{{d−1}}: α = {summary['uniform_alpha']:g}")
    a1.set_xlabel("head (layer·heads + head)")
    a1.set_ylabel("estimated α (95% interval)")
    set_title(a1, f"{summary['model']}: {summary['tokens']} tokens, d_head = {summary['d_head']}", fontsize=9)
    a1.legend(fontsize=8)
    n_last = summary["n"][-1]
    a2.plot(x, [h["lambda_at_train"] for h in heads], "ko", ms=3, label=f"model β / β*_n at n = {summary['n_train']}")
    for name, marker in (("none", "x"), ("yarn", "^"), ("qwen", "s"), ("ssmax", "d")):
        a2.plot(x, [h["lambda_at"][name][-1] for h in heads], marker, ms=4, label=f"{name}: λ at n = {n_last}")
    a2.axhline(1.0, color="k", lw=0.8)
    a2.set_yscale("log")
    a2.set_xlabel("head (layer·heads + head)")
    a2.set_ylabel("λ = β / β*_n")
    set_title(a2, "where the model and the rules sit against the critical scale", fontsize=9)
    a2.legend(fontsize=7)
    if exact:
        a3 = axes[2]
        a3.plot([h["measured_max_weight_at_train"] for h in heads], [h["max_weight_at_train"] for h in heads], "o", ms=3)
        a3.plot([0, 1], [0, 1], "k--", lw=0.8)
        a3.set_xlim(0, 1)
        a3.set_ylim(0, 1)
        a3.set_xlabel(f"measured mean max weight, n = {summary['n_train']}")
        a3.set_ylabel("exact E[max weight] of the estimated law at the model's β")
        set_title(a3, "finite-n prediction against the model (one point per head)", fontsize=9)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def attention_figure(result: dict, path=None):
    """Mean max weight of each head against the visible context n (solid: the model, dashed: the exact
    E[max weight] of its estimated law at its β), from :func:`attnlimits.models.attention_summary`; written to
    ``path`` too when given.

    Parameters
    ----------
    result : dict
        :func:`attnlimits.models.attention_summary`'s output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((7, 4.5))
    ax = fig.subplots()
    for r in result["heads"]:
        line, = ax.plot(result["n"], r["max_weight"], "o-", ms=3, lw=1)
        ax.plot(result["n"], r["predicted_max_weight"], "--", lw=1, color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("visible context n")
    ax.set_ylabel("mean max weight (solid: model, dashed: predicted)")
    set_title(ax, f"{result['model']}, {len(result['heads'])} heads, {result['windows']} windows per n", fontsize=9)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
