"""The corners of the documented box run: d ∈ {2, 4096} × n ∈ {1, 1e18} × (λ ∈ {1e−6, 1e6}, β ∈ {0, 1e30}) end
in exit 0 with JSON — the values just outside are refused (tests/cli/test_bad_input.py)."""

from __future__ import annotations

import itertools
import json

import pytest

from fuzz_helpers import assert_one_outcome, run_in_process

SCALES = [("--lam", "1e-6"), ("--lam", "1e6"), ("--beta", "0"), ("--beta", "1e30")]
CORNERS = [(d, n, s) for d, n, s in itertools.product(["2", "4096"], ["1", "1e18"], SCALES)]
#: Seconds or more each (order statistics at d = 4096, n = 1e18 with nearly every key weighing; the
#: theory's quadratures at n = 1e18): in the slow run only.
SLOW_SIMULATE = {("4096", "1e18", ("--lam", "1e-6")), ("4096", "1e18", ("--beta", "0"))}
SLOW_THEORY = {("2", "1e18", ("--lam", "1e-6")), ("2", "1e18", ("--lam", "1e6"))}


def _ids(c):
    return f"d{c[0]}-n{c[1]}-{c[2][0].lstrip('-')}{c[2][1]}"


def _run(argv):
    code, out, err = run_in_process(argv)
    assert_one_outcome(argv, code, out, err)
    assert code == 0, err
    return json.loads(out)


def _simulate_case(c):
    marks = [pytest.mark.slow] if c in SLOW_SIMULATE else []
    return pytest.param(c, marks=marks, id=_ids(c))


def _theory_case(c):
    marks = [pytest.mark.slow] if c in SLOW_THEORY else []
    return pytest.param(c, marks=marks, id=_ids(c))


@pytest.mark.parametrize("corner", [_simulate_case(c) for c in CORNERS])
def test_simulate_corners(corner):
    d, n, (flag, value) = corner
    out = _run(["simulate", "--d", d, "--n", n, flag, value, "--samples", "3", "--seed", "1", "--json",
                "--method", "orderstat" if n == "1e18" else "exact"])
    assert out["n"] == int(float(n)) and 0.0 <= out["max_weight"]["mean"] <= 1.0


@pytest.mark.parametrize("corner", [_theory_case(c) for c in CORNERS])
def test_theory_corners(corner):
    d, n, (flag, value) = corner
    out = _run(["theory", "--d", d, "--n", n, flag, value, "--json"])
    assert out["n"] == int(float(n))


@pytest.mark.parametrize("mode,beta", [("64", "1e30"), ("1", "0.01")])
def test_heat_corners(mode, beta):
    """Highest mode at the largest β; a β so small that ℓ(ℓ+d−2)·steps/β = 200 (bound 700)."""
    out = _run(["heat", "--d", "3", "--n", "2", "--beta", beta, "--steps", "1", "--mode", mode, "--json"])
    assert out["mode"] == int(mode)
