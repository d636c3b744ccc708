"""The ``reproduce`` run: every selected claim measured into ``DIR`` (claims.json, figures/, report.html),
resumable through ``DIR/store.sqlite``."""

from __future__ import annotations

import json
import math
import time
from contextlib import nullcontext
from pathlib import Path

__all__ = ["reproduce", "records"]


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


#: Processes that run claims side by side (the target machine has 2 cores).
_PROCESSES = 2
#: CPU seconds of the real-keys section on the default run (orders the work; see Claim.cost): summary + iso schedules.
_REAL_KEYS_COST = 90.0


def _real_keys_failed(exc: BaseException) -> dict:
    """The real-keys entry when the section raised: it has no verdict, so the run goes on and the report (and a
    warning) says why, as a claim that cannot run is recorded with its reason."""
    import warnings

    reason = f"{type(exc).__name__}: {exc}"
    warnings.warn(f"the real-keys section could not run ({reason}); the claims are not affected", RuntimeWarning,
                  stacklevel=2)
    return {"figure": None, "caption": "", "paragraph": f"The real-keys section could not run: {reason}."}


def _real_keys_worker(store_path: str, figures_dir: str) -> dict:
    """The real-keys section in a worker process (its own connection to the run's store)."""
    from ..claims import UnitStore
    from ._real_keys import real_keys_section

    store = UnitStore(store_path)
    try:
        return real_keys_section(store, Path(figures_dir))
    finally:
        store.close()


def _claim_worker(claim_id: str, quick: bool, seed: int, workers: int, out: str):
    """Run one claim and draw its figures in a worker process (its own connection to the run's store)."""
    from ..claims import Context, UnitStore, run_claim, select_claims
    from ._figures import draw_figure

    store = UnitStore(Path(out) / "store.sqlite")
    try:
        result = run_claim(select_claims([claim_id])[0],
                           Context(quick=quick, seed=seed, workers=workers, store=store, directory=Path(out)))
    finally:
        store.close()
    for fig in result.figures:
        draw_figure(fig, Path(out) / "figures")
    return result


def _processes(claims) -> int:
    """Processes for the run: two where the machine has two or more cores and there is more than one piece of
    work, else one. Claims are independent (each draws from streams keyed by its own id), so running them side
    by side changes no number."""
    import os

    return min(_PROCESSES, os.cpu_count() or 1) if len(claims) > 1 else 1


def _run_parallel(claims, jobs: int, out: Path, *, quick, seed, workers, real_keys: bool, progress):
    """Claims (and the real-keys section) in ``jobs`` spawned processes, the costliest first; results in report
    order."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from ..sweep._executors import _watch_parent

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_watch_parent, initargs=(os.getpid(),))
    work = [(c.cost, i) for i, c in enumerate(claims)] + ([(_REAL_KEYS_COST, -1)] if real_keys else [])
    futures = {}
    try:
        for _, i in sorted(work, key=lambda w: -w[0]):
            fut = (pool.submit(_real_keys_worker, str(out / "store.sqlite"), str(out / "figures")) if i < 0 else
                   pool.submit(_claim_worker, claims[i].id, quick, seed, workers, str(out)))
            futures[fut] = i
        results, extras = [None] * len(claims), []
        with (progress("claims") if progress else nullcontext(None)) as callback:
            for done, fut in enumerate(as_completed(futures), 1):
                i = futures[fut]
                if i < 0:
                    try:
                        extras.append(fut.result())
                    except Exception as exc:  # recorded in the report with its reason
                        extras.append(_real_keys_failed(exc))
                else:
                    results[i] = fut.result()
                if callback:
                    callback(done, len(futures))
    finally:
        pool.shutdown(cancel_futures=True)
    return results, extras


def records(results) -> list:
    """claims.json: one record per claim and case (``id, case, statement, predicted, measured, ci_low, ci_high,
    verdict`` and details)."""
    return [_jsonable(c.record()) for r in results for c in r.cases]


def reproduce(out="reproduce-out", *, quick: bool = False, seed: int = 0, workers: int = 1, only=None,
              progress=None, real_keys: bool = True) -> list:
    """Measure every selected claim, draw its figures and write ``out/claims.json`` and ``out/report.html``.

    Parameters
    ----------
    out : path
        Output directory (created); ``out/store.sqlite`` keeps finished work units so a rerun resumes.
    quick : bool
        Smaller sizes (the same claims, still meeting the precision rule).
    seed : int
        Root seed of the run.
    workers : int
        Worker processes for the simulations that use them. Independently of it, the claims (and the real-keys
        section) run two at a time in spawned processes on a machine with two or more cores; their numbers do
        not depend on it.
    only : str or list, optional
        Claim ids to run (default: all).
    progress : callable, optional
        ``progress(label)`` returns a context manager yielding ``callback(done, total)`` (a progress bar): one per
        claim when the claims run here, one over all claims when they run side by side.
    real_keys : bool
        Add the real-keys section (MiniLM's heads against the theory's scales; a figure, no verdict) to a full
        default run when the ``models`` extra is installed.

    Returns
    -------
    list of ClaimResult
    """
    from .. import __version__
    from .._validation import check_int
    from ..claims import Context, UnitStore, run_claim, select_claims
    from ._figures import draw_figure
    from ._html import write_report
    from ._real_keys import real_keys_available, real_keys_section

    seed = check_int("seed", seed, minimum=0)
    workers = check_int("workers", workers, minimum=1)
    claims = select_claims(only)
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with_real = bool(real_keys and not quick and only is None and real_keys_available())
    jobs = _processes(claims)
    if jobs > 1:
        UnitStore(out / "store.sqlite").close()  # create it (WAL, table) before two processes open it
        results, extras = _run_parallel(claims, jobs, out, quick=quick, seed=seed, workers=workers,
                                        real_keys=with_real, progress=progress)
    else:
        results, extras = [], []
        store = UnitStore(out / "store.sqlite")
        try:
            for claim in claims:
                with (progress(claim.id) if progress else nullcontext(None)) as callback:
                    ctx = Context(quick=quick, seed=seed, workers=workers, store=store, progress=callback,
                                  directory=out)
                    result = run_claim(claim, ctx)
                for fig in result.figures:
                    draw_figure(fig, out / "figures")
                results.append(result)
            if with_real:
                try:
                    extras.append(real_keys_section(store, out / "figures"))
                except Exception as exc:  # recorded in the report with its reason
                    extras.append(_real_keys_failed(exc))
        finally:
            store.close()
    (out / "claims.json").write_text(json.dumps(records(results), indent=1, allow_nan=False), encoding="utf-8")
    meta = {"quick": quick, "seed": seed, "version": __version__, "elapsed": time.monotonic() - start}
    write_report(out, results, meta, extras=extras)
    return results
