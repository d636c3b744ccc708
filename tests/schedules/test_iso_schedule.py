"""The selectivity-preserving schedule β_iso(n) against the exact E[max weight] (:ref:`theory-exact-identities`), and its closed forms
from the effective exponent (:ref:`theory-effective-exponent`)."""

import math

import pytest

from attnlimits.laws import UniformSphere
from attnlimits.schedules import beta_iso, beta_iso_eff, beta_iso_first_order, schedule_table
from attnlimits.theory import beta_half, effective_exponent, expected_max_weight


@pytest.mark.parametrize("d, n, factor", [(16, 10**5, 0.7), (64, 10**6, 1.5)])
def test_beta_iso_keeps_the_exact_max_weight(d, n, factor):
    law = UniformSphere(d)
    T = 1000
    bt = factor * beta_half(law, T)
    b = beta_iso(law, n, T, bt)
    assert b > bt  # more keys compete: keeping the selectivity needs a larger β
    assert expected_max_weight(law, n, b) == pytest.approx(expected_max_weight(law, T, bt), abs=1e-8)


def test_beta_iso_edges():
    law = UniformSphere(16)
    assert beta_iso(law, 1000, 1000, 7.0) == 7.0
    # a head at T = 1000 that averages (E max w close to 1/T) cannot be matched at n = 10 (max w ≥ 1/10)
    assert math.isnan(beta_iso(law, 10, 1000, 1e-3))


def test_closed_form_is_exact_for_an_exact_power_law():
    """d = 3: F(t) = t/2, so α_n = 1 at every n, t_n = 2/n, and the α-corrected form is the first-order one,
    β_train·t_T/t_n = β_train·n/T."""
    law = UniformSphere(3)
    T, n, bt = 1000, 10**6, 900.0
    assert effective_exponent(law, n).alpha_eff == pytest.approx(1.0, abs=1e-12)
    first = beta_iso_first_order(law, n, T, bt)
    assert first == pytest.approx(bt * n / T, rel=1e-9)  # t_n = 2/n
    assert beta_iso_eff(law, n, T, bt) == pytest.approx(first, rel=1e-9)


def test_alpha_correction_beats_first_order_at_d16():
    """At d = 16 (α_n moves from ~6.6 to ~7.2 between T = 4096 and n = 1e6) the PK(α_n) match is within 2 %
    of the exact β_iso (:ref:`theory-effective-exponent`: PK(α_n) is within 0.8–3.5 % of the exact β_1/2 at d = 16), and much
    closer than holding λ̃ = β t_n fixed."""
    law = UniformSphere(16)
    T, n = 4096, 10**6
    bt = beta_half(law, T)
    exact = beta_half(law, n)  # at β_train = β_1/2(T) the iso equation is the one β_1/2(n) solves
    eff, first = beta_iso_eff(law, n, T, bt), beta_iso_first_order(law, n, T, bt)
    assert abs(eff / exact - 1) < 0.02
    assert abs(eff / exact - 1) < 0.5 * abs(first / exact - 1)


def test_schedule_table_default_beta_train_and_iso_rule():
    law = UniformSphere(16)
    table = schedule_table(law, 1000, [1000, 10**5])
    assert table["beta_train"] == pytest.approx(beta_half(law, 1000), rel=1e-12)
    # β_1/2 is root-found to ~1e-7 relative in β, and d E[max w]/d log β is O(1) there
    assert table["max_weight_train"] == pytest.approx(0.5, abs=1e-6)
    for row in table["rows"]:
        iso = row["rules"]["iso"]
        assert iso["beta"] == row["beta_iso"] and iso["max_weight"] == pytest.approx(0.5, abs=1e-6)
        assert iso["regime"] == "critical"
        assert {"beta_iso", "beta_iso_eff", "beta_iso_first_order", "alpha_eff", "t_n"} <= set(row)
    first, last = (r["rules"]["none"]["max_weight"] for r in table["rows"])
    assert last < first  # an unchanged β loses selectivity as n grows
