"""``attnlimits tail``: the tail class, α, c and β*_n of real scores or keys (:ref:`theory-extreme-value`)."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import SEED, Count, print_json, print_table
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option

__all__ = ["tail_command"]


@click.command("tail")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, help="npz from `attnlimits keys`.")
@click.option("--query-index", type=Count(0, None), default=None, help="Query row to use (default 0).")
@click.option("--pooled", is_flag=True, help="Pool the distances of many queries (up to 256, evenly spaced).")
@click.option("--scores", "scores_path", type=click.Path(dir_okay=False), default=None, help="1-D .npy of one query's scores.")
@click.option("--endpoint", type=float, default=None, help="Scores are bounded by E (cosines: 1): D = E − s, α estimated directly.")
@click.option("--k", "k", type=Count(10, None), default=None, help="Order statistics / exceedances used (default: chosen automatically).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the bootstrap (peaks over threshold).")
@click.option("--model", default=None, help=MODEL_HELP + " Per head and position bin (see --layer, --head).")
@cache_dir_option
@click.option("--layer", "layer_text", default=None, help="With --model: comma-separated layers (default all).")
@click.option("--head", "head_text", default=None, help="With --model: comma-separated heads (default all).")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help=TEXT_HELP)
@click.option("--max-tokens", type=Count(64, None), default=8192, show_default=True, help="With --model: tokens read (a CPU cap).")
@click.option("--sinks/--no-sinks", "sinks", default=True, show_default=True,
              help="With --model: measure each bin's attention sinks and give the sink-aware prediction (theory: fixed keys (sinks)).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def tail_command(keys_path, query_index, pooled, scores_path, endpoint, k, seed, model, layer_text, head_text, text_path,
                 max_tokens, sinks, as_json):
    """Estimate the tail law of scores near their maximum and predict β*_n for n = 1e3 … 1e9."""
    from ..tails import estimate_from_keys, estimate_from_scores

    if model is not None:
        from ._heads import head_bins_result, print_head_bins

        if keys_path is not None or scores_path is not None:
            raise InputError("invalid input: give one of --model, --keys or --scores")
        return print_head_bins(head_bins_result(model, layer_text, head_text, text_path, max_tokens, sinks=sinks), as_json)
    if (keys_path is None) == (scores_path is None):
        raise InputError("invalid input: give exactly one of --keys FILE.npz or --scores FILE.npy")
    if keys_path is not None:
        if endpoint is not None:
            raise InputError(f"invalid endpoint={endpoint:g}: --endpoint goes with --scores (keys have the known endpoint D = 0)")
        if pooled and query_index is not None:
            raise InputError("invalid input: give --query-index or --pooled, not both")
        from ..models import read_keys_file

        data = read_keys_file(keys_path)
        est = estimate_from_keys(data["queries"], data["keys"], query_index=0 if query_index is None else query_index,
                                 pooled=pooled, scale=data["scale"], k=k)
    else:
        if pooled or query_index is not None:
            raise InputError("invalid input: --query-index/--pooled go with --keys, not --scores")
        from ..models import read_scores_file

        est = estimate_from_scores(read_scores_file(scores_path), endpoint=endpoint, k=k, seed=seed)
    out = est.to_dict()
    if as_json:
        print_json(out)
        return
    ci = lambda p: "—" if p is None else f"[{p[0]:.4g}, {p[1]:.4g}]"  # noqa: E731
    click.echo(f"tail class: {out['tail_class']} (effective at finite n)   ξ = {out['xi']:.4g} {ci(out['xi_ci'])}   "
               f"α = {'—' if out['alpha'] is None else format(out['alpha'], '.4g')} {ci(out['alpha_ci'])}   "
               f"c = {'—' if out['c'] is None else format(out['c'], '.4g')}   [{out['method']}, k = {out['k']} of {out['m']}]")
    if out["model_beta"] is not None:
        click.echo(f"model β (|q|·median|k|/√d_head) = {out['model_beta']:.4g}")
    eff = out["effective"]
    rows = [(n, b["value"], b["lo"], b["hi"], _get(eff, n, "critical_beta_eff"), _get(eff, n, "alpha_eff"),
             (out["regime_at"] or {}).get(n, "—")) for n, b in out["beta_star"].items()]
    print_table("predicted β*_n (95% interval) and the effective scale at n (theory: effective exponent)",
                ["n", "β*_n", "lo", "hi", "β̃*_n = 1/t_n", "α_n", "regime at model β"], rows)
    if all(v is None for v in eff.values()):
        click.echo("note: no α_n, β̃*_n: they need the smooth estimated law of keys (not raw scores), and t_n "
                   "inside its fitted tail")
    elif any(v is None for v in eff.values()):
        click.echo("note: α_n, β̃*_n only where the 1/n quantile t_n lies inside the fitted tail (below its threshold)")


def _get(eff, key, field):
    v = eff.get(key)
    return "—" if v is None else v[field]
