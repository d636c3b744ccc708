"""`attnlimits simulate --method orderstat|auto` as a user runs it."""

import pytest

from conftest import run_cli, run_cli_json


def test_orderstat_json_at_1e18():
    out = run_cli_json("simulate", "--d", "3", "--n", "1e18", "--lam", "1", "--samples", "200", "--seed", "3",
                       "--method", "orderstat")
    assert out["method"] == "orderstat" and out["n"] == 10**18
    assert 0 < out["max_weight"]["mean"] < 1 and out["max_weight"]["se"] > 0
    assert 0 <= out["tail_error_bound"]["mean"] <= 1e-6


def test_auto_says_what_it_chose():
    proc = run_cli("simulate", "--d", "3", "--n", "1e9", "--lam", "1", "--samples", "5", "--seed", "1",
                   "--method", "auto", "--json", check=True)
    assert proc.stderr.strip().splitlines() == [
        "auto: using method orderstat (n >= 1e+06 and the law has an exact distance CDF, density and quantile and "
        "rebuilds keys from their distances)"]
    assert '"method": "orderstat"' in proc.stdout
    small = run_cli("simulate", "--d", "3", "--n", "100", "--lam", "1", "--samples", "5", "--seed", "1",
                    "--method", "auto", "--json", check=True)
    assert "using method exact" in small.stderr and '"method": "exact"' in small.stdout


def test_table_names_the_method_and_bound():
    proc = run_cli("simulate", "--d", "5", "--n", "1e12", "--lam", "2", "--samples", "10", "--seed", "1",
                   "--method", "orderstat", check=True)
    text = " ".join(proc.stdout.split())
    assert "method orderstat" in text and "tail_error_bound" in text


@pytest.mark.parametrize("args,message", [
    (["--law", "vmf:2:0.5"], "known distance CDF"),
    (["--tail-tol", "0"], "invalid tail_tol=0"),
    (["--tail-tol", "2"], "invalid tail_tol=2"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    proc = run_cli("simulate", "--d", "3", "--n", "1000", "--beta", "1", "--samples", "2", "--method", "orderstat", *args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
