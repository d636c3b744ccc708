"""The forecast figure (``attnlimits forecast --plot``): forecast against measured E[max weight], one point per
head and context window, one panel per forecast kind, the target bins in two colours. Draws the numbers of
:func:`attnlimits.forecast.run_forecast`; computes nothing."""

from __future__ import annotations

from ._canvas import new_figure, save_figure, set_suptitle, set_title

__all__ = ["forecast_figure"]


def forecast_figure(result: dict, path=None):
    """Panels of forecast against measured mean max weight, one per kind (intervals as vertical bars where the
    kind has them), with the diagonal; written to ``path`` too when given.

    Parameters
    ----------
    result : dict
        :func:`attnlimits.forecast.run_forecast` or :func:`attnlimits.forecast.forecast_heads` output.
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    kinds = result["kinds"]
    cols = min(3, len(kinds))
    rows = -(-len(kinds) // cols)
    fig = new_figure((4.2 * cols, 3.9 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    targets = result["options"]["targets"]
    summary = {(tuple(r["bin"]), r["kind"]): r for r in result["summary"]}
    for ax, kind in zip(axes, kinds):
        for t, (lo, hi) in enumerate(targets):
            ys, xs, err = [], [], []
            for u in result["units"]:
                tg = u["targets"][t]
                f = tg["forecasts"][kind]
                xs.append(tg["measured"])
                ys.append(f["value"])
                err.append(None if f["lo"] is None else (f["value"] - f["lo"], f["hi"] - f["value"]))
            s = summary[((lo, hi), kind)]
            med = "—" if s["median_abs_error"] is None else f"{s['median_abs_error']:.3f}"
            label = f"n ∈ [{lo}, {hi}): median |err| {med}"
            if all(e is not None for e in err) and err:
                ax.errorbar(xs, ys, yerr=[[e[0] for e in err], [e[1] for e in err]], fmt="o", ms=3, lw=0.7,
                            capsize=1.5, label=label, color=f"C{t}")
            else:
                ax.plot(xs, ys, "o", ms=3, label=label, color=f"C{t}")
        ax.plot([0, 1], [0, 1], "k--", lw=0.8)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("measured mean max weight")
        ax.set_ylabel("forecast E[max weight]")
        tag = " (selected)" if kind == result.get("selected") else ""
        set_title(ax, f"{kind}{tag}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    for ax in axes[len(kinds):]:
        ax.set_visible(False)
    o = result["options"]
    set_suptitle(fig, f"{result.get('model', 'model')}: fit at n ∈ [{o['origin'][0]}, {o['origin'][1]}), "
                 f"{len(result['units'])} head-windows, {o['resamples']} block resamples; 95% intervals", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
