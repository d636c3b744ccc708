"""Export a store as one table: grid parameters as columns under their own names, then every result
(``{stat}_mean``, ``{stat}_se``, ...), then ``elapsed`` and ``version``."""

from __future__ import annotations

import csv
from pathlib import Path

from .._validation import InputError, check_choice
from ._run import read_rows

__all__ = ["export_store", "EXPORT_FORMATS", "table_columns"]

EXPORT_FORMATS = ("csv", "parquet")


def table_columns(rows: list[dict]) -> list[str]:
    """Columns in first-seen order, with ``elapsed`` and ``version`` last."""
    cols: dict = {}
    for r in rows:
        for k in r:
            cols.setdefault(k, None)
    tail = [c for c in ("elapsed", "version") if c in cols]
    return [c for c in cols if c not in tail] + tail


def export_store(store_path, out, fmt: str = "csv", *, section: str = "") -> int:
    """Write every stored cell of a sweep store to a table file, one row per cell (:func:`read_rows`).

    Parameters
    ----------
    store_path : str or pathlib.Path
        The SQLite store (it must exist).
    out : str or pathlib.Path
        The file to write (its folder must exist).
    fmt : {"csv", "parquet"}
        csv, or parquet through pyarrow (imported here only; extra ``parquet``).
    section : str
        The sweep's section of the store file ("": the file's only sweep), e.g. a grid of a reproduce run's
        ``DIR/store.sqlite``.

    Returns
    -------
    int
        The number of rows written.

    Raises
    ------
    InputError
        For an unknown format, a missing folder or store, or parquet without pyarrow.
    """
    check_choice("format", fmt, EXPORT_FORMATS)
    rows = read_rows(store_path, section=section)
    cols = table_columns(rows)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise InputError(f"invalid out={str(out)!r}: no such directory {str(out.parent)!r}")
    if fmt == "csv":
        with out.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols, restval="")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: ("" if v is None else (repr(v) if isinstance(v, float) else v))
                                 for k, v in r.items()})
        return len(rows)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("invalid format='parquet': pyarrow is not installed (pip install 'attnlimits[parquet]')") from None
    columns = {c: [r.get(c) for r in rows] for c in cols}
    for c, values in columns.items():
        # ints and floats mixed in one column (e.g. beta = 0 and 0.5) become floats
        if any(isinstance(v, float) for v in values) and all(v is None or isinstance(v, (int, float)) and
                                                             not isinstance(v, bool) for v in values):
            columns[c] = [None if v is None else float(v) for v in values]
    pq.write_table(pa.table(columns), out)
    return len(rows)
