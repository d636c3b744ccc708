"""β_1/2 by common random numbers: the root, its SE, and agreement with the exact finite-n β_1/2."""

from __future__ import annotations

import math

from attnlimits import UniformSphere
from attnlimits.claims import Context, estimate_beta_half
from attnlimits.claims.paper.critical_exponent import CRITICAL_EXPONENT, exponent_case
from attnlimits.theory import beta_half


def test_beta_half_matches_the_exact_finite_n_value_within_4_se():
    law = UniformSphere(3)
    for n in (10**4, 10**12):
        est, _ = estimate_beta_half(law, n, 300, [7, n], law.critical_beta(n))
        exact = beta_half(law, n)
        assert abs(math.log(est.beta / exact)) <= 4 * est.log_se, (n, est.beta, exact, est.log_se)


def test_critical_exponent_rejects_the_wrong_exponent_one_over_d_minus_1():
    result = CRITICAL_EXPONENT.run(Context(quick=True, seed=0))
    assert [c.case for c in result.cases] == ["d=2", "d=3", "d=4", "d=6"]
    for c in result.cases:
        d = c.params["d"]
        right = exponent_case(d, c.measured, c.se, c.bias, c.params)
        wrong = exponent_case(d, c.measured, c.se, c.bias, c.params, predicted=1.0 / (d - 1))
        assert right.verdict == "pass", right.reasons
        assert wrong.verdict == "fail"


def test_grid_results_do_not_depend_on_worker_count(tmp_path):
    one = CRITICAL_EXPONENT.run(Context(quick=True, seed=3, workers=1, directory=tmp_path / "a"))
    two = CRITICAL_EXPONENT.run(Context(quick=True, seed=3, workers=2, directory=tmp_path / "b"))
    assert [c.measured for c in one.cases] == [c.measured for c in two.cases]
    assert (tmp_path / "a" / "store.sqlite").is_file()  # the grid's section of the run's one store
