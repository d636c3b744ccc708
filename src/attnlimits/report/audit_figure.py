"""Figure of ``attnlimits schedule --model`` (the audit of a checkpoint): per n, the distribution over heads of
the sink-aware multiplier β_iso(n)/β each head needs, against the multiplier of the config and of each
practical rule (:ref:`theory-sinks`, :ref:`theory-extreme-value`). Returns a :class:`matplotlib.figure.Figure` of numbers handed in."""

from __future__ import annotations

import math

from ._canvas import new_figure, save_figure, set_title

__all__ = ["audit_figure"]

_STYLE = {"none": dict(color="0.5", ls=":"), "config": dict(color="k", ls="--")}


def _NO_LABEL():
    from matplotlib.ticker import NullFormatter

    return NullFormatter()


def audit_figure(audit: dict, path=None):
    """Per n (log x), the needed multipliers of every audited head (box: quartiles, whiskers 5–95 %, points),
    with each rule's multiplier and the config's (relative to the measured β) as lines; the title states the
    model, T, the heads and the query sample.

    Parameters
    ----------
    audit : dict
        :func:`attnlimits.models.audit_checkpoint`'s output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    ns = audit["n"]
    heads = [h for h in audit["heads"] if "rows" in h]
    fig = new_figure((7, 4.5))
    ax = fig.subplots()
    data = [[h["rows"][i]["r_iso"] for h in heads if math.isfinite(h["rows"][i]["r_iso"])] for i in range(len(ns))]
    widths = [0.25 * n for n in ns]
    if any(data):
        keep = [i for i, d in enumerate(data) if d]
        ax.boxplot([data[i] for i in keep], positions=[ns[i] for i in keep], widths=[widths[i] for i in keep],
                   whis=(5, 95), showfliers=True, manage_ticks=False,
                   flierprops=dict(marker=".", ms=3, alpha=0.5), medianprops=dict(color="tab:red", lw=2))
    extra = audit["config"].get("extra", [1.0] * len(ns))
    ax.plot(ns, extra, label="config (beyond the measured β)", **_STYLE["config"])
    groups: dict = {}  # rules with the same multipliers at these n (LongRoPE, Qwen log-n, SSMax beyond T) share a line
    for name, values in audit["rules"].items():
        groups.setdefault(tuple(round(float(v), 12) for v in values), []).append(name)
    for values, names in groups.items():
        ax.plot(ns, values, marker="o", ms=3, lw=1, label=" = ".join(names))
    ax.set_xscale("log")
    ax.set_xticks(ns)
    ax.set_xticklabels([f"{n / audit['n_train']:g}T" for n in ns])
    ax.xaxis.set_minor_formatter(_NO_LABEL())
    ax.set_xlabel(f"visible context n (T = {audit['n_train']})")
    ax.set_ylabel("logit multiplier β(n)/β")
    set_title(ax, f"{audit['model']}: the multiplier each head needs to keep its sink-aware E[max w] of T\n"
              f"({len(heads)} heads, {audit['queries']} queries each; box quartiles, whiskers 5–95 %, "
              "red the median)", fontsize=8)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
