"""A new key law is one subclass of KeyLaw: declaring ``spec_name`` registers it with the law-string parser, and
the theory's caches key it by its ``cache_key`` (identity for a law known by its data, (class, parameters) for a
parametric one)."""

from __future__ import annotations

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.laws import Draw, KeyLaw, parse_law
from attnlimits.laws import _base


@pytest.fixture
def registry(monkeypatch):
    """The parser's registry, restored after the test (the test's law classes leave with it)."""
    monkeypatch.setattr(_base, "SPEC_LAWS", dict(_base.SPEC_LAWS))
    import attnlimits.laws._parse as parse

    monkeypatch.setattr(parse, "SPEC_LAWS", _base.SPEC_LAWS)
    return _base.SPEC_LAWS


def _power_law_class(calls: list, *, parametric: bool = True):
    """A law with F(t) = (t/2)^a on [0, 2] and directions uniform about q, whose CDF counts its calls."""

    class PowerDistance(KeyLaw):
        spec_name = "test-power"
        spec_syntax = "test-power:A"
        has_distance_law = True
        has_quantile = True

        def __init__(self, d, a):
            self.d, self.a = int(d), float(a)
            self.spec = f"test-power:{self.a:g}"
            self.local_exponent = self.a
            self.log_local_constant = -self.a * np.log(2.0)

        @classmethod
        def from_spec(cls, arguments, d):
            return cls(d, float(arguments))

        if parametric:
            @property
            def cache_key(self):
                return (type(self), (self.d, self.a))

        def draw(self, rng, size):
            return Draw(2.0 * rng.random(size) ** (1.0 / self.a))

        def tangents(self, draw, index, rng):
            raise NotImplementedError

        def distance_cdf(self, t):
            calls.append(1)
            return np.clip(np.asarray(t, dtype=float) / 2.0, 0.0, 1.0) ** self.a

        def distance_logpdf(self, t):
            t = np.asarray(t, dtype=float)
            return np.log(self.a / 2.0) + (self.a - 1.0) * np.log(t / 2.0)

        def distance_ppf_log(self, log_p, log_q):
            return 2.0 * np.exp(np.asarray(log_p, dtype=float) / self.a)

    return PowerDistance


def test_the_built_in_laws_are_registered():
    assert {"uniform", "vmf", "subsphere", "file", "far-reshaped"} <= set(_base.SPEC_LAWS)
    assert parse_law("far-reshaped", 3).spec == "far-reshaped"
    assert parse_law("vmf:2:0.5", 4).spec == "vmf:2:0.5"
    with pytest.raises(InputError, match="uniform or vmf:KAPPA\\[:ANGLE\\]"):
        parse_law("uniform:3", 3)


def test_a_subclass_registers_with_the_parser(registry):
    law_class = _power_law_class([])
    assert registry["test-power"] is law_class
    law = parse_law("test-power:1.5", 6)
    assert isinstance(law, law_class) and (law.d, law.a) == (6, 1.5)
    with pytest.raises(InputError, match="expected .*test-power:A"):
        parse_law("test-power:x", 6)
    with pytest.raises(InputError, match="invalid law='test-powerx'"):
        parse_law("test-powerx", 6)


def test_a_name_is_taken_once(registry):
    _power_law_class([])
    _power_law_class([])  # the same class defined again (same module and name): it replaces the first
    with pytest.raises(TypeError, match="'uniform' is taken by attnlimits.laws._uniform.UniformSphere"):
        type("Impostor", (KeyLaw,), {"spec_name": "uniform"})
    with pytest.raises(TypeError, match="without ':'"):
        type("Bad", (KeyLaw,), {"spec_name": "a:b"})


def test_a_subclass_without_spec_name_stays_out_of_the_parser(registry):
    before = dict(registry)

    class Unnamed(_power_law_class([])):
        pass

    assert registry.keys() == before.keys() | {"test-power"} and registry["test-power"] is not Unnamed


@pytest.mark.parametrize("parametric", [True, False])
def test_the_theory_caches_a_law_by_its_cache_key(registry, parametric):
    """Equal parametric laws built twice share the cached value; laws known by their data (identity) do not."""
    from attnlimits.claims._theory import theory_value
    from attnlimits.theory import expected_max_weight

    calls = []
    law_class = _power_law_class(calls, parametric=parametric)
    a, b = law_class(5, 1.5), law_class(5, 1.5)
    assert (a.cache_key == b.cache_key) is parametric and hash(a.cache_key) is not None
    first = theory_value("expected_max_weight", a, 1000, 30.0)
    used = len(calls)
    assert used > 0 and first == pytest.approx(expected_max_weight(a, 1000, 30.0), rel=1e-12)
    calls.clear()
    assert theory_value("expected_max_weight", b, 1000, 30.0) == first
    assert (len(calls) == 0) is parametric
    assert law_class(5, 2.0).cache_key != a.cache_key
