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
    store = UnitStore(out / "store.sqlite")
    start = time.monotonic()
    results = []
    try:
        for claim in claims:
            with (progress(claim.id) if progress else nullcontext(None)) as callback:
                ctx = Context(quick=quick, seed=seed, workers=workers, store=store, progress=callback, directory=out)
                result = run_claim(claim, ctx)
            for fig in result.figures:
                draw_figure(fig, out / "figures")
            results.append(result)
        extras = []
        if real_keys and not quick and only is None and real_keys_available():
            extras.append(real_keys_section(store, out / "figures"))
    finally:
        store.close()
    (out / "claims.json").write_text(json.dumps(records(results), indent=1, allow_nan=False), encoding="utf-8")
    meta = {"quick": quick, "seed": seed, "version": __version__, "elapsed": time.monotonic() - start}
    write_report(out, results, meta, extras=extras)
    return results
