"""Benchmark: one self-attention dynamics step (d = 3) against torch's scaled_dot_product_attention.

Both compute softmax(β X Xᵀ) X for n particles X on S^2 (q = k = v = X, scale = β) in the same dtype
(float64), measured in the same run. Ours: the blocked symmetric step of ``attnlimits.heat`` (NumPy, and
torch on the chosen device), with its default tile skipping (cutoff log n + 40, exact to float64
rounding) and without it (dense), and the ``kernel="sdpa"`` step (SDPA on 4096-query chunks: ratio ≈ 1 by
construction, it shows the chunking costs nothing). Peak memory: on CPU the rise of the peak resident set of a fresh child
process during one call; on CUDA ``torch.cuda.max_memory_allocated``. Time: the better of two calls.

Run ``python benchmarks/bench_heat.py [--device cuda] [--quick]`` or through ``benchmarks/run.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

BETA = 100.0
D = 3


sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "src")]


def _points(n):
    from attnlimits.heat import HarmonicDensity

    return HarmonicDensity(D, 2, 0.3).quasi_uniform(n)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20


def _measure(kind: str, n: int, device: str) -> dict:
    """Run one implementation twice in this process; return best time (s) and peak memory rise (MB)."""
    import resource

    import numpy as np

    x = _points(n)
    if kind == "numpy":
        from attnlimits.heat import attention_step

        call = lambda: attention_step(x, BETA)  # noqa: E731
        sync = lambda: None  # noqa: E731
    else:
        import torch

        from attnlimits.heat import attention_step

        xt = torch.from_numpy(x).to(device)
        sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        if kind == "torch":
            call = lambda: attention_step(xt, BETA, backend="torch", device=device)  # noqa: E731
        elif kind == "torch-dense":
            call = lambda: attention_step(xt, BETA, backend="torch", device=device, cutoff=None)  # noqa: E731
        elif kind == "torch-sdpa":
            call = lambda: attention_step(xt, BETA, backend="torch", device=device, kernel="sdpa")  # noqa: E731
        else:  # sdpa, followed by the same renormalisation
            q = xt[None, None]

            def call():
                out = torch.nn.functional.scaled_dot_product_attention(q, q, q, scale=BETA)[0, 0]
                return torch.nn.functional.normalize(out, dim=1)
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
    rss0 = _rss_mb()
    times = []
    for _ in range(2):
        sync()
        t = time.perf_counter()
        out = call()
        sync()
        times.append(time.perf_counter() - t)
        del out
    if device == "cuda" and kind != "numpy":
        import torch

        peak = (torch.cuda.max_memory_allocated() - base) / 2**20
    else:
        peak = max(0.0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0)
    del np
    return {"time": min(times), "peak_mb": peak}


def _in_child(kind: str, n: int, device: str) -> dict:
    """Measure in a fresh interpreter (so the peak resident set is this call's), same threads/environment."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind, str(n), device],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {kind} n={n} {device} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt(m: dict) -> str:
    return f"{m['time'] * 1e3:.1f} ms, peak +{m['peak_mb']:.1f} MiB"


def rows(device: str = "cpu", quick: bool = False) -> list:
    """One dynamics step at n = 2e4 (and 1e5 unless ``quick``), d = 3, β = 100, float64."""
    try:
        import torch
    except ImportError:
        torch = None
    if device == "cuda":
        from _timing import cuda_status

        reason = cuda_status()
        if reason is not None:
            return [{"benchmark": "heat step d=3 (cuda)", "measured": reason, "baseline": "—", "ratio": None,
                     "target": "—"}]
    sizes = [20000] if quick else [20000, 100000]
    out = []
    for n in sizes:
        base = _in_child("sdpa", n, device) if torch is not None else None
        kinds = (["numpy"] if device == "cpu" else []) + (["torch", "torch-dense", "torch-sdpa"] if torch is not None else [])
        for kind in kinds:
            m = _in_child(kind, n, device)
            out.append({
                "benchmark": f"heat step d=3 n={n:,} β={BETA:g} float64 ({kind}, {device})",
                "measured": _fmt(m),
                "baseline": ("torch SDPA float64 " + device + ": " + _fmt(base)) if base else "torch not installed",
                "ratio": (base["time"] / m["time"]) if base else None,
                "target": "memory O(n·block), no n×n matrix; time ≤ 2× fused SDPA (ratio ≥ 0.5)",
            })
    return out


if __name__ == "__main__":
    import argparse

    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(_measure(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    for row in rows(args.device, args.quick):
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2f}"
        print(f"{row['benchmark']}\n    ours {row['measured']} | {row['baseline']} | ratio {ratio}")
