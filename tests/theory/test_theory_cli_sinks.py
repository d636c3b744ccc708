"""``attnlimits theory --sink S``: JSON keys, agreement with the library, the table, bad input (:ref:`theory-sinks`)."""

import os

import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import PREDICT_KEYS, beta_half, expected_ipr, expected_max_weight, expected_sink_weight


def test_json_with_sinks(cli_json):
    out = cli_json("theory", "--d", "64", "--n", "1e6", "--beta", "70", "--sink", "0.5", "--sink", "0.4")
    law = UniformSphere(64)
    assert set(PREDICT_KEYS) <= set(out)
    assert out["sinks"] == [0.5, 0.4]
    assert out["expected_max_weight"] == pytest.approx(expected_max_weight(law, 10**6, 70.0, [0.5, 0.4]), rel=1e-12)
    assert out["expected_ipr"] == pytest.approx(expected_ipr(law, 10**6, 70.0, [0.5, 0.4]), rel=1e-12)
    w = expected_sink_weight(law, 10**6, 70.0, [0.5, 0.4])
    assert out["expected_sink_weight"] == pytest.approx(list(w), rel=1e-12)
    assert out["expected_sink_weight_total"] == pytest.approx(float(w.sum()), rel=1e-12)
    assert out["beta_half"] == pytest.approx(beta_half(law, 10**6, [0.5, 0.4]), rel=1e-9)


def test_json_without_sinks_has_no_sink_keys(cli_json):
    out = cli_json("theory", "--d", "3", "--n", "1e3", "--beta", "100")
    assert "expected_sink_weight" not in out and "sinks" not in out


def test_tied_top_sinks_note(cli_json):
    out = cli_json("theory", "--d", "3", "--n", "1e3", "--beta", "100", "--sink", "1.2", "--sink", "1.2")
    assert out["beta_half"] is None and any("tie" in note for note in out["notes"])


def test_table_fits_80_columns(cli):
    env = dict(os.environ)
    os.environ["COLUMNS"] = "80"
    try:
        proc = cli("theory", "--d", "64", "--n", "1e6", "--beta", "70", "--sink", "0.5", "--sink", "0.4")
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    table = [line for line in lines if not line.startswith("note:")]
    assert all(len(line) <= 80 for line in table) and "…" not in proc.stdout
    assert "E sink weight, S = 0.5 (exact)" in proc.stdout and "E sinks' total weight" in proc.stdout


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "x"])
def test_bad_sink_exit_2(cli, value):
    proc = cli("theory", "--d", "3", "--n", "10", "--beta", "1", "--sink", value)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "sink" in lines[0]
