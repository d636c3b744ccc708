"""Safety: SIGKILL a runner mid-sweep and resume; two runners at once on one store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from attnlimits.sweep import load_spec, read_rows, run_sweep
from sweep_helpers import SRC, comparable, demo_text, integrity_ok, stored_count, write_sweep  # noqa: F401 (fixture)

# 16 cells of ~0.1-0.3 s each: long enough to kill in the middle
SLOW = demo_text(samples=10, d="[3, 5]", n="[20000, 30000]", lam="[0.5, 1.0, 2.0, 4.0]")


def start_runner(sweep, store, *extra, env=None):
    env = dict(os.environ, **(env or {}), PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "attnlimits", "sweep", "run", str(sweep), "--store", str(store),
                             *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_rows(store, count, proc, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.exists() and stored_count(store) >= count:
            return
        assert proc.poll() is None, f"runner ended early: {proc.communicate()[1]}"
        time.sleep(0.02)
    raise AssertionError("runner too slow")


def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path, write_sweep, cli):
    sweep, store = write_sweep(SLOW), tmp_path / "killed.db"
    proc = start_runner(sweep, store)
    wait_for_rows(store, 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    partial = stored_count(store)
    assert 3 <= partial < 16 and integrity_ok(store)
    cli("sweep", "run", sweep, "--store", store, check=True)
    assert stored_count(store) == 16 and integrity_ok(store)
    resumed = read_rows(store)
    reference = run_sweep(load_spec(sweep), tmp_path / "reference.db")
    assert len(resumed) == 16 and comparable(resumed) == comparable(reference)


def test_two_concurrent_runners_on_one_store(tmp_path, write_sweep):
    sweep, store = write_sweep(SLOW), tmp_path / "shared.db"
    first = start_runner(sweep, store)
    wait_for_rows(store, 1, first)
    second = start_runner(sweep, store)
    _, err = second.communicate(timeout=120)
    assert first.wait(timeout=300) == 0, first.communicate()[1]
    if second.returncode == 3:  # it met the live first runner: refused, in one line
        assert "in use by another runner" in err and len(err.strip().splitlines()) == 1
    else:  # on a loaded machine the first may finish before the second asks: nothing left to do
        assert second.returncode == 0, err
    assert stored_count(store) == 16 and integrity_ok(store)
    assert len(comparable(read_rows(store))) == 16


def test_rows_do_not_depend_on_blas_threads(tmp_path, write_sweep):
    """Dask workers run with OMP/OPENBLAS_NUM_THREADS=1; a multithreaded BLAS sums dot products in another
    order. Cells run with one BLAS thread, so the rows agree to the last bit either way."""
    sweep = write_sweep(demo_text(samples=4, d="[3]", n="[30000]", lam="[0.5, 2.0]"))
    env = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    proc = start_runner(sweep, tmp_path / "one.db", env=env)
    assert proc.wait(timeout=120) == 0, proc.communicate()[1]
    proc.communicate()
    here = run_sweep(load_spec(sweep), tmp_path / "here.db")
    assert comparable(read_rows(tmp_path / "one.db")) == comparable(here)


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_of_a_pool_runner_leaves_no_workers_and_resumes(tmp_path, write_sweep, cli):
    if not os.path.isdir("/proc"):
        import pytest

        pytest.skip("needs /proc")
    sweep, store = write_sweep(SLOW), tmp_path / "pool.db"
    proc = start_runner(sweep, store, "--workers", "2")
    wait_for_rows(store, 2, proc)
    kids = _children(proc.pid)
    assert kids
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.communicate()
    deadline = time.monotonic() + 20
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(k) for k in kids), "pool workers outlived their runner"
    assert integrity_ok(store) and stored_count(store) < 16
    cli("sweep", "run", sweep, "--store", store, "--workers", "2", check=True)
    reference = run_sweep(load_spec(sweep), tmp_path / "reference.db")
    assert comparable(read_rows(store)) == comparable(reference)
