"""``attnlimits theory``: JSON keys, agreement with the library, table output, bad input."""

import pytest

from attnlimits.laws import UniformSphere
from attnlimits.theory import PREDICT_KEYS, expected_ipr


def test_json_keys_and_values(cli_json):
    out = cli_json("theory", "--d", "3", "--n", "1e4", "--lam", "1")
    assert set(PREDICT_KEYS) <= set(out)
    assert out["lam"] == pytest.approx(1.0)
    assert out["regime"] == "critical" and out["pre_asymptotic"] is False
    assert out["expected_ipr"] == pytest.approx(expected_ipr(UniformSphere(3), 10**4, out["beta"]), rel=1e-12)
    assert abs(out["expected_ipr"] - out["ipr_limit"]) < 1e-3


def test_table_output(cli):
    proc = cli("theory", "--d", "64", "--n", "1e6", "--beta", "75")
    assert proc.returncode == 0
    assert "pre-asymptotic" in proc.stdout and "critical" in proc.stdout


@pytest.mark.parametrize("args, word", [
    (("--d", "1", "--n", "10", "--beta", "1"), "d"),
    (("--d", "3", "--n", "0", "--beta", "1"), "n"),
    (("--d", "3", "--n", "10", "--beta", "-1"), "beta"),
    (("--d", "3", "--n", "10"), "beta"),
    (("--d", "3", "--n", "10", "--beta", "1", "--lam", "1"), "beta"),
    (("--d", "3", "--n", "10", "--lam", "0"), "lam"),
    (("--d", "3", "--n", "10", "--beta", "1", "--law", "bogus"), "law"),
])
def test_bad_input_exit_2(cli, args, word):
    proc = cli("theory", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0]
