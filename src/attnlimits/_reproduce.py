"""The main job, ``attnlimits reproduce``: every selected claim measured into ``DIR`` (claims.json, figures/,
report.html), resumable through ``DIR/store.sqlite``.

It sits above the layers it joins: :mod:`attnlimits.claims` gives the numbers, :mod:`attnlimits.models` the
real-keys summaries, :mod:`attnlimits.report` draws them; nothing here computes a law or draws.
"""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from pathlib import Path

from ._json import to_jsonable

__all__ = ["reproduce", "records", "REAL_KEYS_LAYERS", "ISO_HEADS", "ISO_NS"]

#: Processes that run claims side by side (the target machine has 2 cores).
_PROCESSES = 2
#: CPU seconds of the real-keys section on the default run (orders the work; see Claim.cost): summary + iso schedules.
_REAL_KEYS_COST = 90.0
#: Layers of MiniLM summarised (first, middle, last), to stay inside the default run's budget.
REAL_KEYS_LAYERS = (0, 2, 5)
#: Heads of those layers whose iso-selectivity schedule is computed, and the context lengths beyond T = 512.
ISO_HEADS = (0, 6)
ISO_NS = (2048, 32768)
#: Tokens of text read by the real-keys section.
_REAL_KEYS_TOKENS = 8192
#: Seconds of the real-decoder section (SmolLM2; ``attnlimits._reproduce_decoder``) with a warm cache: ~47 CPU s,
#: ~60 s in its worker on 2 cores; above every claim's cost, so that it starts at once beside the real-keys section.
_DECODER_COST = 60.0


def _open_store(path):
    """The run's store of finished work units (the seam through which the run reaches the claims' store)."""
    from .sweep._store import UnitStore

    return UnitStore(path)


def _stored(store, key, compute):
    """``store``'s value under ``key``, computed by ``compute()`` and kept there when missing."""
    value = store.get(key) if store is not None else None
    if value is None:
        value = compute()
        if store is not None:
            store.put(key, value)
    return value


def _section_failed(exc: BaseException, section: str = "real-keys") -> dict:
    """The entry of a section without verdict (``section``: "real-keys" or "real-decoder") when it raised: the run
    goes on and the report (and a warning) says why, as a claim that cannot run is recorded with its reason."""
    import warnings

    reason = f"{type(exc).__name__}: {exc}"
    warnings.warn(f"the {section} section could not run ({reason}); the claims are not affected", RuntimeWarning,
                  stacklevel=2)
    if section == "real-decoder":
        from .report._decoder_section import HEADING as heading
    else:
        heading = {}
    return {"figure": None, "caption": "", "paragraph": f"The {section} section could not run: {reason}.", **heading}


def _real_keys_extra(store, figures_dir) -> dict:
    """The real-keys section: MiniLM's summaries (:mod:`attnlimits.models`; read back from ``store`` when a
    previous run kept them) drawn by :func:`attnlimits.report._real_keys.real_keys_section`."""
    from .models import iso_schedules, real_keys_summary
    from .report._real_keys import real_keys_section

    layers = list(REAL_KEYS_LAYERS)
    shared = {}  # one model load, text read and forward pass for both (filled only when one is computed)
    summary = _stored(store, ("real-keys", "minilm", layers, 8, _REAL_KEYS_TOKENS),
                      lambda: real_keys_summary(layers=layers, queries_per_head=8, max_tokens=_REAL_KEYS_TOKENS,
                                                shared=shared))
    iso = _stored(store, ("real-keys-iso", "minilm", layers, list(ISO_HEADS), list(ISO_NS), _REAL_KEYS_TOKENS),
                  lambda: iso_schedules(layers=layers, heads=list(ISO_HEADS), ns=ISO_NS, max_tokens=_REAL_KEYS_TOKENS,
                                        shared=shared))
    return real_keys_section(summary, iso, figures_dir)


def _decoder_extra(store, figures_dir) -> dict:
    """The real-decoder section: SmolLM2 measured on one text (:func:`attnlimits._reproduce_decoder.
    decoder_measurements`; read back from ``store`` when a previous run kept it) drawn by
    :func:`attnlimits.report._decoder_section.decoder_section`."""
    from ._reproduce_decoder import decoder_key, decoder_measurements
    from .report._decoder_section import decoder_section

    return decoder_section(_stored(store, decoder_key(), decoder_measurements), figures_dir)


def _section_worker(name: str, store_path: str, figures_dir: str) -> dict:
    """The section ``name`` (a key of :data:`_EXTRAS`) in a worker process (its own connection to the run's
    store)."""
    store = _open_store(store_path)
    try:
        return _EXTRAS[name](store, Path(figures_dir))
    finally:
        store.close()


#: The sections without verdict, by name, in report order.
_EXTRAS = {"real-keys": _real_keys_extra, "real-decoder": _decoder_extra}
#: The same by their index in the work list (negative; claims are ≥ 0): cost, name.
_SECTIONS = {-1: (_REAL_KEYS_COST, "real-keys"), -2: (_DECODER_COST, "real-decoder")}


def _run_one(claim, ctx, figures_dir):
    """Run ``claim`` in ``ctx`` and draw its figures into ``figures_dir``."""
    from .claims import run_claim
    from .report import draw_figure

    result = run_claim(claim, ctx)
    for fig in result.figures:
        draw_figure(fig, figures_dir)
    return result


def _claim_worker(claim_id: str, quick: bool, seed: int, workers: int, out: str):
    """Run one claim and draw its figures in a worker process (its own connection to the run's store)."""
    from .claims import Context, select_claims

    store = _open_store(Path(out) / "store.sqlite")
    try:
        return _run_one(select_claims([claim_id])[0],
                        Context(quick=quick, seed=seed, workers=workers, store=store, directory=Path(out)),
                        Path(out) / "figures")
    finally:
        store.close()


def _processes(claims) -> int:
    """Processes for the run: two where the machine has two or more cores and there is more than one piece of
    work, else one. Claims are independent (each draws from streams keyed by its own id), so running them side
    by side changes no number."""
    import os

    return min(_PROCESSES, os.cpu_count() or 1) if len(claims) > 1 else 1


#: Thread-pool sizes read when a library loads (OpenMP for torch, OpenBLAS, MKL).
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _worker_init(parent_pid: int) -> None:
    """Initializer of the side-by-side processes: one thread each for torch and BLAS (the processes already fill
    the cores, and a second thread per process only spins waiting for the other process's core), and end with
    the parent (:func:`attnlimits.sweep._executors._watch_parent`). Thread counts change sums in the last bit
    only."""
    import os

    from threadpoolctl import threadpool_limits

    from .sweep._executors import _watch_parent

    for var in _THREAD_VARS:  # libraries not loaded yet (torch) read these when they load
        os.environ[var] = "1"
    threadpool_limits(limits=1)  # BLAS loaded already (with numpy)
    _watch_parent(parent_pid)


def _run_parallel(claims, jobs: int, out: Path, *, quick, seed, workers, real_keys: bool, decoder: bool = False,
                  progress):
    """Claims (and the real-keys and real-decoder sections) in ``jobs`` spawned processes, the costliest first;
    results in report order."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(os.getpid(),))
    sections = [i for i, on in ((-1, real_keys), (-2, decoder)) if on]
    work = [(c.cost, i) for i, c in enumerate(claims)] + [(_SECTIONS[i][0], i) for i in sections]
    futures = {}
    try:
        for _, i in sorted(work, key=lambda w: -w[0]):
            fut = (pool.submit(_section_worker, _SECTIONS[i][1], str(out / "store.sqlite"), str(out / "figures"))
                   if i < 0 else
                   pool.submit(_claim_worker, claims[i].id, quick, seed, workers, str(out)))
            futures[fut] = i
        results, done_sections = [None] * len(claims), {}
        with (progress("claims") if progress else nullcontext(None)) as callback:
            for done, fut in enumerate(as_completed(futures), 1):
                i = futures[fut]
                if i < 0:
                    try:
                        done_sections[i] = fut.result()
                    except Exception as exc:  # recorded in the report with its reason
                        done_sections[i] = _section_failed(exc, _SECTIONS[i][1])
                else:
                    results[i] = fut.result()
                if callback:
                    callback(done, len(futures))
    finally:
        pool.shutdown(cancel_futures=True)
    return results, [done_sections[i] for i in sections]


def _run_here(claims, out: Path, *, quick, seed, workers, real_keys: bool, decoder: bool = False, progress):
    """Claims (and the real-keys and real-decoder sections) one after another in this process."""
    from .claims import Context

    results, extras = [], []
    store = _open_store(out / "store.sqlite")
    try:
        for claim in claims:
            with (progress(claim.id) if progress else nullcontext(None)) as callback:
                ctx = Context(quick=quick, seed=seed, workers=workers, store=store, progress=callback, directory=out)
                results.append(_run_one(claim, ctx, out / "figures"))
        for on, name in ((real_keys, "real-keys"), (decoder, "real-decoder")):
            if on:
                try:
                    extras.append(_EXTRAS[name](store, out / "figures"))
                except Exception as exc:  # recorded in the report with its reason
                    extras.append(_section_failed(exc, name))
    finally:
        store.close()
    return results, extras


def records(results) -> list:
    """The claims.json records: one per claim and case (``id, case, statement, predicted, measured, ci_low,
    ci_high, verdict`` and details), JSON-ready (:func:`attnlimits._json.to_jsonable`).

    Parameters
    ----------
    results : list of ClaimResult
        What :func:`reproduce` returns.

    Returns
    -------
    list of dict
    """
    return [to_jsonable(c.record()) for r in results for c in r.cases]


def reproduce(out="reproduce-out", *, quick: bool = False, seed: int = 0, workers: int = 1, only=None,
              progress=None, real_keys: bool = True, real_decoder: bool = True) -> list:
    """Measure every selected claim of the paper against its prediction, draw its figures and write the report.

    Writes, under ``out`` (created): ``claims.json`` (the records of ``records``), ``figures/*.png`` (each
    claim's figures, and the real-keys and real-decoder figures), ``report.html`` (one self-contained page,
    figures embedded) and ``store.sqlite`` (finished work units, so a rerun with the same arguments resumes).

    Parameters
    ----------
    out : path
        Output directory.
    quick : bool
        Smaller sizes (the same claims, still meeting the precision rule).
    seed : int
        Root seed of the run (≥ 0).
    workers : int
        Worker processes (≥ 1) for the simulations that use them. Independently of it, the claims (and the
        real-keys section) run two at a time in spawned processes on a machine with two or more cores; their
        numbers do not depend on it.
    only : str or list, optional
        Claim ids to run (comma-separated or a list; default: all).
    progress : callable, optional
        ``progress(label)`` returns a context manager yielding ``callback(done, total)`` (a progress bar): one per
        claim when the claims run here, one over all claims when they run side by side.
    real_keys : bool
        Add the real-keys section (MiniLM's heads against the theory's scales; a figure, no verdict) to a full
        default run when the ``models`` extra is installed.
    real_decoder : bool
        Add the real-decoder section (SmolLM2 on 2048 tokens of ``pydoc-topics``: a layer × head map, E[max
        weight] against n, the forecast and the audit on three heads; figures, no verdict;
        ``attnlimits._reproduce_decoder``) to a full default run when SmolLM2 and the ``models`` extra are
        installed; without them the report says in one line what to install.

    Returns
    -------
    list of ClaimResult
        One per claim, in report order: its judged cases (``verdict`` "pass" or "fail"), figures and paragraph;
        ``records`` turns them into the claims.json records.

    Raises
    ------
    InputError
        For a bad ``seed``, ``workers`` or an unknown claim id in ``only``.
    """
    from . import __version__
    from ._reproduce_decoder import decoder_missing
    from ._validation import check_int
    from .claims import select_claims
    from .models import real_keys_available
    from .report import write_report

    seed = check_int("seed", seed, minimum=0)
    workers = check_int("workers", workers, minimum=1)
    claims = select_claims(only)
    out = Path(out)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    with_real = bool(real_keys and not quick and only is None and real_keys_available())
    missing = decoder_missing() if real_decoder and not quick and only is None else None
    with_decoder = bool(real_decoder and not quick and only is None and missing is None)
    jobs = _processes(claims)
    options = {"quick": quick, "seed": seed, "workers": workers, "real_keys": with_real, "decoder": with_decoder,
               "progress": progress}
    if jobs > 1:
        _open_store(out / "store.sqlite").close()  # create it (WAL, table) before two processes open it
        results, extras = _run_parallel(claims, jobs, out, **options)
    else:
        results, extras = _run_here(claims, out, **options)
    if missing is not None:
        from .report._decoder_section import decoder_absent

        extras.append(decoder_absent(missing))
    (out / "claims.json").write_text(json.dumps(records(results), indent=1, allow_nan=False), encoding="utf-8")
    meta = {"quick": quick, "seed": seed, "version": __version__, "elapsed": time.monotonic() - start}
    write_report(out, results, meta, extras=extras)
    return results
