"""Pieces shared by the commands: the checked option types (counts, ranges, seeds, workers, output paths),
law options, JSON/table output, progress bars.

Every range a command enforces comes from :mod:`attnlimits._validation` through the types here, so one
rule holds for every command: a bad value ends in one line on stderr naming the option, the value and the
accepted range (exit code 2).
"""

from __future__ import annotations

import abc
import json
import sys
import time
import warnings
from contextlib import contextmanager

import click
import numpy as np

from .. import _validation as V
from .._json import to_jsonable
from ..laws._parse import law_forms, parse_law

__all__ = ["COUNT", "Count", "DIMENSION", "BETA", "LAM", "SEED", "WORKERS", "TOP_K", "FIGURE_PATH", "NPZ_PATH",
           "OUT_DIR", "law_option", "setting_options", "build_law", "print_json", "print_table", "progress_callback",
           "to_jsonable", "one_line_warnings"]


def _name(param) -> str:
    return param.opts[0].lstrip("-") if param is not None and param.opts else (param.name if param else "value")


class _Checked(click.ParamType, abc.ABC):
    """A click type whose conversion is one check of :mod:`attnlimits._validation`; its InputError (the
    same one-line message as the Python API's) reaches :func:`attnlimits.cli.main`: one line, exit 2."""

    def convert(self, value, param, ctx):
        if value is None:
            return None
        return self.check(value, _name(param), ctx)

    @abc.abstractmethod
    def check(self, value, name, ctx):
        """The checked value of ``value`` for the option ``name`` (raises InputError)."""


class Count(_Checked):
    """An exact integer written as ``100000``, ``1e5``, ``100000.0``, ``2.5e1`` or ``100_000``, in
    [minimum, maximum] (the count rule of :func:`attnlimits._validation.check_int`)."""

    name = "count"

    def __init__(self, minimum: int = 1, maximum: int | None = V.MAX_N):
        self.minimum, self.maximum = minimum, maximum

    def check(self, value, name, ctx):
        return V.check_int(name, value, minimum=self.minimum, maximum=self.maximum)


class _Real(_Checked):
    name = "number"

    def __init__(self, checker):
        self.checker = checker

    def check(self, value, name, ctx):
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise V.InputError(f"invalid {name}={value!r}: expected a number") from None
        return self.checker(value, name)


class _Seed(_Checked):
    name = "seed"

    def check(self, value, name, ctx):
        return V.check_seed(value if not isinstance(value, str) else V.check_int(name, value, minimum=0,
                                                                                 maximum=V.MAX_SEED), name)


class _Workers(_Checked):
    """Worker processes ≥ 1, capped at the CPUs available to the process (a note on stderr says so)."""

    name = "workers"

    def check(self, value, name, ctx):
        workers, note = V.cap_workers(value, name)
        if note:
            click.echo(note, err=True)
        return workers


class _TopK(click.ParamType):
    """Top weights kept: 1 ≤ k ≤ min(n, MAX_TOP_K), with n the command's ``--n`` (declared before it); the
    default is only held to MAX_TOP_K (for n below it the engine pads with zero weights)."""

    name = "count"

    def convert(self, value, param, ctx):
        from click.core import ParameterSource

        n = ctx.params.get("n") if ctx is not None else None
        given = ctx is None or param is None or ctx.get_parameter_source(param.name) != ParameterSource.DEFAULT
        return V.check_top_k(value, n if isinstance(n, int) and given else None, _name(param))


class _OutFile(_Checked):
    """An output file checked before any work: existing writable directory, accepted suffix."""

    name = "path"

    def __init__(self, suffixes=None, figure: bool = False):
        self.suffixes, self.figure = suffixes, figure

    def check(self, value, name, ctx):
        return V.check_output_path(name, value, suffixes=self.suffixes, figure=self.figure)


class _OutDir(_Checked):
    name = "directory"

    def check(self, value, name, ctx):
        return V.check_output_dir(name, value)


COUNT = Count()
DIMENSION = Count(2, V.MAX_D)
BETA = _Real(V.check_beta)
LAM = _Real(V.check_lam)
SEED = _Seed()
WORKERS = _Workers()
TOP_K = _TopK()
FIGURE_PATH = _OutFile(figure=True)
NPZ_PATH = _OutFile(suffixes=("npz",))
OUT_DIR = _OutDir()


@contextmanager
def one_line_warnings():
    """Inside, every warning prints at once as one line ``warning: <message>`` on stderr — never numpy's
    raw ``file:line: RuntimeWarning`` followed by a source line; each message once."""
    seen = set()

    def show(message, category, filename, lineno, file=None, line=None):
        msg = " ".join(str(message).split())
        if msg not in seen:
            seen.add(msg)
            click.echo(f"warning: {msg}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


def law_option(f):
    """``--law uniform|vmf:KAPPA[:ANGLE]|subsphere:K|file:PATH``."""
    return click.option("--law", default="uniform", show_default=True, help=f"Key law: {law_forms()}.")(f)


def setting_options(f):
    """The setting of one query against n keys: ``--d --n (--beta | --lam) --law``."""
    for option in reversed([
        click.option("--d", "d", type=DIMENSION, required=True, help=f"Dimension d in [2, {V.MAX_D}] (keys on S^{{d-1}})."),
        click.option("--n", "n", type=COUNT, required=True, help="Number of keys n in [1, 1e18] (accepts 1e6)."),
        click.option("--beta", type=BETA, default=None, help="Inverse temperature beta in [0, 1e30]."),
        click.option("--lam", type=LAM, default=None,
                     help="lambda in [1e-6, 1e6]: beta = lambda * beta*_n of the key law."),
        law_option,
    ]):
        f = option(f)
    return f


def build_law(text: str, d: int):
    """The key law named on the command line (validated; bad input raises InputError)."""
    return parse_law(text, d)


def print_json(obj) -> None:
    """One JSON object on stdout."""
    click.echo(json.dumps(to_jsonable(obj), allow_nan=False))


def print_table(title: str, columns, rows, *, keys: int = 1, width: int | None = None) -> None:
    """A rich table on stdout that fits the terminal without cutting a cell (never rich's '…').

    Cells are measured first; when the table is wider than the console a cell's interval or standard error
    goes to a second line (``0.48 [0.45, 0.5]`` → ``0.48`` over ``[0.45, 0.5]``; ``x ± se`` → ``x`` over ``± se``)
    and headers wrap at spaces; if that is still too wide, the columns are split into several tables, each
    repeating the first ``keys`` (key) columns. A cell wider than the whole console (none of ours) folds
    onto further lines, whole.

    Parameters
    ----------
    title : str
        The table's title (the split tables add "(part i of k)").
    columns : list of str
        Column headers.
    rows : iterable of sequence
        Cells (str, int, float or None; formatted by ``_fmt``).
    keys : int
        Leading columns repeated in every part of a split table.
    width : int, optional
        Console width (default the terminal's, ``COLUMNS`` when set).
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(width=width) if width is not None else Console()
    columns = list(columns)
    cells = [[_fmt(v) for v in row] for row in rows]
    parts, headers, cells = _layout(columns, cells, console.width, keys)
    for i, part in enumerate(parts):
        label = title if len(parts) == 1 else f"{title} (part {i + 1} of {len(parts)})"
        table = Table(title=Text(label))  # Text, never markup: "E[max weight]" and "[lo, hi]" print as written
        for j in part:
            table.add_column(Text(headers[j]), justify="right" if columns[j] not in ("statistic", "claim", "key", "parameter",
                                                                                "quantity") else "left",
                             overflow="fold")
        for row in cells:
            table.add_row(*[Text(row[j]) for j in part])
        console.print(table)


def _line_width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(x) for x in text.split("\n")), default=0)


def _split_cell(text: str) -> str:
    """A value with an interval or a standard error, as two lines: the value, then the rest."""
    for mark in (" [", " ± ", " ("):
        i = text.find(mark)
        if i > 0:
            return text[:i] + "\n" + text[i + 1:]
    return text


def _wrap_header(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` cells, broken at spaces (a word longer than that stays whole)."""
    lines: list = []
    for word in text.split(" "):
        if lines and _line_width(lines[-1] + " " + word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _layout(columns, cells, width, keys):
    """(parts, headers, cells): column index groups, each fitting ``width`` with the first ``keys`` columns
    repeated; headers wrapped; cells split onto two lines when that is needed to fit (see :func:`print_table`)."""
    ncol = len(columns)
    keys = max(0, min(keys, ncol))

    def widths(cells, headers):
        out = []
        for j in range(ncol):
            body = max((_line_width(r[j]) for r in cells), default=0)
            out.append(max(body, _line_width(headers[j])))
        return out

    def fits(ws):
        return sum(ws) + 3 * len(ws) + 1 <= width

    headers = list(columns)
    ws = widths(cells, headers)
    if fits(ws):
        return [list(range(ncol))], headers, cells
    # headers wrapped at spaces to the width of their column's cells (at least their longest word)
    body = widths(cells, [""] * ncol)
    headers = [_wrap_header(h, max(body[j], max(_line_width(w) for w in h.split(" ")))) for j, h in enumerate(columns)]
    ws = widths(cells, headers)
    if not fits(ws):  # intervals and standard errors on a second line
        cells = [[_split_cell(c) for c in row] for row in cells]
        body = widths(cells, [""] * ncol)
        headers = [_wrap_header(h, max(body[j], max(_line_width(w) for w in h.split(" "))))
                   for j, h in enumerate(columns)]
        ws = widths(cells, headers)
    if fits(ws):
        return [list(range(ncol))], headers, cells
    parts, current = [], list(range(keys))
    for j in range(keys, ncol):
        if len(current) > keys and not fits([ws[i] for i in current + [j]]):
            parts.append(current)
            current = list(range(keys))
        current.append(j)
    parts.append(current)
    return parts, headers, cells


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
    """Yield ``callback(done, total, stage=None)`` that shows a progress bar on stderr once work has run
    ``delay`` seconds (short runs print nothing). A ``stage`` (e.g. "forward pass", "heads") names the bar
    of that part of the work: a new stage starts a new bar under ``description``.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    start = time.monotonic()
    state: dict = {"tasks": {}}

    def callback(done: int, total: int, stage: str | None = None) -> None:
        if "bar" not in state:
            if time.monotonic() - start < delay or done >= total:
                return
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           console=Console(file=sys.stderr), transient=True)
            bar.start()
            state["bar"] = bar
        tasks = state["tasks"]
        if stage not in tasks:
            tasks[stage] = state["bar"].add_task(description if stage is None else f"{description}: {stage}", total=total)
        state["bar"].update(tasks[stage], completed=done, total=total)

    try:
        yield callback
    finally:
        if "bar" in state:
            state["bar"].stop()
