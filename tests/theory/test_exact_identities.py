"""Exact finite-n identities (:ref:`theory-exact-identities`) against independent references: n = 1, β = 0, n = 2 by direct
two-dimensional quadrature, and the normalisation E Σ w = 1."""

import math

import numpy as np
import pytest
from scipy import integrate

from attnlimits import InputError
from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher
from attnlimits.theory import (
    expected_defect,
    expected_inner,
    expected_ipr,
    expected_max_weight,
    expected_one_minus_max_weight,
    expected_power_sum,
    expected_tangent_sq,
)
from attnlimits.theory._exact import _integrals


@pytest.mark.parametrize("d", [2, 3, 64])
@pytest.mark.parametrize("beta", [0.0, 1.0, 1e30])
def test_single_key_holds_all_the_mass(d, beta):
    law = UniformSphere(d)
    assert expected_ipr(law, 1, beta) == 1.0
    assert expected_max_weight(law, 1, beta) == 1.0
    assert expected_inner(law, 1, beta) == 0.0  # E<q,K> = 0 for uniform keys


@pytest.mark.parametrize("n", [2, 1000, 10**18])
def test_beta_zero_is_uniform_weights(n):
    law = UniformSphere(5)
    assert expected_ipr(law, n, 0.0) == pytest.approx(1.0 / n, rel=1e-15)
    assert expected_max_weight(law, n, 0.0) == pytest.approx(1.0 / n, rel=1e-15)
    assert expected_power_sum(law, n, 0.0, 3.0) == pytest.approx(float(n) ** -2, rel=1e-15)
    assert expected_defect(law, n, 0.0) == 0.0


def _two_key_reference(d, beta, fun, nodes=200):
    """E fun(X1, X2) for two i.i.d. uniform keys: 2 E[fun; θ1 < θ2] over the angles θ = arccos<q,K> with
    density ∝ sin^{d−2}θ, on the triangle mapped to a square (θ2 = θ1 + (π − θ1)v) so that the integrand
    is smooth, by tensor Gauss–Legendre — independent of the code under test."""
    y, w = np.polynomial.legendre.leggauss(nodes)
    u, wu = (y + 1) / 2, w / 2
    th1 = np.pi * u[:, None] * np.ones((1, nodes))
    th2 = th1 + (np.pi - th1) * u[None, :]
    jac = np.pi * (np.pi - th1)
    dens = lambda th: np.sin(th) ** (d - 2)
    norm = np.pi * (wu @ dens(np.pi * u))
    x1, x2 = beta * 2 * np.sin(th1 / 2) ** 2, beta * 2 * np.sin(th2 / 2) ** 2
    vals = fun(x1, x2) * dens(th1) * dens(th2) * jac
    return 2 * (wu @ vals @ wu) / norm**2


def _ipr2(x1, x2):
    return (np.exp(-2 * x1) + np.exp(-2 * x2)) / (np.exp(-x1) + np.exp(-x2)) ** 2


def _max2(x1, x2):
    return 1.0 / (1.0 + np.exp(-abs(x1 - x2)))


def _defect2(x1, x2):
    return (x1 * np.exp(-x1) + x2 * np.exp(-x2)) / (np.exp(-x1) + np.exp(-x2))


@pytest.mark.parametrize("d, beta", [(2, 0.3), (2, 30.0), (3, 5.0), (4, 3.0), (6, 10.0)])
def test_two_keys_match_direct_quadrature(d, beta):
    law = UniformSphere(d)
    assert expected_ipr(law, 2, beta) == pytest.approx(_two_key_reference(d, beta, _ipr2), rel=1e-8)
    assert expected_max_weight(law, 2, beta) == pytest.approx(_two_key_reference(d, beta, _max2), rel=1e-8)
    assert expected_defect(law, 2, beta) == pytest.approx(_two_key_reference(d, beta, _defect2), rel=1e-8)


@pytest.mark.parametrize("d, n, beta", [(2, 10**6, 1e6), (3, 10**12, 5e11), (5, 10**6, 100.0), (64, 10**6, 75.0),
                                        (3, 10**18, 1e30), (16, 10**18, 1e-6), (2, 7, 1e-9)])
def test_normalisation_and_complements(d, n, beta):
    """E Σ w = 1 is computed by the same quadrature as every other value: a check of its accuracy."""
    law = UniformSphere(d)
    res = _integrals(law, n, beta, (2.0,), True)
    assert res["norm"] == pytest.approx(1.0, abs=1e-9)
    assert res["max"] + res["one_minus_max"] == pytest.approx(1.0, abs=1e-9)
    assert res["power"][2.0] + res["one_minus_ipr"] == pytest.approx(1.0, abs=1e-9)
    assert 1.0 / n <= expected_ipr(UniformSphere(d), n, beta) * (1 + 1e-9)


def test_supercritical_extreme_is_finite_and_collapsed():
    law = UniformSphere(3)
    assert expected_max_weight(law, 10**18, 1e30) == pytest.approx(1.0, abs=1e-9)
    assert expected_ipr(law, 10**18, 1e30) == pytest.approx(1.0, abs=1e-9)
    # E β(1−<q,O>) → β E D_(1) = β·2/(n+1)  (D uniform on [0, 2] for d = 3)
    assert expected_defect(law, 10**18, 1e30) == pytest.approx(1e30 * 2 / (10**18 + 1), rel=1e-6)
    assert 0 < expected_one_minus_max_weight(law, 10**18, 1e30) < 1e-9


def test_power_sum_is_monotone_in_p():
    law = UniformSphere(3)
    vals = [expected_power_sum(law, 100, 50.0, p) for p in (1.0, 1.5, 2.0, 3.0)]
    assert vals[0] == pytest.approx(1.0, abs=1e-10)
    assert all(a > b for a, b in zip(vals, vals[1:]))


def test_subsphere_equals_uniform_in_its_own_dimension():
    assert expected_ipr(Subsphere(10, 3), 500, 40.0) == pytest.approx(expected_ipr(UniformSphere(3), 500, 40.0), rel=1e-12)


def test_vmf_centred_matches_two_key_quadrature():
    law = VonMisesFisher(3, 2.0)
    pdf = lambda t: np.exp(law.distance_logpdf(t))
    ref = integrate.dblquad(lambda a, b: _ipr2(4.0 * a, 4.0 * b) * pdf(a) * pdf(b), 0, 2, 0, 2, epsabs=0, epsrel=1e-11)[0]
    assert expected_ipr(law, 2, 4.0) == pytest.approx(ref, rel=1e-7)


def test_tangent_sq_at_beta_zero_and_n_one():
    law = UniformSphere(3)
    # E|P⊥K|² = E D(2−D) = 2/3 for d = 3
    assert expected_tangent_sq(law, 1, 7.0) == pytest.approx(2 / 3, rel=1e-10)
    assert expected_tangent_sq(law, 10, 0.0) == pytest.approx(2 / 30, rel=1e-10)


@pytest.mark.parametrize("bad", [dict(n=0), dict(beta=-1.0), dict(beta=math.nan), dict(n=2.5)])
def test_bad_input(bad):
    args = dict(n=10, beta=1.0) | bad
    with pytest.raises(InputError):
        expected_ipr(UniformSphere(3), args["n"], args["beta"])
