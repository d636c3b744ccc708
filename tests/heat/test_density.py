"""Seeded densities: exact gradients, samplers and quasi-uniform lattices."""

import numpy as np
import pytest

from attnlimits._validation import InputError
from attnlimits.heat import (CallableDensity, HarmonicDensity, VonMisesFisherDensity, as_density, harmonic_amplitude,
                             harmonic_norm, zonal_harmonic)
from attnlimits.laws import Subsphere, UniformSphere, VonMisesFisher


def _points(d, m, seed=0):
    g = np.random.default_rng(seed).standard_normal((m, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("mode", [1, 2, 5])
def test_gradient_matches_numerical_and_is_tangent(d, mode):
    rho = HarmonicDensity(d, mode, 0.4)
    x = _points(d, 50)
    exact = rho.grad_log_pdf(x)
    numeric = CallableDensity(rho.pdf, d).grad_log_pdf(x)
    assert np.max(np.abs(exact - numeric)) < 1e-8
    assert np.max(np.abs(np.sum(exact * x, axis=1))) < 1e-12


@pytest.mark.parametrize("d", [2, 3])
def test_harmonic_norm_is_uniform_second_moment(d):
    # E_unif[Y_l^2] by quadrature in the angle (d = 2) or in z uniform on [-1, 1] (d = 3)
    for ell in (1, 2, 4):
        if d == 2:
            t = 2 * np.pi * np.arange(4096) / 4096
            x = np.column_stack([np.cos(t), np.sin(t)])
            val = np.mean(zonal_harmonic(2, ell, x) ** 2)
        else:
            z, w = np.polynomial.legendre.leggauss(64)
            x = np.column_stack([np.sqrt(1 - z * z), 0 * z, z])
            val = np.sum(w * zonal_harmonic(3, ell, x) ** 2) / 2
        assert val == pytest.approx(harmonic_norm(d, ell), rel=1e-12)


@pytest.mark.parametrize("d", [2, 3])
def test_quasi_lattice_carries_exact_amplitude(d):
    rho = HarmonicDensity(d, 2, 0.3)
    pts = rho.quasi_uniform(20000)
    assert np.allclose(np.linalg.norm(pts, axis=1), 1.0)
    # the quantile lattice is a midpoint rule in the CDF variable: error O(1/n^2)
    assert harmonic_amplitude(pts, d, 2) == pytest.approx(0.3, abs=1e-6)


@pytest.mark.parametrize("d", [2, 3])
def test_sampler_amplitude_within_five_standard_errors(d):
    rho = HarmonicDensity(d, 3, 0.5)
    n = 40000
    pts = rho.sample(np.random.default_rng(11), n)
    y = zonal_harmonic(d, 3, pts)
    se = y.std(ddof=1) / np.sqrt(n) / harmonic_norm(d, 3)
    assert abs(harmonic_amplitude(pts, d, 3) - 0.5) < 5 * se


def test_as_density_from_laws_and_callables():
    x = _points(3, 5)
    v = as_density(VonMisesFisher(3, 2.0))
    assert isinstance(v, VonMisesFisherDensity)
    assert np.allclose(v.grad_log_pdf(x), 2.0 * (np.array([1.0, 0, 0]) - x[:, :1] * x))
    assert np.allclose(as_density(UniformSphere(3)).grad_log_pdf(x), 0.0)
    assert isinstance(as_density(lambda p: 1 + p[:, 0] ** 2, d=3), CallableDensity)
    with pytest.raises(InputError, match="density"):
        as_density(Subsphere(3, 2))
    with pytest.raises(InputError, match="d=None"):
        as_density(lambda p: p[:, 0] ** 2)
    with pytest.raises(InputError, match="density"):
        as_density(3.0)


@pytest.mark.parametrize("kw, name", [(dict(d=4, mode=2, eps=0.3), "d"), (dict(d=3, mode=0, eps=0.3), "mode"),
                                      (dict(d=3, mode=2, eps=1.0), "eps"), (dict(d=3, mode=2, eps=0.0), "eps"),
                                      (dict(d=2, mode=1.5, eps=0.3), "mode")])
def test_harmonic_density_bad_input(kw, name):
    with pytest.raises(InputError, match=f"invalid {name}="):
        HarmonicDensity(**kw)
