"""Per-head, per-position-bin output of a real model, shared by ``attnlimits tail --model`` and ``attnlimits
attention --model`` (SPEC §2a, §5)."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import print_json, print_table

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


def head_bins_result(model, layer_text, head_text, text_path, max_tokens, *, exact: bool = True) -> dict:
    """Load ``model`` (or take it loaded), check the layer/head lists, and return
    :func:`attnlimits.models.head_bins`."""
    from ..models import LoadedModel, head_bins, load_model

    lm = model if isinstance(model, LoadedModel) else load_model(model)
    layers = parse_indices("layer", layer_text, lm.layers)
    heads = parse_indices("head", head_text, lm.heads)
    return head_bins(lm, text_path, layers=layers, heads=heads, max_tokens=max_tokens, exact=exact)


def _ci(p) -> str:
    return "—" if p is None else f"[{p[0]:.3g}, {p[1]:.3g}]"


def print_head_bins(result: dict, as_json: bool) -> None:
    """One JSON object, or a header and one table row per (head, bin)."""
    if as_json:
        print_json(result)
        return
    spec = "; ".join(f"layer {k}: scale {v['scale']:.4g}" + (f", soft-cap {v['softcap']:g}" if v["softcap"] else "")
                     + (f", window {v['sliding_window']}" if v["sliding_window"] else "") for k, v in result["layer_specs"].items())
    click.echo(f"{result['model']} ({result['model_type']}, {'causal' if result['causal'] else 'bidirectional'}), "
               f"{result['tokens']} tokens in windows of {result['window']}; {spec}")
    click.echo(f"{result['beta_definition']}. Bins of the visible count n; a bin needs {result['min_distances']} pooled "
               "distances. α: local exponent (95% CI); α_n, β̃*_n = 1/t_n: effective exponent and scale at the bin's n "
               "(SPEC §2a); E max w: exact prediction at the bin's β (CI from β's) against the measured mean (± SE).")
    rows = []
    for h in result["heads"]:
        for b in h["bins"]:
            key = f"{h['layer']}.{h['head']}"
            meas = f"{b['measured_max_weight']:.3g} ± {b['measured_max_weight_se']:.2g}"
            ent = f"{b['measured_entropy']:.3g} ± {b['measured_entropy_se']:.2g}"
            if not b["estimated"]:
                rows.append((key, f"[{b['n_lo']}, {b['n_hi']})", b["queries"], f"too few ({b['distances']})", "—", "—", "—",
                             "—", meas, ent))
                continue
            pred = b.get("predicted_max_weight")
            rows.append((key, f"[{b['n_lo']}, {b['n_hi']})", b["queries"], f"{b['alpha']:.3g} {_ci(b['alpha_ci'])}",
                         f"{b['alpha_eff']:.3g} {_ci(b['alpha_eff_ci'])}", f"{b['beta_star_eff']:.3g} {_ci(b['beta_star_eff_ci'])}",
                         f"{b['beta']:.3g} {_ci(b['beta_ci'])}",
                         "—" if pred is None or pred != pred else f"{pred:.3g} {_ci(b.get('predicted_max_weight_ci'))}",
                         meas, ent))
    print_table("per head and position bin", ["key", "n", "queries", "α", "α_n", "β̃*_n", "β", "E max w (pred.)",
                                             "max w (measured)", "entropy"], rows)
