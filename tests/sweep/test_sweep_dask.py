"""A real Dask distributed cluster (processes on loopback) gives the rows of the local pool."""

from __future__ import annotations

import pytest

from attnlimits import InputError
from attnlimits.sweep import SweepSpec, read_rows, run_sweep
from conftest import run_cli_json
from sweep_helpers import comparable, integrity_ok, stored_count, write_sweep  # noqa: F401 (fixture)

SPEC = dict(name="dask", seed=21, grid={"d": [3, 4], "n": [500, 2000], "lam": [0.5, 1.0, 3.0]},
            options={"samples": 6})


SPEC_TOML = """
[sweep]
name = "dask"
seed = 21
samples = 6
[grid]
d = [3, 4]
n = [500, 2000]
lam = [0.5, 1.0, 3.0]
"""


def test_local_cluster_rows_equal_local_pool_rows(tmp_path, write_sweep):
    distributed = pytest.importorskip("distributed")
    spec = SweepSpec(**SPEC)
    pool_rows = run_sweep(spec, tmp_path / "pool.db", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        seen = []
        dask_rows = run_sweep(spec, tmp_path / "dask.db", scheduler=cluster.scheduler_address,
                              progress=lambda done, total: seen.append(done))
        sweep = write_sweep(SPEC_TOML)
        out = run_cli_json("sweep", "run", sweep, "--store", tmp_path / "cli.db", "--scheduler",
                           cluster.scheduler_address)
    assert (out["computed"], out["done"], out["total"]) == (12, 12, 12)
    assert comparable(read_rows(tmp_path / "cli.db")) == comparable(pool_rows)
    assert seen == list(range(13))
    assert len(dask_rows) == 12 and comparable(dask_rows) == comparable(pool_rows)
    assert [r["d"] for r in dask_rows] == [r["d"] for r in pool_rows]  # rows come back in grid order
    assert stored_count(tmp_path / "dask.db") == 12 and integrity_ok(tmp_path / "dask.db")
    # and the single-process path agrees too
    assert comparable(run_sweep(spec, tmp_path / "one.db", workers=1)) == comparable(pool_rows)


def test_bad_scheduler_address(tmp_path):
    with pytest.raises(InputError, match="scheduler"):
        run_sweep(SweepSpec(**SPEC), tmp_path / "s.db", scheduler="localhost:1")
