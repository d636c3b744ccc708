"""Engine throughput against the naive dense computation, measured in the same run (issue 2 Performance,
issue 9).

Rows (CPU): weights-only statistics (max weight, top-k, IPR, entropy) with uniform keys at n = 1e7,
d = 3 and d = 64, against the naive dense NumPy baseline (draw an n×d Gaussian matrix, normalise the rows,
softmax of βKq, the same statistics); the floor (the weights-only pass against the bare generation of the
n uniform variates it consumes, d = 3); the cost with the output vector; one replicate at n = 1e9, d = 3
(time and peak resident memory of a fresh process; not in quick mode); torch CPU against numpy.
Rows (``device="cuda"``): the torch backend on the GPU against a dense torch baseline on the same GPU.
β is the critical scale β*_n (λ = 1) throughout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from _timing import best_time, cuda_status, rate, row

SRC = str(Path(__file__).resolve().parents[1] / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from attnlimits import UniformSphere  # noqa: E402
from attnlimits._rng import as_seed_sequence  # noqa: E402
from attnlimits.engine import STREAM_BLOCK, attend_exact  # noqa: E402

K_TOP = 10


def dense_numpy(n: int, d: int, beta: float, rng: np.random.Generator) -> dict:
    """The naive baseline: an n×d Gaussian matrix, rows normalised, w = softmax(βKq), then the statistics."""
    q = rng.standard_normal(d)
    q /= np.linalg.norm(q)
    keys = rng.standard_normal((n, d))
    keys /= np.linalg.norm(keys, axis=1, keepdims=True)
    s = keys @ q
    w = np.exp(beta * (s - s.max()))
    w /= w.sum()
    pos = w[w > 0]
    return {"max_weight": w.max(), "ipr": w @ w, "entropy": -(pos @ np.log(pos)),
            "top": np.partition(w, n - K_TOP)[n - K_TOP:] if n > K_TOP else w}


def _engine(d: int, n: int, output: bool = False, backend: str = "numpy", **kw):
    law = UniformSphere(d)
    beta = law.critical_beta(n)
    seed = as_seed_sequence(1)
    if backend == "numpy":
        return lambda: attend_exact(law, n, beta, seed, output=output)
    from attnlimits.engine import attend_torch

    return lambda: attend_torch(law, n, beta, seed, output=output, **kw)


def _bare_uniforms(n: int):
    """Generate n uniforms in the engine's stream blocks, from one PCG64 stream into one buffer."""
    rng = np.random.default_rng(0)
    buf = np.empty(STREAM_BLOCK)

    def run():
        for start in range(0, n, STREAM_BLOCK):
            rng.random(out=buf[:min(STREAM_BLOCK, n - start)])
    return run


_BILLION = """
import json, resource, sys, time
sys.path.insert(0, {src!r})

def peak_kb():
    # VmHWM: this process's peak resident set (ru_maxrss would carry the parent's over fork + exec)
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from attnlimits import UniformSphere
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import attend_exact
law = UniformSphere(3); n = {n}
before = peak_kb()
t = time.perf_counter()
s = attend_exact(law, n, law.critical_beta(n), as_seed_sequence(1), output=False)
t = time.perf_counter() - t
print(json.dumps({{"seconds": t, "peak_kb": peak_kb(), "import_kb": before, "max_weight": s["max_weight"]}}))
"""


def billion_keys(n: int = 10**9) -> dict:
    """One replicate at n keys, d = 3, weights only, in a fresh process: seconds and peak RSS."""
    out = subprocess.run([sys.executable, "-c", _BILLION.format(src=SRC, n=n)], capture_output=True, text=True,
                         check=True, env=dict(os.environ))
    return json.loads(out.stdout)


def cpu_rows(quick: bool) -> list[dict]:
    n = 10**6 if quick else 10**7
    repeat = 1 if quick else 5
    base_n = {3: n, 64: 10**5 if quick else 10**6}
    rows = []
    rng = np.random.default_rng(0)
    t_w = {}
    for d, target, want in ((3, "≥ 5×", 5.0), (64, "≥ 50×", 50.0)):
        t_w[d] = best_time(_engine(d, n), repeat)
        beta = UniformSphere(d).critical_beta(base_n[d])
        t_b = best_time(lambda: dense_numpy(base_n[d], d, beta, rng), repeat, warmup=not quick)
        per_key_ratio = (t_b / base_n[d]) / (t_w[d] / n)
        note = "" if base_n[d] == n else f" at n={base_n[d]:.0e}, per-key rate (the n×d matrix at n={n:.0e} is {n * d * 8 / 1e9:.1f} GB)"
        rows.append(row(f"engine weights-only, uniform d={d}, n={n:.0e}, λ=1 (numpy)",
                        f"{rate(n, t_w[d])} ({t_w[d]:.3g} s)",
                        f"dense NumPy {rate(base_n[d], t_b)}{note}", per_key_ratio, target))
    t_g = best_time(_bare_uniforms(n), repeat)
    rows.append(row(f"floor: weights-only pass vs bare generation of its n uniforms, d=3, n={n:.0e}",
                    f"pass {t_w[3]:.3g} s = {t_w[3] / t_g:.2f}× generation",
                    f"{n:.0e} PCG64 uniforms in {STREAM_BLOCK}-key blocks: {t_g:.3g} s", t_g / t_w[3],
                    "pass ≤ 3× generation (ratio ≥ 0.33)"))
    for d in (3, 64):
        n_out = n if d == 3 else n // 10
        t_o = best_time(_engine(d, n_out, output=True), repeat)
        t_wo = t_w[d] * n_out / n
        rows.append(row(f"engine with output vector O, uniform d={d}, n={n_out:.0e}, λ=1 (numpy)",
                        f"{rate(n_out, t_o)} ({t_o:.3g} s)", f"weights only {rate(n_out, t_wo)}",
                        t_wo / t_o, "reported (cost of O)"))
    if not quick:
        res = billion_keys()
        peak, imp = res["peak_kb"] / 1024, res["import_kb"] / 1024
        rows.append(row("one replicate n=1e9, d=3, λ=1, weights only (numpy, fresh process)",
                        f"{res['seconds']:.3g} s, peak RSS {peak:.0f} MB ({peak - imp:.0f} MB above the imports)",
                        "dense: ~24 GB for K (not run)", None, "< 20 s, < 512 MB"))
    rows.extend(torch_cpu_rows(n, t_w, repeat))
    return rows


def torch_cpu_rows(n: int, t_numpy: dict, repeat: int) -> list[dict]:
    try:
        import torch
    except ImportError:
        return [row("engine torch CPU vs numpy", "skipped: torch is not installed", "—", None, "no slower")]
    rows = []
    for d in (3, 64):
        for dtype in ("float64", "float32"):
            t = best_time(_engine(d, n, backend="torch", device="cpu", dtype=dtype), repeat)
            rows.append(row(f"engine torch CPU {dtype}, {torch.get_num_threads()} thread(s), d={d}, n={n:.0e}, "
                            "weights only", f"{rate(n, t)} ({t:.3g} s)", f"numpy {rate(n, t_numpy[d])}",
                            t_numpy[d] / t, "≥ 1 (no slower)" if dtype == "float64" else "reported"))
    return rows


def dense_torch(n: int, d: int, beta: float, device) -> None:
    """The dense baseline on a torch device (float64), synchronised."""
    import torch

    q = torch.randn(d, dtype=torch.float64, device=device)
    q /= q.norm()
    keys = torch.randn(n, d, dtype=torch.float64, device=device)
    keys /= keys.norm(dim=1, keepdim=True)
    w = torch.softmax(beta * (keys @ q), dim=0)
    stats = torch.stack([w.max(), w @ w, torch.special.entr(w).sum()])
    torch.topk(w, K_TOP)
    stats.cpu()


def cuda_rows(quick: bool) -> list[dict]:
    reason = cuda_status()
    if reason:
        return [row("engine on CUDA (torch backend)", reason, "—", None, "≥ 1e10 keys/s at d=3")]
    import torch

    name = torch.cuda.get_device_name(0)
    n = 10**8 if quick else 10**9
    repeat = 1 if quick else 3
    rows = []
    for d, base_n in ((3, 10**8), (64, 10**7)):
        beta = UniformSphere(d).critical_beta(base_n)
        t_b = best_time(lambda: dense_torch(base_n, d, beta, "cuda"), repeat)
        for dtype in ("float64", "float32"):
            torch.cuda.reset_peak_memory_stats()
            t = best_time(_engine(d, n, backend="torch", device="cuda", dtype=dtype), repeat)
            peak = torch.cuda.max_memory_allocated() / 2**20
            ratio = (t_b / base_n) / (t / n)
            rows.append(row(f"engine CUDA {dtype} ({name}), uniform d={d}, n={n:.0e}, weights only",
                            f"{rate(n, t)} ({t:.3g} s, peak {peak:.0f} MiB)",
                            f"dense torch float64 on the GPU {rate(base_n, t_b)} at n={base_n:.0e}", ratio,
                            "≥ 1e10 keys/s" if d == 3 else "reported"))
    t_o = best_time(_engine(3, n // 10, output=True, backend="torch", device="cuda"), repeat)
    rows.append(row(f"engine CUDA float64 with output vector, d=3, n={n // 10:.0e}", rate(n // 10, t_o), "—", None,
                    "reported"))
    return rows


def rows(device: str = "cpu", quick: bool = False) -> list[dict]:
    """Benchmark rows (see the module docstring); ``device="cuda"`` gives the GPU rows."""
    return cuda_rows(quick) if device == "cuda" else cpu_rows(quick)
