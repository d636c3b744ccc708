"""E[max weight] at many β at once (theory._exact_many) against one β at a time, and the cheaper paths the root
searches take (direct integral, max-only Poisson–Kingman, hand-written secant): the same values (:ref:`theory-exact-identities`, :ref:`theory-effective-exponent`).

Exact identities, not tolerances tuned to pass: every batched or cheaper value is the single-β value to 1e−12
relative (measured bitwise equal here)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import _exact, expected_max_weight, expected_max_weights, regime
from attnlimits.theory._critical import PoissonKingman, max_weight_limit_only

RTOL = 1e-12


def _clear():
    _exact._CACHE.clear()
    _exact._DIRECT.clear()


def _singles(law, n, betas):
    out = []
    for b in betas:
        _clear()  # each value from its own quadrature, not from a cache the batch filled
        out.append(expected_max_weight(law, n, b))
    _clear()
    return np.array(out)


def _estimated_law():
    from attnlimits.laws import EstimatedLaw
    from attnlimits.tails import fit_local_power

    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    return EstimatedLaw(fit_local_power(d), d, 5)


# (d, n, β in units of β_1/2-ish scales): small β (subcritical), around 1/2, supercritical and huge (up to the
# nearest-pair formulas at β = 1e30)
CASES = [
    (2, 10, [1e-3, 3.0, 40.0, 1e4, 1e30]),
    (3, 10**6, [10.0, 3e5, 1e6, 3e6, 1e9]),
    (64, 10**6, [1.0, 50.0, 73.6, 90.0, 500.0]),
    (64, 10**18, [5.0, 200.0, 400.0, 1e4]),
    (4096, 1000, [10.0, 1500.0, 2500.0, 1e5, 1e30]),
    (4096, 10**18, [100.0, 5000.0, 3e4]),
]


@pytest.mark.parametrize("d, n, betas", CASES)
def test_batch_equals_one_beta_at_a_time(d, n, betas):
    law = UniformSphere(d)
    order = np.random.default_rng(d).permutation(len(betas))  # unsorted input
    b = np.array(betas)[order]
    want = _singles(law, n, b)
    got = expected_max_weights(law, n, b)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0.0)
    assert np.all(np.diff(got[np.argsort(b)]) > 0)  # increasing in β
    _clear()


def test_batch_on_an_estimated_law():
    """An estimated law (its own density and CDF, the count grid's mass fix): the density evaluated on the kernel
    panels inside each run only, the batch against single calls."""
    law = _estimated_law()
    n = 10**5
    b = np.array([5.0, 40.0, 80.0, 160.0, 2000.0])
    want = _singles(law, n, b)
    np.testing.assert_allclose(expected_max_weights(law, n, b), want, rtol=RTOL, atol=0.0)
    _clear()


def test_shapes_zero_repeats_and_n_one():
    law = UniformSphere(8)
    _clear()
    got = expected_max_weights(law, 500, [[20.0, 0.0], [20.0, 5.0]])
    assert got.shape == (2, 2)
    assert got[0, 1] == 1.0 / 500 and got[0, 0] == got[1, 0]
    np.testing.assert_allclose(got.ravel(), _singles(law, 500, [20.0, 0.0, 20.0, 5.0]), rtol=RTOL, atol=0.0)
    assert expected_max_weights(law, 1, [3.0]).tolist() == [1.0]
    assert expected_max_weights(law, 10, []).shape == (0,)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_bad_beta_is_named(bad):
    from attnlimits._validation import InputError

    with pytest.raises(InputError, match="beta"):
        expected_max_weights(UniformSphere(3), 10, [1.0, bad])


def test_direct_cache_serves_the_public_value():
    """A direct integral below 1/2 cached by a root search is the value expected_max_weight returns, and
    regime() reads it."""
    law, n, beta = UniformSphere(16), 10**4, 20.0
    want = _singles(law, n, [beta])[0]
    _exact.max_weight_direct(law, n, beta)
    assert expected_max_weight(law, n, beta) == pytest.approx(want, rel=RTOL, abs=0.0)
    assert regime(law, n, beta) == ("subcritical" if want < 0.05 else "critical")
    _clear()


@pytest.mark.parametrize("alpha, lam", [(0.5, 0.3), (1.0, 1.0), (23.1, 33.0), (200.0, 250.0), (3.0, 1e3)])
def test_max_only_poisson_kingman_equals_the_full_quadrature(alpha, lam):
    from attnlimits.theory._critical import _pk_integrals

    full = PoissonKingman(alpha, lam)
    _pk_integrals.cache_clear()
    max_weight_limit_only.cache_clear()
    assert max_weight_limit_only(alpha, lam) == pytest.approx(full.max_weight_limit(), rel=RTOL, abs=0.0)


def test_secant_is_scipys():
    """The schedules' secant takes SciPy's steps (root_scalar, method="secant"): the same root to the bit, and
    the same verdict where two values coincide."""
    from scipy import optimize

    from attnlimits.schedules._iso import _secant

    for f, x0 in ((lambda y: math.tanh(y - 0.3) + 0.1 * y, 1.0), (lambda y: y**3 - 2.0, 0.5),
                  (lambda y: math.atan(4.0 * (y - 2.0)), 1.9)):
        ref = optimize.root_scalar(f, x0=x0, x1=x0 + 0.05, method="secant", xtol=1e-9, maxiter=30)
        root, ok = _secant(f, x0, x0 + 0.05, xtol=1e-9, maxiter=30)
        assert (root, ok) == (float(ref.root), ref.converged)
    flat = lambda y: 1.0  # noqa: E731
    with pytest.warns(RuntimeWarning, match="Tolerance"):
        ref = optimize.root_scalar(flat, x0=0.0, x1=0.05, method="secant", xtol=1e-9, maxiter=30)
    assert _secant(flat, 0.0, 0.05, xtol=1e-9, maxiter=30) == (float(ref.root), ref.converged)


def test_schedule_rules_read_the_batch():
    """schedule_table's per-rule E max w and regime are those of expected_max_weight and regime()."""
    from attnlimits.schedules import schedule_table

    law = UniformSphere(16)
    table = schedule_table(law, 512, [2048])
    for rule in table["rows"][0]["rules"].values():
        if rule["beta"] == rule["beta"]:
            _clear()
            assert rule["max_weight"] == pytest.approx(expected_max_weight(law, 2048, rule["beta"]), rel=RTOL, abs=0.0)
            assert rule["regime"] == regime(law, 2048, rule["beta"])
    _clear()


@pytest.mark.parametrize("d, n, beta", [(2, 10**6, 1e9), (3, 10**12, 4e11), (64, 10**6, 73.6), (64, 10**18, 300.0),
                                        (4096, 10**6, 3000.0), ("est", 10**5, 80.0)])
def test_empty_kernel_panels_left_out_change_nothing(d, n, beta):
    """The kernel panels that lie outside their run for a whole block carry nothing: leaving them out (the
    default) gives every integral of the kept layout to 1e−12 (summation order only)."""
    from attnlimits.theory._counts import count_grid
    from attnlimits.theory._finite import FiniteQuadrature

    law = _estimated_law() if d == "est" else UniformSphere(d)
    grid = count_grid(law, n)
    res = []
    for drop in (True, False):
        q = FiniteQuadrature(law, grid, beta, powers=(2.0, 1.5))
        q._drop_empty = drop
        res.append(q.integrate())
    new, old = res
    for key in ("norm", "defect", "tangent_sq", "one_minus_ipr", "max", "one_minus_max"):
        assert new[key] == pytest.approx(old[key], rel=RTOL, abs=0.0), key
    for p in (2.0, 1.5):
        assert new["power"][p] == pytest.approx(old["power"][p], rel=RTOL, abs=0.0)
