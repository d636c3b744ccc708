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


def _real_keys_worker(store_path: str, figures_dir: str) -> dict:
    """The real-keys section in its own process (its own connection to the run's store)."""
    from ..claims import UnitStore
    from ._real_keys import real_keys_section

    store = UnitStore(store_path)
    try:
        return real_keys_section(store, Path(figures_dir))
    finally:
        store.close()


def _start_real_keys(out: Path):
    """Start the real-keys section (a model forward pass and tail fits, independent of every claim) in a second
    process, so that it runs beside the claims on a machine with two or more cores; returns (pool, future)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return pool, pool.submit(_real_keys_worker, str(out / "store.sqlite"), str(out / "figures"))


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
        Worker processes for the simulations that use them.
    only : str or list, optional
        Claim ids to run (default: all).
    progress : callable, optional
        ``progress(claim_id)`` returns a context manager yielding ``callback(done, total)`` (a progress bar).
    real_keys : bool
        Add the real-keys section (MiniLM's heads against the theory's scales; a figure, no verdict) to a full
        default run when the ``models`` extra is installed. It runs in a second process beside the claims.

    Returns
    -------
    list of ClaimResult
    """
    from .. import __version__
    from .._validation import check_int
    from ..claims import Context, UnitStore, run_claim, select_claims
    from ._figures import draw_figure
    from ._html import write_report
    from ._real_keys import real_keys_available

    seed = check_int("seed", seed, minimum=0)
    workers = check_int("workers", workers, minimum=1)
    claims = select_claims(only)
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    store = UnitStore(out / "store.sqlite")
    start = time.monotonic()
    results, extras = [], []
    real = _start_real_keys(out) if real_keys and not quick and only is None and real_keys_available() else None
    try:
        for claim in claims:
            with (progress(claim.id) if progress else nullcontext(None)) as callback:
                ctx = Context(quick=quick, seed=seed, workers=workers, store=store, progress=callback, directory=out)
                result = run_claim(claim, ctx)
            for fig in result.figures:
                draw_figure(fig, out / "figures")
            results.append(result)
        if real is not None:
            extras.append(real[1].result())
    finally:
        store.close()
        if real is not None:
            real[0].shutdown(cancel_futures=True)
    (out / "claims.json").write_text(json.dumps(records(results), indent=1, allow_nan=False), encoding="utf-8")
    meta = {"quick": quick, "seed": seed, "version": __version__, "elapsed": time.monotonic() - start}
    write_report(out, results, meta, extras=extras)
    return results
