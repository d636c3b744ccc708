"""The batched inner integrals of the Poisson–Kingman quadrature (:mod:`attnlimits.theory._pk_quadrature`):
many s at once give what one s at a time gives, the inner integrals match mpmath, and the helpers that
reproduce numpy's and the root finder's arithmetic do so exactly."""

import math

import mpmath
import numpy as np
import pytest

from attnlimits.theory._pk_maps import increasing_root
from attnlimits.theory._pk_quadrature import (DirichletMap, LogMassMap, PoissonQuadrature, _arange,
                                              _batched_root)

_MAPS = [LogMassMap(0.5, 1e-3), LogMassMap(1.0, 1000.0), LogMassMap(63.5, 1.0), LogMassMap(2047.5, 0.3),
         LogMassMap(23.1, 32.9, -10.5), LogMassMap(3.37, 3.07, -0.133), DirichletMap(2.0)]


@pytest.mark.parametrize("pmap", _MAPS, ids=lambda m: type(m).__name__ + str(vars(m).get("alpha", "")))
def test_many_s_at_once_as_one_at_a_time(pmap):
    """The windows of a batch differ in size and in number of intervals (two where the bulk lies above a mass
    of e^{8}): each s gets the sums of its own panels, in any batch."""
    quad = PoissonQuadrature(pmap, powers=(2.0,), moments=pmap.eta is not None)
    s_of = quad._outer_coordinate()
    s = np.array([s_of(z)[0] for z in np.linspace(-30.0, 30.0, 23)])
    batch = quad._inner(s)
    for i, si in enumerate(s):
        one = quad.inner(float(si))
        for k in ("Q", "K1", "K1x", "K2x", "K2xx", "M", "OM", "v_a"):
            assert batch[k][i] == pytest.approx(one[k], rel=1e-13, abs=1e-300, nan_ok=True), (k, si)
        assert batch["K"][2.0][i] == pytest.approx(one["K"][2.0], rel=1e-13, abs=1e-300, nan_ok=True)


@pytest.mark.parametrize("alpha, lam, kappa", [(3.5, 2.0, 0.0), (0.5, 0.1, 0.0), (23.1, 32.9, -10.5)])
def test_inner_integrals_against_mpmath(alpha, lam, kappa):
    """Q(s) = ∫ (1 − e^{−e^{s−ξ(v)}}) e^v dv and K_2(s) = ∫ e^{2t − e^t} e^v dv (t = s − ξ(v)), by mpmath in v."""
    pmap = LogMassMap(alpha, lam, kappa)
    quad = PoissonQuadrature(pmap, powers=(2.0,), moments=False)
    mpmath.mp.dps = 20

    def xi(v):  # ξ(v) = λ expm1(u(v)), u the root of αu + κu²/2 = v, continued linearly past the slope α/2
        if kappa == 0.0:
            u = v / alpha
        elif (v > pmap._vb) == (kappa < 0):
            u = pmap._ub + 2 * (v - pmap._vb) / alpha
        else:
            u = 2 * v / (alpha + mpmath.sqrt(alpha**2 + 2 * kappa * v))
        return lam * mpmath.expm1(u)

    for s in (-0.05, 0.5, 3.0):
        top = float(pmap.v_of(s + 300.0))  # above, e^{t + v} < e^{−200}; below v = −100 the quadrature stops too
        v_s = float(pmap.v_of(s))
        pts = sorted({-100.0, top} | {v for v in (v_s - 20, v_s - 5, v_s, v_s + 5, v_s + 20) if -100.0 < v < top})
        q = mpmath.quad(lambda v: -mpmath.expm1(-mpmath.exp(s - xi(v))) * mpmath.exp(v), pts)
        k2 = mpmath.quad(lambda v: mpmath.exp(2 * (s - xi(v)) - mpmath.exp(s - xi(v)) + v), pts)
        r = quad.inner(s, want_max=False)
        assert r["Q"] == pytest.approx(float(q), rel=1e-11)
        assert r["K"][2.0] == pytest.approx(float(k2), rel=1e-11)


def test_arange_rows_are_numpys():
    rng = np.random.default_rng(7)
    start = rng.normal(size=400) * 10.0 ** rng.uniform(-3, 3, 400)
    step = 10.0 ** rng.uniform(-3, 1, 400) * rng.choice([-1.0, 1.0], 400)
    stop = start + step * rng.uniform(-2, 300, 400)
    rows = _arange(start, stop, step)
    for i in range(400):
        ref = np.arange(start[i], stop[i], step[i])
        got = rows[i][~np.isnan(rows[i])]
        assert np.array_equal(got, ref)


@pytest.mark.parametrize("shift", [-37.3, 0.0, 0.01, 5.5, 200.0])
def test_batched_root_is_increasing_root(shift):
    g = lambda z: math.atan(z - shift) + 1e-3 * (z - shift)  # noqa: E731
    assert _batched_root(lambda zs: [g(z) for z in zs], 0.0, 16.0, tol=0.05) == increasing_root(g, 0.0, 16.0, tol=0.05)
