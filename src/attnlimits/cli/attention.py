"""``attnlimits attention``: a real model's attention against visible context length, next to the prediction
from the estimated tail law (SPEC §5)."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import FIGURE_PATH, Count, print_json, print_table
from .schedule import parse_counts

__all__ = ["attention_command"]


def _ints(name, text, upper):
    if text is None:
        return list(range(upper))
    try:
        out = [int(x) for x in str(text).split(",") if x.strip()]
    except ValueError:
        raise InputError(f"invalid {name}={text!r}: expected comma-separated integers in [0, {upper - 1}]") from None
    bad = [x for x in out if not 0 <= x < upper]
    if bad or not out:
        raise InputError(f"invalid {name}={text!r}: expected comma-separated integers in [0, {upper - 1}]")
    return out


@click.command("attention")
@click.option("--model", default="minilm", show_default=True, help="'minilm' or a local Hugging Face model directory.")
@click.option("--n", "n_text", default=None, help="Comma-separated visible context lengths (≤ the model's maximum), e.g. 32,128,512; "
              "required unless the output is per position bin (--bins, and always for decoders).")
@click.option("--bins", "per_bin", is_flag=True, help="Per head and log-spaced bin of the visible count, streamed from q and k "
              "(the default for decoders: a causal query at position p sees min(p + 1, W) keys).")
@click.option("--layer", "layer_text", default=None, help="Comma-separated layers (default all).")
@click.option("--head", "head_text", default=None, help="Comma-separated heads (default all).")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help="UTF-8 text; default stdlib docstrings.")
@click.option("--windows", type=Count(1), default=8, show_default=True, help="Windows of n tokens averaged per n.")
@click.option("--max-tokens", type=Count(1), default=8192, show_default=True, help="Tokens read for the tail estimate.")
@click.option("--queries", type=Count(1), default=16, show_default=True, help="Queries per head in the tail estimate.")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def attention_command(model, n_text, per_bin, layer_text, head_text, text_path, windows, max_tokens, queries, plot, as_json):
    """Max weight, entropy and effective support of each head against n, and the predicted max weight."""
    from ..models import attention_profile, extract_keys, load_model, read_text
    from ..tails import estimate_from_keys
    from ..theory import expected_max_weight

    ns = None if n_text is None else parse_counts("n", n_text)  # before the model loads (seconds)
    lm = load_model(model)
    if per_bin or lm.causal:
        from ._heads import head_bins_result, print_head_bins

        if n_text is not None:
            raise InputError("invalid input: --n goes with windows of n tokens (encoders); per-bin output (--bins, "
                             "decoders) takes the visible counts of the text's positions")
        return print_head_bins(head_bins_result(lm, layer_text, head_text, text_path, max_tokens), as_json)
    if n_text is None:
        raise InputError("invalid input: give --n (comma-separated visible context lengths) or --bins")
    text = read_text(text_path)
    layers = _ints("layer", layer_text, lm.layers)
    heads = _ints("head", head_text, lm.heads)
    bad = [n for n in ns if n > lm.max_tokens or n < 3]
    if bad:
        raise InputError(f"invalid n={bad[0]}: expected an integer in [3, {lm.max_tokens}] for {lm.name}")
    prof = attention_profile(lm, text, ns, windows=windows)
    ex = extract_keys(lm, text, layers=layers, heads=heads, max_tokens=max_tokens)
    rows = []
    for li, layer in enumerate(layers):
        for hi, head in enumerate(heads):
            est = estimate_from_keys(ex.queries[li, hi], ex.keys[li, hi], pooled=True, scale=ex.scale,
                                     regimes=False, max_queries=queries)
            pred = [float(expected_max_weight(est.law, n, est.model_beta)) for n in ns]
            rows.append({"layer": layer, "head": head, "alpha": est.alpha, "alpha_ci": list(est.alpha_ci),
                         "model_beta": est.model_beta,
                         "max_weight": [float(v) for v in prof["max_weight"][:, layer, head]],
                         "entropy": [float(v) for v in prof["entropy"][:, layer, head]],
                         "effective_support": [float(v) for v in prof["effective_support"][:, layer, head]],
                         "predicted_max_weight": pred})
    result = {"model": lm.name, "n": ns, "windows": windows, "heads": rows}
    if plot is not None:
        _figure(result, plot)
        result["plot"] = str(plot)
    if as_json:
        print_json(result)
        return
    table = []
    for r in rows:
        for j, n in enumerate(ns):
            table.append((f"{r['layer']}.{r['head']}", n, r["max_weight"][j], r["predicted_max_weight"][j],
                          r["entropy"][j], r["effective_support"][j]))
    print_table(f"{lm.name}: attention against visible n (mean over queries of {windows} windows)",
                ["key", "n", "max weight", "predicted", "entropy", "eff. support"], table)


def _figure(result, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in result["heads"]:
        line, = ax.plot(result["n"], r["max_weight"], "o-", ms=3, lw=1)
        ax.plot(result["n"], r["predicted_max_weight"], "--", lw=1, color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("visible context n")
    ax.set_ylabel("mean max weight (solid: model, dashed: predicted)")
    ax.set_title(f"{result['model']}, {len(result['heads'])} heads, {result['windows']} windows per n", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
