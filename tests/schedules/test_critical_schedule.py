"""On uniform keys the critical schedule puts β_{1/2} at every n: exact E[max weight] = 1/2 (SPEC §2, §4)."""

import pytest

import attnlimits.theory
from attnlimits.laws import UniformSphere

pytestmark = pytest.mark.skipif(
    not all(hasattr(attnlimits.theory, name) for name in ("regime", "beta_half", "expected_max_weight", "critical_beta")),
    reason="the theory API (beta_half, expected_max_weight, regime) has not landed on this branch")


@pytest.mark.parametrize("d", [3, 16])
def test_critical_schedule_holds_max_weight_at_one_half(d):
    from attnlimits.schedules import schedule_table
    from attnlimits.theory import beta_half

    law = UniformSphere(d)
    T = 1000
    table = schedule_table(law, T, [1000, 10**4, 10**6], beta_train=beta_half(law, T))
    for row in table["rows"]:
        crit = row["rules"]["critical"]
        assert crit["beta"] == pytest.approx(row["beta_half"], rel=1e-9)
        assert crit["max_weight"] == pytest.approx(0.5, abs=1e-4)
        assert crit["regime"] == "critical"
    # the rules that grow β more slowly than β_{1/2} fall towards the subcritical side as n grows
    first, last = table["rows"][0]["rules"]["none"]["max_weight"], table["rows"][-1]["rules"]["none"]["max_weight"]
    assert last < first
