"""``attnlimits forecast``: bad input is one line and exit 2; the table fits 80 columns; the figure draws; and
(slow, SmolLM2) the whole command with --json."""

from __future__ import annotations

import json

import pytest

from attnlimits.forecast import ForecastOptions, forecast_heads
from attnlimits.models import text_record
from _planted import OPTIONS, planted_extraction


@pytest.mark.parametrize("args", [["--resamples", "1"], ["--windows", "0"], ["--max-tokens", "100"], []])
def test_bad_input_is_one_line(cli, args):
    """Refused before any model loads (no SmolLM2 needed)."""
    base = [] if args == [] else ["--model", "smollm2"]
    proc = cli("forecast", *base, *args)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error:")


@pytest.fixture(scope="module")
def result():
    out = forecast_heads(planted_extraction(3, windows=2), ForecastOptions(**dict(OPTIONS, resamples=3,
                                                                                   sink_threshold=0.3)))
    return {"model": "planted-sink", "text": text_record("pydoc-topics"), "window_tokens": 1024, **out}


def test_table_fits_80_columns(result, capsys, monkeypatch):
    from attnlimits.cli.forecast import print_forecast

    monkeypatch.setenv("COLUMNS", "80")
    print_forecast(result)
    out = capsys.readouterr().out
    assert "…" not in out
    table_lines = [line for line in out.splitlines() if line[:1] in "┏┃┡│└━┗"]
    assert table_lines and max(len(line) for line in table_lines) <= 80
    for kind in result["kinds"]:
        assert kind in out


def test_json_is_strict(result):
    from attnlimits.cli._common import to_jsonable

    text = json.dumps(to_jsonable(result), allow_nan=False)
    back = json.loads(text)
    assert {"options", "selected", "validation", "kinds", "units", "summary", "summary_by_window"} <= set(back)
    assert set(back["summary_by_window"]) == {"0", "1"}


def test_figure(result, tmp_path):
    pytest.importorskip("matplotlib")
    from attnlimits.report.forecast_figure import forecast_figure

    fig = forecast_figure(result, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 0
    assert len([a for a in fig.axes if a.get_visible()]) == len(result["kinds"])


@pytest.mark.slow
def test_smollm2_forecast_json(cli_json):
    from conftest import require_smollm2

    require_smollm2()
    r = cli_json("forecast", "--model", "smollm2", "--layer", "14", "--head", "0", "--windows", "1", "--resamples",
                 "2", timeout=1200)
    assert r["text"]["name"] == "pydoc-topics" and len(r["text"]["sha256"]) == 64
    assert r["options"]["origin"] == [256, 512] and r["options"]["targets"] == [[2048, 4096], [4096, 8192]]
    assert r["selected"] in ("sink", "drift") and len(r["units"]) == 1
    t = r["units"][0]["targets"]
    assert [x["queries"] for x in t] == [2048, 4096]
    for x in t:
        assert 0 < x["measured"] < 1
        for kind in r["kinds"]:
            assert kind in x["forecasts"]
