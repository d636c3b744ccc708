"""Per-head work of a real model in forked processes that share the extracted queries and keys.

After one forward pass, the audit and the forecast do independent, single-threaded numpy work per head (a few
seconds each). Forked workers inherit the extraction (hundreds of MB) without copying or pickling it; each item
is seeded by its own key, so the results do not depend on the number of workers. The workers use no torch
(the parent's thread pools do not survive a fork) and one BLAS thread each.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

__all__ = ["fork_map", "default_workers"]

#: What the forked workers read: set in the parent just before the pool forks.
_SHARED: dict = {}


def default_workers() -> int:
    """Two workers where the machine has two or more cores (the per-head work is single-threaded), else one."""
    return min(2, os.cpu_count() or 1)


def _init(parent_pid: int) -> None:
    from threadpoolctl import threadpool_limits

    from .sweep._executors import _watch_parent

    threadpool_limits(limits=1)
    _watch_parent(parent_pid)


def _call(i: int, item):
    return i, _SHARED["fn"](_SHARED["context"], item)


def fork_map(fn, context, items, *, workers: int = 1, progress=None) -> list:
    """``[fn(context, item) for item in items]``, in ``workers`` forked processes (here when ``workers`` is 1,
    there is one item, or the platform cannot fork).

    Parameters
    ----------
    fn : callable
        ``fn(context, item)``; a module-level function (the workers inherit it).
    context : object
        Shared read-only data (the extraction), inherited by the workers, never pickled.
    items : sequence
        Small picklable arguments, one per call.
    workers : int
        Processes, ≥ 1.
    progress : callable, optional
        ``progress(done)`` after each item (in completion order).

    Returns
    -------
    list
        The results, in the order of ``items``.
    """
    items = list(items)
    tick = progress or (lambda done: None)
    if workers <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        out = []
        for item in items:
            out.append(fn(context, item))
            tick(len(out))
        return out
    _SHARED.update(fn=fn, context=context)
    results = [None] * len(items)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(items)), mp_context=multiprocessing.get_context("fork"),
                               initializer=_init, initargs=(os.getpid(),))
    try:
        futures = [pool.submit(_call, i, item) for i, item in enumerate(items)]
        for done, fut in enumerate(as_completed(futures), 1):
            i, value = fut.result()
            results[i] = value
            tick(done)
    finally:
        pool.shutdown(cancel_futures=True)
        _SHARED.clear()
    return results
