""":ref:`theory-effective-exponent`'s table (first order) and the second-order refinement, against the exact β_1/2 of :ref:`theory-exact-identities`.

The ratio is (β where the effective law has E W_1 = 1/2) / (exact β_1/2). First order: PK(α_n, β t_n);
second order: the same law with the curvature κ_n of log F at t_n in its mean measure (``_effective``)."""

import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import beta_half, beta_half_eff

#: docs theory-effective-exponent: first-order ratio at n = 1e3, 1e4, 1e6, 1e9.
SPEC_TABLE = {16: (1.035, 1.020, 1.008, 1.003), 64: (1.072, 1.048, 1.027, 1.014), 128: (1.086, 1.059, 1.034, 1.020),
              256: (1.096, 1.067, 1.040, 1.024), 1024: (1.110, 1.078, 1.049, 1.031)}
NS = (10**3, 10**4, 10**6, 10**9)


def _ratios(d, n):
    law = UniformSphere(d)
    exact = beta_half(law, n)
    return beta_half_eff(law, n, order=1) / exact, beta_half_eff(law, n, order=2) / exact


def _check(d, n):
    first, second = _ratios(d, n)
    assert first == pytest.approx(SPEC_TABLE[d][NS.index(n)], abs=1e-3)  # the table's 3 decimals
    if d in (16, 64, 128) and n >= 10**4:  # the acceptance for the first order
        assert abs(first - 1) < (0.04 if n >= 10**6 else 0.06)
    if n >= 10**4:  # the goal of the refinement: 1 % at every d ≤ 1024
        assert abs(second - 1) < 0.01
    assert abs(second - 1) < abs(first - 1)  # second order is the better of the two (beta_half_eff's default)


@pytest.mark.parametrize("d, n", [(16, 10**4), (64, 10**6)])
def test_effective_exponent_table(d, n):
    _check(d, n)


@pytest.mark.slow
@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("d", sorted(SPEC_TABLE))
def test_effective_exponent_table_full(d, n):
    _check(d, n)


def test_second_order_for_von_mises_fisher_keys():
    """Not only the sphere: vMF(κ = 5) keys at d = 16, n = 1e4 (measured 1.027 first order, 1.005 second)."""
    from attnlimits.laws import VonMisesFisher

    law = VonMisesFisher(16, 5.0)
    exact = beta_half(law, 10**4)
    first, second = beta_half_eff(law, 10**4, order=1) / exact, beta_half_eff(law, 10**4) / exact
    assert abs(second - 1) < 0.01 and abs(second - 1) < abs(first - 1)
