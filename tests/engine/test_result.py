"""SimulationResult: statistics by attribute (mean, se, ci), JSON by method."""

import math

import numpy as np
import pytest

from attnlimits import UniformSphere, simulate
from attnlimits.engine import Estimate


@pytest.fixture(scope="module")
def res():
    return simulate(UniformSphere(3), 1000, beta=20.0, samples=50, seed=4)


def test_attribute_access_matches_the_values(res):
    v = res.values["max_weight"]
    est = res.max_weight
    assert isinstance(est, Estimate)
    assert est.mean == float(np.mean(v))
    assert est.se == float(np.std(v, ddof=1) / math.sqrt(v.size))
    lo, hi = est.ci
    assert lo < est.mean < hi and math.isclose(hi - est.mean, 1.959963984540054 * est.se, rel_tol=1e-12)
    assert set(res.statistics) == set(res.values)


def test_a_misspelt_statistic_names_the_known_ones(res):
    with pytest.raises(AttributeError, match="max_weight") as err:
        res.max_wieght  # noqa: B018
    assert "max_wieght" in str(err.value)


def test_json_record(res):
    rec = res.to_dict()
    assert rec["max_weight"] == {"mean": res.max_weight.mean, "se": res.max_weight.se}


def test_one_replicate_has_no_standard_error():
    one = simulate(UniformSphere(3), 100, beta=1.0, samples=1, seed=0)
    assert math.isnan(one.max_weight.se) and one.to_dict()["max_weight"]["se"] is None
