"""Figures of a real decoder's heads (the reproduce report's real-decoder section): a layer × head map of sink mass,
max weight and the bulk's measured regime, and measured / i.i.d. / sink-aware E[max weight] against n for a few
heads. Each returns a :class:`matplotlib.figure.Figure` (no pyplot, no backend switch) of numbers handed in."""

from __future__ import annotations

import numpy as np

from ._canvas import new_figure, save_figure

__all__ = ["head_map_figure", "max_weight_curves_figure", "BULK_LEVELS"]

#: Colour levels of the bulk's max weight: 0.05 and 0.95 are the library's regime thresholds
#: (:func:`attnlimits.theory.regime`), so the outer bands are the subcritical and supercritical classes.
BULK_LEVELS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95, 1.0)


def _bulk_colours():
    """(colormap, norm) of :data:`BULK_LEVELS`: grey below 0.05 (subcritical), red above 0.95 (supercritical),
    viridis bands between."""
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap

    inner = colormaps["viridis"](np.linspace(0.0, 1.0, len(BULK_LEVELS) - 3))
    cmap = ListedColormap(["0.85", *inner, "tab:red"])
    return cmap, BoundaryNorm(BULK_LEVELS, cmap.N)


def _panel(fig, ax, values, title, *, colours=None, marks=None, boxes=()):
    """One heads × layers image (rows: heads, columns: layers) with its colour bar, white dots where ``marks``
    and red boxes around ``boxes`` (column, row) cells."""
    from matplotlib.patches import Rectangle

    data = np.asarray(values, dtype=float).T  # [layer][head] → rows = heads, columns = layers
    cmap, norm = colours if colours is not None else ("viridis", None)
    kw = {"norm": norm} if norm is not None else {"vmin": 0.0, "vmax": 1.0}
    im = ax.imshow(data, aspect="auto", cmap=cmap, interpolation="nearest", **kw)
    bar = fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
    if norm is not None:
        bar.set_ticks(BULK_LEVELS)
    bar.ax.tick_params(labelsize=7)
    if marks is not None:
        hy, lx = np.nonzero(np.asarray(marks, dtype=bool).T)
        ax.plot(lx, hy, "w.", ms=3)
    for layer, head in boxes:
        ax.add_patch(Rectangle((layer - 0.5, head - 0.5), 1, 1, fill=False, ec="tab:red", lw=1.4))
    ax.set_xticks(range(data.shape[1]))
    ax.set_xticklabels([str(x) if x % 2 == 0 else "" for x in range(data.shape[1])], fontsize=7)
    ax.set_yticks(range(data.shape[0]))
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylabel("head")
    ax.set_title(title, fontsize=9)


def head_map_figure(hmap: dict, *, model: str = "model", boxes=(), path=None):
    """Three layer × head panels from :func:`attnlimits.models._head_map.head_map`'s dict; written to ``path`` too
    when given.

    Top: mean weight on the sinks (dots: heads with a sink other than the first token). Middle: mean max weight
    (dots: heads whose largest weight is on a sink for most queries). Bottom: mean max weight of the bulk's own
    softmax (sinks left out), in colour bands whose outer edges 0.05 and 0.95 are the regime thresholds.

    Parameters
    ----------
    hmap : dict
        :func:`~attnlimits.models._head_map.head_map`'s output.
    model : str
        The model's name (titles).
    boxes : sequence of (int, int)
        (layer, head) pairs outlined in red (the heads of the other figures).
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    layers, heads = hmap["layers"], hmap["heads"]
    index = {(layer, head): (i, j) for i, layer in enumerate(layers) for j, head in enumerate(heads)}
    pos = [(index[b][0], index[b][1]) for b in boxes if tuple(b) in index]
    extra_sinks = [[any(p != 0 for p in s) for s in row] for row in hmap["sinks"]]
    on_sink = np.asarray(hmap["sink_argmax_fraction"]) > 0.5
    regimes = [r for row in hmap["bulk_regime"] for r in row]
    count = {k: regimes.count(k) for k in ("subcritical", "critical", "supercritical")}
    lo, hi = hmap["bin"]
    fig = new_figure((11, 8.2))
    a1, a2, a3 = fig.subplots(3, 1)
    _panel(fig, a1, hmap["sink_weight"], f"mean weight on the sinks, n ∈ [{lo}, {hi}) (white dots: a sink besides "
           "the first token)", marks=extra_sinks, boxes=pos)
    _panel(fig, a2, hmap["max_weight"], "mean max weight, all keys (white dots: the largest weight is on a sink for "
           "most queries)", marks=on_sink, boxes=pos)
    _panel(fig, a3, hmap["bulk_max_weight"],
           "mean max weight of the bulk's own softmax (sinks left out), measured class: "
           f"{count['subcritical']} subcritical (< 0.05, grey), {count['critical']} critical, "
           f"{count['supercritical']} supercritical (> 0.95, red)", colours=_bulk_colours(), boxes=pos)
    a3.set_xlabel("layer")
    fig.suptitle(f"{model}: {len(layers)} layers × {len(heads)} heads, {hmap['queries']} queries per head "
                 f"(median n = {hmap['n']}); red: the heads of the other figures", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig


def max_weight_curves_figure(curves: list, *, model: str = "model", path=None):
    """Per head, measured mean max weight against the bin's median visible count n (± 1.96 SE), beside the
    exact E[max weight] of the bin's estimated law at its β (i.i.d.; band from β's interval) and the sink-aware
    prediction (± 1.96 SE over the sampled queries), with the measured weight on the sinks; written to ``path``
    too when given.

    Parameters
    ----------
    curves : list of dict
        Per head ``layer``, ``head`` and ``bins``: the estimated bins of :func:`attnlimits.models.binned_laws`.
    model : str
        The model's name (title).
    path : path, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = new_figure((4.2 * len(curves), 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(curves), squeeze=False)[0])
    for ax, c in zip(axes, curves):
        b = c["bins"]
        n = np.array([x["n"] for x in b], dtype=float)
        get = lambda key: np.array([np.nan if x.get(key) is None else x[key] for x in b], dtype=float)  # noqa: E731
        meas, se = get("measured_max_weight"), get("measured_max_weight_se")
        ax.errorbar(n, meas, yerr=1.96 * se, fmt="ko-", ms=4, lw=1, capsize=2, label="measured")
        iid = get("predicted_max_weight")
        ci = np.array([x.get("predicted_max_weight_ci") or [np.nan, np.nan] for x in b], dtype=float)
        ax.plot(n, iid, "--", color="tab:blue", lw=1.2, label="i.i.d. (estimated law, bin's β)")
        ax.fill_between(n, ci[:, 0], ci[:, 1], color="tab:blue", alpha=0.15, lw=0)
        sink, sink_se = get("predicted_max_weight_sink"), get("predicted_max_weight_sink_se")
        ax.plot(n, sink, "-", color="tab:red", lw=1.2, label="sink-aware (bulk law, per-query (β_q, S_q))")
        ax.fill_between(n, sink - 1.96 * sink_se, sink + 1.96 * sink_se, color="tab:red", alpha=0.15, lw=0)
        ax.plot(n, get("measured_sink_weight"), ":", color="0.4", lw=1, label="measured weight on the sinks")
        ax.set_xscale("log", base=2)
        ax.set_ylim(0, 1)
        ax.set_xlabel("visible context n (bin median)")
        sinks = sorted({p for x in b for p in x.get("sinks", [])})
        ax.set_title(f"layer {c['layer']}, head {c['head']} (sinks at {', '.join(map(str, sinks)) or 'none'})",
                     fontsize=9)
    axes[0].set_ylabel("mean max weight")
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(f"{model}: E[max weight] against n, measured and predicted per doubling bin", fontsize=10)
    fig.tight_layout()
    if path is not None:
        save_figure(fig, path)
    return fig
