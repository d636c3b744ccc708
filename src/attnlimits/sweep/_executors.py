"""Executors: run cell tasks in this process, a local process pool, or a Dask distributed cluster.

Each executor takes an iterator of tasks and calls ``on_result(result)`` in this process as each task
finishes (in completion order), keeping at most a small window of tasks in flight, so a killed run loses
only those. Results do not depend on the executor: a cell's seed is fixed by the cell itself.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

from .._validation import InputError

__all__ = ["run_task", "execute_local", "execute_dask"]


def run_task(task) -> tuple[str, dict, float]:
    """Run one cell task ``(function, params, seed, key)``; return ``(key, results, elapsed seconds)``.

    The cell runs with one BLAS thread (threadpoolctl, where installed): a multithreaded BLAS sums dot
    products in an order that depends on its thread count, which changes results in the last digit, and
    Dask workers default to one thread while a local process may use several. One thread per cell makes
    rows identical wherever they are computed (and the sweep parallelises over cells anyway).
    """
    function, params, seed, key = task
    start = time.perf_counter()
    with _one_blas_thread():
        results = function(dict(params), seed)
    elapsed = time.perf_counter() - start
    if not isinstance(results, dict):
        raise TypeError(f"cell kind {function.__qualname__} returned {type(results).__name__}, expected a dict")
    return key, _plain(results), elapsed


_CONTROLLER: list = []


def _one_blas_thread():
    """A context with one BLAS thread. The threadpoolctl controller (0.7 ms to build) is built once per
    process, after numpy is loaded, and rebuilt when new modules (e.g. torch) were imported since."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - rows may then differ in the last digit between machines
        import contextlib

        return contextlib.nullcontext()
    import sys

    if not _CONTROLLER or _CONTROLLER[0] != len(sys.modules):
        _CONTROLLER[:] = [len(sys.modules), ThreadpoolController()]
    return _CONTROLLER[1].limit(limits=1, user_api="blas")


def _plain(results: dict) -> dict:
    """Results as JSON scalars (numpy numbers to Python; non-finite floats to None)."""
    import math
    import numbers

    out = {}
    for k, v in results.items():
        if v is None or isinstance(v, (bool, str)):
            out[str(k)] = v
        elif isinstance(v, numbers.Integral):
            out[str(k)] = int(v)
        elif isinstance(v, numbers.Real):
            f = float(v)
            out[str(k)] = f if math.isfinite(f) else None
        else:
            raise TypeError(f"cell result {k!r}={v!r}: expected a number, None or a string (a flat record)")
    return out


def _watch_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when the runner dies (even by SIGKILL), so no orphan keeps
    computing cells whose results nobody will store."""
    import threading

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="attnlimits-watch-parent").start()


def execute_local(tasks, on_result, workers: int = 1) -> None:
    """Run ``tasks`` here (``workers == 1``) or in a pool of ``workers`` spawned processes."""
    if workers == 1:
        for task in tasks:
            on_result(run_task(task))
        return
    window = 2 * workers
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_watch_parent,
                               initargs=(os.getpid(),))
    try:
        it = iter(tasks)
        pending = set()
        for task in it:
            pending.add(pool.submit(run_task, task))
            if len(pending) >= window:
                break
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                on_result(fut.result())
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(pool.submit(run_task, nxt))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def execute_dask(tasks, on_result, scheduler: str, *, connect_timeout: float = 20.0) -> None:
    """Send ``tasks`` to the Dask distributed scheduler at ``scheduler`` (``tcp://HOST:PORT``) with
    ``client.submit`` and collect them with ``as_completed``; dask is imported here only."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(f"invalid scheduler={scheduler!r}: dask.distributed is not installed "
                         "(pip install 'attnlimits[dask]')") from None
    try:
        client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"invalid scheduler={scheduler!r}: cannot connect ({exc})".replace("\n", " ")) from None
    try:
        nthreads = max(1, sum(client.nthreads().values()))
        window = 2 * nthreads
        it = iter(tasks)
        first = []
        for task in it:
            first.append(client.submit(run_task, task, pure=False))
            if len(first) >= window:
                break
        futures = as_completed(first, loop=client.loop)
        for fut in futures:
            result = fut.result()
            fut.release()
            on_result(result)
            nxt = next(it, None)
            if nxt is not None:
                futures.add(client.submit(run_task, nxt, pure=False))
    finally:
        client.close()
