"""``attnlimits reproduce``: every claim of the paper measured, with figures and a report."""

from __future__ import annotations

import sys

import click

from ._common import OUT_DIR, SEED, WORKERS, print_json, print_table, progress_callback


@click.command("reproduce")
@click.option("--quick", is_flag=True,
              help="Smaller sizes (about a minute); the same claims, without the real-model sections.")
@click.option("--out", "out", default="reproduce-out", show_default=True, type=OUT_DIR,
              help="Output directory: claims.json, figures/, report.html, store.sqlite (resume).")
@click.option("--workers", type=WORKERS, default=1, show_default=True, help="Worker processes for the simulations.")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Root seed of the run.")
@click.option("--only", default=None, help="Comma-separated claim ids (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the claims.json records as one JSON object.")
def reproduce_command(quick, out, workers, seed, only, as_json):
    """Measure every claim of the paper against its prediction; exit code 1 if any claim fails."""
    from .._reproduce import records, reproduce

    results = reproduce(out, quick=quick, seed=seed, workers=workers, only=only,
                        progress=lambda cid: progress_callback(cid, delay=0.5))
    if as_json:
        print_json({"out": str(out), "claims": records(results),
                    "verdicts": {r.id: r.verdict for r in results}})
    else:
        rows = [(r.id + ("" if i == 0 else ""), c.case, c.predicted, f"{c.measured:.6g} ± {1.96 * c.se:.2g}"
                 if c.measured == c.measured else "—", c.verdict) for r in results for i, c in enumerate(r.cases)]
        print_table(f"attnlimits reproduce ({'quick' if quick else 'default'}): {out}",
                    ["claim", "case", "predicted", "measured ± 95% CI", "verdict"], rows)
        n_pass = sum(r.verdict == "pass" for r in results)
        click.echo(f"{n_pass}/{len(results)} claims pass; report: {out}/report.html")
    if not quick and only is None:
        from .._reproduce_decoder import decoder_missing

        missing = decoder_missing()
        if missing is not None:  # the section is left out of the report, which says the same
            click.echo(f"real-decoder section left out: {missing}", err=True)
    if any(r.verdict != "pass" for r in results):
        sys.exit(1)
