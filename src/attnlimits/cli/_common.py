"""Pieces shared by the commands: count parsing, law options, JSON/table output, progress bars."""

from __future__ import annotations

import json
import math
import sys
import time
from contextlib import contextmanager

import click
import numpy as np

from .._validation import parse_count
from ..laws import LAW_FORMS, parse_law

__all__ = ["COUNT", "law_option", "setting_options", "build_law", "print_json", "print_table", "progress_callback", "to_jsonable"]


class CountType(click.ParamType):
    """An exact positive integer written as ``100000``, ``1e5`` or ``100_000``."""

    name = "count"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        name = param.opts[0] if param is not None and param.opts else "value"
        return parse_count(name.lstrip("-"), value, minimum=1)


COUNT = CountType()


def law_option(f):
    """``--law uniform|vmf:KAPPA[:ANGLE]|subsphere:K|file:PATH``."""
    return click.option("--law", default="uniform", show_default=True, help=f"Key law: {LAW_FORMS}.")(f)


def setting_options(f):
    """The setting of one query against n keys: ``--d --n (--beta | --lam) --law``."""
    for option in reversed([
        click.option("--d", "d", type=int, required=True, help="Dimension d >= 2 (keys on S^{d-1})."),
        click.option("--n", "n", type=COUNT, required=True, help="Number of keys n >= 1 (accepts 1e6)."),
        click.option("--beta", type=float, default=None, help="Inverse temperature beta >= 0."),
        click.option("--lam", type=float, default=None, help="lambda > 0: beta = lambda * beta*_n of the key law."),
        law_option,
    ]):
        f = option(f)
    return f


def build_law(text: str, d: int):
    """The key law named on the command line (validated; bad input raises InputError)."""
    return parse_law(text, d)


def to_jsonable(obj):
    """Numbers as numbers (NaN/inf as null), numpy scalars and arrays as Python values."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def print_json(obj) -> None:
    """One JSON object on stdout."""
    click.echo(json.dumps(to_jsonable(obj), allow_nan=False))


def print_table(title: str, columns, rows) -> None:
    """A rich table on stdout."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, justify="right" if col not in ("statistic", "claim", "key") else "left")
    for row in rows:
        table.add_row(*[_fmt(v) for v in row])
    Console().print(table)


def _fmt(v) -> str:
    if isinstance(v, str):
        return v
    if v is None:
        return "—"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) < 10**15 else f"{float(v):.4g}"
    f = float(v)
    if f == 0 or (1e-3 <= abs(f) < 1e6):
        return f"{f:.8g}"
    return f"{f:.4e}"


@contextmanager
def progress_callback(description: str, *, delay: float = 2.0):
    """Yield ``callback(done, total)`` that shows a progress bar on stderr once work has run ``delay``
    seconds (short runs print nothing)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    start = time.monotonic()
    state: dict = {}

    def callback(done: int, total: int) -> None:
        if "bar" not in state:
            if time.monotonic() - start < delay and done < total:
                return
            if done >= total:
                return
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           console=Console(file=sys.stderr), transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(description, total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    try:
        yield callback
    finally:
        if "bar" in state:
            state["bar"].stop()
