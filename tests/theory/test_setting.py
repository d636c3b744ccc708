"""Setting: one object for (law, n, β, sinks) over the pure functions — the same numbers, immutable, hashable
and picklable, with the limit and effective views and the engine on the same setting."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from attnlimits import InputError, Setting, UniformSphere, VonMisesFisher
from attnlimits.theory import (
    critical_beta,
    expected_inner,
    expected_ipr,
    expected_max_weight,
    expected_sink_weight,
    predict,
)

LAW = UniformSphere(8)


def test_values_are_the_pure_functions():
    s = Setting(LAW, 1000, beta=12.0)
    assert s.max_weight() == expected_max_weight(LAW, 1000, 12.0)
    assert s.ipr() == expected_ipr(LAW, 1000, 12.0)
    assert s.inner() == expected_inner(LAW, 1000, 12.0)
    p = predict(LAW, 1000, 12.0)
    summary = s.summary()
    assert list(summary)[:4] == ["d", "n", "beta", "law"]
    assert {k: summary[k] for k in p} == p
    assert s.regime == p["regime"] and s.beta_half == p["beta_half"] and s.lam == p["lam"]
    assert s.limit.max_weight() == p["max_weight_limit"] and s.limit.inner() == p["inner_limit"]
    assert s.eff.alpha == s.alpha_n == p["alpha_eff"] and s.eff.max_weight() == p["max_weight_eff"]


def test_lam_sets_beta_at_the_critical_scale():
    s = Setting(LAW, 10**6, lam=2.0)
    assert s.beta == 2.0 * critical_beta(LAW, 10**6) and s.lam == pytest.approx(2.0, rel=1e-15)
    assert s.replace(n=10**8).beta == s.beta and s.replace(lam=1.0).lam == pytest.approx(1.0, rel=1e-15)


def test_sinks_are_part_of_the_setting():
    s = Setting(LAW, 1000, beta=20.0, sinks=[0.9])
    assert s.sink_weight() == [float(expected_sink_weight(LAW, 1000, 20.0, (0.9,))[0])]
    assert s.max_weight() == expected_max_weight(LAW, 1000, 20.0, sinks=(0.9,))
    assert s != Setting(LAW, 1000, beta=20.0) and Setting(LAW, 1000, beta=20.0).sink_weight() == []
    with pytest.raises(InputError, match="sinks"):
        s.inner()


def test_hashable_picklable_immutable():
    a, b = Setting(LAW, 1000, beta=12.0), Setting(UniformSphere(8), 1000, beta=12.0)
    assert a == b and hash(a) == hash(b) and len({a, b, a.replace(beta=13.0)}) == 2
    c = pickle.loads(pickle.dumps(a))
    assert c == a and c.max_weight() == a.max_weight()
    with pytest.raises(AttributeError, match="immutable"):
        a.n = 5
    assert Setting(VonMisesFisher(8, 2.0), 1000, beta=1.0) != Setting(VonMisesFisher(8, 3.0), 1000, beta=1.0)


def test_out_of_range_limits_are_none_with_a_note():
    s = Setting(UniformSphere(64), 10**6, beta=70.0)
    assert s.limit.max_weight() is None and s.limit.inner() is None
    assert any("pre-asymptotic" in note for note in s.limit.notes)
    assert s.limit.poisson_kingman.alpha == s.alpha


def test_simulate_runs_the_same_setting():
    s = Setting(LAW, 1000, beta=12.0)
    r = s.simulate(400, seed=0)
    assert r.n == 1000 and r.beta == 12.0
    assert abs(r.max_weight.mean - s.max_weight()) <= 5 * r.max_weight.se


@pytest.mark.parametrize("kwargs, word", [({"beta": -1.0}, "beta"), ({}, "beta"), ({"beta": 1.0, "lam": 1.0}, "lam"),
                                          ({"beta": 1.0, "sinks": [np.inf]}, "sinks")])
def test_bad_input(kwargs, word):
    with pytest.raises(InputError, match=word):
        Setting(LAW, 100, **kwargs)
