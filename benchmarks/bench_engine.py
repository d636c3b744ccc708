"""Engine throughput against the naive dense computation, measured in the same run (issues 2, 9 and 13).

Rows (CPU):
- whole process (issue 13): the default ``attnlimits simulate`` (with the output vector, 10 samples)
  against ``benchmarks/dense_baseline.py`` (the dense NumPy script, same d, n, β and samples), run one after
  the other, once each: d = 64, n = 1e6, β = 75; d = 3, n = 1e7, λ = 1; d = 128, n = 1e6, λ = 1; wall time
  and peak resident memory of each process (``os.wait4``);
- start-up: median of 9 runs of ``python -c "import attnlimits.cli"``, and the heavy modules it loads;
- the output path (zonal scalar recursion) against the weights-only pass, in process, at d = 2, 3, 8, 64,
  128, 512 (n = 1e6, λ = 1, best CPU time of 5);
- weights-only statistics (max weight, top-k, IPR, entropy) with uniform keys at n = 1e7, d = 3 and d = 64,
  against the naive dense NumPy baseline per key; the floor (the weights-only pass against the bare
  generation of the n uniform variates it consumes, d = 3); one replicate at n = 1e9, d = 3 (time and peak
  resident memory of a fresh process; not in quick mode); torch CPU against numpy.
Rows (``device="cuda"``): the torch backend on the GPU against a dense torch baseline on the same GPU, and
the scalar recursion at d = 128, n = 1e9 (goal ≥ 1e10 keys/s, reported).
β is the critical scale β*_n (λ = 1) unless stated. ``--quick`` divides every n by 10 (the whole-process
rows then measure mostly start-up: a sanity check, not the targets).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from _timing import best_time, cuda_status, rate, row

SRC = str(Path(__file__).resolve().parents[1] / "src")
DENSE = str(Path(__file__).resolve().parent / "dense_baseline.py")
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


#: Runs argv[1:] from a small process and reports (exit code, wall seconds, peak RSS in kB) of that child on
#: stderr: the child is forked from this small launcher, so its peak does not carry a large parent's pages.
_LAUNCH = """
import json, os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(json.dumps([os.waitstatus_to_exitcode(status), time.perf_counter() - start, usage.ru_maxrss]), file=sys.stderr)
"""


#: Thread limits that run.py sets for like-for-like rows; whole-process rows lift them (see whole_process_rows).
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_process(args: list[str], *, all_cores: bool = False) -> tuple[float, float, str]:
    """Run a command to completion: (wall seconds, peak resident MB of that process, its stdout).

    ``all_cores``: without run.py's BLAS/OpenMP thread limits, as a user runs it (the dense script's BLAS and
    the engine's replicate threads both use every core)."""
    env = {k: v for k, v in os.environ.items() if not (all_cores and k in THREAD_VARS)}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", _LAUNCH, *args], capture_output=True, text=True, env=env)
    code, seconds, peak_kb = json.loads(proc.stderr.strip().splitlines()[-1])
    if code:
        raise RuntimeError(f"{' '.join(args)} exited {code}")
    return seconds, peak_kb / 1024, proc.stdout


#: Whole-process cases of issue 13: (d, n, β or None, λ or None, wanted ratio).
WHOLE_PROCESS = ((64, 10**6, 75.0, None, 10.0), (3, 10**7, None, 1.0, 10.0), (128, 10**6, None, 1.0, 20.0))
SAMPLES = 10


def whole_process_rows(quick: bool) -> list[dict]:
    """The default ``attnlimits simulate`` (output included) against the dense script, one run each, both as a
    user runs them: every core available (the engine runs replicates in threads, the dense script's BLAS
    its own threads)."""
    rows = []
    for d, n, beta, lam, want in WHOLE_PROCESS:
        n = n // 10 if quick else n
        beta = beta if beta is not None else lam * UniformSphere(d).critical_beta(n)
        setting = ["--beta", repr(beta)] if lam is None else ["--lam", repr(lam)]
        ours = [sys.executable, "-m", "attnlimits", "simulate", "--d", str(d), "--n", str(n), *setting,
                "--samples", str(SAMPLES), "--seed", "1", "--json"]
        t_o, mem_o, out = run_process(ours, all_cores=True)
        assert set(json.loads(out)) >= {"tangent_sq", "output_gap_sq"}
        t_b, mem_b, _ = run_process([sys.executable, DENSE, "--d", str(d), "--n", str(n), "--beta", repr(beta),
                                     "--samples", str(SAMPLES), "--seed", "1"], all_cores=True)
        what = f"β={beta:.4g}" if lam is None else f"λ={lam:g} (β={beta:.4g})"
        rows.append(row(f"whole process: attnlimits simulate (with output), uniform d={d}, n={n:.0e}, {what}, "
                        f"{SAMPLES} samples, all {os.cpu_count()} cores", f"{t_o:.3g} s, peak RSS {mem_o:.0f} MB",
                        f"dense_baseline.py {t_b:.3g} s, peak RSS {mem_b:.0f} MB", t_b / t_o,
                        f"≥ {want:g}×" + (" (at the full n; quick: a sanity check)" if quick else "")))
    return rows


def startup_rows(repeat: int = 9) -> list[dict]:
    """Median wall time of ``python -c "import attnlimits.cli"`` (and of bare ``import numpy``)."""
    probe = ("import sys, attnlimits.cli; print([m for m in ('scipy', 'torch', 'matplotlib', 'dask', 'rich') "
             "if m in sys.modules])")
    t_cli = statistics.median(run_process([sys.executable, "-c", "import attnlimits.cli"])[0] for _ in range(repeat))
    t_np = statistics.median(run_process([sys.executable, "-c", "import numpy"])[0] for _ in range(repeat))
    heavy = run_process([sys.executable, "-c", probe])[2].strip()
    return [row(f"start-up: python -c \"import attnlimits.cli\" (median of {repeat})",
                f"{t_cli:.3g} s; loads {heavy} of scipy/torch/matplotlib/dask/rich",
                f"python -c \"import numpy\": {t_np:.3g} s", None, "≤ 0.4 s")]


#: Dimensions of the output-path rows (issue 13).
OUTPUT_DIMS = (2, 3, 8, 64, 128, 512)


def output_rows(quick: bool) -> list[dict]:
    """The engine with the output vector (the zonal scalar recursion) against its weights-only pass."""
    n = 10**5 if quick else 10**6
    repeat = 1 if quick else 5
    rows = []
    for d in OUTPUT_DIMS:
        t_w = best_time(_engine(d, n), repeat, clock=time.process_time)
        t_o = best_time(_engine(d, n, output=True), repeat, clock=time.process_time)
        rows.append(row(f"engine with output vector O (zonal scalar recursion), uniform d={d}, n={n:.0e}, λ=1 "
                        f"(numpy, CPU time, best of {repeat})", f"{rate(n, t_o)} ({t_o:.3g} s)",
                        f"weights only {rate(n, t_w)} ({t_w:.3g} s)", t_w / t_o,
                        "output ≤ 3× weights only (ratio ≥ 0.33)"))
    return rows


def cpu_rows(quick: bool) -> list[dict]:
    rows = whole_process_rows(quick) + startup_rows(5 if quick else 9)
    n = 10**6 if quick else 10**7
    repeat = 1 if quick else 5
    base_n = {3: n, 64: 10**5 if quick else 10**6}
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
    rows.extend(output_rows(quick))
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
        return [row("engine on CUDA (torch backend): weights-only d=3, 64 and the zonal scalar recursion at "
                    "d=128, n=1e9", f"{reason} (not measured)", "—", None, "≥ 1e10 keys/s (goal, reported)")]
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
    torch.cuda.reset_peak_memory_stats()
    t_z = best_time(_engine(128, n, output=True, backend="torch", device="cuda"), repeat)
    t_zw = best_time(_engine(128, n, backend="torch", device="cuda"), repeat)
    peak = torch.cuda.max_memory_allocated() / 2**20
    rows.append(row(f"engine CUDA float64 with output vector (zonal scalar recursion), uniform d=128, n={n:.0e}, λ=1",
                    f"{rate(n, t_z)} ({t_z:.3g} s, peak {peak:.0f} MiB)", f"weights only {rate(n, t_zw)}",
                    t_zw / t_z, "≥ 1e10 keys/s (goal, reported)"))
    return rows


def rows(device: str = "cpu", quick: bool = False) -> list[dict]:
    """Benchmark rows (see the module docstring); ``device="cuda"`` gives the GPU rows."""
    return cuda_rows(quick) if device == "cuda" else cpu_rows(quick)
