"""The reduced paths of the exact quadrature (theory/_finite.py) give the values of the full one.

E max w alone (``moments=False``, what expected_max_weight computes) and its direct integral alone
(``max_only``, what β_1/2 root searches use) evaluate the same integrands on the same nodes as the full set of
integrals; only the stopping test sees fewer parts, so they agree to rounding.
"""

import math

import numpy as np
import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import critical_beta, expected_max_weight, expected_one_minus_max_weight
from attnlimits.theory._counts import count_grid
from attnlimits.theory._exact import _integrals, max_weight_direct
from attnlimits.theory._extreme import applies
from attnlimits.theory._finite import FiniteQuadrature
from attnlimits.theory._quad_nodes import _exp

CASES = [(d, n, f) for d in (2, 3, 64, 4096) for n in (10, 10**6, 10**18) for f in (0.3, 1.0, 5.0)]


@pytest.mark.parametrize("d,n,f", CASES)
def test_max_weight_paths_agree_with_the_full_set(d, n, f):
    law = UniformSphere(d)
    beta = f * critical_beta(law, n)
    grid = count_grid(law, n)
    if applies(grid, beta):
        pytest.skip("nearest-pair formulas, not the quadrature")
    full = FiniteQuadrature(law, grid, beta).integrate()
    pair = FiniteQuadrature(law, grid, beta, powers=(), moments=False).integrate()
    direct = FiniteQuadrature(law, grid, beta, powers=(), max_only=True).integrate()
    for key in ("max", "one_minus_max"):
        assert pair[key] == pytest.approx(full[key], rel=1e-14, abs=0.0)
    assert direct["max"] == pytest.approx(full["max"], rel=1e-14, abs=0.0)
    assert pair["norm"] == 0.0 and direct["one_minus_max"] == 0.0  # not computed


def test_public_max_weight_matches_the_cached_full_set():
    """expected_max_weight (max weight alone) equals what the full set of integrals gives at the same point."""
    law, n = UniformSphere(64), 10**6
    beta = critical_beta(law, n)
    r = _integrals(law, n, float(beta), (2.0,), True)
    m = r["max"] if r["max"] < 0.5 else 1.0 - r["one_minus_max"]
    assert expected_max_weight(law, n, beta) == pytest.approx(m, rel=1e-14)
    assert expected_one_minus_max_weight(law, n, beta) == pytest.approx(1.0 - m, rel=1e-13)
    assert max_weight_direct(law, n, float(beta)) == pytest.approx(r["max"], rel=1e-14)


def test_exp_is_exact_above_the_underflow_cut_and_zero_below():
    z = np.array([-np.inf, -800.0, -707.5, -706.0, -1.0, 0.0, 3.0])
    out = _exp(z)
    ref = np.exp(z)
    live = z > -707.0
    assert np.array_equal(out[live], ref[live])
    assert np.all(out[~live] == 0.0) and np.all(ref[~live] < 1e-307)
    assert np.array_equal(_exp(z, z < 0.0), np.where(z < 0.0, out, 0.0))
    assert math.isclose(float(_exp(np.array(-706.0))), math.exp(-706.0), rel_tol=0.0)
