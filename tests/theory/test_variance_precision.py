"""Item 5 of issue 12: the subcritical CLT variances at large β agree with the d = 3 closed forms
(independent: mpmath hyperbolic functions at 80 digits), with the exponentials of M cancelled analytically."""

import mpmath
import pytest

from attnlimits.theory import radial_variance_limit, tangent_variance_limit
from attnlimits.theory._special import log_mgf
from attnlimits.theory._subcritical import _log_mgf_ratio


def _closed_forms(beta, n):
    """σ⊥² = coth β (coth 2β − 1/(2β))/(2n), σ∥² = β coth β [1/(4β²) − 1/sinh² 2β + (A(2β) − A(β))²]/n,
    A(t) = coth t − 1/t (d = 3: ⟨q,K⟩ uniform on [−1, 1])."""
    with mpmath.workdps(80):
        b = mpmath.mpf(beta)
        a = lambda t: mpmath.coth(t) - 1 / t  # noqa: E731
        tang = mpmath.coth(b) * (mpmath.coth(2 * b) - 1 / (2 * b)) / (2 * n)
        rad = b * mpmath.coth(b) * (1 / (4 * b * b) - 1 / mpmath.sinh(2 * b) ** 2 + (a(2 * b) - a(b)) ** 2) / n
        return float(tang), float(rad)


@pytest.mark.parametrize("beta", [1e-6, 0.5, 3.0, 1e3, 1e12, 1e20, 1e30])
@pytest.mark.parametrize("n", [1, 10**12])
def test_d3_closed_forms_up_to_beta_1e30(beta, n):
    tang, rad = _closed_forms(beta, n)
    assert tangent_variance_limit(3, n, beta) == pytest.approx(tang, rel=1e-9)
    assert radial_variance_limit(3, n, beta) == pytest.approx(rad, rel=1e-9)


def test_issue_example_lam_2():
    # theory --d 3 --n 1e12 --lam 2 is β = 2·β*_n = 1e12: (1/(2n))(1 − 1/(2β)) to first order
    assert tangent_variance_limit(3, 10**12, 1e12) == pytest.approx(4.9999999999975e-13, rel=1e-12)


@pytest.mark.parametrize("d, beta, kappa", [(64, 3.0, 5.0), (3, 2.0, 0.5), (16, 100.0, 20.0), (64, 100.0, 0.0)])
def test_mgf_ratio_matches_logs_where_they_do_not_cancel(d, beta, kappa):
    """At moderate β the plain difference of log M is accurate: the cancelled form must agree with it."""
    plain = float(log_mgf(d, kappa + 2 * beta)) + float(log_mgf(d, kappa)) - 2 * float(log_mgf(d, kappa + beta))
    assert _log_mgf_ratio(d, beta, kappa) == pytest.approx(plain, rel=1e-12, abs=1e-12)
