"""Every bad input of the reliability campaign (issue 15) is refused up front in one line, exit 2, naming the
parameter — and the count rule is the same in every form (CLI, sweep TOML, Python)."""

from __future__ import annotations

import numpy as np
import pytest

from attnlimits import InputError, UniformSphere, simulate
from attnlimits._validation import MAX_D, MAX_N, check_int, check_memory, physical_memory
from fuzz_helpers import assert_one_outcome, run_in_process

S = ["simulate", "--d", "3", "--n", "100", "--beta", "1", "--samples", "2"]
H = ["heat", "--d", "2", "--n", "200", "--steps", "1"]
BAD = [
    (["theory", "--d", "3", "--n", "1e400", "--beta", "1"], "invalid n=1e400"),
    (["simulate", "--d", "3", "--n", "1e400", "--beta", "1", "--method", "orderstat"], "invalid n=1e400"),
    ([*S, "--seed", "-1"], "invalid seed=-1"),
    ([*H, "--seed", "-1"], "invalid seed=-1"),
    (["tail", "--scores", "x.npy", "--seed", "-1"], "invalid seed=-1"),
    ([*S, "--top-k", "1000000000"], "invalid top-k=1000000000"),
    ([*S, "--top-k", "101"], "invalid top-k=101"),
    (["heat", "--d", "2", "--n", "1e12"], "of memory"),
    (["heat", "--d", "2", "--mode", "100000"], "invalid mode=100000"),
    ([*H, "--plot", "/nonexistent/dir/h.png"], "invalid plot=/nonexistent/dir/h.png"),
    ([*H, "--plot", "h.xyz"], "invalid plot=h.xyz"),
    (["schedule", "--n-train", "4096", "--n", "8192", "--plot", "/nonexistent/x.png"], "invalid plot="),
    (["keys", "--layer", "0", "--head", "0", "--out", "/nonexistent/k.npz"], "invalid out=/nonexistent/k.npz"),
    (["schedule", "--n-train", "4096", "--n", "8192", "--d", "5000"], "invalid d=5000"),
    (["simulate", "--d", "5000", "--n", "10", "--beta", "1"], "invalid d=5000"),
    (["simulate", "--d", "3", "--n", "1e19", "--beta", "1"], "invalid n=1e19"),
    (["simulate", "--d", "3", "--n", "10", "--beta", "1e31"], "invalid beta=1e+31"),
    (["theory", "--d", "3", "--n", "10", "--lam", "1e300"], "invalid lam=1e+300"),
    (["theory", "--d", "3", "--n", "10", "--lam", "1e-7"], "invalid lam=1e-07"),
    (["simulate", "--d", "3", "--n", "1.5", "--beta", "1"], "invalid n=1.5"),
    ([*H, "--backend", "numpy", "--dtype", "float32"], "invalid dtype='float32'"),
    (["schedule", "--n-train", "4096", "--n", "4096,"], "invalid n="),
    (["schedule", "--n-train", "4096", "--n", "4096,,8192"], "invalid n="),
    ([*H, "--steps", "1e9", "--beta", "1"], "invalid steps="),
    (["reproduce", "--seed", "-1"], "invalid seed=-1"),
]


@pytest.mark.parametrize("argv,message", BAD, ids=[" ".join(a[:1] + a[-2:]) for a, _ in BAD])
def test_refused_in_one_line(argv, message):
    code, out, err = run_in_process(argv)
    assert code == 2 and message in err, err
    assert_one_outcome(argv, code, out, err)


def test_pickled_scores_get_the_explicit_refusal(tmp_path):
    np.save(tmp_path / "o.npy", np.array([None, 1], dtype=object), allow_pickle=True)
    code, out, err = run_in_process(["tail", "--scores", tmp_path / "o.npy"])
    assert code == 2 and "pickled objects, which are never loaded" in err


@pytest.mark.parametrize("form", ["10000", "1e4", "10000.0", "2.5e1", "1_000", 10000, 1e4, np.int64(25)])
def test_one_count_rule(form):
    assert check_int("n", form, minimum=1) in (10000, 25, 1000)


@pytest.mark.parametrize("form", ["1.5", 1.5, "nan", float("inf"), "1e", True, "0x10", ""])
def test_non_counts_refused_naming_the_parameter(form):
    with pytest.raises(InputError, match=r"^invalid samples="):
        check_int("samples", form, minimum=1)


def test_count_forms_agree_between_cli_and_toml(tmp_path):
    """`--n 10000.0`, `--samples 1e2` and TOML `n = [1e4]`, `samples = 1e2` are all the same count."""
    code, out, err = run_in_process(["simulate", "--d", "3", "--n", "10000.0", "--beta", "1", "--samples", "1e1",
                                     "--seed", "1", "--json"])
    assert code == 0, err
    from attnlimits.sweep import SweepSpec

    spec = SweepSpec(name="t", seed=0, grid={"d": [3], "n": [1e4, "2.5e1"], "lam": [1.0]}, options={"samples": 1e2})
    assert spec.grid["n"] == [10000, 25] and spec.options["samples"] == 100


def test_sweep_refuses_d_beyond_the_range():
    from attnlimits.sweep import SweepSpec

    with pytest.raises(InputError, match="d"):
        SweepSpec(name="t", seed=0, grid={"d": [MAX_D + 1], "n": [10], "lam": [1.0]})


def test_python_api_refuses_a_negative_seed_and_huge_n():
    with pytest.raises(InputError, match="invalid seed=-1"):
        simulate(UniformSphere(3), 10, 1.0, seed=-1, samples=2)
    with pytest.raises(InputError, match="invalid n="):
        simulate(UniformSphere(3), MAX_N + 1, 1.0, samples=2, method="orderstat")


def test_memory_rule_names_the_size():
    """Absurd sizes only, so the test means the same on any machine."""
    assert physical_memory() > 0
    with pytest.raises(InputError, match="EiB|e\\+"):
        check_memory("n=1e18 (test)", 1e30)
    check_memory("a small request", 1024.0)


def test_workers_capped_with_a_note():
    code, out, err = run_in_process([*S, "--workers", "1000000000", "--seed", "1", "--json"])
    assert code == 0 and "capped at the" in err


def test_numpy_warnings_are_one_line():
    code, out, err = run_in_process(["heat", "--d", "2", "--n", "2000", "--beta", "1e30", "--steps", "1", "--json"])
    assert code == 0 and '"growth_measured": 1.0' in out
    assert all(line.startswith("warning: ") for line in err.strip().splitlines()), err
