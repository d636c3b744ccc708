"""Benchmark: the exact finite-n theory (issue 12) at d = 3, 64, 512, 4096, n = 1e6, β = β_1/2(n).

Ours: ``expected_ipr``, ``expected_max_weight`` and ``beta_half`` warm in one process (the count grid of
(law, n) built once, the result cache cleared before every call), median of repeats. Baselines, measured
in the same run on the same setting:

* E[IPR]: a plain nested ``scipy.integrate.quad`` of the same Laplace integral
  E Σ w² = n ∫ e^{2v} E[e^{−2X − e^{v−X}}] φ^{n−1} dv (SPEC §4), inner quads over D with the kernel's
  point as a break point;
* E[max w]: the independent reference of ``tests/theory/_reference.py`` (nearest-key conditioning, dense
  numpy Gauss–Legendre in gap coordinates): a three-fold integral that nested ``quad`` takes minutes for;
* β_1/2: ``scipy.optimize.brentq`` on our own E[max w] over the bracket [0.1, 10]·α_n/t_n (what the
  effective-exponent start and secant steps replace).

Each row shows both values, so the agreement is visible next to the speed. Timings on a shared machine
are noisy: medians of wall and of process CPU time (on a loaded machine the wall time is a multiple of
the CPU time); ratios are of wall times.

Run ``python benchmarks/bench_theory.py [--quick]`` or through ``benchmarks/run.py``.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT / "src"), str(ROOT / "tests")]

from _timing import row  # noqa: E402

DIMS = (3, 64, 512, 4096)
N = 10**6
TARGETS = {"expected_ipr": "≤ 50 ms", "expected_max_weight": "≤ 100 ms", "beta_half": "≤ 300 ms"}


def _median_time(fn, repeat):
    from attnlimits.theory import _exact

    times, cpu = [], []
    for _ in range(repeat):
        _exact._CACHE.clear()
        t, c = time.perf_counter(), time.process_time()
        value = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(times), statistics.median(cpu), value


def _quad_ipr(d, n, beta):
    """E Σ w² by nested scipy quad (uniform keys), independent of the package's quadrature."""
    from scipy import integrate, special

    a = (d - 1) / 2.0
    lb = special.betaln(a, a) + (2 * a - 1) * math.log(2.0)

    def f(t):
        return math.exp((a - 1) * (math.log(t) + math.log(2 - t)) - lb) if 0 < t < 2 else 0.0

    def inner(kernel, v):
        pts = [(v + k) / beta for k in (-5.0, 0.0, 1.0, 5.0, 20.0, 60.0)]  # the kernel's unit scale in x
        pts = [p for p in pts if 0.0 < p < 2.0]
        return integrate.quad(lambda t: f(t) * kernel(v - beta * t), 0.0, 2.0, points=pts, limit=200,
                              epsabs=0.0, epsrel=1e-10)[0]

    q_ker = lambda tau: -math.expm1(-math.exp(min(tau, 700.0)))  # noqa: E731
    k2_ker = lambda tau: math.exp(2 * tau - math.exp(min(tau, 700.0))) if tau < 700 else 0.0  # noqa: E731

    def outer(v):
        q = inner(q_ker, v)
        if q >= 1.0:
            return 0.0
        return n * inner(k2_ker, v) * math.exp((n - 1) * math.log1p(-q))

    # break points where the nearest keys sit (x = βF^{-1}(e^k/n)): without them quad misses the peak at
    # d = 3 (it returns 1e−295 there)
    near = [2.0 * beta * float(special.betaincinv(a, a, min(0.5, math.exp(k) / n))) for k in (-5.0, -2.0, 0.0, 2.0)]
    lo = min(-math.log(n), near[0]) - 45.0
    hi = 2.0 * beta * float(special.betaincinv(a, a, min(0.5, 1000.0 / n))) + 10.0 if n > 2000 else 2 * beta + 10.0
    pts = sorted(v for v in set([-math.log(n), 0.0] + near) if lo < v < hi)
    return integrate.quad(outer, lo, hi, points=pts, limit=400, epsabs=0.0, epsrel=1e-9)[0]


def _brent_beta_half(law, n):
    from scipy import optimize

    from attnlimits.theory import expected_max_weight

    t_n = float(law.distance_ppf_log(_arr(-math.log(n)), _arr(math.log1p(-1.0 / n)))[0])
    scale = math.exp(math.log(t_n) + float(law.distance_logpdf(_arr(t_n))[0]) + math.log(n)) / t_n
    g = lambda lb: expected_max_weight(law, n, math.exp(lb)) - 0.5  # noqa: E731
    return math.exp(optimize.brentq(g, math.log(0.1 * scale), math.log(10.0 * scale), xtol=1e-7, rtol=1e-12))


def _arr(v):
    import numpy as np

    return np.array([v])


def rows(device: str = "cpu", quick: bool = False) -> list[dict]:
    if device != "cpu":
        return [row("theory (exact finite n)", "skipped: CPU only", "—", None, "—")]
    from theory._reference import reference

    from attnlimits.laws import UniformSphere
    from attnlimits.theory import beta_half, expected_ipr, expected_max_weight

    repeat = 3 if quick else 7
    out = []
    for d in DIMS:
        law = UniformSphere(d)
        bh = beta_half(law, N)
        setting = f"d={d}, n=1e6, β=β_1/2={bh:.4g}"
        t_ipr, c_ipr, v_ipr = _median_time(lambda: expected_ipr(law, N, bh), repeat)
        t0 = time.perf_counter()
        b_ipr = _quad_ipr(d, N, bh)
        tb_ipr = time.perf_counter() - t0
        out.append(row(f"expected_ipr, {setting}", f"{t_ipr * 1e3:.1f} ms wall, {c_ipr * 1e3:.1f} ms CPU (medians of {repeat}), {v_ipr:.10g}",
                       f"nested scipy quad: {tb_ipr * 1e3:.0f} ms, {b_ipr:.10g}", tb_ipr / t_ipr,
                       TARGETS["expected_ipr"]))
        t_max, c_max, v_max = _median_time(lambda: expected_max_weight(law, N, bh), repeat)
        t0 = time.perf_counter()
        ref = reference(d, N, bh)
        tb_max = time.perf_counter() - t0
        out.append(row(f"expected_max_weight, {setting}", f"{t_max * 1e3:.1f} ms wall, {c_max * 1e3:.1f} ms CPU (medians of {repeat}), {v_max:.10g}",
                       f"dense nearest-key reference: {tb_max * 1e3:.0f} ms, {1 - ref['one_minus_max']:.10g}",
                       tb_max / t_max, TARGETS["expected_max_weight"]))
        t_bh, c_bh, v_bh = _median_time(lambda: beta_half(law, N), max(3, repeat // 2))
        t0 = time.perf_counter()
        b_bh = _brent_beta_half(law, N)
        tb_bh = time.perf_counter() - t0
        out.append(row(f"beta_half, d={d}, n=1e6", f"{t_bh * 1e3:.0f} ms wall, {c_bh * 1e3:.0f} ms CPU (medians), {v_bh:.8g}",
                       f"brentq on E max w over [0.1, 10]·α_n/t_n: {tb_bh * 1e3:.0f} ms, {b_bh:.8g}", tb_bh / t_bh,
                       TARGETS["beta_half"]))
    return out


if __name__ == "__main__":
    for r in rows(quick="--quick" in sys.argv):
        print(r)
