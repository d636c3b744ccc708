"""Figures of ``attnlimits schedule`` and the report's iso-selectivity section: β applied by each long-context
rule against the iso-selectivity curve (:ref:`theory-exact-identities`, :ref:`theory-extreme-value`). Each returns a :class:`matplotlib.figure.Figure` (no
pyplot, no backend switch) of numbers handed in."""

from __future__ import annotations

from ._canvas import new_figure, save_figure, set_title

__all__ = ["schedule_figure", "iso_heads_figure"]


def schedule_figure(table: dict, path=None):
    """On log–log axes, β(n) of every rule, the exact iso-selectivity curve β_iso(n) (E[max weight] kept at
    its value at (T, β_train)), its closed form β_iso_eff(n), β_{1/2}(n) and β*_n; the title states the law, d,
    T, β_train and the E[max weight] kept.

    Parameters
    ----------
    table : dict
        :func:`attnlimits.schedules.schedule_table`'s output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """

    rows = table["rows"]
    ns = [r["n"] for r in rows]
    fig = new_figure((7, 4.5))
    ax = fig.subplots()
    for name in rows[0]["rules"]:
        if name == "iso":
            continue
        style = {"none": dict(color="0.6", ls=":")}.get(name, dict(marker="o", ms=3, lw=1))
        ax.plot(ns, [r["rules"][name]["beta"] for r in rows], label=name, **style)
    ax.plot(ns, [r["beta_iso"] for r in rows], color="k", lw=2.5, label="β_iso (exact)")
    ax.plot(ns, [r["beta_iso_eff"] for r in rows], color="k", ls="--", lw=1.2, label="β_iso_eff (closed form)")
    ax.plot(ns, [r["beta_half"] for r in rows], color="tab:red", ls="-.", lw=1, label="β_1/2(n)")
    ax.plot(ns, [r["beta_star"] for r in rows], color="0.3", ls=(0, (1, 3)), lw=1, label="β*_n (asymptotic)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("visible context n")
    ax.set_ylabel("β applied (logit multiplier × β_train)")
    set_title(ax, f"law {table['law']}, d = {table['d']}, T = {table['n_train']}, β_train = {table['beta_train']:.3g} "
              f"(E[max w] at T = {table['max_weight_train']:.3g})", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def iso_heads_figure(summary: dict, path=None):
    """Per head of a real model, the multiplier β_iso(n)/β_train that keeps its E[max weight] at T (exact,
    solid; closed form, dashed), against every rule's multiplier (log x).

    Parameters
    ----------
    summary : dict
        :func:`attnlimits.models.iso_schedules`'s output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib import colormaps

    T = summary["n_train"]
    ns = [T, *summary["n"]]
    fig = new_figure((7, 4.5))
    ax = fig.subplots()
    for i, h in enumerate(summary["heads"]):
        color = colormaps["viridis"](i / max(1, len(summary["heads"]) - 1))
        ax.plot(ns, [1.0, *[r["beta_iso"] / h["beta_train"] for r in h["rows"]]], color=color, lw=1.5,
                label=f"{h['layer']}.{h['head']} β_iso")
        ax.plot(ns, [1.0, *[r["beta_iso_eff"] / h["beta_train"] for r in h["rows"]]], color=color, lw=0.8, ls="--")
    first = summary["heads"][0]["rows"]
    labels: dict = {}  # rules with the same multipliers (longrope, qwen, ssmax at n > T) share one line and label
    for name in first[0]["rules"]:
        if name not in ("iso", "none"):
            labels.setdefault(tuple(round(r["rules"][name]["multiplier"], 12) for r in first), []).append(name)
    for mult, names in labels.items():
        ax.plot(ns, [1.0, *mult], color="k", lw=0.8, marker="o", ms=3, alpha=0.5)
        ax.annotate(" = ".join(names), (ns[-1], mult[-1]), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("visible context n")
    ax.set_ylabel("β multiplier relative to the head's own β at T")
    set_title(ax, f"{summary['model']}: multiplier keeping each head's E[max weight] at T = {T} "
              "(solid exact, dashed closed form; grey: rules)", fontsize=8)
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
