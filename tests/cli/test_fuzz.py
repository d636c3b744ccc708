"""Property test: every command, driven with random and often invalid arguments, ends in exit 0, in exit 1
(only ``reproduce``, when a claim fails) or in exit 2 with exactly one ``error:`` line on stderr — never a
traceback. Valid values stay small so every example ends in seconds; the model commands (keys, attention)
get fixed cases. The default run is short; ``-m slow`` runs many more examples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_helpers import assert_one_outcome, run_in_process

#: Values that break each rule: non-integral, non-finite, negative, beyond the documented ranges, not numbers.
BAD_NUMBERS = ["1.5", "-1", "0", "nan", "inf", "-inf", "1e400", "1e19", "abc", "", " ", "1e", "0x10", "--", "1,2"]
COUNT_FORMS = ["10", "1e1", "10.0", "2.5e1", "1_0"]


def values(valid):
    return st.sampled_from(list(valid) + BAD_NUMBERS)


def options(draw, spec):
    """A random subset of ``spec``'s options, each with a random (valid or bad) value."""
    argv = []
    for flag, strategy in spec.items():
        if draw(st.booleans()):
            argv += [flag] if strategy is None else [flag, draw(strategy)]
    return argv


SETTING = {"--d": values(["2", "3", "5", "4097", "5000", "3.0"]), "--n": values(["1", "7", "100", *COUNT_FORMS]),
           "--beta": values(["0", "1", "5.5", "1e30", "1e31", "-0.5"]),
           "--lam": values(["1", "0.5", "1e-6", "1e6", "1e-7", "1e7", "1e300"]),
           "--law": st.sampled_from(["uniform", "vmf:5", "vmf:2:0.5", "subsphere:2", "vmf:", "vmf:1e308", "bogus",
                                     "subsphere:9", "file:/nonexistent.npy"])}
SIMULATE = {**SETTING, "--samples": values(["1", "5", "20", "2e1", "1e19"]), "--seed": values(["0", "7", "-1", "1e3"]),
            "--method": st.sampled_from(["exact", "orderstat", "auto", "fast"]),
            "--top-k": values(["1", "3", "1000", "1000000000"]), "--workers": values(["1", "1000000000", "-2"]),
            "--tail-tol": values(["1e-6", "0.5", "2"]), "--json": None}
HEAT = {"--d": values(["2", "3", "4"]), "--mode": values(["1", "2", "64", "65", "100000"]),
        "--eps": values(["0.3", "0.99", "1", "-0.1"]), "--n": values(["2", "50", "300", "1e12", "2.5e1"]),
        "--beta": values(["50", "1e30", "1e-300"]), "--steps": values(["0", "2", "1e9"]),
        "--init": st.sampled_from(["quasi", "random", "x"]), "--seed": values(["0", "-1"]),
        "--backend": st.sampled_from(["numpy", "torch"]), "--dtype": st.sampled_from(["float64", "float32"]),
        "--plot": st.sampled_from(["/nonexistent/dir/h.png", "h.xyz", "PLOT.png"]), "--json": None}
SCHEDULE = {"--n-train": values(["4096", "4096.0", "1e3", "1"]),
            "--n": st.sampled_from(["8192", "4096,", "1e4,8192", ",", "8192,,1e5", "1.5", "1e19", "2e4"]),
            "--d": values(["3", "16", "5000", "4097"]), "--beta-train": values(["1", "-1", "1e31"]),
            "--plot": st.sampled_from(["/nonexistent/x.png", "x.xyz", "PLOT.png"]), "--json": None}


def _run(argv, tmp_path, **kw):
    argv = [str(a).replace("PLOT", str(tmp_path / "plot")) for a in argv]
    code, out, err = run_in_process(argv)
    assert_one_outcome(argv, code, out, err, **kw)


def _given(spec, command):
    @st.composite
    def argvs(draw):
        return [*command, *options(draw, spec)]

    return argvs()


FAST = settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
MANY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def _cases():
    # heat's defaults (n = 20000, 10 steps) take seconds per run: small ones first (a drawn option overrides)
    return {"simulate": (SIMULATE, ["simulate"]), "theory": (SETTING, ["theory"]),
            "heat": (HEAT, ["heat", "--n", "200", "--steps", "2"]),
            "schedule": (SCHEDULE, ["schedule"])}


@pytest.fixture(scope="module")
def scores_files(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz-files")
    rng = np.random.default_rng(0)
    np.save(base / "scores.npy", rng.beta(2, 2, 2000))
    np.save(base / "objects.npy", np.array([None, 1], dtype=object), allow_pickle=True)
    q = rng.standard_normal((8, 6))
    np.savez(base / "keys.npz", queries=q, keys=rng.standard_normal((2000, 6)), scale=np.float64(0.4))
    (base / "sweep.toml").write_text('[sweep]\nname = "f"\nseed = 1\nsamples = 2\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n')
    return base


def tail_spec(base):
    return {"--keys": st.sampled_from([str(base / "keys.npz"), str(base / "missing.npz"), str(base / "scores.npy")]),
            "--scores": st.sampled_from([str(base / "scores.npy"), str(base / "objects.npy"), str(base / "keys.npz")]),
            "--query-index": values(["0", "7", "8"]), "--pooled": None, "--endpoint": values(["1", "0.5"]),
            "--k": values(["10", "60", "5000"]), "--seed": values(["0", "-1"]), "--json": None}


def sweep_spec(base):
    return {"--store": st.sampled_from([str(base / "s.sqlite"), "/nonexistent/s.sqlite", str(base)]),
            "--workers": values(["1", "2", "1000000000"]), "--json": None}


#: The default variant runs a few examples; the slow one many more.
BUDGETS = [pytest.param(FAST, id="few"), pytest.param(MANY, id="many", marks=pytest.mark.slow)]


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize("name", ["simulate", "theory", "heat", "schedule"])
def test_commands_never_leak_a_traceback(name, budget, tmp_path):
    spec, command = _cases()[name]

    @budget
    @given(_given(spec, command))
    def prop(argv):
        _run(argv, tmp_path)

    prop()


@pytest.mark.parametrize("budget", BUDGETS)
def test_tail_and_sweep_never_leak_a_traceback(scores_files, budget, tmp_path):
    @budget
    @given(_given(tail_spec(scores_files), ["tail"]))
    def tail(argv):
        _run(argv, tmp_path)

    @budget
    @given(st.sampled_from([str(scores_files / "sweep.toml"), "/nonexistent.toml", str(scores_files / "scores.npy")])
           .flatmap(lambda f: _given(sweep_spec(scores_files), ["sweep", "run", f])))
    def sweep(argv):
        _run(argv, tmp_path)

    tail()
    sweep()


#: Model and reproduce commands: fixed cases (a valid model run takes minutes), every one refused up front.
FIXED = [
    ["keys", "--layer", "0", "--head", "0", "--out", "/nonexistent/k.npz"],
    ["keys", "--layer", "0", "--head", "0", "--out", "k.txt"],
    ["keys", "--layer", "-1", "--head", "0", "--out", "k.npz"],
    ["keys", "--layer", "0", "--head", "0", "--max-tokens", "1.5", "--out", "k.npz"],
    ["attention", "--n", "32,"],
    ["attention", "--n", "32", "--plot", "x.xyz"],
    ["attention", "--n", "32", "--windows", "0"],
    ["reproduce", "--seed", "-1"],
    ["reproduce", "--out", "/nonexistent/a/b"],
    ["reproduce", "--workers", "0"],
    ["reproduce", "--only", "no-such-claim", "--out", "OUT"],
    ["sweep", "status", "--store", "/nonexistent.sqlite"],
    ["sweep", "export", "--store", "/nonexistent.sqlite", "--out", "/nonexistent/x.csv"],
]


@pytest.mark.parametrize("argv", FIXED, ids=[" ".join(a) for a in FIXED])
def test_fixed_cases_are_one_line(argv, tmp_path):
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in argv]
    code, out, err = run_in_process(argv)
    assert code == 2
    assert_one_outcome(argv, code, out, err)
