"""The Monte Carlo driver: independent replicates, each statistic as a mean with its standard error.

Replicate i uses the child seed at spawn key (i,) below the run's root SeedSequence, whatever process
computes it, so the same seed gives bit-identical results for any number of workers.
"""

from __future__ import annotations

import math
import os
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._rng import as_seed_sequence, child
from .._validation import (InputError, check_beta, check_sinks, check_choice, check_int, check_keys, check_lam, check_memory,
                           check_real, check_seed, check_top_k)
from ._backend import resolve_backend
from ._exact import STREAM_BLOCK, attend_exact
from ._nearest import TailToleranceWarning, warn_at_cap
from ._orderstat import attend_orderstat, require_distance_law
from ._reduction import WEIGHT_STATISTICS
from ._result import SimulationResult

__all__ = ["simulate", "SimulationResult", "STATISTICS", "METHODS", "resolve_beta", "choose_method", "method_choice",
           "AUTO_ORDERSTAT_MIN_N", "ORDERSTAT_DIAGNOSTICS"]

#: Every per-replicate statistic, in report order.
STATISTICS = WEIGHT_STATISTICS + ("tangent_sq", "output_gap_sq")
#: Per-replicate diagnostics of the order-statistics sampler: the bound on the far keys' share of the
#: normaliser, and m, the number of nearest keys drawn exactly.
ORDERSTAT_DIAGNOSTICS = ("tail_error_bound", "nearest_count")
#: Simulation methods by name; "auto" is resolved by :func:`choose_method` before any replicate runs.
METHODS = {"exact": attend_exact, "orderstat": attend_orderstat, "auto": None}
#: ``method="auto"`` runs the order-statistics sampler from this many keys on (when the law can, see
#: :func:`method_choice`):
#: there the exact engine costs > 30 ms per replicate while orderstat stays near 1 ms.
AUTO_ORDERSTAT_MIN_N = 10**6
#: ``threads=None`` runs exact numpy replicates side by side in threads from this many keys on: numpy's random
#: fills and ufuncs release the GIL on whole stream blocks, so a replicate of two or more blocks runs on its own
#: core; below, a replicate is too short for a thread to pay.
THREAD_MIN_N = 2 * STREAM_BLOCK
#: At most this many threads (and never more than the machine's cores or the replicates).
MAX_THREADS = 8
#: The exact engine refuses more keys than this per replicate (≈ 1 hour at ~3 ns per key).
EXACT_MAX_N = 10**12


def method_choice(law, n: int, method: str = "auto", backend: str = "numpy", output: bool = True) -> tuple[str, str]:
    """The method that ``method`` runs, and why: "auto" → "orderstat" when n ≥ AUTO_ORDERSTAT_MIN_N, the
    backend is numpy and the law can do what the sampler needs (an exact distance law and quantile, and
    rebuilding keys at given distances when the output is wanted: :class:`~attnlimits.laws.KeyLaw`'s
    capabilities), else "exact"; an explicit name is returned as is (after checking the law).

    Parameters
    ----------
    law : KeyLaw
        The key law.
    n : int
        Number of keys.
    method : {"exact", "orderstat", "auto"}
        The method asked for.
    backend : {"numpy", "torch"}
        The engine backend (orderstat runs on numpy only).
    output : bool
        Whether the output vector is wanted.

    Returns
    -------
    tuple of (str, str)
        The method and a one-line reason (what ``attnlimits simulate --method auto`` prints on stderr).
    """
    check_choice("method", method, tuple(METHODS))
    if method == "auto":
        min_n = f"{AUTO_ORDERSTAT_MIN_N:.0e}"
        if backend != "numpy":
            method, why = "exact", "orderstat runs on the numpy backend only"
        elif n < AUTO_ORDERSTAT_MIN_N:
            method, why = "exact", f"n < {min_n}"
        elif not (law.has_distance_law and law.has_quantile):
            method, why = "exact", "the law has no exact distance CDF, density and quantile, which orderstat needs"
        elif output and not law.can_rebuild_keys:
            method, why = "exact", ("the law cannot rebuild keys from their distances, which orderstat needs for the "
                                    "output vector (without the output it would run orderstat)")
        else:
            method, why = "orderstat", (f"n >= {min_n} and the law has an exact distance CDF, density and quantile"
                                        + (" and rebuilds keys from their distances" if output else ""))
    else:
        why = "asked for"
    if method == "orderstat":
        require_distance_law(law)
    elif n > EXACT_MAX_N:
        raise InputError(f"invalid n={n}: the exact engine draws every key (at most {EXACT_MAX_N:.0e}, about an hour "
                         "per replicate); use method orderstat (any n) for a law with a known distance CDF")
    return method, why


def choose_method(law, n: int, method: str = "auto", backend: str = "numpy", output: bool = True) -> str:
    """The method that ``method`` runs (:func:`method_choice` without the reason).

    Parameters
    ----------
    law, n, method, backend, output
        As :func:`method_choice`.

    Returns
    -------
    str
        "exact" or "orderstat".
    """
    return method_choice(law, n, method, backend, output)[0]


def resolve_beta(law, n: int, beta=None, lam=None) -> tuple[float, float | None]:
    """(β, λ) from exactly one of β ≥ 0 or λ > 0, with β = λ·β*_n (:ref:`theory-scales`); λ is None where β*_n is
    unknown."""
    if (beta is None) == (lam is None):
        raise InputError(f"invalid beta={beta!r}, lam={lam!r}: give exactly one of beta (>= 0) or lam (> 0)")
    if lam is not None:
        lam = check_lam(lam)
        return lam * law.critical_beta(n), lam
    beta = check_beta(beta)
    return beta, (beta / law.critical_beta(n) if law.has_critical_scale else None)


def simulate(law, n: int, beta: float | None = None, *, lam: float | None = None, samples: int = 1000,
             seed=None, method: str = "exact", k: int = 10, output: bool | None = None, workers: int = 1,
             chunk_size: int = STREAM_BLOCK, progress=None, backend: str = "numpy", device: str = "cpu",
             dtype: str = "float64", tail_tol: float = 1e-6, threads: int | None = None,
             sinks=()) -> SimulationResult:
    """Simulate ``samples`` independent replicates of one query attending to ``n`` keys of ``law``.

    Parameters
    ----------
    law : KeyLaw
        The key law (e.g. ``UniformSphere(3)``).
    n : int
        Number of keys, ≥ 1.
    beta, lam : float
        Exactly one: the inverse temperature β ≥ 0, or λ > 0 with β = λ·β*_n (:ref:`theory-scales`).
    samples : int
        Number of independent replicates, ≥ 1.
    seed : int, sequence of int or SeedSequence, optional
        Root seed; replicate i uses spawn key (i,). None draws fresh entropy (reported in ``seed``).
    method : {"exact", "orderstat", "auto"}
        Simulation method (see ``METHODS``): the exact streaming engine, the order-statistics sampler
        (laws with an exact distance law and quantile; any n up to ~1e18), or "auto" (the method the law can
        run, by :func:`method_choice`, which also says why). The result's ``method`` names the one that ran.
    k : int
        Number of top weights kept per replicate.
    output : bool or None
        Also compute the output vector's statistics ``tangent_sq`` and ``output_gap_sq``. None (the default):
        True without sinks, False with them (a fixed score gives no key direction; True with sinks is refused).
    workers : int
        Processes to spread replicates over (results do not depend on it).
    chunk_size : int
        Keys per reduction step of the numpy backend (results agree to rounding whatever it is; torch
        folds whole stream blocks).
    progress : callable, optional
        Called as ``progress(done, total)`` as replicates finish.
    backend : {"numpy", "torch"}
        Engine backend (method "exact" only). torch draws uniform keys on ``device`` from its own streams,
        so its numbers differ from numpy's draw by draw but agree in law (see ``attnlimits.engine._torch``).
    device : {"cpu", "cuda"}
        Device of the torch backend.
    dtype : {"float64", "float32"}
        Precision of the torch backend's distances and reduction (float32: relative error of a few
        2^−24·(1 + β D_(1)) in the statistics).
    tail_tol : float
        orderstat only: target for the far keys' share of the normaliser (each replicate reports
        ``tail_error_bound``).
    threads : int, optional
        Replicates run side by side in this many threads of this process (results do not depend on it: each
        replicate has its own streams and its own slot); exact numpy runs with ``workers=1`` only, others
        use 1. None: the machine's cores (at most ``MAX_THREADS`` and ``samples``) from
        n ≥ ``THREAD_MIN_N`` keys on, else 1.
    sinks : sequence of float
        Scores s_j of m fixed keys beside the n random ones, in the units of ⟨q,K⟩ (logit β s_j; any finite
        real, s_j > 1 above every random key; :ref:`theory-sinks`). Method exact on the numpy backend only. Adds the
        statistics ``sink_weight`` (their total weight) and ``sink_weight_0``, … (each sink's); the weight
        statistics then run over all m + n keys.

    Returns
    -------
    SimulationResult
        Per-statistic means with standard errors (``res.max_weight.mean``, ``.se``, ``.ci``), the raw
        replicates and the run's seed entropy. Where orderstat replicates stopped at the cap of nearest keys
        with ``tail_error_bound`` above ``tail_tol``, one :class:`TailToleranceWarning` for the whole run
        gives their count and the largest bound.

    Examples
    --------
    >>> from attnlimits import UniformSphere
    >>> res = simulate(UniformSphere(3), 1000, lam=1.0, samples=20, seed=1)
    >>> 0 < res.max_weight.mean < 1
    True
    """
    n = check_keys(n)
    sinks = check_sinks(sinks)
    if output is None:
        output = not sinks
    elif sinks and output:
        raise InputError(f"invalid output={output!r} with sinks={list(sinks)!r}: a fixed key has a score but no "
                         "direction, so the output vector is undefined; expected output=False (or None)")
    samples = check_int("samples", samples, minimum=1)
    k = check_top_k(k, name="k")
    check_memory(f"samples={samples}, k={k}", samples * (8.0 * k + 2048.0))  # top weights + a record per replicate
    workers = check_int("workers", workers, minimum=1)
    chunk_size = check_int("chunk_size", chunk_size, minimum=1)
    threads = None if threads is None else check_int("threads", threads, minimum=1, maximum=MAX_THREADS)
    backend, device, dtype = resolve_backend(backend, device, dtype)
    if sinks and method == "auto":
        method = "exact"  # the one method with fixed keys
    method = choose_method(law, n, method, backend, output)
    tail_tol = check_real("tail_tol", tail_tol, lower=0.0, upper=1.0, lower_open=True, upper_open=True)
    if backend != "numpy" and method != "exact":
        raise InputError(f"invalid backend={backend!r} for method={method!r}: expected numpy, or method exact")
    if sinks and (method != "exact" or backend != "numpy"):
        raise InputError(f"invalid sinks={list(sinks)!r} with method={method!r}, backend={backend!r}: fixed keys run "
                         "on method exact with the numpy backend only")
    beta, lam = resolve_beta(law, n, beta, lam)
    root = as_seed_sequence(check_seed(seed))
    extra = {"tail_tol": tail_tol} if method == "orderstat" else ({"sinks": sinks} if sinks else {})
    task = (method, law, n, beta, root, k, output, chunk_size, backend, device, dtype, extra)
    batches = _batches(samples, workers)
    rows: list = []
    if method != "exact" or backend != "numpy" or workers > 1:
        threads = 1  # orderstat replicates are short (and record their warnings per thread); torch has its own
    elif threads is None:
        threads = min(os.cpu_count() or 1, MAX_THREADS, samples) if n >= THREAD_MIN_N else 1
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for part in pool.map(_run_batch, [task] * samples, [range(i, i + 1) for i in range(samples)]):
                rows.extend(part)
                if progress:
                    progress(len(rows), samples)
    elif workers == 1 or len(batches) == 1:
        for batch in batches:
            rows.extend(_run_batch(task, batch))
            if progress:
                progress(len(rows), samples)
    else:
        from concurrent.futures import ProcessPoolExecutor  # here: multiprocessing costs ~35 ms of every start-up
        from multiprocessing import get_context

        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            for part in pool.map(_run_batch, [task] * len(batches), batches):
                rows.extend(part)
                if progress:
                    progress(len(rows), samples)
    capped = [r for r in rows if r.get("at_cap")]
    if capped:
        warn_at_cap(max(r["nearest_count"] for r in capped), max(r["tail_error_bound"] for r in capped), tail_tol,
                    f"{len(capped)} of {samples} replicates, n={n}, beta={beta:.6g}")
    sink_stats = ("sink_weight",) + tuple(f"sink_weight_{j}" for j in range(len(sinks))) if sinks else ()
    values = {stat: np.array([r[stat] for r in rows]) for stat in STATISTICS + ORDERSTAT_DIAGNOSTICS + sink_stats
              if stat in rows[0]}
    top = np.zeros((samples, k))
    for i, r in enumerate(rows):
        top[i, : r["top_weights"].size] = r["top_weights"]
    entropy = root.entropy if not root.spawn_key else [root.entropy, *root.spawn_key]
    label = backend if backend == "numpy" else f"{backend}:{device}:{dtype}"
    return SimulationResult(law.spec, law.d, n, beta, lam, samples, entropy, method, values, top, label, sinks)


def _batches(samples: int, workers: int) -> list[range]:
    size = max(1, min(256, math.ceil(samples / (8 * workers))))
    return [range(s, min(samples, s + size)) for s in range(0, samples, size)]


def _run_batch(task, indices: range) -> list[dict]:
    method, law, n, beta, root, k, output, chunk_size, backend, device, dtype, extra = task
    if backend == "torch":
        from ._torch import attend_torch

        return [attend_torch(law, n, beta, child(root, i), k=k, output=output, device=device, dtype=dtype)
                for i in indices]
    attend = METHODS[method]
    if method != "orderstat":
        return [attend(law, n, beta, child(root, i), k=k, output=output, chunk_size=chunk_size, **extra)
                for i in indices]
    rows = []
    for i in indices:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TailToleranceWarning)
            row = attend(law, n, beta, child(root, i), k=k, output=output, chunk_size=chunk_size, **extra)
        for w in caught:
            if issubclass(w.category, TailToleranceWarning):
                row["at_cap"] = True  # summed into one warning per run by simulate
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
        rows.append(row)
    return rows
