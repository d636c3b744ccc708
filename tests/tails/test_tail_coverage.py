"""The known-endpoint tail estimator's 95% interval for α covers at its nominal rate (α ≤ 4).

Each case draws m distances from a law with known local exponent α, fits :func:`fit_local_power` (threshold
chosen automatically) and records whether α lies in the reported interval. Coverage must lie within
z_B binomial standard errors of 95%, z_B the 3σ level (two-sided p = 0.0027) Bonferroni-corrected over the
cases of the run, so that a correct interval fails the family with probability ≤ 0.27%. The threshold rule
(k ≤ min(m/16, 16√m)) keeps the residual bias below ~0.15 SE for α ≤ 4 instead of adding it to the interval.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from scipy import stats

from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher
from attnlimits.tails import fit_local_power

NOMINAL = 0.95


def _law(law):
    return law.local_exponent, lambda rng, m: law.draw(rng, m).distances


def _mixture(parts):
    alpha = min(law.local_exponent for _, law in parts)

    def draw(rng, m):
        w = np.array([p for p, _ in parts])
        counts = rng.multinomial(m, w / w.sum())
        return np.concatenate([law.draw(rng, int(c)).distances for (_, law), c in zip(parts, counts)])

    return alpha, draw


CASES = {
    "uniform d=2": _law(UniformSphere(2)),
    "uniform d=3": _law(UniformSphere(3)),
    "uniform d=5": _law(UniformSphere(5)),
    "uniform d=9": _law(UniformSphere(9)),
    "vmf d=3 kappa=10": _law(VonMisesFisher(3, 10.0)),
    "vmf d=9 kappa=10": _law(VonMisesFisher(9, 10.0)),
    "subsphere k=2 in d=64": _law(Subsphere(64, 2)),
    "subsphere k=9 in d=64": _law(Subsphere(64, 9)),
    "mixture uniform + vmf kappa=20, d=5": _mixture([(0.5, UniformSphere(5)), (0.5, VonMisesFisher(5, 20.0))]),
}
#: Local exponent 2 (the subsphere) under a heavier α = 4 component: F = a t² + b t⁴, a t² correction the
#: second-order model does not absorb. Measured coverage 0.725 at m = 1e6 (40 repetitions): known to fail.
HARD_MIXTURE = _mixture([(0.7, UniformSphere(9)), (0.3, Subsphere(9, 5))])


def coverage(case, m: int, reps: int, seed: int = 2026) -> float:
    """Share of ``reps`` fits whose interval contains the case's α (each case its own stream, by name)."""
    alpha, draw = case
    name = next((k for k, v in CASES.items() if v is case), "hard mixture")
    rng = np.random.default_rng([seed, m, zlib.crc32(name.encode())])
    hits = 0
    for _ in range(reps):
        lo, hi = fit_local_power(draw(rng, m)).alpha_ci
        hits += lo <= alpha <= hi
    return hits / reps


def assert_covers(cov: float, reps: int, family: int) -> None:
    z = stats.norm.ppf(1.0 - 0.0027 / (2.0 * family))
    se = np.sqrt(NOMINAL * (1.0 - NOMINAL) / reps)
    assert abs(cov - NOMINAL) <= z * se, f"coverage {cov:.3f} of {reps}; expected {NOMINAL} ± {z * se:.3f}"


DEFAULT = ["uniform d=3", "uniform d=9", "subsphere k=2 in d=64", "vmf d=9 kappa=10"]


@pytest.mark.parametrize("name", DEFAULT)
def test_alpha_interval_covers_small(name):
    reps = 50
    assert_covers(coverage(CASES[name], 100_000, reps), reps, family=len(DEFAULT))


SLOW = [(name, m) for name in CASES for m in (100_000, 1_000_000)]


@pytest.mark.slow
@pytest.mark.parametrize("name,m", SLOW, ids=[f"{n}-m{m:.0e}" for n, m in SLOW])
def test_alpha_interval_covers(name, m):
    reps = 200
    cov = coverage(CASES[name], m, reps)
    print(f"coverage {name} m={m:.0e}: {cov:.3f} of {reps}")
    assert_covers(cov, reps, family=len(SLOW))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="mixed exponents 2 and 4: a t^2 correction the second-order model misses")
def test_alpha_interval_mixed_exponents_known_to_undercover():
    reps = 200
    assert_covers(coverage(HARD_MIXTURE, 1_000_000, reps), reps, family=len(SLOW) + 1)
