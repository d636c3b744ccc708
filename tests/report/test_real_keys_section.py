"""The report's real-keys section draws the summaries handed in (no model, no torch here), and the reproduce
run computes them once: a rerun reads them back from the run's store."""

import pytest

pytest.importorskip("matplotlib")

RULES = ("none", "yarn", "longrope", "qwen", "llama4", "ssmax", "iso")


def _summary():
    heads = [{"layer": layer, "head": head, "alpha": 10.0 + head, "alpha_ci": [9.0 + head, 11.0 + head],
              "lambda_at_train": 0.5 + 0.1 * head, "max_weight_at_train": 0.3, "measured_max_weight_at_train": 0.35,
              "lambda_at": {r: [0.6, 0.9] for r in ("none", "yarn", "qwen", "ssmax")}}
             for layer in (0, 5) for head in (0, 1)]
    return {"model": "toy", "tokens": 1000, "d_head": 32, "n_train": 512, "n": [2048, 8192], "uniform_alpha": 15.5,
            "heads": heads}


def _iso():
    def row(n, m):
        return {"n": n, "beta_iso": 2.0 * m, "beta_iso_eff": 2.02 * m, "beta_half": 3.0,
                "rules": {r: {"multiplier": m if r != "none" else 1.0, "beta": 2.0 * m, "max_weight": 0.3,
                              "regime": "critical"} for r in RULES}}
    heads = [{"layer": layer, "head": head, "beta_train": 2.0, "max_weight_train": 0.3,
              "rows": [row(2048, 1.2), row(32768, 1.5)]} for layer in (0, 5) for head in (0, 6)]
    return {"model": "toy", "n_train": 512, "n": [2048, 32768], "heads": heads}


def test_section_draws_the_numbers_handed_in(tmp_path):
    from attnlimits.report._real_keys import real_keys_section

    x = real_keys_section(_summary(), _iso(), tmp_path)
    assert (tmp_path / x["figure"]).stat().st_size > 10000 and x["figure"] == "real-keys.png"
    (sub,) = x["more"]
    assert (tmp_path / sub["figure"]).stat().st_size > 10000
    assert "4 heads (layers 0, 5)" in x["caption"] and "heads 0, 6" in sub["caption"]
    assert "no verdict" in x["paragraph"] and "4 MiniLM heads" in sub["paragraph"]


class _DictStore:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(repr(key))

    def put(self, key, value):
        self.data[repr(key)] = value


def test_the_run_computes_the_summaries_once(tmp_path, monkeypatch):
    import attnlimits.models
    from attnlimits import _reproduce

    calls = []
    monkeypatch.setattr(attnlimits.models, "real_keys_summary", lambda **kw: calls.append(("summary", kw)) or _summary())
    monkeypatch.setattr(attnlimits.models, "iso_schedules", lambda **kw: calls.append(("iso", kw)) or _iso())
    store = _DictStore()
    first = _reproduce._real_keys_extra(store, tmp_path)
    again = _reproduce._real_keys_extra(store, tmp_path)
    assert [c[0] for c in calls] == ["summary", "iso"] and first == again
    assert calls[0][1]["layers"] == list(_reproduce.REAL_KEYS_LAYERS)
    assert calls[1][1]["heads"] == list(_reproduce.ISO_HEADS) and calls[1][1]["ns"] == _reproduce.ISO_NS
