"""The estimated law of :mod:`attnlimits.tails` in the engine: ``method="auto"`` picks only what it can do,
and says why."""

import numpy as np
import pytest

from attnlimits import UniformSphere, simulate
from attnlimits.laws import EstimatedLaw, FarReshaped
from attnlimits.engine._montecarlo import method_choice
from attnlimits.tails._endpoint import fit_local_power
from attnlimits.theory import expected_max_weight


@pytest.fixture(scope="module")
def law():
    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    return EstimatedLaw(fit_local_power(d), d, 5)


def test_auto_at_1e7_runs_orderstat_and_says_why(law):
    n = 10**7
    method, why = method_choice(law, n, "auto")
    assert method == "orderstat"
    assert why == ("n >= 1e+06 and the law has an exact distance CDF, density and quantile and rebuilds keys from "
                   "their distances")
    res = simulate(law, n, lam=1.0, method="auto", samples=30, seed=4)  # ~0.6 s each: its quantile bisects
    assert res.method == "orderstat"
    assert np.all(res.values["tail_error_bound"] <= 1e-6)
    w = res.values["max_weight"]
    pred = expected_max_weight(law, n, res.beta)  # the exact finite-n theory of the same law (docs theory-exact-identities)
    assert abs(w.mean() - pred) < 5 * w.std(ddof=1) / np.sqrt(w.size)
    t = res.values["tangent_sq"]
    assert np.all((t >= 0) & (t <= 1))


def test_auto_falls_back_to_what_the_law_can_do():
    """A law with an exact distance law that cannot rebuild keys: orderstat for the weights alone, the exact
    engine (with the reason) when the output is wanted."""
    far = FarReshaped(3)
    assert method_choice(far, 10**7, "auto", output=False)[0] == "orderstat"
    method, why = method_choice(far, 10**7, "auto", output=True)
    assert method == "exact" and "cannot rebuild keys" in why
    assert method_choice(far, 10**5, "auto", output=False) == ("exact", "n < 1e+06")
    assert method_choice(UniformSphere(3), 10**7, "auto", backend="torch") == (
        "exact", "orderstat runs on the numpy backend only")
