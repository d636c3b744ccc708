"""The theory's naming rule (``expected_*`` exact at finite n, ``*_limit`` n → ∞, ``*_eff`` effective) and the
deprecated aliases of the names of version 0.1 that broke it: each still works, warns DeprecationWarning naming
its replacement, and gives the new name's value."""

import importlib
import warnings

import pytest

import attnlimits.theory as theory
from attnlimits.laws import UniformSphere
from attnlimits.theory import (
    DEPRECATED_PREDICT_KEYS,
    PREDICT_KEYS,
    PoissonKingman,
    expected_one_minus_max_weight,
    one_minus_max_weight_limit,
)
from attnlimits.theory._critical import DEPRECATED_METHODS


@pytest.mark.parametrize("old, new", sorted(theory._DEPRECATED.items()))
def test_old_function_names_warn_and_are_the_new_functions(old, new):
    with pytest.warns(DeprecationWarning, match=new):
        value = getattr(theory, old)
    assert value is getattr(theory, new)
    assert old not in theory.__all__ and new in theory.__all__


def test_old_names_import_with_a_warning():
    with pytest.warns(DeprecationWarning, match="inner_limit"):
        from attnlimits.theory import lln_inner
    assert lln_inner(3, 2.0) == theory.inner_limit(3, 2.0)


def test_old_two_argument_one_minus_max_weight_is_the_limit():
    with pytest.warns(DeprecationWarning, match="one_minus_max_weight_limit"):
        old = expected_one_minus_max_weight(1.0, 10.0)
    assert old == one_minus_max_weight_limit(1.0, 10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        exact = expected_one_minus_max_weight(UniformSphere(3), 1000, 100.0)
    assert exact == pytest.approx(1.0 - theory.expected_max_weight(UniformSphere(3), 1000, 100.0), rel=1e-12)


@pytest.mark.parametrize("old, new", sorted(DEPRECATED_METHODS.items()))
def test_old_poisson_kingman_methods_warn_and_agree(old, new):
    pk = PoissonKingman(1.0, 1.0)
    args = (0.2,) if new == "count_above_limit" else ()
    kwargs = {"samples": 2000} if args else {}
    with pytest.warns(DeprecationWarning, match=new):
        got = getattr(pk, old)(*args, **kwargs)
    assert got == getattr(pk, new)(*args, **kwargs)


def test_names_follow_the_rule():
    """No public name mixes the conventions: ``expected_*`` takes (law, n, beta), limits end in ``_limit``."""
    for name in theory.__all__:
        if name.startswith("expected_"):
            assert not name.endswith(("_limit", "_eff", "_exact")), name
    assert set(DEPRECATED_PREDICT_KEYS.values()) <= set(PREDICT_KEYS)
    assert not set(DEPRECATED_PREDICT_KEYS) & set(PREDICT_KEYS)
    for key in PREDICT_KEYS:
        assert not key.startswith("limit_"), key


def test_unknown_names_still_raise():
    with pytest.raises(AttributeError):
        importlib.import_module("attnlimits.theory").no_such_name  # noqa: B018
