"""Verdict rules (issue 7): agreement within 4 SE (+ a stated bias bound), precision, rejection of alternatives."""

from __future__ import annotations

import math

import pytest

from attnlimits.claims._verdict import PRECISION, Z_AGREE, Z_INTERVAL, Case, judge


def _case(predicted, measured, se, **kw):
    return Case("x", "c", "s", predicted, measured, se, **kw)


def test_agreement_within_four_se_passes_and_beyond_fails():
    assert judge(_case(1.0, 1.0 + 3.9 * 0.01, 0.01, exact=True))[0] == "pass"
    verdict, reasons = judge(_case(1.0, 1.0 + 4.1 * 0.01, 0.01, exact=True))
    assert verdict == "fail" and "4·SE" in reasons[0]


def test_bias_bound_widens_agreement_only_by_its_size():
    assert judge(_case(1.0, 1.05, 0.01, bias=0.02))[0] == "pass"
    assert judge(_case(1.0, 1.07, 0.01, bias=0.02))[0] == "fail"


def test_exact_prediction_allows_no_bias():
    verdict, reasons = judge(_case(1.0, 1.0, 0.01, exact=True, bias=0.1))
    assert verdict == "fail" and "exact" in reasons[0]


def test_interval_wider_than_precision_rule_fails_even_when_it_agrees():
    # measured equals the prediction, but the 95% half-width is 12% of it
    se = 0.12 / Z_INTERVAL
    verdict, reasons = judge(_case(1.0, 1.0, se, exact=True))
    assert verdict == "fail" and any("half-width" in r for r in reasons)
    # just inside the rule: passes
    assert judge(_case(1.0, 1.0, 0.99 * PRECISION / Z_INTERVAL, exact=True))[0] == "pass"


def test_precision_uses_the_effect_when_given():
    se = 0.004 / Z_INTERVAL  # half-width 0.004
    assert judge(_case(0.95, 0.95, se, effect=0.05))[0] == "pass"
    assert judge(_case(0.95, 0.95, se, effect=0.03))[0] == "fail"


def test_alternative_must_be_rejected():
    ok = _case(1.0, 1.0, 0.01, alternative=0.5, alternative_name="power law")
    assert judge(ok)[0] == "pass"
    close = _case(1.0, 1.0, 0.01, alternative=1.0 + 0.99 * Z_AGREE * 0.01, alternative_name="power law")
    verdict, reasons = judge(close)
    assert verdict == "fail" and "power law" in reasons[0]


def test_a_miss_passes_only_beyond_four_se():
    assert judge(_case(1.0, 1.0 + 4.1 * 0.01, 0.01, miss=True))[0] == "pass"
    verdict, reasons = judge(_case(1.0, 1.0 + 3.9 * 0.01, 0.01, miss=True))
    assert verdict == "fail" and "not rejected" in reasons[0]
    assert judge(_case(1.0, 1.06, 0.01, miss=True, bias=0.03))[0] == "fail"  # the bias widens what counts as agreement
    assert judge(_case(1.0, 2.0, 0.2, miss=True))[0] == "fail"  # a far miss measured too coarsely (precision)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_inputs_fail(bad):
    assert judge(_case(1.0, bad, 0.01))[0] == "fail"
    assert judge(_case(1.0, 1.0, bad))[0] == "fail"


def test_record_has_the_claims_json_keys():
    rec = _case(2.0, 2.01, 0.01, exact=True).record()
    for key in ("id", "case", "statement", "predicted", "measured", "ci_low", "ci_high", "verdict"):
        assert key in rec
    assert rec["ci_low"] == pytest.approx(2.01 - Z_INTERVAL * 0.01)
    assert rec["verdict"] == "pass"
