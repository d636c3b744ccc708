"""Sweeps: grids of cells, run locally or on Dask, stored resumably in SQLite (``attnlimits sweep``).

>>> from attnlimits.sweep import SweepSpec
>>> spec = SweepSpec(name="demo", seed=7, grid={"d": [3, 5], "n": [1000], "lam": [0.5, 1.0]},
...                  options={"samples": 20})
>>> len(spec), spec.cells()[0].params
(4, {'d': 3, 'n': 1000, 'lam': 0.5, 'law': 'uniform'})
"""

from ._export import EXPORT_FORMATS, export_store
from ._kinds import CellKind, register_cell_kind
from ._run import read_rows, run_sweep, sweep_status
from ._spec import Cell, SweepSpec, load_spec
from ._store import DefinitionMismatch, StoreBusy

__all__ = [
    "Cell",
    "CellKind",
    "DefinitionMismatch",
    "EXPORT_FORMATS",
    "StoreBusy",
    "SweepSpec",
    "export_store",
    "load_spec",
    "read_rows",
    "register_cell_kind",
    "run_sweep",
    "sweep_status",
]
