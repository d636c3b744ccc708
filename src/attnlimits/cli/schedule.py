"""``attnlimits schedule``: practical logit multipliers against the selectivity-preserving schedule β_iso(n)
(SPEC §2a, §4, §5)."""

from __future__ import annotations

import click

from .._validation import MAX_N, InputError, parse_count
from ._common import BETA, DIMENSION, FIGURE_PATH, Count, print_json, print_table
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option

__all__ = ["schedule_command", "parse_counts"]


#: Most context lengths in one ``--n`` list.
MAX_COUNTS = 1000


def parse_counts(name: str, text: str, *, minimum: int = 2, maximum: int = MAX_N) -> list:
    """``1e3,4096,1e5`` → [1000, 4096, 100000]: each an exact count in [minimum, maximum] (the count rule of
    :func:`attnlimits._validation.check_int`); an empty item (``4096,`` or ``4096,,1e5``) is refused."""
    expected = f"comma-separated counts such as 4096,16384,1e5 (at most {MAX_COUNTS})"
    parts = str(text).split(",")
    if not str(text).strip() or any(not p.strip() for p in parts) or len(parts) > MAX_COUNTS:
        raise InputError(f"invalid {name}={text!r}: expected {expected}")
    return [parse_count(name, p, minimum=minimum, maximum=maximum) for p in parts]


@click.command("schedule")
@click.option("--n-train", type=Count(2), required=True, help="Training context length T.")
@click.option("--n", "n_text", required=True, help="Comma-separated visible context lengths, e.g. 4096,16384,1e5.")
@click.option("--d", type=DIMENSION, default=None, help="Head dimension of the uniform key law (default 64 without --keys).")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, help="npz from `attnlimits keys`: use the estimated law (pooled).")
@click.option("--model", default=None, help=MODEL_HELP + " The estimated law of --layer/--head (largest position bin).")
@cache_dir_option
@click.option("--layer", type=Count(0, None), default=None, help="Layer index with --model.")
@click.option("--head", type=Count(0, None), default=None, help="Head index with --model.")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help=TEXT_HELP)
@click.option("--max-tokens", type=Count(64, None), default=8192, show_default=True, help="Tokens read with --model.")
@click.option("--beta-train", type=BETA, default=None,
              help="β of the head at T (default: β_1/2(T) for --d, the model's own β = |q|·median|k|·scale for --keys/--model).")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def schedule_command(n_train, n_text, d, keys_path, model, layer, head, text_path, max_tokens, beta_train, plot, as_json):
    """β each long-context rule applies at each n, the iso-selectivity β_iso(n) (exact) and β_iso_eff(n)
    (closed form), and the regime and E[max weight] each lands in."""
    from ..schedules import schedule_table

    ns = parse_counts("n", n_text)
    if sum(x is not None for x in (d, keys_path, model)) > 1:
        raise InputError("invalid input: give one of --d, --keys or --model")
    if (model is None) and (layer is not None or head is not None or text_path is not None):
        raise InputError("invalid input: --layer/--head/--text go with --model")
    source = None
    if keys_path is not None:
        from ..tails import estimate_from_keys
        from ..models import read_keys_file

        data = read_keys_file(keys_path)
        est = estimate_from_keys(data["queries"], data["keys"], pooled=True, scale=data["scale"], regimes=False)
        law = est.law
        if beta_train is None and est.model_beta is not None:
            beta_train, source = est.model_beta, "model: |q|·median|k|·scale (median over the pooled queries)"
    elif model is not None:
        from ..models import head_law

        if layer is None or head is None:
            raise InputError("invalid input: --model needs --layer and --head")
        law, beta_model, info = head_law(model, layer, head, text_path, max_tokens=max_tokens)
        if beta_train is None:
            beta_train = beta_model
            source = (f"model: |q|·median|k|·scale, median over {info['pooled_queries']} queries of the bin "
                      f"n in [{info['n_lo']}, {info['n_hi']})")
    else:
        from ..laws import UniformSphere

        law = UniformSphere(64 if d is None else d)
    table = schedule_table(law, n_train, ns, beta_train, beta_train_source=source)
    if plot is not None:
        from ..report import save_figure, schedule_figure

        save_figure(schedule_figure(table), plot)
        table["plot"] = str(plot)
    if as_json:
        print_json(table)
        return
    names = list(table["rows"][0]["rules"])
    click.echo(f"law {table['law']} (d = {table['d']}), T = {table['n_train']}, β_train = {table['beta_train']:.4g} "
               f"[{table['beta_train_source']}] (λ = {table['lambda_train']:.3g}); E[max weight] kept: "
               f"{table['max_weight_train']:.3g}; regime and E[max weight] of each rule from the exact theory")
    short = {"subcritical": "sub", "critical": "crit", "supercritical": "sup", "unreachable": "—"}
    rows = [(f"{r['n']:g}", f"{r['beta_half']:.4g}", f"{r['beta_iso']:.4g}", f"{r['beta_iso_eff']:.4g}",
             *[f"{r['rules'][k]['beta']:.3g} {short[r['rules'][k]['regime']]} {r['rules'][k]['max_weight']:.2f}"
               for k in names if k != "iso"]) for r in table["rows"]]
    abbrev = {"longrope": "lrope", "llama4": "l4"}
    print_table("β applied at n: regime and E[max weight]", ["n", "β½", "β_iso", "β_iso_eff",
                *[abbrev.get(k, k) for k in names if k != "iso"]], rows)
