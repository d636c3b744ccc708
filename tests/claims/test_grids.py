"""reproduce grids: a sweep in its own section of the run's one store, seeded by the whole root seed."""

from __future__ import annotations

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.claims import Context
from attnlimits.sweep._store import UnitStore
from attnlimits.claims._grids import run_grid
from attnlimits.sweep import SweepSpec, register_cell_kind, run_sweep, sweep_status


def draw_cell(params: dict, seed) -> dict:
    """A cheap cell kind: one uniform draw from the cell's seed."""
    return {"u": float(np.random.default_rng(seed).random()), "a2": params["a"] * 2}


register_cell_kind("test-grid-draw", draw_cell)


def test_grid_goes_into_the_store_of_the_run_and_resumes(tmp_path):
    store = UnitStore(tmp_path / "run" / "store.sqlite")
    calls = []
    ctx = Context(quick=True, seed=4, store=store, progress=lambda d, t: calls.append((d, t)), directory=tmp_path / "x")
    rows = run_grid(ctx, "demo", "test-grid-draw", {"a": [1, 2, 3]}, {})
    assert [r["a2"] for r in rows] == [2, 4, 6] and calls[-1] == (3, 3)
    assert sweep_status(store.path, section="demo-quick-seed4")["done"] == 3
    assert not (tmp_path / "x").exists()  # no second store: the grid is in the run's file
    calls.clear()
    assert run_grid(ctx, "demo", "test-grid-draw", {"a": [1, 2, 3]}, {}) == rows and calls == [(3, 3)]
    store.close()


def test_grid_seed_is_the_whole_root_entropy(tmp_path):
    big = 2**64 + 3  # the old code kept entropy % 2**63
    rows = run_grid(Context(seed=big, directory=tmp_path), "g", "test-grid-draw", {"a": [1, 2]}, {})
    direct = run_sweep(SweepSpec(name="reproduce-g", seed=big, kind="test-grid-draw", grid={"a": [1, 2]}),
                       tmp_path / "direct.sqlite")
    truncated = run_sweep(SweepSpec(name="reproduce-g", seed=big % (1 << 63), kind="test-grid-draw",
                                    grid={"a": [1, 2]}), tmp_path / "truncated.sqlite")
    assert [r["u"] for r in rows] == [r["u"] for r in direct] != [r["u"] for r in truncated]
    assert (tmp_path / "store.sqlite").is_file()


def test_grid_refuses_a_root_it_cannot_pass_on(tmp_path):
    ctx = Context(seed=np.random.SeedSequence(3, spawn_key=(1,)), directory=tmp_path)
    with pytest.raises(InputError, match="integer root seed"):
        run_grid(ctx, "g", "test-grid-draw", {"a": [1]}, {})
