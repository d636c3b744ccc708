"""``phase-diagram``: the measured β_1/2 line against the exact one at each n (4 SE), and the paper's scale up to
constants as its own case; each rejects a wrong line at a fixed seed."""

from __future__ import annotations

import math

import pytest

from attnlimits import UniformSphere
from attnlimits.claims.paper.phase_diagram import phase_cases, phase_row
from attnlimits.theory import beta_half
from attnlimits.theory._effective import lam_half

LAW = UniformSphere(3)
NS = [10**2, 10**6, 10**10]


@pytest.fixture(scope="module")
def rows():
    """β̂_1/2 and SE(log β̂_1/2) at each n from 600 replicates (fixed seeds)."""
    got = [phase_row(LAW, n, 600, [11, n], [1.0]) for n in NS]
    return [r["beta_half"] for r in got], [r["log_se"] for r in got]


def _cases(rows, exact=None, beta_star=None, lam=None):
    measured, log_ses = rows
    exact = [beta_half(LAW, n) for n in NS] if exact is None else exact
    beta_star = [LAW.critical_beta(n) for n in NS] if beta_star is None else beta_star
    return phase_cases(NS, measured, log_ses, exact, beta_star, lam_half(1.0) if lam is None else lam, {"d": 3})


def test_one_exact_case_per_n_and_the_factor_case(rows):
    cases = _cases(rows)
    assert [c.verdict for c in cases] == ["pass"] * (len(NS) + 1), [c.reasons for c in cases]
    for n, c, m, s in zip(NS, cases, *rows):
        assert c.exact and c.bias == 0.0 and c.params["n"] == n
        assert (c.predicted, c.measured, c.se) == (pytest.approx(beta_half(LAW, n)), m, m * s)
    factor = cases[-1]
    assert factor.predicted == 1.0 and factor.bias == 1.0
    assert factor.measured == pytest.approx(max(max(m / (b * lam_half(1.0)), b * lam_half(1.0) / m)
                                                for m, b in zip(rows[0], (LAW.critical_beta(n) for n in NS))))


def test_a_wrong_exact_line_fails_at_the_n_where_it_is_wrong(rows):
    exact = [beta_half(LAW, n) for n in NS]
    exact[1] *= 1.25  # 25% off at one n: about 12 SE with 600 replicates (SE(log β̂) ≈ 0.025)
    verdicts = [c.verdict for c in _cases(rows, exact=exact)]
    assert verdicts == ["pass", "fail", "pass", "pass"]


def test_a_wrong_critical_scale_is_rejected(rows):
    wrong = [(0.75 * n) ** 0.5 for n in NS]  # the d = 5 exponent
    cases = _cases(rows, exact=wrong, beta_star=wrong)
    assert all(c.verdict == "fail" for c in cases)
    assert cases[-1].measured > 2.0 and math.isfinite(cases[-1].se)


def test_the_factor_case_fails_beyond_a_factor_two(rows):
    """λ_1/2 off by 2.5: the measured ratio is then a factor 2.5 from it, beyond the tolerance."""
    cases = _cases(rows, lam=2.5 * lam_half(1.0))
    assert cases[-1].verdict == "fail" and cases[-1].measured == pytest.approx(2.5, rel=0.1)
    assert all(c.verdict == "pass" for c in cases[:-1])
