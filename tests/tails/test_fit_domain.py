"""The tail fit stays in its domain and warns nothing on real-head inputs (the four RuntimeWarnings that
``tail --model`` used to leak came from here)."""

import warnings

import numpy as np

from attnlimits.tails import fit_local_power
from attnlimits.tails._endpoint import _model_moments, _newton
from attnlimits.laws import EstimatedLaw


def test_newton_never_steps_out_of_the_domain():
    """Moments of SmolLM2 layer 29 head 0 (n in [256, 512), k of the stability grid): the damped Newton step
    used to leave |z| ≤ 1e4 (z = 1.3e6, then α < 0 and overflow in exp); now it stops inside the domain."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        a, z = _newton(17.101649578662563, 0.0, -0.05847389138692696, 0.9452998209276539, free_z=True)
        assert a > 0 and abs(z) <= 1e4
        assert np.all(np.isfinite(_model_moments(a, z)[2]))


def test_estimated_law_of_a_large_exponent_has_a_finite_log_table():
    """d = 256 (α ≈ 127.5): F(1e-6·t_k) underflows in float64, its logarithm does not; sampling stays finite."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 256))
    d = 1.0 - x[:, 0] / np.linalg.norm(x, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        law = EstimatedLaw(fit_local_power(d), d, 256)
        assert np.all(np.isfinite(law._tail_logf)) and np.all(np.diff(law._tail_logf) > 0)
        draws = law.draw(np.random.default_rng(1), 1000).distances
    assert np.all(np.isfinite(draws)) and np.all(draws > 0)
