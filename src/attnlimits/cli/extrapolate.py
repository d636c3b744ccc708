"""``attnlimits extrapolate``: a decoder trained at T read on windows of 2T tokens under context-extension recipes;
paired next-token losses on [T, 2T) and [0, T), the selectivity each recipe leaves, and an exactness check."""

from __future__ import annotations

import click

from ._common import FIGURE_PATH, SEED, WORKERS, Count, one_line_warnings, print_json, print_table, progress_callback
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option, provenance_lines

__all__ = ["extrapolate_command", "print_extrapolation"]


@click.command("extrapolate")
@click.option("--model", required=True, help=MODEL_HELP + " A decoder with plain RoPE.")
@cache_dir_option
@click.option("--train-length", "n_train", type=Count(64, None), required=True,
              help="T, the length the model is taken to be trained at: windows hold 2T tokens.")
@click.option("--windows", type=Count(1, 1000), default=1, show_default=True,
              help="Evaluation windows of 2T tokens, after the text's first T tokens (the schedule's).")
@click.option("--recipes", "recipes", default=None,
              help="Comma-separated recipes (default all): none, linear, yarn, yarn_noscale, yarn_qwen, yarn_llama4, "
                   "yarn_iso, yarn_iso_uniform; yarn (the reference) is always run.")
@click.option("--text", "text_path", default="pydoc-topics", show_default=True, help=TEXT_HELP)
@click.option("--device", default="cpu", show_default=True, help="cpu or cuda: where the windows run.")
@click.option("--queries", type=Count(2, None), default=None,
              help="Query rows per window whose max weight is read, in [T/2, T) and again in [T, 2T) "
                   "(default min(64, T/2)).")
@click.option("--schedule-queries", type=Count(2, 100_000), default=64, show_default=True,
              help="Queries sampled per head by the audit that estimates yarn_iso's schedule.")
@click.option("--workers", type=WORKERS, default=None,
              help="Forked processes for the per-head work of the schedule's audit (default 2 on 2+ cores; no value "
                   "depends on it).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Root seed (schedule samples, max-weight rows).")
@click.option("--plot", type=FIGURE_PATH, default=None, help="Write the figure (PNG, PDF, SVG).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def extrapolate_command(model, n_train, windows, recipes, text_path, device, queries, schedule_queries, workers, seed,
                        plot, as_json):
    """Mean next-token loss on positions [T, 2T) and [0, T) of windows of 2T tokens under each recipe, paired
    against YaRN x2 (block SEs over 256-token blocks), with the per-head E[max weight] each recipe leaves."""
    from ..extrapolate import run_extrapolation

    # the model is loaded inside, after every option is checked (bad input fails before the load)
    with one_line_warnings(), progress_callback("extrapolate") as progress:
        result = run_extrapolation(model, n_train, windows=windows, recipes=recipes, text_path=text_path, device=device,
                                   seed=seed, queries=queries, schedule_queries=schedule_queries, workers=workers,
                                   progress=progress)
    result["provenance"] = provenance_lines(result["source"], result["text"])
    if plot is not None:
        from ..report import save_figure
        from ..report.extrapolate_figure import extrapolate_figure

        save_figure(extrapolate_figure(result), plot)
        result["plot"] = str(plot)
    if as_json:
        print_json(result)
        return
    print_extrapolation(result)


def _pm(entry, signed: bool = False) -> str:
    if entry is None or entry.get("mean") is None:
        return "—"
    se = entry.get("se")
    mean = f"{entry['mean']:+.4f}" if signed else f"{entry['mean']:.4f}"
    return mean if se is None or se != se else f"{mean} ± {se:.4f}"


def _g(x, fmt="+.3f") -> str:
    return "—" if x is None else format(x, fmt)


def print_extrapolation(result: dict) -> None:
    """Print the header (model, T, windows, text, frozen hash), the loss table, the selectivity table, the check,
    the notes and the timings.

    Parameters
    ----------
    result : dict
        :func:`attnlimits.extrapolate.run_extrapolation` output (with ``provenance`` lines).
    """
    T, L = result["n_train"], result["window_tokens"]
    fr = result["frozen"]
    click.echo(f"{result['model']}: T = {T} → {L} tokens per window, {result['windows_run']} window(s) at text tokens "
               + ", ".join(f"[{a}, {b})" for a, b in fr["token_ranges"]["windows"])
               + (f"; schedule from tokens [0, {T})" if fr["token_ranges"]["schedule"] else ""))
    for line in result.get("provenance", []):
        click.echo(line)
    click.echo(f"frozen before the first loss (recipes, schedule, token ranges, seeds): sha256 "
               f"{result['frozen_sha256'][:16]}")
    rows = []
    for name, r in result["recipes"].items():
        rows.append((name, f"{r['multiplier']['2T']:.3f}", _pm(r["loss_long"]), _pm(r["loss_long"]["diff"], True),
                     _pm(r["loss_short"]), _pm(r["loss_short"]["diff"], True)))
    print_table(f"next-token loss (nats), paired against {result['reference']}; block SE over 256-token blocks",
                ["recipe", "×(2T)", "[T, 2T)", "Δ [T, 2T)", "[0, T)", "Δ [0, T)"], rows)
    rows = []
    for name, r in result["recipes"].items():
        mw = r["max_weight"]
        rows.append((name, f"{mw['median_short']:.3f}", f"{mw['median_long']:.3f}", _g(mw["median_delta"]),
                     _g(mw["median_delta_vs_reference"])))
    first = next(iter(result["recipes"].values()))["max_weight"]["rows"]
    print_table(f"E[max weight] per head, median over heads ({first[0]} + {first[1]} sampled queries)",
                ["recipe", "[T/2, T)", "[T, 2T)", "Δ own", "Δ vs none"], rows)
    click.echo("×(2T): the recipe's logit multiplier at n = 2T (median over heads); Δ own: [T, 2T) minus the same "
               "recipe's [T/2, T); Δ vs none: [T, 2T) minus the unmodified model's [T/2, T) (the head as trained)")
    if result["check"]:
        checks = list(result["check"].values())
        worst = max(c["max_abs_error"] for c in checks)
        out = max(c["output_error"] for c in checks)
        verdict = "passed" if result["check_passed"] else "FAILED"
        click.echo(f"exactness check {verdict} (every recipe, window 0): max |p − p_ref| = {worst:.2g} (≤ "
                   f"{checks[0]['tolerance']:g}), SDPA output error {out:.2g} of max |v| (≤ "
                   f"{checks[0]['output_tolerance']:g}); layers {fr['check']['layers']}, rows {fr['check']['rows']}")
    sched = result.get("schedule")
    if sched and sched.get("heads") is not None:
        click.echo(f"yarn_iso schedule: {len(sched['heads']) - sched['fallback_heads']} heads from the audit, "
                   f"{sched['fallback_heads']} on the uniform one; nodes {sched['nodes'][0]}…{sched['nodes'][-1]} "
                   f"({len(sched['nodes'])})")
    for note in result["notes"]:
        click.echo(f"note: {note}")
    tm = result["timings"]
    per = ", ".join(f"{n} {r['seconds_per_window']:.1f}" for n, r in result["recipes"].items())
    click.echo(f"time: schedule {tm['schedule']:.1f} s; per window (s): {per}; total {tm['total']:.1f} s; peak RSS "
               f"{tm['peak_rss_mb']:.0f} MB" + (f", CUDA {tm['peak_cuda_mb']:.0f} MB" if tm.get("peak_cuda_mb") else ""))
