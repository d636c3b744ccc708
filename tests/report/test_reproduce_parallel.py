"""Claims run side by side in spawned processes give the numbers of a run in one process."""

from __future__ import annotations

import json

import pytest

from attnlimits import _reproduce
from attnlimits import reproduce


def test_side_by_side_claims_equal_one_process(tmp_path, monkeypatch):
    only = "sub-lln-bias,local-not-global"
    reproduce(tmp_path / "two", quick=True, seed=2, only=only)
    monkeypatch.setattr(_reproduce, "_processes", lambda claims: 1)
    reproduce(tmp_path / "one", quick=True, seed=2, only=only)
    two, one = (json.loads((tmp_path / d / "claims.json").read_text()) for d in ("two", "one"))
    assert [r["id"] for r in two] == [r["id"] for r in one] and {r["id"] for r in one} == set(only.split(","))
    # Equal to rounding: numpy's SIMD reductions may differ in the last bit with the arrays' alignment,
    # which differs between processes; anything the scheduling could change is far above 1e-12.
    assert [(r["case"], r["verdict"]) for r in two] == [(r["case"], r["verdict"]) for r in one]
    for a, b in zip(two, one):
        assert a["measured"] == pytest.approx(b["measured"], rel=1e-12, abs=1e-300)
        assert a["se"] == pytest.approx(b["se"], rel=1e-12, abs=1e-300)
    assert sorted(p.name for p in (tmp_path / "two" / "figures").glob("*.png")) == \
        sorted(p.name for p in (tmp_path / "one" / "figures").glob("*.png"))


def test_a_real_keys_section_that_raises_is_reported_not_fatal(tmp_path):
    from attnlimits._reproduce import _section_failed
    from attnlimits.report import write_report

    with pytest.warns(RuntimeWarning, match="real-keys section could not run"):
        extra = _section_failed(ValueError("SVD did not converge"))
    (tmp_path / "figures").mkdir()
    html = write_report(tmp_path, [], {"quick": False, "seed": 0, "version": "x", "elapsed": 1.0},
                        extras=[extra]).read_text()
    assert "could not run: ValueError: SVD did not converge" in html


def _thread_counts():
    """torch's intra-op threads and every loaded BLAS/OpenMP pool's threads, in this process."""
    import threadpoolctl
    import torch

    return torch.get_num_threads(), {(i["internal_api"], i["num_threads"]) for i in threadpoolctl.threadpool_info()}


def test_side_by_side_processes_use_one_thread_each():
    """Two processes on two cores: a second thread per process would only spin, so torch (loaded after the
    initializer) and BLAS (loaded before it, with numpy) run one thread each."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    pytest.importorskip("torch")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_reproduce._worker_init,
                             initargs=(os.getpid(),)) as pool:
        torch_threads, pools = pool.submit(_thread_counts).result()
    assert torch_threads == 1
    assert pools and {n for _, n in pools} == {1}
