"""Small helpers shared by the benchmark files: best-of timing, rates, row records, GPU presence."""

from __future__ import annotations

import time

__all__ = ["best_time", "rate", "row", "cuda_status"]


def best_time(fn, repeat: int = 3, warmup: bool = True, clock=time.perf_counter) -> float:
    """Best time of ``repeat`` calls of ``fn()`` in seconds (after one untimed call if ``warmup``).

    ``clock`` is wall time by default; ``time.process_time`` (this process's CPU time) is far steadier on a
    shared machine for single-threaded work, and equal to wall time on an idle one."""
    if warmup:
        fn()
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best


def rate(n: int, seconds: float) -> str:
    """``n`` items in ``seconds`` as keys/s with three significant digits."""
    return f"{n / seconds:.3g} keys/s"


def row(benchmark: str, measured: str, baseline: str, ratio, target: str) -> dict:
    """One benchmark record in the project's convention (ratio: baseline time / our time, >1 = faster)."""
    return {"benchmark": benchmark, "measured": measured, "baseline": baseline,
            "ratio": None if ratio is None else float(ratio), "target": target}


def cuda_status() -> str | None:
    """None when torch sees a CUDA GPU, else the reason GPU rows are skipped."""
    try:
        import torch
    except ImportError:
        return "skipped: torch is not installed"
    if not torch.cuda.is_available():
        return "skipped: torch sees no CUDA GPU on this machine"
    return None
