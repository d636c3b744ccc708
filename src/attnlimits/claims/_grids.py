"""Grids of ``reproduce`` through the sweep machinery (:mod:`attnlimits.sweep`): each grid is a sweep with its
own SQLite store under ``DIR/sweeps``, so an interrupted run resumes cell by cell, and ``--workers`` spreads
the cells over local processes. Two cell kinds are registered here:

- ``reproduce-beta-half``: β̂_1/2(n) with its SE for one (law, d, n) by common random numbers
  (:func:`~attnlimits.claims.estimate_beta_half`);
- ``reproduce-phase-row``: one row of the phase diagram (mean max weight on a β grid and β̂_1/2).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ..laws import parse_law
from ._halfweight import estimate_beta_half

__all__ = ["run_grid", "beta_half_cell", "phase_row_cell", "phase_betas"]


def beta_half_cell(params: dict, seed) -> dict:
    """Cell kind ``reproduce-beta-half``: params ``law, d, n, samples`` (and ``method``)."""
    law = parse_law(params["law"], int(params["d"]))
    n = int(params["n"])
    guess = law.critical_beta(n) * max(0.2, law.local_exponent)
    est, _ = estimate_beta_half(law, n, int(params["samples"]), seed, guess, method=params.get("method", "orderstat"))
    return {k: v for k, v in est.to_dict().items() if k not in ("n", "method")}


def phase_betas(lo: float, hi: float, count: int) -> np.ndarray:
    """The β grid of the phase diagram: ``count`` points log-spaced from 10^lo to 10^hi."""
    return np.logspace(lo, hi, int(count))


def phase_row_cell(params: dict, seed) -> dict:
    """Cell kind ``reproduce-phase-row``: params ``law, d, n, samples, beta_lo, beta_hi, beta_count``; returns
    ``beta_half, log_se`` and ``w_00…`` (mean max weight per β, None where the row is not simulated)."""
    from ._phase import phase_row

    law = parse_law(params["law"], int(params["d"]))
    betas = phase_betas(params["beta_lo"], params["beta_hi"], params["beta_count"])
    row = phase_row(law, int(params["n"]), int(params["samples"]), seed, betas)
    out = {"beta_half": row["beta_half"], "log_se": row["log_se"]}
    out.update({f"w_{i:02d}": (None if np.isnan(m) else float(m)) for i, m in enumerate(row["mean"])})
    return out


_KINDS = {"reproduce-beta-half": beta_half_cell, "reproduce-phase-row": phase_row_cell}


def _register():
    from ..sweep import register_cell_kind

    for name, fn in _KINDS.items():
        register_cell_kind(name, fn, replace=True)


def run_grid(ctx, name: str, kind: str, grid: dict, options: dict) -> list:
    """Run the cells of ``grid`` (cartesian product) of cell kind ``kind`` as the sweep ``name``; return one row
    per cell in grid order (grid values under their names, then the cell's results)."""
    from ..sweep import SweepSpec, run_sweep

    _register()
    seed = int(ctx.root.entropy) % (1 << 63)
    spec = SweepSpec(name=f"reproduce-{name}", seed=seed, kind=kind, grid=grid, options=options)
    directory = ctx.directory if ctx.directory is not None else Path(tempfile.mkdtemp(prefix="attnlimits-"))
    path = Path(directory) / "sweeps" / f"{name}-{'quick' if ctx.quick else 'default'}-seed{seed}.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    return run_sweep(spec, path, workers=ctx.workers, progress=ctx.progress)
