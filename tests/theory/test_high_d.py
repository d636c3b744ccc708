"""Issue 12 item 1: the exact finite-n theory at every d ≤ 4096, n ≤ 1e18, β ≤ 1e30.

* against the independent reference of ``_reference.py`` (nearest-key conditioning, dense quadrature in
  gap coordinates), stored in ``data/reference_values.json`` at d = 64, 512, 4096, n = 10, 1e6, 1e18, near
  β_1/2 and at β = 1e30; the ``slow`` test recomputes some of them;
* invariants over a grid: finite, E max w and E IPR in [1/n, 1], non-decreasing in β, no exception.
"""

import json
import math
import pathlib

import pytest

from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher
from attnlimits.theory import (
    beta_half,
    expected_defect,
    expected_inner,
    expected_ipr,
    expected_max_weight,
    expected_one_minus_max_weight,
    expected_power_sum,
    expected_tangent_sq,
)

from theory._reference import reference

_ROWS = json.loads((pathlib.Path(__file__).parent / "data" / "reference_values.json").read_text())


def _best(direct, complement):
    """The reference value from the side that is computed without cancellation."""
    return direct if direct < 0.5 else 1.0 - complement


@pytest.mark.parametrize("row", _ROWS, ids=lambda r: f"d{r['d']}-n{r['n']:.0e}-b{r['beta']:g}")
def test_against_independent_reference(row):
    law, n, beta = UniformSphere(row["d"]), row["n"], row["beta"]
    assert expected_max_weight(law, n, beta) == pytest.approx(_best(row["max"], row["one_minus_max"]), rel=1e-8)
    assert expected_ipr(law, n, beta) == pytest.approx(_best(row["ipr"], row["one_minus_ipr"]), rel=1e-8)
    # the complements, relative: at β = 1e30 they are ~1e−28 (only the nearest pair of keys matters)
    assert expected_one_minus_max_weight(law, n, beta) == pytest.approx(row["one_minus_max"], rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("idx", [2, 11, 17])
def test_stored_reference_is_reproduced(idx):
    row = _ROWS[idx]
    r = reference(row["d"], row["n"], row["beta"])
    for k in ("max", "one_minus_max", "ipr", "one_minus_ipr"):
        assert r[k] == pytest.approx(row[k], rel=1e-12)


def _check_invariants(law, n, betas):
    prev_m = prev_i = 0.0
    for beta in betas:
        m, i = expected_max_weight(law, n, beta), expected_ipr(law, n, beta)
        df, inner = expected_defect(law, n, beta), expected_inner(law, n, beta)
        assert 1.0 / n * (1 - 1e-9) <= m <= 1.0, (n, beta, m)
        assert 1.0 / n * (1 - 1e-9) <= i <= 1.0, (n, beta, i)
        assert i <= m * (1 + 1e-9)  # Σ w² ≤ max w
        # non-decreasing in β up to the stated quadrature error (1e−9 relative)
        assert m >= prev_m * (1 - 1e-9) and i >= prev_i * (1 - 1e-9), (n, beta, m, prev_m, i, prev_i)
        assert math.isfinite(df) and df >= 0.0 and -1.0 <= inner <= 1.0
        prev_m, prev_i = m, i


_BETAS = [0.0, 1e-3, 1.0, 100.0, 1e4, 1e12, 1e30]


@pytest.mark.parametrize("d", [2, 4096])
@pytest.mark.parametrize("n", [3, 10**18])
def test_invariants_small_grid(d, n):
    _check_invariants(UniformSphere(d), n, _BETAS)


@pytest.mark.slow
@pytest.mark.parametrize("d", [2, 3, 16, 64, 128, 512, 1024, 4096])
@pytest.mark.parametrize("n", [2, 10, 1000, 10**6, 10**12, 10**18])
def test_invariants_full_grid(d, n):
    betas = [0.0, 1e-8, 1e-3, 0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e6, 1e8, 1e10, 1e12, 1e13, 1e14, 1e15, 1e20, 1e30]
    _check_invariants(UniformSphere(d), n, betas)


@pytest.mark.parametrize("law", [Subsphere(4096, 64), VonMisesFisher(64, 20.0)], ids=["subsphere", "vmf"])
def test_invariants_other_laws(law):
    _check_invariants(law, 10**6, [0.0, 1.0, 100.0, 1e6, 1e30])


def test_issue_cases_that_failed():
    """The cases of the issue's table: a ValueError at d = 4096, OverflowError at β = 1e12 for d ≥ 64, NaN
    at d = 3, n = 10, β = 1e12…1e15."""
    assert 1e-6 < expected_max_weight(UniformSphere(4096), 10**6, 100.0) < 0.5  # β_1/2 = 465 here
    assert expected_max_weight(UniformSphere(64), 10**6, 1e12) == pytest.approx(1.0, abs=1e-9)
    for beta in (1e11, 1e12, 1e13, 1e14, 1e15, 1e20):
        m = expected_max_weight(UniformSphere(3), 10, beta)
        assert math.isfinite(m) and 1 - 1e-9 < m <= 1.0
    assert expected_max_weight(UniformSphere(64), 10, 1e-8) == pytest.approx(0.1, rel=1e-6)


def test_extreme_beta_is_the_nearest_pair():
    """β = 1e30, d = 3: D uniform on [0, 2], so 1 − E max w = ln 2·H/β with the gap density at 0
    H = ∫ n(n−1) f²(1−F)^{n−2} dt = n(n−1)/4 · 2/(n−1) = n/2, and 1 − E Σw² = H/β."""
    law, n, beta = UniformSphere(3), 10**6, 1e30
    assert expected_one_minus_max_weight(law, n, beta) == pytest.approx(math.log(2) * n / 2 / beta, rel=1e-9)
    assert 1.0 - expected_ipr(law, n, beta) == pytest.approx(0.0, abs=1e-15)
    assert expected_tangent_sq(law, n, beta) == pytest.approx(2.0 / (n + 1) * 2 - 8.0 / ((n + 1) * (n + 2)), rel=1e-6)
    assert expected_power_sum(law, n, beta, 3.0) <= expected_ipr(law, n, beta)


def test_n_one_and_two():
    law = UniformSphere(64)
    assert beta_half(law, 1) is None
    assert beta_half(law, 2) == 0.0
    assert expected_max_weight(law, 2, 0.0) == 0.5
    assert expected_max_weight(law, 2, 1e30) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("d, n", [(64, 10**6), (4096, 10**18), (3, 1000)])
def test_beta_half_is_the_half_crossing(d, n):
    law = UniformSphere(d)
    b = beta_half(law, n)
    # rtol = 1e−7 in β: E max w is within (dE/d log β ≤ 1)·1e−7 of 1/2
    assert expected_max_weight(law, n, b) == pytest.approx(0.5, abs=1e-7)
    assert expected_max_weight(law, n, b * 0.99) < 0.5 < expected_max_weight(law, n, b * 1.01)
