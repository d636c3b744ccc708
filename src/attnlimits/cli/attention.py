"""``attnlimits attention``: a real model's attention against visible context length, next to the prediction
from the estimated tail law (:ref:`theory-extreme-value`)."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import FIGURE_PATH, Count, print_json, print_table
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option
from ._heads import head_bins_result, parse_indices, print_head_bins
from .schedule import parse_counts

__all__ = ["attention_command"]


@click.command("attention")
@click.option("--model", default="minilm", show_default=True, help=MODEL_HELP)
@cache_dir_option
@click.option("--n", "n_text", default=None, help="Comma-separated visible context lengths (≤ the model's maximum), e.g. 32,128,512; "
              "required unless the output is per position bin (--bins, and always for decoders).")
@click.option("--bins", "per_bin", is_flag=True, help="Per head and log-spaced bin of the visible count, streamed from q and k "
              "(the default for decoders: a causal query at position p sees min(p + 1, W) keys).")
@click.option("--layer", "layer_text", default=None, help="Comma-separated layers (default all).")
@click.option("--head", "head_text", default=None, help="Comma-separated heads (default all).")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help=TEXT_HELP)
@click.option("--windows", type=Count(1), default=8, show_default=True, help="Windows of n tokens averaged per n.")
@click.option("--max-tokens", type=Count(1), default=8192, show_default=True, help="Tokens read for the tail estimate.")
@click.option("--sinks/--no-sinks", "sinks", default=True, show_default=True,
              help="Per-bin output: measure each bin's attention sinks and give the sink-aware prediction (theory: fixed keys (sinks)).")
@click.option("--queries", type=Count(1), default=16, show_default=True, help="Queries per head in the tail estimate.")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def attention_command(model, n_text, per_bin, layer_text, head_text, text_path, windows, max_tokens, sinks, queries, plot, as_json):
    """Max weight, entropy and effective support of each head against n, and the predicted max weight."""
    from ..models import attention_summary, load_model

    ns = None if n_text is None else parse_counts("n", n_text)  # before the model loads (seconds)
    lm = load_model(model)
    if per_bin or lm.causal:
        if n_text is not None:
            raise InputError("invalid input: --n goes with windows of n tokens (encoders); per-bin output (--bins, "
                             "decoders) takes the visible counts of the text's positions")
        return print_head_bins(head_bins_result(lm, layer_text, head_text, text_path, max_tokens, sinks=sinks), as_json)
    if n_text is None:
        raise InputError("invalid input: give --n (comma-separated visible context lengths) or --bins")
    result = attention_summary(lm, ns, text_path, layers=parse_indices("layer", layer_text, lm.layers),
                               heads=parse_indices("head", head_text, lm.heads), windows=windows,
                               max_tokens=max_tokens, queries=queries)
    if plot is not None:
        from ..report import attention_figure, save_figure

        save_figure(attention_figure(result), plot)
        result["plot"] = str(plot)
    if as_json:
        print_json(result)
        return
    table = []
    for r in result["heads"]:
        for j, n in enumerate(result["n"]):
            table.append((f"{r['layer']}.{r['head']}", n, r["max_weight"][j], r["predicted_max_weight"][j],
                          r["entropy"][j], r["effective_support"][j]))
    print_table(f"{result['model']}: attention against visible n (mean over queries of {windows} windows)",
                ["key", "n", "max weight", "predicted", "entropy", "eff. support"], table)

