"""The store: resume, extended grids, changed definitions, the runner lock, status, export, custom kinds."""

from __future__ import annotations

import csv
import json
import math

import pytest

from attnlimits.sweep import (DefinitionMismatch, StoreBusy, SweepSpec, export_store, read_rows, register_cell_kind,
                              run_sweep, sweep_status)
from attnlimits.sweep._store import SweepStore
from sweep_helpers import comparable, demo_text, integrity_ok, stored_count, write_sweep  # noqa: F401 (fixture)

GRID = {"d": [3, 5], "n": [100, 1000], "lam": [0.5, 2.0]}


def spec(grid=GRID, **options):
    return SweepSpec(name="t", seed=11, grid=grid, options={"samples": 8, **options})


def test_rows_have_every_statistic_and_match_simulate(tmp_path):
    from attnlimits import STATISTICS, UniformSphere, simulate
    from attnlimits.sweep._spec import cell_seed

    rows = run_sweep(spec(), tmp_path / "s.db")
    assert len(rows) == 8
    for stat in STATISTICS:
        assert all(f"{stat}_mean" in r and f"{stat}_se" in r for r in rows)
    r = rows[5]
    params = {k: r[k] for k in ("d", "n", "lam", "law")}
    res = simulate(UniformSphere(r["d"]), r["n"], lam=r["lam"], samples=8, seed=cell_seed(11, params))
    assert r["max_weight_mean"] == res.max_weight.mean and r["ipr_se"] == res.ipr.se
    assert r["beta"] == res.beta and r["method"] == "exact"


def test_rerun_computes_nothing_and_extension_adds_only_new_cells(tmp_path):
    store = tmp_path / "s.db"
    first = run_sweep(spec(), store)
    calls = []
    again = run_sweep(spec(), store, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(8, 8)] and again == first
    bigger = dict(GRID, n=[100, 1000, 3000], lam=[2.0, 0.5, 1.0])
    calls.clear()
    rows = run_sweep(spec(bigger), store, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (8, 18) and calls[-1] == (18, 18) and len(calls) == 11
    old, new = comparable(first), comparable(rows)
    assert all(new[k] == v for k, v in old.items())
    # elapsed of old cells is untouched: they were not recomputed
    by_key = {(r["d"], r["n"], r["lam"]): r["elapsed"] for r in rows}
    assert all(by_key[(r["d"], r["n"], r["lam"])] == r["elapsed"] for r in first)
    # the same cells computed in a fresh store, in another order, are identical
    fresh = run_sweep(spec({"lam": [1.0, 2.0, 0.5], "n": [3000, 1000, 100], "d": [5, 3]}), tmp_path / "f.db")
    assert comparable(fresh) == new
    assert stored_count(store) == 18 and integrity_ok(store)


def test_changed_definition_is_refused(tmp_path, cli, write_sweep):
    store = tmp_path / "s.db"
    run_sweep(spec(), store)
    with pytest.raises(DefinitionMismatch, match=r"samples 8 -> 9"):
        run_sweep(spec(samples=9), store)
    proc = cli("sweep", "run", write_sweep(demo_text()), "--store", store)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "different sweep definition" in line and "name 't' -> 'demo'" in line and "seed 11 -> 7" in line
    assert stored_count(store) == 8


def test_second_runner_is_refused_while_the_lock_is_held(tmp_path, cli, write_sweep):
    store = tmp_path / "s.db"
    holder = SweepStore(store)
    holder.acquire()
    try:
        with pytest.raises(StoreBusy, match="in use by another runner"):
            run_sweep(spec(), store)
        proc = cli("sweep", "run", write_sweep(demo_text()), "--store", store)
        assert proc.returncode == 3
        (line,) = proc.stderr.strip().splitlines()
        assert "in use by another runner" in line
    finally:
        holder.close()
    assert len(run_sweep(spec(), store)) == 8  # the lock went with its holder


def test_status_counts_done_over_total(tmp_path, cli, cli_json):
    store = tmp_path / "s.db"
    run_sweep(spec({"d": [3], "n": [100], "lam": [0.5, 2.0]}), store)
    run_sweep_partial = spec(GRID)
    with SweepStore(store) as s:
        s.bind(run_sweep_partial)  # record the bigger grid without computing it
    st = sweep_status(store)
    assert (st["done"], st["total"], st["other"]) == (2, 8, 0)
    assert st["by_parameter"]["d"] == [{"value": 3, "done": 2, "total": 4}, {"value": 5, "done": 0, "total": 4}]
    assert cli_json("sweep", "status", "--store", store)["by_parameter"] == st["by_parameter"]
    out = cli("sweep", "status", "--store", store, check=True).stdout
    assert "2/8" in out and "0/4" in out


def test_export_csv_and_parquet(tmp_path, cli_json):
    store = tmp_path / "s.db"
    rows = run_sweep(spec(), store)
    out = tmp_path / "t.csv"
    assert cli_json("sweep", "export", "--store", store, "--format", "csv", "--out", out)["rows"] == 8
    with out.open() as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0])[:4] == ["d", "n", "lam", "law"]
    assert list(table[0])[-2:] == ["elapsed", "version"]
    assert [float(t["max_weight_mean"]) for t in table] == [r["max_weight_mean"] for r in rows]
    assert [float(t["entropy_se"]) for t in table] == [r["entropy_se"] for r in rows]
    pq = pytest.importorskip("pyarrow.parquet")
    export_store(store, tmp_path / "t.parquet", "parquet")
    got = pq.read_table(tmp_path / "t.parquet").to_pylist()
    assert [{k: v for k, v in g.items()} for g in got] == read_rows(store)


def square_cell(params, seed):
    """A custom kind for the tests: a deterministic function of the cell's seed."""
    import numpy as np

    x = np.random.default_rng(seed).random()
    return {"value": params["a"] * x, "scale": params["scale"], "label": "ok"}


def check_square(options, grid):
    from attnlimits import InputError

    if not isinstance(options.get("scale"), (int, float)):
        raise InputError(f"invalid options.scale={options.get('scale')!r}: expected a number")
    return options, grid


def test_custom_kinds_are_resumable(tmp_path):
    register_cell_kind("test-square", square_cell, validate=check_square)
    s = SweepSpec.from_dict({"sweep": {"name": "sq", "seed": 5, "kind": "test-square"},
                             "grid": {"a": [1, 2, 3]}, "options": {"scale": 2.5}})
    rows = run_sweep(s, tmp_path / "k.db")
    assert [r["a"] for r in rows] == [1, 2, 3] and all(r["label"] == "ok" and r["scale"] == 2.5 for r in rows)
    assert rows[1]["value"] / rows[1]["a"] != rows[0]["value"] / rows[0]["a"]
    s2 = SweepSpec.from_dict({"sweep": {"name": "sq", "seed": 5, "kind": "test-square"},
                              "grid": {"a": [3, 4]}, "options": {"scale": 2.5}})
    rows2 = run_sweep(s2, tmp_path / "k.db")
    assert rows2[0] == rows[2]
    assert sweep_status(tmp_path / "k.db")["other"] == 2
    from attnlimits import InputError

    with pytest.raises(InputError, match="options.scale"):
        SweepSpec.from_dict({"sweep": {"seed": 5, "kind": "test-square"}, "grid": {"a": [1]}})


def test_single_sample_gives_null_se_and_json_store(tmp_path):
    rows = run_sweep(spec({"d": [3], "n": [10], "beta": [0.0, 1.5]}, samples=1), tmp_path / "s.db")
    assert all(r["max_weight_se"] is None for r in rows)
    assert rows[0]["max_weight_mean"] == pytest.approx(0.1) and not math.isnan(rows[1]["max_weight_mean"])
    assert "lam" in rows[0]  # resolved λ stored as a result
    assert json.loads(json.dumps(rows[0])) == rows[0]
