"""``attnlimits forecast``: forecast a decoder's long-context E[max weight] from its short contexts (:ref:`theory-sinks`)
and score persistence, i.i.d., sink-aware and drift-aware forecasts against the measured values."""

from __future__ import annotations

import click

from .._fork import default_workers
from ._common import FIGURE_PATH, SEED, WORKERS, Count, one_line_warnings, print_json, print_table, progress_callback
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option

__all__ = ["forecast_command"]


@click.command("forecast")
@click.option("--model", required=True, help=MODEL_HELP + " A causal decoder.")
@cache_dir_option
@click.option("--text", "text_path", default="pydoc-topics", show_default=True, help=TEXT_HELP)
@click.option("--max-tokens", type=Count(8192, None), default=None,
              help="Tokens read (default: 8192 per window of --windows).")
@click.option("--windows", type=Count(1, None), default=2, show_default=True,
              help="Disjoint context windows of 8192 tokens (each head is forecast in each).")
@click.option("--layer", "layer_text", default=None, help="Comma-separated layers (default all).")
@click.option("--head", "head_text", default=None, help="Comma-separated heads (default all).")
@click.option("--resamples", type=Count(2, 1000), default=10, show_default=True,
              help="Block-bootstrap resamples of the fitting window (each refits everything).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Root seed (bootstrap, oracle sample).")
@click.option("--workers", type=WORKERS, default=None,
              help="Processes for the per-head work after the forward pass (default 2 on 2+ cores; the results do not "
                   "depend on it).")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write the forecast-against-measured figure (PNG, PDF, SVG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def forecast_command(model, text_path, max_tokens, windows, layer_text, head_text, resamples, seed, workers, plot,
                     as_json):
    """Fit each head on queries that see n < 512 keys and forecast its mean max weight at n in [2048, 4096) and
    [4096, 8192); score each forecast kind against persistence."""
    from ..forecast import ForecastOptions, run_forecast
    from ..models import load_model
    from ._heads import parse_indices

    options = ForecastOptions(resamples=resamples, seed=seed)
    lm = load_model(model)
    layers = parse_indices("layer", layer_text, lm.layers)
    heads = parse_indices("head", head_text, lm.heads)
    with one_line_warnings(), progress_callback(lm.name) as progress:
        result = run_forecast(lm, text_path, layers=layers, heads=heads, max_tokens=max_tokens, windows=windows,
                              options=options, progress=progress,
                              workers=default_workers() if workers is None else workers)
    if plot is not None:
        from ..report import save_figure
        from ..report.forecast_figure import forecast_figure

        save_figure(forecast_figure(result), plot)
    if as_json:
        print_json(result)
        return
    print_forecast(result)


def _g(x, fmt=".3g"):
    return "—" if x is None else format(x, fmt)


def print_forecast(result: dict) -> None:
    """A header, the validation choice, and one table per target bin: each kind's score over heads."""
    o = result["options"]
    click.echo(f"{result['model']} on {result['text']['name']} (sha256 {result['text']['sha256'][:12]}), "
               f"windows {','.join(map(str, result['windows']))} of {result['window_tokens']} tokens, "
               f"{len(result['units'])} head-windows; fit n in [{o['origin'][0]}, {o['origin'][1]}), trend from "
               f"n = {o['origin'][0] // 2 ** (o['trend_octaves'] - 1)}; {o['resamples']} block resamples "
               f"(blocks of {o['block']}), seed {o['seed']}")
    v = result["validation"]
    errs = ", ".join(f"{k} {_g(e)}" for k, e in v["median_abs_error"].items())
    click.echo(f"validation (fit [{v['fit_bin'][0]}, {v['fit_bin'][1]}), forecast [{v['target_bin'][0]}, "
               f"{v['target_bin'][1]})): median |error| {errs}; selected: {result['selected']} (frozen before the "
               "targets were read)")
    for lo, hi in o["targets"]:
        rows = []
        for r in result["summary"]:
            if r["bin"] != [lo, hi]:
                continue
            beat = "—" if r["beats_persistence"] is None else f"{r['beats_persistence']:.2f}"
            rows.append((r["kind"], _g(r["median_abs_error"], ".3f"), _g(r["coverage"], ".2f"),
                         _g(r["median_width"], ".3f"), _g(r["spearman"], ".2f"), beat, _g(r["sign_test_p"], ".2g")))
        print_table(f"E[max weight] at n in [{lo}, {hi}), over {len(result['units'])} head-windows",
                    ["kind", "median |err|", "coverage", "width", "Spearman", "beats pers.", "sign p"], rows)
    click.echo("coverage: share of heads whose measured mean lies in the forecast's 95% interval (bootstrap spread "
               "and the measured mean's block SE); width: its median width; beats pers.: share of heads with a "
               "smaller |error| than persistence, one-sided sign test p. oracle-*: law, β and sinks fitted in the "
               "target bin itself (no interval).")
