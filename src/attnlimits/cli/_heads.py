"""Per-head, per-position-bin output of a real model, shared by ``attnlimits tail --model`` and ``attnlimits
attention --model`` (:ref:`theory-effective-exponent`, :ref:`theory-extreme-value`)."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import one_line_warnings, print_json, print_table, progress_callback
from ._model_options import provenance_lines

__all__ = ["parse_indices", "head_bins_result", "print_head_bins"]


def parse_indices(name: str, text, upper: int) -> list:
    """``0,3,5`` → [0, 3, 5], each in [0, upper); None → all."""
    if text is None:
        return list(range(upper))
    expected = f"comma-separated integers in [0, {upper - 1}]"
    try:
        out = [int(x) for x in str(text).split(",")]
    except ValueError:
        raise InputError(f"invalid {name}={text!r}: expected {expected}") from None
    if not out or any(not 0 <= x < upper for x in out):
        raise InputError(f"invalid {name}={text!r}: expected {expected}")
    return out


def head_bins_result(model, layer_text, head_text, text_path, max_tokens, *, exact: bool = True,
                     sinks: bool = True) -> dict:
    """Load ``model`` (or take it loaded), check the layer/head lists, and return
    :func:`attnlimits.models.head_bins`, with progress bars for the forward pass and the heads and every
    warning as one line."""
    from ..models import LoadedModel, head_bins, load_model

    lm = model if isinstance(model, LoadedModel) else load_model(model)
    layers = parse_indices("layer", layer_text, lm.layers)
    heads = parse_indices("head", head_text, lm.heads)
    with one_line_warnings(), progress_callback(f"{lm.name}") as progress:
        return head_bins(lm, text_path, layers=layers, heads=heads, max_tokens=max_tokens, exact=exact,
                         sinks=sinks, progress=progress)


def _ci(p) -> str:
    return "—" if p is None else f"[{p[0]:.3g}, {p[1]:.3g}]"


def _pm(value, se) -> str:
    if value is None:
        return "—"
    return f"{value:.3g}" if se is None or se != se else f"{value:.3g} ± {se:.2g}"


def print_head_bins(result: dict, as_json: bool) -> None:
    """One JSON object, or a header and two tables: the estimated law per (head, bin), then the max weight
    measured beside the i.i.d. and the sink-aware predictions and the sinks' weight."""
    if as_json:
        print_json(result)
        return
    spec = "; ".join(f"layer {k}: scale {v['scale']:.4g}" + (f", soft-cap {v['softcap']:g}" if v["softcap"] else "")
                     + (f", window {v['sliding_window']}" if v["sliding_window"] else "") for k, v in result["layer_specs"].items())
    click.echo(f"{result['model']} ({result['model_type']}, {'causal' if result['causal'] else 'bidirectional'}), "
               f"{result['tokens']} tokens in windows of {result['window']}; {spec}")
    for line in provenance_lines(result.get("source"), result.get("text")):
        click.echo(line)
    click.echo(f"{result['beta_definition']}. Bins of the visible count n; a bin needs {result['min_distances']} pooled "
               "distances. α: local exponent (95% CI); α_n, β̃*_n = 1/t_n: effective exponent and scale at the bin's n "
               "(theory: effective exponent); β: CI by bootstrap over queries.")
    rows = []
    for h in result["heads"]:
        for b in h["bins"]:
            key, n = f"{h['layer']}.{h['head']}", f"[{b['n_lo']}, {b['n_hi']})"
            if not b["estimated"]:
                rows.append((key, n, b["queries"], f"too few ({b['distances']})", "—", "—", "—"))
                continue
            rows.append((key, n, b["queries"], f"{b['alpha']:.3g} {_ci(b['alpha_ci'])}",
                         f"{b['alpha_eff']:.3g} {_ci(b['alpha_eff_ci'])}",
                         f"{b['beta_star_eff']:.3g} {_ci(b['beta_star_eff_ci'])}", f"{b['beta']:.3g} {_ci(b['beta_ci'])}"))
    print_table("estimated law per head and position bin", ["key", "n", "queries", "α", "α_n", "β̃*_n", "β"], rows,
                keys=2)
    sinks = "sink_definition" in result
    click.echo("max w: mean max weight (± SE over the bin's queries); i.i.d.: exact E[max w] of the bin's law at its "
               "median β (CI from β's)" + (
                   f"; sink-aware: exact conditional E[max w] given each query's (β_q, S_q), mean over a seeded sample "
                   f"of {result['sink_queries']} queries per bin (all of a smaller bin), ± its SE; sink w: weight on the "
                   "sinks, measured and predicted; S_q: median score of the first sink. "
                   f"{result['sink_definition']}." if sinks else "."))
    rows = []
    for h in result["heads"]:
        for b in h["bins"]:
            key, n = f"{h['layer']}.{h['head']}", f"[{b['n_lo']}, {b['n_hi']})"
            pred = b.get("predicted_max_weight")
            iid = "—" if pred is None or pred != pred else f"{pred:.3g} {_ci(b.get('predicted_max_weight_ci'))}"
            row = [key, n, _pm(b["measured_max_weight"], b["measured_max_weight_se"]), iid]
            if sinks:
                score = b["sink_score_quartiles"][0][1] if b["sink_score_quartiles"] else None
                row += [_pm(b.get("predicted_max_weight_sink"), b.get("predicted_max_weight_sink_se")),
                        _pm(b["measured_sink_weight"], b["measured_sink_weight_se"]),
                        _pm(b.get("predicted_sink_weight"), b.get("predicted_sink_weight_se")),
                        ",".join(map(str, b["sinks"])) or "none", "—" if score is None else f"{score:.3g}"]
            row.append(_pm(b["measured_entropy"], b["measured_entropy_se"]))
            rows.append(tuple(row))
    columns = ["key", "n", "max w", "i.i.d."] + (["sink-aware", "sink w", "sink w pred.", "sinks", "S_q"] if sinks else [])
    print_table("max weight per head and position bin: measured and predicted", columns + ["entropy"], rows, keys=2)
    errors = sorted({b[k] for h in result["heads"] for b in h["bins"] for k in ("prediction_error", "prediction_sink_error")
                     if b.get(k)})
    for e in errors:
        click.echo(f"note: no prediction for some bins: {e}")
