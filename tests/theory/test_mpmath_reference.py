"""For d = 3 (X = βD uniform on [0, 2β]) the inner integrals of :ref:`theory-exact-identities` have closed forms, so the exact
E[IPR] at any n reduces to one integral over s that mpmath evaluates at 30 digits — an independent check
of the production quadrature for n up to 1e18."""

import mpmath
import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import critical_beta, expected_ipr


def _ipr_d3_mpmath(n, beta):
    with mpmath.workdps(30):
        n, b = mpmath.mpf(n), mpmath.mpf(beta)
        two_b = 2 * b

        def q(s):  # 1 − φ(e^s) = (1/2β) ∫_0^{2β} (1 − exp(−e^{s−x})) dx
            return (two_b - mpmath.e1(mpmath.exp(s - two_b)) + mpmath.e1(mpmath.exp(s))) / two_b

        def k2(s):  # E γ_2(s − X) = (γ(2, e^s) − γ(2, e^{s−2β})) / 2β
            return (mpmath.gammainc(2, 0, mpmath.exp(s)) - mpmath.gammainc(2, 0, mpmath.exp(s - two_b))) / two_b

        def f(s):
            return n * mpmath.exp((n - 1) * mpmath.log1p(-min(mpmath.re(q(s)), 1))) * mpmath.re(k2(s))

        # φ^{n−1} underflows once (n−1)·q(s) ≳ 800, i.e. (q ≥ s/2β for 0 < s < 2β) past s = 1600β/n
        top = float(min(two_b + 60, max(60, 1600 * b / n + 60)))
        sc = float(-mpmath.log(n)) if n > 1 else 0.0
        pts = [sc - 80, sc - 20, sc - 5, sc, sc + 5, 0, 5, float(two_b), float(two_b) + 10, top]
        pts = sorted(set(p for p in pts if p <= top))
        return float(mpmath.re(mpmath.quad(f, pts)))


@pytest.mark.parametrize("n, beta", [(10, 3.0), (1000, 200.0), (10**6, 1.0)])
def test_d3_ipr_against_mpmath(n, beta):
    assert expected_ipr(UniformSphere(3), n, beta) == pytest.approx(_ipr_d3_mpmath(n, beta), rel=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("n", [10**6, 10**12, 10**18])
def test_d3_ipr_at_the_critical_scale_against_mpmath(n):
    law = UniformSphere(3)
    beta = critical_beta(law, n)
    assert expected_ipr(law, n, beta) == pytest.approx(_ipr_d3_mpmath(n, beta), rel=1e-9)
