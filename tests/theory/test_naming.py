"""The theory's naming rule: ``expected_*`` exact at finite n (and taking (law, n, beta)), ``*_limit`` n → ∞,
``*_eff`` effective; no other name for a quantity."""

import importlib

import pytest

import attnlimits.theory as theory
from attnlimits.laws import UniformSphere
from attnlimits.theory import PREDICT_KEYS, PoissonKingman, expected_one_minus_max_weight


def test_names_follow_the_rule():
    """No public name mixes the conventions: ``expected_*`` takes (law, n, beta), limits end in ``_limit``."""
    for name in theory.__all__:
        if name.startswith("expected_"):
            assert not name.endswith(("_limit", "_eff", "_exact")), name
    for key in PREDICT_KEYS:
        assert not key.startswith("limit_"), key
    methods = [m for m in dir(PoissonKingman) if not m.startswith("_")]
    assert not [m for m in methods if m.startswith("expected_")]


def test_exact_one_minus_max_weight_takes_law_n_beta():
    with pytest.raises(TypeError):
        expected_one_minus_max_weight(1.0, 10.0)  # the limit is one_minus_max_weight_limit(alpha, lam)
    exact = expected_one_minus_max_weight(UniformSphere(3), 1000, 100.0)
    assert exact == pytest.approx(1.0 - theory.expected_max_weight(UniformSphere(3), 1000, 100.0), rel=1e-12)


@pytest.mark.parametrize("old", ["lln_inner", "tangent_variance", "radial_variance", "ipr_asymptote",
                                 "expected_nearest_distance", "expected_one_minus_max_weight_exact"])
def test_names_of_the_development_versions_are_gone(old):
    with pytest.raises(AttributeError):
        getattr(theory, old)


def test_unknown_names_still_raise():
    with pytest.raises(AttributeError):
        importlib.import_module("attnlimits.theory").no_such_name  # noqa: B018
