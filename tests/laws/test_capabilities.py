"""Each key law declares what it can do (KeyLaw's capabilities), the declarations hold, and nothing outside
``attnlimits.laws`` chooses behaviour by a law's class or reads its private fields."""

import re
from pathlib import Path

import numpy as np
import pytest

from attnlimits import Empirical, InputError, Subsphere, UniformSphere, VonMisesFisher
from attnlimits.laws import EstimatedLaw, FarReshaped
from attnlimits.tails._endpoint import fit_local_power
from conftest import SRC


def _estimated():
    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    return EstimatedLaw(fit_local_power(d), d, 5)


def _empirical():
    return Empirical(np.random.default_rng(0).standard_normal((50, 4)))


# law, then (has_distance_law, has_quantile, can_rebuild_keys, zonal_dimension, sphere_parameters,
# vmf_concentration, device sampler?)
CASES = {
    "uniform": (lambda: UniformSphere(5), (True, True, True, 4, (5, 0.0), 0.0, True)),
    "subsphere": (lambda: Subsphere(6, 3), (True, True, True, 2, (3, 0.0), None, True)),
    "vmf-centred": (lambda: VonMisesFisher(4, 3.0), (True, True, True, 3, (4, 3.0), 3.0, False)),
    "vmf-off-centre": (lambda: VonMisesFisher(4, 3.0, 0.5), (False, False, False, None, None, 3.0, False)),
    "empirical": (_empirical, (False, False, False, None, None, None, False)),
    "estimated": (_estimated, (True, True, True, None, None, None, False)),
    "far-reshaped": (lambda: FarReshaped(3), (True, True, False, None, None, None, False)),
}


@pytest.fixture(params=sorted(CASES), scope="module")
def case(request):
    make, expected = CASES[request.param]
    return make(), expected


def test_capabilities_are_declared(case):
    law, expected = case
    got = (law.has_distance_law, law.has_quantile, law.can_rebuild_keys, law.zonal_dimension,
           law.sphere_parameters, law.vmf_concentration, law.device_sampler is not None)
    assert got == expected


def test_distance_law_holds_where_declared(case):
    """has_distance_law: the CDF rises from 0 to 1 and its increments are the integrals of exp(logpdf);
    otherwise both refuse with InputError."""
    law, _ = case
    t = np.linspace(0.05, 1.95, 9)
    if not law.has_distance_law:
        for method in (law.distance_cdf, law.distance_logpdf):
            with pytest.raises(InputError):
                method(t)
        return
    from scipy import integrate

    cdf = np.asarray(law.distance_cdf(t))
    assert np.all(np.diff(cdf) >= 0) and float(law.distance_cdf(0.0)) == 0.0 and float(law.distance_cdf(2.0)) == 1.0
    for a, b in ((0.05, 0.3), (0.3, 1.0), (1.0, 1.7)):
        x = np.linspace(a, b, 100_001)  # Simpson's rule: the estimated law's body density jumps at its knots
        mass = integrate.simpson(np.exp(law.distance_logpdf(x)), x=x)
        assert mass == pytest.approx(float(law.distance_cdf(b) - law.distance_cdf(a)), rel=2e-3)


def test_quantile_holds_where_declared(case):
    law, _ = case
    p = np.array([1e-200, 1e-9, 0.01, 0.3, 0.7])
    if not law.has_quantile:
        with pytest.raises(InputError):
            law.distance_ppf(p)
        return
    t = np.asarray(law.distance_ppf(p))
    assert np.all(np.diff(t) > 0) and t[0] > 0
    np.testing.assert_allclose(law.distance_cdf(t[2:]), p[2:], rtol=1e-6)


def test_key_rebuild_holds_where_declared(case):
    """can_rebuild_keys: keys at given distances have |P⊥K|² = D(2 − D); otherwise InputError."""
    law, _ = case
    dist = np.array([1e-6, 0.2, 1.3])
    if not law.can_rebuild_keys:
        with pytest.raises(InputError):
            law.draw_given_distances(dist)
        return
    draw = law.draw_given_distances(dist)
    tang = law.tangents(draw, np.arange(3), np.random.default_rng(1))
    np.testing.assert_allclose(np.sum(tang**2, axis=1), dist * (2 - dist), rtol=1e-12)


def test_sphere_parameters_give_the_distance_law(case):
    """(k, κ): the law of D is that of vMF(κ) about the query on S^{k−1} (κ = 0: uniform in dimension k)."""
    law, _ = case
    if law.sphere_parameters is None:
        return
    k, kappa = law.sphere_parameters
    ref = UniformSphere(k) if kappa == 0.0 else VonMisesFisher(k, kappa)
    t = np.linspace(0.01, 1.99, 7)
    np.testing.assert_allclose(law.distance_cdf(t), ref.distance_cdf(t), rtol=1e-12)
    assert law.local_exponent == (k - 1) / 2


def test_cache_keys_tell_laws_apart():
    assert UniformSphere(3).cache_key == UniformSphere(3).cache_key != UniformSphere(4).cache_key
    assert Subsphere(5, 3).cache_key != UniformSphere(3).cache_key
    assert VonMisesFisher(3, 2.0000001).cache_key != VonMisesFisher(3, 2.0000002).cache_key  # same spec "vmf:2:0"
    a, b = _empirical(), _empirical()
    assert a.cache_key is a and a.cache_key != b.cache_key  # laws known by data: identity


# ---------------------------------------------------------------------------------------------------------
# Nothing outside attnlimits.laws tests a law's class or reads its private fields.

_LAW_CLASSES = r"(UniformSphere|Subsphere|VonMisesFisher|Empirical|EstimatedLaw|FarReshaped)"
_FORBIDDEN = [
    re.compile(r"type\(\s*[a-z_]*law\s*\)\.__name__"),  # type(law).__name__
    re.compile(r"(==|!=|\bin)\s*[(\[{]?\s*[\"']" + _LAW_CLASSES + r"[\"']"),  # kind == "UniformSphere"
    re.compile(r"isinstance\([^)]*\b" + _LAW_CLASSES + r"\b"),  # isinstance(law, UniformSphere)
    re.compile(r"\b[a-z_]*law\._[a-z]"),  # law._k, law._quantile
]
_PACKAGE = Path(SRC) / "attnlimits"


def _modules():
    return sorted(str(p.relative_to(_PACKAGE)) for p in _PACKAGE.rglob("*.py") if p.parts[len(_PACKAGE.parts)] != "laws")


@pytest.mark.parametrize("module", _modules())
def test_no_module_outside_laws_tests_law_classes(module):
    text = (_PACKAGE / module).read_text(encoding="utf-8")
    hits = [f"{module}:{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1)
            if any(p.search(line) for p in _FORBIDDEN)]
    assert not hits, "\n".join(hits)


def test_the_scan_finds_what_it_forbids():
    lines = ['kind = type(law).__name__', 'if kind in ("UniformSphere", "Subsphere"):', 'isinstance(obj, VonMisesFisher)',
             'return law._k, 0.0']
    assert all(any(p.search(line) for p in _FORBIDDEN) for line in lines)
    assert not any(p.search('raise TypeError(f"{type(exc).__name__}")') for p in _FORBIDDEN)
