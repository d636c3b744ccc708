"""The forecast's bookkeeping on a synthetic head whose answer is known (conftest): each kind lands where the
theory says, nothing of a target bin enters a fit, and the intervals cover."""

from __future__ import annotations

import numpy as np
import pytest

from attnlimits.forecast import ForecastOptions, forecast_heads, head_forecast, head_validation, measure_target
from attnlimits.laws import UniformSphere
from attnlimits.theory import expected_max_weight, sink_expectations

from _planted import BETA, D, OPTIONS, planted_extraction, sink_score

#: At d = 8 every query shares the sink's direction (its score is ~0.7), so a bulk key near it draws ~0.05
#: from all of them and would pass the default threshold; the planted sink draws ~0.4.
SYNTH = dict(OPTIONS, sink_threshold=0.3)


def _bin_truth(lo, hi, law=UniformSphere(D), points=8):
    """Mean over the bin's visible counts (8 evenly spaced) of the exact E[max w] with the planted sink at its
    score there (:ref:`theory-sinks`): what the measured mean estimates."""
    ns = np.linspace(lo, hi - 1, points).astype(int)
    return float(np.mean([sink_expectations(law, n - 1, [BETA], [[sink_score(n)]])["max_weight"][0] for n in ns]))


@pytest.fixture(scope="module")
def result():
    return forecast_heads(planted_extraction(0), ForecastOptions(**SYNTH))


def test_kinds_land_where_the_theory_says(result):
    law = UniformSphere(D)
    opts = ForecastOptions(**SYNTH)
    fit_n = np.arange(*opts.origin)
    u = result["units"][0]
    assert u["fit"]["sinks"] == [0]
    assert u["fit"]["slopes"][0] == pytest.approx(BETA * 0.05, rel=1e-3)  # the planted d(β·S)/d log n, exactly
    for t, (lo, hi) in enumerate(opts.targets):
        tg = u["targets"][t]
        f = tg["forecasts"]
        n = tg["n"]
        theory = {
            "persistence": _bin_truth(*opts.origin),
            # the i.i.d. pipeline forecasts a model without the sink: the uniform law at the median β
            "iid": expected_max_weight(law, n, BETA),
            # sink-aware, no drift: the fitting queries' own scores carried to n
            "sink": float(sink_expectations(law, n - 1, np.full(fit_n.size, BETA), sink_score(fit_n)[:, None])
                          ["max_weight"].mean()),
            # drift-aware: the planted trend, so the score at n itself
            "drift": float(sink_expectations(law, n - 1, [BETA], [[sink_score(n)]])["max_weight"][0]),
        }
        for kind, value in theory.items():
            se = f[kind]["boot_sd"]
            assert se > 0
            assert abs(f[kind]["value"] - value) <= 5 * se, (kind, lo, f[kind]["value"], value, se)
        truth = _bin_truth(lo, hi)
        assert abs(tg["measured"] - truth) <= 5 * tg["measured_se"]
        # the oracle refits the same machinery in the bin: its spread is that of the sink-aware fit
        assert abs(f["oracle-sink"]["value"] - truth) <= 5 * f["drift"]["boot_sd"]
        # the planted drift is large enough to tell the variants apart, and persistence is far off
        assert abs(f["drift"]["value"] - truth) < abs(f["persistence"]["value"] - truth)


def test_result_fields(result):
    assert result["kinds"] == ["persistence", "iid", "sink", "drift", "oracle-iid", "oracle-sink"]
    assert result["selected"] in ("sink", "drift")
    assert set(result["validation"]["median_abs_error"]) == {"sink", "drift"}
    assert result["options"]["targets"] == [[256, 512], [512, 1024]]
    assert len(result["summary"]) == 2 * 6
    row = result["summary"][0]
    for key in ("bin", "kind", "heads", "median_abs_error", "coverage", "median_width", "spearman",
                "beats_persistence", "sign_test_p"):
        assert key in row
    t = result["units"][0]["targets"][0]
    assert {"bin", "n", "queries", "measured", "measured_se", "forecasts", "target_fit"} <= set(t)
    assert t["queries"] == 256


def test_no_leak():
    """Replacing every query and key at positions ≥ the fitting bin's top changes no forecast (only the
    measured values and the oracle)."""
    opts = ForecastOptions(**dict(SYNTH, resamples=3))
    ex = planted_extraction(1)
    other = planted_extraction(1)
    late = other.position >= opts.origin[1]
    rng = np.random.default_rng(9)
    other.queries[:, :, late] = rng.normal(size=other.queries[:, :, late].shape).astype(np.float32) * 7
    other.keys[:, :, late] = rng.normal(size=other.keys[:, :, late].shape).astype(np.float32) * 3
    a = head_forecast(ex, 0, 0, 0, opts, np.random.default_rng(5))
    b = head_forecast(other, 0, 0, 0, opts, np.random.default_rng(5))
    assert a == b
    assert head_validation(ex, 0, 0, 0, opts) == head_validation(other, 0, 0, 0, opts)
    ma = measure_target(ex, 0, 0, 0, opts.targets[0], opts, np.random.default_rng(1))
    mb = measure_target(other, 0, 0, 0, opts.targets[0], opts, np.random.default_rng(1))
    assert ma["measured"] != mb["measured"]  # the check can fail: the targets did change


def test_options_refuse_overlap():
    from attnlimits._validation import InputError

    with pytest.raises(InputError, match="overlaps the fitting bin"):
        ForecastOptions(origin=(256, 512), targets=((400, 800),))
    with pytest.raises(InputError, match="resamples"):
        ForecastOptions(resamples=1)


@pytest.mark.slow
def test_interval_coverage_over_seeds():
    """Nominal 95% intervals of the drift-aware forecast (the right model here) cover the measured mean in
    ≥ 90% of 20 independent windows × 2 target bins (seeded; each window its own keys and queries)."""
    opts = ForecastOptions(**SYNTH)
    ex = planted_extraction(2, windows=20)
    from attnlimits.forecast._metrics import combined_interval

    hits = []
    for w in range(20):
        f = head_forecast(ex, 0, 0, w, opts, np.random.default_rng([3, w]))
        for t, target in enumerate(opts.targets):
            m = measure_target(ex, 0, 0, w, target, opts, np.random.default_rng([4, w]))
            lo, hi = combined_interval(f["values"]["drift"][t], f["boot_sd"]["drift"][t], m["measured_se"], opts.level)
            hits.append(lo <= m["measured"] <= hi)
    assert np.mean(hits) >= 0.9, np.mean(hits)


def test_workers_change_no_number():
    """Each unit draws from its own streams, fixed before the work is shared out: forked workers give the same
    forecasts, to the bit, on two windows (two units)."""
    ex = planted_extraction(0, windows=2)
    one = forecast_heads(ex, ForecastOptions(**SYNTH))
    two = forecast_heads(ex, ForecastOptions(**SYNTH), workers=2)
    assert len(one["units"]) == 2
    assert one["units"] == two["units"] and one["summary"] == two["summary"]
