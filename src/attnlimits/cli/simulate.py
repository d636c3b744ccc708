"""``attnlimits simulate``: Monte Carlo of one query attending to n random keys."""

from __future__ import annotations

import click

from ..engine._montecarlo import ORDERSTAT_DIAGNOSTICS, STATISTICS, simulate
from ..engine._montecarlo import method_choice
from ._common import SEED, TOP_K, WORKERS, Count, build_law, setting_options, print_json, print_table, progress_callback
from .theory import SINK


@click.command("simulate")
@setting_options
@click.option("--samples", type=Count(1), default=1000, show_default=True, help="Independent replicates.")
@click.option("--seed", type=SEED, default=None, help="Root seed (default: fresh entropy, reported).")
@click.option("--method", type=click.Choice(["exact", "orderstat", "auto"]), default="exact", show_default=True,
              help="exact: every key drawn; orderstat: nearest keys exactly, the rest through their sums "
                   "(laws with a known distance CDF, any n up to 1e18); auto: orderstat from n >= 1e6.")
@click.option("--tail-tol", type=float, default=1e-6, show_default=True,
              help="orderstat: target share of the normaliser left to the far keys' Gaussian surrogate.")
@click.option("--workers", type=WORKERS, default=1, show_default=True, help="Worker processes (results do not depend on it).")
@click.option("--top-k", "k", type=TOP_K, default=10, show_default=True, help="Number of top weights to keep.")
@click.option("--backend", type=click.Choice(["numpy", "torch"]), default="numpy", show_default=True,
              help="Engine backend (torch: optional extra).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Device of the torch backend.")
@click.option("--dtype", type=click.Choice(["float64", "float32"]), default="float64", show_default=True,
              help="Precision of the torch backend.")
@click.option("--output/--no-output", default=True, show_default=True,
              help="Also build the output vector O (tangent_sq, output_gap_sq: a second pass over the keys that "
                   "weigh); --no-output runs the weights pass alone (every other statistic).")
@click.option("--sink", "sinks", type=SINK, multiple=True,
              help="A fixed key's score S in the units of <q,K> (logit BETA*S; any finite real; SPEC 2b); "
                   "repeatable. Method exact, numpy backend; implies --no-output.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def simulate_command(ctx, d, n, beta, lam, law, samples, seed, method, tail_tol, workers, k, backend, device, dtype,
                     output, sinks, as_json):
    """Simulate a query attending to N i.i.d. keys at inverse temperature BETA (or BETA = LAM * beta*_n)."""
    from click.core import ParameterSource

    key_law = build_law(law, d)
    if sinks and ctx.get_parameter_source("output") == ParameterSource.DEFAULT:
        output = False  # a fixed score has no direction: no output vector
    if method == "auto":
        method, why = method_choice(key_law, n, "auto", backend, output)
        click.echo(f"auto: using method {method} ({why})", err=True)
    with progress_callback("simulate") as progress:
        res = simulate(key_law, n, beta, lam=lam, samples=samples, seed=seed, method=method, k=k, output=output,
                       workers=workers, progress=progress, backend=backend, device=device, dtype=dtype,
                       tail_tol=tail_tol, sinks=tuple(sinks))
    if as_json:
        print_json(res.to_dict())
        return
    title = (f"{res.law} keys, d={res.d}, n={res.n:,}, β={res.beta:.6g}"
             + (f" (λ={res.lam:.4g})" if res.lam is not None else "")
             + f", {res.samples} samples, method {res.method}, seed {res.seed}"
             + (f", sinks {', '.join(f'{x:g}' for x in res.sinks)}" if res.sinks else "")
             + ("" if res.backend == "numpy" else f", {res.backend}"))
    summary = res.summary()
    print_table(title, ["statistic", "mean", "se"],
                [(s, summary[s]["mean"], summary[s]["se"]) for s in STATISTICS + ORDERSTAT_DIAGNOSTICS
                 + tuple(x for x in summary if x.startswith("sink_weight")) if s in summary])
