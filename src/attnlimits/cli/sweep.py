"""``attnlimits sweep run|status|export``: resumable grids of simulations (SQLite store; local or Dask)."""

from __future__ import annotations

import click

from .._validation import InputError, check_output_path
from ._common import WORKERS, print_json, print_table, progress_callback

#: Exit code when another runner holds the store.
EXIT_BUSY = 3


@click.group("sweep")
def sweep_command():
    """Run a grid of cells from a TOML sweep file into a resumable SQLite store."""


@sweep_command.command("run")
@click.argument("file")
@click.option("--store", required=True, help="SQLite store (created if missing; a rerun resumes it).")
@click.option("--workers", type=WORKERS, default=None, help="Local worker processes (default 1).")
@click.option("--scheduler", default=None, help="Dask scheduler address tcp://HOST:PORT (instead of --workers).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def run_command(file, store, workers, scheduler, as_json):
    """Compute every cell of FILE's grid missing from the store, committing each as it finishes."""
    from ..sweep import StoreBusy, load_spec, run_sweep, sweep_status

    if workers is not None and scheduler is not None:
        raise InputError(f"invalid workers={workers!r}, scheduler={scheduler!r}: give --workers or --scheduler, not both")
    workers = 1 if workers is None else workers
    spec = load_spec(file)
    seen = {}

    try:
        with progress_callback(f"sweep {spec.name}") as bar:
            def progress(done, total):
                seen.setdefault("start", done)
                seen["done"] = done
                bar(done, total)

            rows = run_sweep(spec, store, workers=workers, scheduler=scheduler, progress=progress)
    except StoreBusy as exc:
        raise _busy(str(exc)) from None
    status = sweep_status(store)
    computed = seen.get("done", 0) - seen.get("start", 0)
    out = {"store": str(store), "name": spec.name, "computed": computed, "done": status["done"],
           "total": status["total"], "rows": len(rows)}
    if as_json:
        print_json(out)
        return
    click.echo(f"sweep {spec.name}: computed {computed} cells; {status['done']}/{status['total']} done in {store}")


def _busy(message: str) -> click.ClickException:
    exc = click.ClickException(message)
    exc.exit_code = EXIT_BUSY
    return exc


#: ``--section`` of ``status`` and ``export``: a grid of a file that holds several (``reproduce``'s store).
SECTION = click.option("--section", default="", show_default=False,
                       help="The sweep's section of the store file, e.g. a grid of a reproduce run's "
                            "DIR/store.sqlite (default: the file's only sweep; an unknown one lists them).")


@sweep_command.command("status")
@click.option("--store", required=True, help="SQLite store written by `sweep run` (or `reproduce`).")
@SECTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status_command(store, section, as_json):
    """Print done/total cells of the store's current grid and the breakdown per parameter."""
    from ..sweep import sweep_status

    st = sweep_status(store, section=section)
    if as_json:
        print_json(st)
        return
    extra = f" (+{st['other']} from earlier grids)" if st["other"] else ""
    click.echo(f"{st['name']} [{st['kind']}, seed {st['seed']}]: {st['done']}/{st['total']} cells done{extra}")
    rows = [(param, _show(e["value"]), f"{e['done']}/{e['total']}")
            for param, entries in st["by_parameter"].items() for e in entries]
    print_table(f"{st['done']}/{st['total']} cells of {st['store']}", ["parameter", "value", "done"], rows)


def _show(v) -> str:
    return v if isinstance(v, str) else f"{v:,}" if isinstance(v, int) else f"{v:g}"


@sweep_command.command("export")
@click.option("--store", required=True, help="SQLite store written by `sweep run` (or `reproduce`).")
@SECTION
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Table format (parquet needs pyarrow).")
@click.option("--out", required=True, help="Output file.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def export_command(store, section, fmt, out, as_json):
    """Write one row per stored cell: grid parameters, {stat}_mean, {stat}_se, elapsed, version."""
    from ..sweep import export_store

    check_output_path("out", out)
    count = export_store(store, out, fmt, section=section)
    if as_json:
        print_json({"store": str(store), "out": str(out), "format": fmt, "rows": count})
        return
    click.echo(f"wrote {count} rows to {out}")
