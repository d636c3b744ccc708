"""``attnlimits schedule``: practical logit multipliers against the critical schedule (SPEC §5)."""

from __future__ import annotations

import click

from .._validation import MAX_N, InputError, parse_count
from ._common import BETA, DIMENSION, FIGURE_PATH, Count, print_json, print_table

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
@click.option("--beta-train", type=BETA, default=None, help="β of the model at T (default: the critical β*_T, λ = 1).")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def schedule_command(n_train, n_text, d, keys_path, beta_train, plot, as_json):
    """β each long-context rule applies at each n, the critical schedule, and the regime each lands in."""
    from ..schedules import schedule_table

    ns = parse_counts("n", n_text)
    if keys_path is not None and d is not None:
        raise InputError("invalid input: give --d or --keys, not both")
    if keys_path is not None:
        from ..tails import estimate_from_keys
        from .tail import load_keys_npz

        data = load_keys_npz(keys_path)
        law = estimate_from_keys(data["queries"], data["keys"], pooled=True, scale=data["scale"], regimes=False).law
    else:
        from ..laws import UniformSphere

        law = UniformSphere(64 if d is None else d)
    table = schedule_table(law, n_train, ns, beta_train)
    if plot is not None:
        from ..report.schedule_figure import schedule_figure

        schedule_figure(table, plot)
        table["plot"] = str(plot)
    if as_json:
        print_json(table)
        return
    names = list(table["rows"][0]["rules"])
    click.echo(f"law {table['law']} (d = {table['d']}), T = {table['n_train']}, β_train = {table['beta_train']:.4g} "
               f"(λ = {table['lambda_train']:.3g}); regime from the exact E[max weight]")
    short = {"subcritical": "sub", "critical": "crit", "supercritical": "sup"}
    rows = [(f"{r['n']:g}", f"{r['beta_star']:.4g}", f"{r['beta_half']:.4g}",
             *[f"{r['rules'][k]['beta']:.3g} {short[r['rules'][k]['regime']]}" for k in names]) for r in table["rows"]]
    abbrev = {"critical": "crit", "longrope": "lrope", "llama4": "l4"}
    print_table("β applied at n, and its regime", ["n", "β*", "β½", *[abbrev.get(k, k) for k in names]], rows)
