"""The extrapolation figure (``attnlimits extrapolate --plot``): each recipe's paired loss difference from YaRN ×2
on [T, 2T) and [0, T) with ±2 block SE, the per-head change of E[max weight] each leaves, and (when estimated)
the iso schedules. Draws the numbers of :func:`attnlimits.extrapolate.run_extrapolation`; computes nothing."""

from __future__ import annotations

from ._canvas import new_figure, save_figure

__all__ = ["extrapolate_figure"]


def extrapolate_figure(result: dict, path=None):
    """Two or three panels: paired Δ loss per recipe (points with ±2 SE bars, [T, 2T) and [0, T)); per-head
    E[max weight] at [T, 2T) minus the unmodified model's at [T/2, T) (a point per head, the median as a bar); the yarn_iso multipliers
    of every head against n with the uniform one, when a schedule was estimated.

    Parameters
    ----------
    result : dict
        :func:`attnlimits.extrapolate.run_extrapolation` output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(result["recipes"])
    sched = result.get("schedule")
    panels = 3 if sched else 2
    fig = new_figure((5.0 * panels, 4.2))
    axes = fig.subplots(1, panels, squeeze=False).ravel()
    T, ref = result["n_train"], result["reference"]
    ax = axes[0]
    for k, (part, label) in enumerate((("loss_long", "[T, 2T)"), ("loss_short", "[0, T)"))):
        ys, xs, err = [], [], []
        for i, name in enumerate(names):
            d = result["recipes"][name][part]["diff"]
            if d is None:
                continue
            ys.append(i + (0.15 if k else -0.15))
            xs.append(d["mean"])
            err.append(0.0 if d["se"] is None else 2 * d["se"])
        ax.errorbar(xs, ys, xerr=err, fmt="o", ms=4, capsize=2, color=f"C{k}", label=f"positions {label}")
    ax.axvline(0.0, color="k", lw=0.8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"loss − loss({ref}) (nats), ±2 block SE")
    ax.set_title(f"{result['model']}: T = {T} → {result['window_tokens']}, {result['windows_run']} window(s)",
                 fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1]
    for i, name in enumerate(names):
        d = [h["delta_vs_reference"] for h in result["recipes"][name]["max_weight"]["heads"]
             if h["delta_vs_reference"] is not None]
        if d:
            ax.plot(d, [i + 0.3 * (j / max(len(d) - 1, 1) - 0.5) for j in range(len(d))], "o", ms=2, alpha=0.5,
                    color="C0")
        med = result["recipes"][name]["max_weight"]["median_delta_vs_reference"]
        if med is not None:
            ax.plot([med, med], [i - 0.35, i + 0.35], color="C3", lw=2)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ax.axvline(0.0, color="k", lw=0.8)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    rows = result["recipes"][names[0]]["max_weight"]["rows"]
    ax.set_xlabel("E[max w] at [T, 2T) − unmodified model's at [T/2, T)")
    ax.set_title(f"per head ({rows[0]} + {rows[1]} sampled queries)", fontsize=9)
    if sched:
        ax = axes[2]
        nodes = [T, *sched["nodes"]]
        for h in sched.get("heads") or []:
            if "r_iso" in h:
                ax.plot(nodes, [1.0, *h["r_iso"]], color="C0", lw=0.5, alpha=0.4)
        ax.plot(nodes, [1.0, *sched["uniform"]], color="C3", lw=2, label="uniform keys (yarn_iso_uniform)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("visible keys n")
        ax.set_ylabel("logit multiplier β_iso(n)/β")
        fb = sched.get("fallback_heads")
        ax.set_title("iso schedules (thin: per head, yarn_iso" + (f"; {fb} on uniform)" if fb else ")"), fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
