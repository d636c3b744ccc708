"""Grids of ``reproduce`` through the sweep machinery (:mod:`attnlimits.sweep`): each grid is a sweep in its own
section of the run's store (``DIR/store.sqlite``, beside the claims' work units), so an interrupted run
resumes cell by cell, and ``--workers`` spreads the cells over local processes. Each claim registers the
cell kinds of its grids in its own module (``Claim.cell_kind``: ``reproduce-phase-row`` in
``attnlimits.claims.paper.phase_diagram``, ``reproduce-beta-half`` in ``attnlimits.claims.paper.critical_exponent``)
and runs them by ``Claim.grid``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .._validation import InputError

__all__ = ["run_grid"]


def run_grid(ctx, name: str, kind: str, grid: dict, options: dict) -> list:
    """Run the cells of ``grid`` (cartesian product) of the registered cell kind ``kind`` as a sweep.

    Parameters
    ----------
    ctx : Context
        The run: its root seed (an integer root: the sweep seed, kept whole), quick flag, workers, progress,
        and its store (the grid's section is written to the store's file; without a store, to
        ``ctx.directory/store.sqlite`` or a temporary folder).
    name : str
        The grid's name; the sweep is ``reproduce-NAME`` in section ``NAME-quick|default-seedSEED``.
    kind : str
        A registered cell kind.
    grid, options : dict
        The sweep's grid (parameter → list of values) and the kind's options.

    Returns
    -------
    list of dict
        One row per cell in grid order (grid values under their names, then the cell's results).
    """
    from ..sweep import SweepSpec, run_sweep

    root = ctx.root
    if not isinstance(root.entropy, int) or tuple(root.spawn_key):
        raise InputError(f"invalid seed={root!r}: a reproduce grid needs an integer root seed (no spawn key)")
    spec = SweepSpec(name=f"reproduce-{name}", seed=root.entropy, kind=kind, grid=grid, options=options)
    path = getattr(ctx.store, "path", None)
    if path is None:
        directory = ctx.directory if ctx.directory is not None else Path(tempfile.mkdtemp(prefix="attnlimits-"))
        path = Path(directory) / "store.sqlite"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    section = f"{name}-{'quick' if ctx.quick else 'default'}-seed{root.entropy}"
    return run_sweep(spec, path, workers=ctx.workers, progress=ctx.progress, section=section)
