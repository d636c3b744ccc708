"""Sweep benchmark: per-cell overhead of the store and scheduling, and wall time with 1 and 2 workers.

``rows(device="cpu", quick=False)`` follows the benchmark convention (see benchmarks/run.py). The
baseline is the same cells computed in a plain loop (no store, no scheduling), measured in the same run.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def _spec(lams: int, samples: int, n: int):
    from attnlimits.sweep import SweepSpec

    return SweepSpec(name="bench", seed=1, grid={"d": [3, 4, 5, 6, 8], "n": [n],
                                                 "lam": [0.25 * (i + 1) for i in range(lams)]},
                     options={"samples": samples})


def _plain_loop(spec) -> float:
    """The same cells in a plain loop, with one BLAS thread like the sweep's cells (a multithreaded BLAS
    on short dot products is slower, and not what this benchmark measures)."""
    from attnlimits.sweep._kinds import simulate_cell
    from attnlimits.sweep._executors import _one_blas_thread

    start = time.perf_counter()
    with _one_blas_thread():
        for cell in spec.cells():
            simulate_cell({**spec.options, **cell.params}, cell.seed)
    return time.perf_counter() - start


def _swept(spec, workers: int) -> float:
    from attnlimits.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        run_sweep(spec, Path(tmp) / "bench.db", workers=workers)
        return time.perf_counter() - start


def rows(device: str = "cpu", quick: bool = False) -> list[dict]:
    """Benchmark rows: per-cell overhead on tiny cells; 1 and 2 local workers on a 200-cell sweep
    (``quick``: 40 cells). Sweeps schedule CPU processes, so ``device`` other than "cpu" gives no rows."""
    if device != "cpu":
        return []
    out = []
    tiny = _spec(lams=20 if quick else 40, samples=1, n=100)
    _plain_loop(tiny)  # warm imports and caches
    base, ours = _plain_loop(tiny), _swept(tiny, 1)
    cells = len(tiny)
    out.append({"benchmark": f"sweep overhead per tiny cell ({cells} cells, n=100, 1 sample, 1 worker)",
                "measured": f"{1e3 * (ours - base) / cells:.2f} ms/cell overhead ({1e3 * ours / cells:.2f} ms/cell in all)",
                "baseline": f"plain loop {1e3 * base / cells:.2f} ms/cell",
                "ratio": base / ours, "target": "overhead < 5 ms/cell (one SQLite commit per cell)"})
    n = 5000 if quick else 20000
    spec = _spec(lams=8 if quick else 40, samples=20, n=n)
    cells = len(spec)
    base = _plain_loop(spec)
    one = _swept(spec, 1)
    two = _swept(spec, 2)
    out.append({"benchmark": f"{cells}-cell sweep, 1 local worker (n={n}, 20 samples)",
                "measured": f"{one:.2f} s", "baseline": f"plain loop {base:.2f} s", "ratio": base / one,
                "target": "within 5% of the plain loop (same BLAS threads)"})
    out.append({"benchmark": f"{cells}-cell sweep, 2 local workers (n={n}, 20 samples)",
                "measured": f"{two:.2f} s", "baseline": f"1 worker {one:.2f} s", "ratio": one / two,
                "target": "close to 2x on 2 idle cores (process start-up ~1-2 s included)"})
    return out


if __name__ == "__main__":
    import sys

    for row in rows(quick="--quick" in sys.argv):
        print(row)
