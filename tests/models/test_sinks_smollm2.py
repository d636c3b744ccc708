"""SmolLM2-135M's deep heads: the first token is a sink, and the sink-aware prediction follows the measured max
weight where the i.i.d. one falls away (:ref:`theory-sinks`). Slow: one forward pass of the real model."""

import warnings

import pytest


@pytest.mark.slow
def test_layer_29_head_0_sink_aware_prediction(smollm2):
    """(The ``smollm2`` fixture of conftest skips with the install line where the package is missing.)"""
    from attnlimits.models import head_bins

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no raw numpy warning on the way
        out = head_bins(smollm2, "pydoc-topics", layers=[29], heads=[0], max_tokens=1024)
    bins = [b for b in out["heads"][0]["bins"] if b.get("predicted_max_weight_sink") is not None]
    assert bins
    for b in bins:
        assert b["sinks"][0] == 0 and b["sink_argmax_fraction"] > 0.5 and b["measured_sink_weight"] > 0.3
    late = [b for b in bins if b["n_lo"] >= 256]
    assert late
    for b in late:  # measured 0.54–0.58 there; i.i.d. 0.30, sink-aware 0.52–0.54 (this text, no BOS)
        sink_gap = abs(b["predicted_max_weight_sink"] - b["measured_max_weight"])
        iid_gap = abs(b["predicted_max_weight"] - b["measured_max_weight"])
        assert sink_gap < iid_gap / 3
        se = (b["measured_max_weight_se"] ** 2 + b["predicted_max_weight_sink_se"] ** 2) ** 0.5
        assert sink_gap < 5 * se
