"""Sweeps: grids of cells, run locally or on Dask, stored resumably in SQLite (``attnlimits sweep``).

>>> from attnlimits.sweep import SweepSpec
>>> spec = SweepSpec(name="demo", seed=7, grid={"d": [3, 5], "n": [1000], "lam": [0.5, 1.0]},
...                  options={"samples": 20})
>>> len(spec), spec.cells()[0].params
(4, {'d': 3, 'n': 1000, 'lam': 0.5, 'law': 'uniform'})
"""

from ._export import EXPORT_FORMATS, export_store, table_columns
from ._kinds import SIMULATE_OPTIONS, CellKind, cell_kinds, get_cell_kind, register_cell_kind, simulate_cell
from ._run import read_rows, run_sweep, sweep_status
from ._spec import Cell, SweepSpec, canonical_json, cell_seed, load_spec
from ._store import DefinitionMismatch, StoreBusy, SweepStore, UnitStore

__all__ = [
    "Cell",
    "CellKind",
    "DefinitionMismatch",
    "EXPORT_FORMATS",
    "SIMULATE_OPTIONS",
    "StoreBusy",
    "SweepSpec",
    "SweepStore",
    "canonical_json",
    "cell_kinds",
    "cell_seed",
    "export_store",
    "get_cell_kind",
    "load_spec",
    "read_rows",
    "register_cell_kind",
    "run_sweep",
    "simulate_cell",
    "sweep_status",
    "table_columns",
    "UnitStore",
]
