"""``attnlimits schedule``: practical logit multipliers against the selectivity-preserving schedule β_iso(n)
(:ref:`theory-effective-exponent`, :ref:`theory-exact-identities`, :ref:`theory-extreme-value`)."""

from __future__ import annotations

import click

from .._fork import default_workers
from .._validation import MAX_N, InputError, parse_count
from ._common import BETA, DIMENSION, FIGURE_PATH, SEED, WORKERS, Count, print_json, print_table, progress_callback
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
@click.option("--n-train", type=Count(2), default=None,
              help="Training context length T (required with --d/--keys; the audit reads it from the config).")
@click.option("--n", "n_text", default=None,
              help="Comma-separated visible context lengths, e.g. 4096,16384,1e5 (the audit's default: 2T,4T,8T,16T).")
@click.option("--d", type=DIMENSION, default=None, help="Head dimension of the uniform key law (default 64 without --keys).")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, help="npz from `attnlimits keys`: use the estimated law (pooled).")
@click.option("--model", default=None, help=MODEL_HELP + " Audits every head (or those of --layer/--head); with one "
              "--layer and one --head (and no --audit), the estimated-law schedule of that head.")
@cache_dir_option
@click.option("--layer", "layer_text", default=None,
              help="Layer index, or comma-separated indices for the audit, with --model.")
@click.option("--head", "head_text", default=None,
              help="Head index, or comma-separated indices for the audit, with --model.")
@click.option("--audit", "force_audit", is_flag=True, help="With --model and one --layer/--head: audit that head.")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help=TEXT_HELP)
@click.option("--max-tokens", type=Count(64, None), default=None,
              help="Tokens read with --model (default 8192; the audit's default T).")
@click.option("--queries", type=Count(2, 100_000), default=64, show_default=True,
              help="Audit: queries sampled per head for the sink-aware theory.")
@click.option("--tol", type=click.FloatRange(min=0.0, min_open=True, max=0.1), default=1e-4, show_default=True,
              help="Audit: absolute accuracy of each E[max weight].")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Audit: seed of the query samples.")
@click.option("--workers", type=WORKERS, default=None,
              help="Audit: processes for the per-head work after the forward pass (default 2 on 2+ cores; the results "
                   "do not depend on it).")
@click.option("--beta-train", type=BETA, default=None,
              help="β of the head at T (default: β_1/2(T) for --d, the model's own β = |q|·median|k|·scale for --keys/--model).")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write a figure (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def schedule_command(n_train, n_text, d, keys_path, model, layer_text, head_text, force_audit, text_path, max_tokens,
                     queries, tol, seed, workers, beta_train, plot, as_json):
    """β each long-context rule applies at each n, the iso-selectivity β_iso(n) (exact) and β_iso_eff(n)
    (closed form), and the regime and E[max weight] each lands in; with --model, the audit of the checkpoint's
    heads (sink-aware multipliers needed at 2T…16T against its config and the rules)."""
    from ..schedules import schedule_table

    ns = None if n_text is None else parse_counts("n", n_text)
    if sum(x is not None for x in (d, keys_path, model)) > 1:
        raise InputError("invalid input: give one of --d, --keys or --model")
    if (model is None) and (layer_text is not None or head_text is not None or text_path is not None or force_audit):
        raise InputError("invalid input: --layer/--head/--text/--audit go with --model")
    layers = None if layer_text is None else parse_counts("layer", layer_text, minimum=0)
    heads = None if head_text is None else parse_counts("head", head_text, minimum=0)
    one_head = layers is not None and heads is not None and len(layers) == 1 and len(heads) == 1
    if model is not None and (force_audit or not one_head):
        if beta_train is not None:
            raise InputError("invalid input: --beta-train does not go with the audit (each head's own β is measured)")
        return _audit(model, text_path, layers, heads, n_train, ns, max_tokens, queries, tol, seed, workers, plot, as_json)
    if n_train is None or ns is None:
        raise InputError("invalid input: --n-train and --n are required with --d, --keys or one --model head")
    if keys_path is not None or model is not None:
        from ..models import real_schedule

        table = real_schedule(n_train, ns, keys_path=keys_path, model=model, layer=None if layers is None else layers[0],
                              head=None if heads is None else heads[0], text_path=text_path,
                              max_tokens=8192 if max_tokens is None else max_tokens, beta_train=beta_train)
    else:
        from ..laws import UniformSphere

        table = schedule_table(UniformSphere(64 if d is None else d), n_train, ns, beta_train)
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


def _audit(model, text_path, layers, heads, n_train, ns, max_tokens, queries, tol, seed, workers, plot, as_json):
    """The audit of a checkpoint (:func:`attnlimits.models.audit_checkpoint`): one screen, or --json."""
    from ..models import audit_checkpoint

    with progress_callback("audit") as progress:
        res = audit_checkpoint(model, text_path, layers=layers, heads=heads, n_train=n_train, ns=ns,
                               max_tokens=max_tokens, queries=queries, tol=tol, seed=seed,
                               workers=default_workers() if workers is None else workers, progress=progress)
    if plot is not None:
        from ..report import save_figure
        from ..report.audit_figure import audit_figure

        save_figure(audit_figure(res), plot)
        res["plot"] = str(plot)
    if as_json:
        print_json(res)
        return
    render_audit(res)


def render_audit(res: dict) -> None:
    """The audit's screen: the config, the spread of the needed multipliers per n, the rules against the heads."""
    from ..schedules._audit import AUDIT_RTOL

    T = res["n_train"]
    done = [h for h in res["heads"] if "rows" in h]
    failed = [h for h in res["heads"] if "rows" not in h]
    bins = sorted({tuple(h["bin"]) for h in done})
    tm = res["timings"]
    click.echo(f"audit of {res['model']} ({res['model_type']}): T = {T} [{res['n_train_source']}], "
               f"{len(done)} of {len(res['heads'])} heads, {res['tokens']} tokens, bin "
               f"{', '.join(f'[{a}, {b})' for a, b in bins)}, {res['queries']} queries per head (seed {res['seed']})")
    click.echo(f"config: {res['config']['description']}")
    click.echo(f"note: {res['config_note']}")
    if res["kept_quartiles"]:
        q1, med, q3 = res["kept_quartiles"]
        click.echo(f"kept: each head's sink-aware E[max w] at T (bulk T − m keys, its queries' (β_q, S_q)); over "
                   f"heads median {med:.3g} [{q1:.3g}, {q3:.3g}]; r_iso = β_iso(n)/β: the same at n with "
                   "(r·β_q, S_q), "
                   f"to {AUDIT_RTOL:g} relative; sinks and bulk law measured at n ≤ T and carried to n unchanged")
    rows = []
    for i, s in enumerate(res["summary"]):
        qs, rg = s["r_iso_quartiles"], s["r_iso_range"]
        rows.append((f"{s['n'] // T}T" if s["n"] % T == 0 else f"{s['n']:g}", f"{s['n']:g}",
                     f"×{res['config']['extra'][i]:.4g}",
                     *(f"{v:.4g}" for v in (qs or [float('nan')] * 3)),
                     *(f"{v:.4g}" for v in (rg or [float('nan')] * 2)), s["heads"]))
    print_table("multiplier each head needs, β_iso(n)/β (sink-aware), over heads",
                ["n", "keys", "config", "Q1", "median", "Q3", "min", "max", "heads"], rows, keys=1)
    fmt = lambda v: "—" if v is None else f"{v:+.3f}"  # noqa: E731
    rows = []
    for name in res["summary"][0]["rules"]:
        for s in res["summary"]:
            r = s["rules"][name]
            rows.append((name, f"{s['n'] // T}T" if s["n"] % T == 0 else f"{s['n']:g}",
                         "—" if r["multiplier"] is None else f"×{r['multiplier']:.4g}", r["over"],
                         fmt(r["delta_over"]), r["under"], fmt(r["delta_under"]), fmt(r["delta_max_weight"])))
    print_table("rules against the heads: heads over-/under-scaled (rule's × above/below r_iso) and the median "
                "change of E[max w] from the kept value", ["rule", "n", "×", "over", "ΔE over", "under", "ΔE under",
                                                           "ΔE all"], rows, keys=2)
    if failed:
        click.echo(f"{len(failed)} heads not audited, e.g. layer {failed[0]['layer']} head {failed[0]['head']}: "
                   f"{failed[0]['error']}")
    click.echo(f"time: forward {tm.get('forward', 0):.1f} s, statistics {tm.get('statistics', 0):.1f} s, theory "
               f"{tm.get('theory', 0):.1f} s ({tm['per_head']:.2f} s per head after the forward pass), total "
               f"{tm['total']:.1f} s")
