"""Population map T_β(x): exact identities, Monte Carlo against quadrature, and the O(β^−2) drift error."""

import numpy as np
import pytest

from attnlimits._validation import InputError
from attnlimits.heat import (HarmonicDensity, VonMisesFisherDensity, first_order_map, mode_growth_factor,
                             population_map, population_map_error)
from attnlimits.theory import mean_resultant


def _points(d, m, seed=0):
    g = np.random.default_rng(seed).standard_normal((m, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def _vmf_exact(d, kappa, mu, x, beta):
    """Exact identity: e^{β⟨x,y⟩+κ⟨μ,y⟩} = e^{|v|⟨v/|v|,y⟩}, v = βx + κμ, so T = A_d(|v|)·v/|v|."""
    v = beta * x + kappa * mu
    r = np.linalg.norm(v, axis=1, keepdims=True)
    return mean_resultant(d, r) * v / r


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("beta", [3.0, 80.0, 2000.0])
def test_quadrature_matches_vmf_identity(d, beta):
    mu = np.eye(d)[0]
    x = _points(d, 4, seed=d)
    got = population_map(VonMisesFisherDensity(d, 1.5), x, beta)
    assert np.max(np.abs(got - _vmf_exact(d, 1.5, mu, x, beta))) < 1e-12


@pytest.mark.parametrize("d", [3, 5])
def test_monte_carlo_matches_vmf_identity_within_five_se(d):
    x = _points(d, 2, seed=7)
    got, se = population_map(VonMisesFisherDensity(d, 2.0), x, 60.0, method="montecarlo", samples=50000, seed=3,
                             return_se=True)
    exact = _vmf_exact(d, 2.0, np.eye(d)[0], x, 60.0)
    assert np.all(np.abs(got - exact) < 5 * se)


def test_uniform_density_gives_mean_resultant_exactly():
    x = _points(3, 3)
    got = population_map(VonMisesFisherDensity(3, 0.0), x, 250.0)
    assert np.max(np.abs(got - mean_resultant(3, 250.0) * x)) < 1e-13


@pytest.mark.parametrize("d", [2, 3])
def test_drift_error_decays_like_beta_to_minus_two(d):
    """:ref:`theory-limit-laws`: T_β(x) = A_d(β)[x + β^−1 ∇log ρ] + O(β^−2); the fitted power of the error is −2."""
    rho = HarmonicDensity(d, 2, 0.3)
    x = _points(d, 5, seed=1)
    res = population_map_error(rho, x, [100, 200, 400, 800, 1600])
    assert res["slope"] == pytest.approx(-2.0, abs=0.05)
    # the first-order term is really there: the signal is O(1/β), far above the error
    assert all(e < 0.05 * s for e, s in zip(res["errors"], res["drift_size"]))
    # and dropping the drift leaves an O(1/β) error (slope −1), so the test can fail
    x_only = [np.max(np.linalg.norm(population_map(rho, x, b) - mean_resultant(d, b) * x, axis=1))
              for b in res["betas"]]
    assert np.polyfit(np.log(res["betas"]), np.log(x_only), 1)[0] == pytest.approx(-1.0, abs=0.05)


def test_first_order_map_formula():
    x = _points(3, 2)
    g = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    tangent = g - np.sum(g * x, 1, keepdims=True) * x
    # the normal part of the gradient is projected out (theory.heat_drift)
    assert np.allclose(first_order_map(3, 40.0, x, g), mean_resultant(3, 40.0) * (x + tangent / 40.0))
    with pytest.raises(InputError, match="beta"):
        first_order_map(3, 0.0, x, g)
    with pytest.raises(InputError, match="shapes"):
        first_order_map(3, 1.0, x, g[:, :2])


def test_population_map_bad_input():
    rho = HarmonicDensity(3, 2, 0.3)
    with pytest.raises(InputError, match="beta"):
        population_map(rho, np.eye(3)[:1], -1.0)
    with pytest.raises(InputError, match="method"):
        population_map(rho, np.eye(3)[:1], 1.0, method="exact")
    with pytest.raises(InputError, match="quadrature"):
        population_map(VonMisesFisherDensity(4, 1.0), np.eye(4)[:1], 1.0, method="quadrature")
    with pytest.raises(InputError, match="shape"):
        population_map(rho, np.eye(2)[:1], 1.0)
    with pytest.raises(InputError, match="betas"):
        population_map_error(rho, np.eye(3)[:1], [10.0, 10.0])


@pytest.mark.parametrize("d, ell", [(2, 1), (2, 3), (3, 2), (3, 4)])
@pytest.mark.parametrize("beta", [5.0, 60.0, 700.0])
def test_mode_growth_factor_is_the_population_map_displacement(d, ell, beta):
    """The renormalised population map of ρ = 1 + εY_ℓ moves x by ε·I_{ℓ+d/2−1}(β)/(βI_{d/2}(β))·∇Y_ℓ + O(ε²):
    checked against quadrature at ε = 1e−5, where the O(ε²) remainder is 1e−5 relative."""
    eps = 1e-5
    rho = HarmonicDensity(d, ell, eps)
    x = _points(d, 6, seed=ell)
    t = population_map(rho, x, beta)
    step = t / np.linalg.norm(t, axis=1, keepdims=True) - x
    grad_y = rho.grad_log_pdf(x) * rho.pdf(x)[:, None] / eps  # ∇_S Y_ℓ
    coef = (mode_growth_factor(d, ell, beta) - 1.0) / (ell * (ell + d - 2))
    assert np.max(np.abs(step - eps * coef * grad_y)) < 1e-4 * eps * coef * np.max(np.abs(grad_y))


def test_mode_growth_factor_limits():
    for d, ell in [(2, 2), (3, 2), (3, 5)]:
        lam = ell * (ell + d - 2)
        b = np.array([1e3, 1e4, 1e5])
        # 1 + λ/β + O(β^−2): the remainder times β² stays bounded and settles
        rem = (mode_growth_factor(d, ell, b) - 1.0 - lam / b) * b**2
        assert np.all(np.abs(rem) < 10 * lam * ell) and abs(rem[-1] / rem[-2] - 1) < 0.02
    assert mode_growth_factor(3, 2, 1e14) == pytest.approx(1 + 6e-14, rel=1e-15)
    with pytest.raises(InputError, match="beta"):
        mode_growth_factor(3, 2, 0.0)
