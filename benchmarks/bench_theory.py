"""Benchmark: the exact finite-n theory (issue 12) at d = 3, 64, 512, 4096, n = 1e6, β = β_1/2(n).

Ours: ``expected_ipr``, ``expected_max_weight`` and ``beta_half`` warm in one process (the count grid of
(law, n) built once, the result caches cleared before every call), median of repeats. Baselines, measured
in the same run on the same setting:

* E[IPR]: a plain nested ``scipy.integrate.quad`` of the same Laplace integral
  E Σ w² = n ∫ e^{2v} E[e^{−2X − e^{v−X}}] φ^{n−1} dv (:ref:`theory-exact-identities`), inner quads over D with the kernel's
  point as a break point;
* E[max w]: the independent reference of ``tests/theory/_reference.py`` (nearest-key conditioning, dense
  numpy Gauss–Legendre in gap coordinates): a three-fold integral that nested ``quad`` takes minutes for;
* β_1/2: ``scipy.optimize.brentq`` on our own E[max w] over the bracket [0.1, 10]·α_n/t_n (what the
  effective-exponent start and secant steps replace).

Many β at once (the speed item of "Can the theory forecast a real decoder at longer contexts?"), CPU time
(medians, caches cleared before each repeat):

* ``expected_max_weights`` at 9 β over [0.5, 2]·β_1/2 at n = 1e6, uniform d = 64 and an estimated law (the
  tails module's fit to 20 000 uniform d = 64 distances), against the per-β loop of ``expected_max_weight``;
* one E max w quadrature (both integrals) with the kernel panels that lie outside their run for a whole block
  left out (now) against kept (before), same laws and n, β = β_1/2;
* one exact ``beta_iso`` root (T = 4096 → n = 1e6 at β_train = β_1/2(T), both laws): the per-root cost (what
  270 heads × 4 lengths multiply), against ``brentq`` on the same E max w;
* ``beta_iso_eff`` (its root on the Poisson–Kingman E W_1 at α_n): the max-only quadrature against the full
  one (moments included) on the same secant steps.

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
TARGETS = {"expected_ipr": "≤ 50 ms", "expected_max_weight": "≤ 100 ms", "beta_half": "≤ 300 ms",
           "batch": "< (number of β) × one call", "root": "270 heads × 4 lengths practical"}


def _median_time(fn, repeat):
    from attnlimits.theory import _exact

    times, cpu = [], []
    for _ in range(repeat):
        _exact._CACHE.clear()
        _exact._DIRECT.clear()  # (the direct E max w integrals a root search leaves behind)
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
    return out + _batch_rows(repeat)


def _cpu_median(fn, repeat):
    """Median process CPU time of ``fn()`` over ``repeat`` calls, every theory cache cleared before each."""
    from attnlimits.theory import _exact
    from attnlimits.theory._critical import _pk_integrals, max_weight_limit_only

    times, value = [], None
    for _ in range(repeat):
        _exact._CACHE.clear()
        _exact._DIRECT.clear()
        _pk_integrals.cache_clear()
        max_weight_limit_only.cache_clear()
        c = time.process_time()
        value = fn()
        times.append(time.process_time() - c)
    return statistics.median(times), value


def _batch_rows(repeat) -> list[dict]:
    import numpy as np

    from attnlimits.laws import UniformSphere
    from attnlimits.laws import EstimatedLaw
    from attnlimits.tails import fit_local_power
    from attnlimits.theory import beta_half, expected_max_weight, expected_max_weights
    from attnlimits.theory._counts import count_grid
    from attnlimits.theory._finite import FiniteQuadrature

    out = []
    dist = UniformSphere(64).draw(np.random.default_rng(6), 20000).distances
    laws = (("uniform d=64", UniformSphere(64)),
            ("estimated law (d=64 fit)", EstimatedLaw(fit_local_power(dist), dist, 64)))
    for name, law in laws:
        bh = beta_half(law, N)
        betas = bh * np.geomspace(0.5, 2.0, 9)
        t_b, v_b = _cpu_median(lambda: expected_max_weights(law, N, betas), repeat)
        t_l, v_l = _cpu_median(lambda: np.array([expected_max_weight(law, N, b) for b in betas]), repeat)
        err = float(np.max(np.abs(v_b - v_l) / v_l))
        out.append(row(f"expected_max_weights, {name}, n=1e6, 9 β in [0.5, 2]·β_1/2",
                       f"{t_b * 1e3:.0f} ms CPU ({t_b / 9 * 1e3:.1f} ms per β), max rel. diff {err:.1e}",
                       f"per-β loop of expected_max_weight: {t_l * 1e3:.0f} ms", t_l / t_b, TARGETS["batch"]))
        grid = count_grid(law, N)

        def quad(drop):
            q = FiniteQuadrature(law, grid, bh, powers=(), moments=False)
            q._drop_empty = drop
            r = q.integrate()
            return r["max"], r["one_minus_max"]

        t_new, v_new = _cpu_median(lambda: quad(True), repeat)
        t_old, v_old = _cpu_median(lambda: quad(False), repeat)
        err = max(abs(a - b) / abs(b) for a, b in zip(v_new, v_old))
        out.append(row(f"E max w quadrature, {name}, n=1e6, β=β_1/2: empty kernel panels left out",
                       f"{t_new * 1e3:.1f} ms CPU, max rel. diff {err:.1e}",
                       f"kept (before): {t_old * 1e3:.1f} ms", t_old / t_new, "values to ≤ 1e-12"))
    for name, law in laws:
        out.append(_root_row(name, law, repeat))
    out.append(_iso_eff_row(repeat))
    out += _sink_batch_rows(laws[1][1], max(2, repeat // 3))
    return out


def _sink_batch_rows(law, repeat) -> list:
    """64 queries, each with its own β and one sink score (as a head's sample in the audit): the batch, which
    interpolates the logits in log β, against one quadrature per query, at the audit's tolerance and at the
    default one."""
    import numpy as np

    from attnlimits.theory import sink_expectations

    rng = np.random.default_rng(7)
    Q, n = 64, 32768
    betas, scores = rng.uniform(8.0, 30.0, Q), rng.uniform(0.3, 0.8, (Q, 1))
    t_l, v_l = _cpu_median(lambda: np.array([sink_expectations(law, n, [b], [s])["max_weight"][0]
                                             for b, s in zip(betas, scores)]), 1)
    out = []
    for tol in (1e-4, 1e-6):
        t_b, v_b = _cpu_median(lambda: sink_expectations(law, n, betas, scores, tol=tol)["max_weight"], repeat)
        err = float(np.max(np.abs(v_b - v_l)))
        out.append(row(f"sink_expectations, estimated law (d=64 fit), n=32768, {Q} queries, β in [8, 30], one "
                       f"sink, tol {tol:g}", f"{t_b:.2f} s CPU, max |diff| {err:.1e}",
                       f"one quadrature per query: {t_l:.2f} s", t_l / t_b, "values within tol"))
    return out


def _root_row(name, law, repeat) -> dict:
    from attnlimits.schedules._iso import _logit, beta_iso
    from attnlimits.theory import beta_half, expected_max_weight

    T = 4096
    b_t = beta_half(law, T)
    t_iso, v_iso = _cpu_median(lambda: beta_iso(law, N, T, b_t), max(3, repeat // 2))
    m_t = expected_max_weight(law, T, b_t)

    def brent():
        from scipy import optimize

        g = lambda lb: _logit(expected_max_weight(law, N, math.exp(lb))) - _logit(m_t)  # noqa: E731
        guess = math.log(v_iso)
        return math.exp(optimize.brentq(g, guess - 0.7, guess + 0.7, xtol=1e-9, rtol=1e-12))

    t_br, v_br = _cpu_median(brent, max(3, repeat // 2))
    return row(f"beta_iso (exact root), {name}, T=4096 → n=1e6",
               f"{t_iso * 1e3:.0f} ms CPU per root ({1080 * t_iso:.0f} s for 270 heads × 4 lengths), {v_iso:.10g}",
               f"brentq on E max w over guess·e^±0.7: {t_br * 1e3:.0f} ms, {v_br:.10g}", t_br / t_iso, TARGETS["root"])


def _iso_eff_row(repeat) -> dict:
    from attnlimits.laws import UniformSphere
    from attnlimits.schedules._iso import _logit, _solve_log_beta, beta_iso_eff
    from attnlimits.theory import beta_half, effective_exponent
    from attnlimits.theory._critical import _pk_integrals

    law, T = UniformSphere(64), 4096
    b_t = beta_half(law, T)
    t_eff, v_eff = _cpu_median(lambda: beta_iso_eff(law, N, T, b_t), max(3, repeat // 2))

    def full_pk():
        e_t, e_n = effective_exponent(law, T), effective_exponent(law, N)

        def w1(alpha, lam):
            r = _pk_integrals.__wrapped__(alpha, lam)
            return r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"]

        target = _logit(w1(e_t.alpha_eff, b_t * e_t.t_n))
        f = lambda y: _logit(w1(e_n.alpha_eff, math.exp(y))) - target  # noqa: E731
        return _solve_log_beta(f, math.log(b_t * e_t.t_n), "β_iso_eff") / e_n.t_n

    t_full, v_full = _cpu_median(full_pk, max(3, repeat // 2))
    return row("beta_iso_eff (PK root), d=64, T=4096 → n=1e6",
               f"{t_eff * 1e3:.0f} ms CPU, {v_eff:.12g} (max-only PK quadrature)",
               f"full PK quadrature (moments too), same steps: {t_full * 1e3:.0f} ms, {v_full:.12g}",
               t_full / t_eff, "values equal")


if __name__ == "__main__":
    for r in rows(quick="--quick" in sys.argv):
        print(r)
