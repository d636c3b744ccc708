"""Run a sweep through a store: compute the missing cells, commit each as it finishes, return the rows."""

from __future__ import annotations

import json

from .._validation import InputError, check_int
from ._executors import execute_dask, execute_local
from ._kinds import get_cell_kind
from ._spec import SweepSpec, cell_key
from ._store import SweepStore

__all__ = ["run_sweep", "sweep_status", "read_rows", "row_of"]


def _version() -> str:
    from .. import __version__

    return __version__


def row_of(stored: dict, order=()) -> dict:
    """A flat row: the grid parameters under their own names (those in ``order`` first, in that order),
    then the results (a result named like a parameter is dropped: the parameter wins), then ``elapsed``
    and ``version``."""
    params = stored["params"]
    row = {k: params[k] for k in order if k in params}
    row.update({k: v for k, v in params.items() if k not in row})
    for k, v in stored["results"].items():
        row.setdefault(k, v)
    row["elapsed"] = stored["elapsed"]
    row["version"] = stored["version"]
    return row


def run_sweep(spec: SweepSpec, store_path, *, workers: int = 1, scheduler: str | None = None,
              progress=None, section: str = "") -> list[dict]:
    """Compute every cell of ``spec`` missing from the store at ``store_path``; return all its rows.

    Parameters
    ----------
    spec : SweepSpec
        The sweep (its kind must be registered in this process; worker processes import the kind's
        function by reference).
    store_path : str or Path
        SQLite store; created if missing. Its recorded definition must equal ``spec``'s (grid excepted).
    workers : int
        Local processes (1: in this process). Ignored with ``scheduler``.
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask distributed scheduler to send the cells to instead.
    progress : callable, optional
        ``progress(done, total)`` after each cell (``done`` counts cells already in the store).
    section : str
        The sweep's section of the store file ("": the file's only sweep; see ``SweepStore``).

    Returns
    -------
    list of dict
        One row per cell of the grid, in grid order (see ``row_of``).

    Raises
    ------
    StoreBusy
        Another runner holds the store.
    DefinitionMismatch
        The store was made by a different definition.
    """
    if not isinstance(spec, SweepSpec):
        raise InputError(f"invalid spec={spec!r}: expected a SweepSpec")
    workers = check_int("workers", workers, minimum=1)
    if scheduler is not None and (not isinstance(scheduler, str) or "://" not in scheduler):
        raise InputError(f"invalid scheduler={scheduler!r}: expected an address like tcp://HOST:PORT")
    kind = get_cell_kind(spec.kind)
    cells = spec.cells()
    version = _version()
    with SweepStore(store_path, section=section) as store:
        store.acquire()
        store.bind(spec)
        done = store.done_keys()
        todo = [c for c in cells if c.key not in done]
        by_key = {c.key: c for c in todo}
        total = len(cells)
        count = [total - len(todo)]
        if progress:
            progress(count[0], total)

        def tasks():
            for c in todo:
                yield (kind.function, {**spec.options, **c.params}, c.seed, c.key)

        def on_result(result):
            key, results, elapsed = result
            store.insert(key, by_key[key].json, results, elapsed, version)
            count[0] += 1
            if progress:
                progress(count[0], total)

        if todo:
            if scheduler is not None:
                execute_dask(tasks(), on_result, scheduler)
            else:
                execute_local(tasks(), on_result, workers=min(workers, len(todo)))
        stored = {r["key"]: r for r in store.rows()}
    return [row_of(stored[c.key], spec.grid) for c in cells]


def read_rows(store_path, *, grid_only: bool = False, section: str = "") -> list[dict]:
    """Every stored cell of a sweep store as a flat row: cells of the current grid in grid order, then (unless
    ``grid_only``) cells of earlier grids in the order they finished.

    Parameters
    ----------
    store_path : str or pathlib.Path
        The SQLite store (it must exist).
    grid_only : bool
        Only the cells of the current grid.
    section : str
        The sweep's section of the store file ("": the file's only sweep).

    Returns
    -------
    list of dict
        One row per cell: its grid parameters, its results, ``elapsed`` and ``version`` (``row_of``).
    """
    with SweepStore(store_path, create=False, section=section) as store:
        meta = store.meta()
        stored = store.rows()
    order = {key: i for i, key in enumerate(_grid_keys(meta))}
    inside = sorted((r for r in stored if r["key"] in order), key=lambda r: order[r["key"]])
    outside = [] if grid_only else [r for r in stored if r["key"] not in order]
    return [row_of(r, meta.get("grid") or {}) for r in inside + outside]


def _grid_keys(meta: dict) -> list[str]:
    import itertools

    grid = meta.get("grid") or {}
    keys = list(grid)
    return [cell_key(dict(zip(keys, combo))) for combo in itertools.product(*(grid[k] for k in keys))]


def sweep_status(store_path, *, section: str = "") -> dict:
    """Progress of a sweep store's current grid.

    Parameters
    ----------
    store_path : str or pathlib.Path
        The SQLite store (it must exist).
    section : str
        The sweep's section of the store file ("": the file's only sweep), e.g. a grid of a reproduce run's
        ``DIR/store.sqlite``.

    Returns
    -------
    dict
        ``store``, ``name``, ``kind``, ``seed``, ``options``; ``done`` and ``total`` cells of the current grid;
        ``other``: stored cells outside it; ``elapsed``: summed compute seconds of the stored cells;
        ``by_parameter``: per grid parameter, a list of ``{"value", "done", "total"}``.
    """
    with SweepStore(store_path, create=False, section=section) as store:
        meta = store.meta()
        stored = {r["key"]: r for r in store.rows()}
    grid = meta.get("grid") or {}
    keys = _grid_keys(meta)
    import itertools

    by_param = {p: {json.dumps(v): {"value": v, "done": 0, "total": 0} for v in vals} for p, vals in grid.items()}
    done = 0
    names = list(grid)
    for key, combo in zip(keys, itertools.product(*(grid[k] for k in names))):
        finished = key in stored
        done += finished
        for p, v in zip(names, combo):
            entry = by_param[p][json.dumps(v)]
            entry["total"] += 1
            entry["done"] += finished
    definition = meta.get("definition", {})
    in_grid = set(keys)
    return {"store": str(store_path), "name": definition.get("name"), "kind": definition.get("kind"),
            "seed": definition.get("seed"), "options": definition.get("options", {}),
            "done": done, "total": len(keys), "other": sum(1 for k in stored if k not in in_grid),
            "elapsed": sum(r["elapsed"] for r in stored.values()),
            "by_parameter": {p: list(v.values()) for p, v in by_param.items()}}
