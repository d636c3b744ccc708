"""The real-decoder section on SmolLM2 itself: one forward pass feeds the map of all 30 × 9 heads, the curves, the
forecast and the audit; the numbers keep their invariants, are JSON for the run's store, and draw.

The default-suite test runs the section on one head (layer 14, head 0) to stay fast; the slow one runs it as the
report does."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib")


def _check(result, layers, heads, tmp_path):
    from attnlimits import _reproduce_decoder as rd
    from attnlimits._json import canonical_json
    from attnlimits.report._decoder_section import decoder_section
    from attnlimits.theory._scales import REGIME_THRESHOLD

    canonical_json(result)  # storable as it is
    assert result["tokens"] == rd.DECODER_TOKENS and result["layers"] == layers and result["heads"] == heads
    assert result["text"]["name"] == "pydoc-topics" and len(result["text"]["sha256"]) == 64
    assert result["source"]["quantization"] == "Q4_1" and len(result["source"]["sha256"]) == 64
    m = result["map"]
    assert m["bin"] == [1024, 2048] and m["queries"] == rd.MAP_QUERIES and 1024 <= m["n"] < 2048
    assert m["layers"] == list(range(30)) and m["heads"] == list(range(9))
    first, sink, top, bulk = (np.array(m[k]) for k in ("first_token_weight", "sink_weight", "max_weight",
                                                        "bulk_max_weight"))
    assert first.shape == sink.shape == top.shape == bulk.shape == (30, 9)
    assert np.all(first >= 0) and np.all(first <= sink + 1e-12) and np.all(sink <= 1 + 1e-12)
    assert np.all((top > 1 / 2048) & (top <= 1)) and np.all((bulk > 1 / 2048) & (bulk <= 1))
    for value, regime in zip(bulk.ravel(), (r for row in m["bulk_regime"] for r in row)):
        assert regime == ("subcritical" if value < REGIME_THRESHOLD else
                          "supercritical" if value > 1 - REGIME_THRESHOLD else "critical")
    assert all(s[0] == 0 for row in m["sinks"] for s in row)  # the first token is always a sink candidate
    assert [(c["layer"], c["head"]) for c in result["curves"]] == [(a, b) for a in layers for b in heads]
    for c in result["curves"]:
        assert [b["n_lo"] for b in c["bins"]] == [64, 128, 256, 512, 1024]
        for b in c["bins"]:
            assert 0 < b["measured_max_weight"] <= 1 and 0 < b["predicted_max_weight_sink"] <= 1
    f = result["forecast"]
    assert f["options"]["origin"] == [64, 128] and f["options"]["targets"] == [[512, 1024], [1024, 2048]]
    assert len(f["units"]) == len(layers) * len(heads) and f["window_tokens"] == 2048
    assert [t["queries"] for t in f["units"][0]["targets"]] == [512, 1024]
    a = result["audit"]
    assert a["n_train"] == 8192 and a["n"] == [16384, 32768, 65536, 131072] and a["queries"] == rd.AUDIT_QUERIES
    for h in a["heads"]:
        assert h["bin"] == [1024, 2048]
        # E[max w] falls with n at fixed β and rises with β: keeping it needs a multiplier ≥ 1, growing with n
        r = [row["r_iso"] for row in h["rows"]]
        assert all(math.isfinite(x) and x >= 1 for x in r) and r == sorted(r)
    x = decoder_section(result, tmp_path)
    for name in [x["figure"]] + [s["figure"] for s in x["more"]]:
        assert (tmp_path / name).stat().st_size > 10000


@pytest.fixture
def one_thread():
    """One torch and BLAS thread, as in the reproduce run's worker process (restored afterwards): on 2 shared cores
    a second thread only waits for the first's core."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        torch.set_num_threads(before)


def test_the_section_on_one_head(smollm2, tmp_path, monkeypatch, one_thread):
    from attnlimits import _reproduce_decoder as rd

    monkeypatch.setattr(rd, "DECODER_LAYERS", (14,))
    monkeypatch.setattr(rd, "MAP_QUERIES", 64)
    result = rd.decoder_measurements(smollm2)
    _check(result, [14], [0], tmp_path)


@pytest.mark.slow
def test_the_section_as_the_report_runs_it(smollm2, tmp_path, one_thread):
    from attnlimits import _reproduce_decoder as rd

    result = rd.decoder_measurements(smollm2)
    _check(result, list(rd.DECODER_LAYERS), list(rd.DECODER_HEADS), tmp_path)
