"""`attnlimits simulate` as a user runs it: JSON fields, reproducibility, one-line errors with exit code 2."""

import numpy as np
import pytest

from conftest import run_cli, run_cli_json

FIELDS = ["max_weight", "ipr", "entropy", "inner", "tangent_sq", "nearest_distance"]


def test_json_fields():
    out = run_cli_json("simulate", "--d", "3", "--n", "1e5", "--lam", "1", "--samples", "200", "--seed", "1")
    for key in ["d", "n", "beta", "lam", "samples", "seed", "law"]:
        assert key in out
    assert out["n"] == 100000 and out["lam"] == 1.0 and out["law"] == "uniform"
    assert out["beta"] == pytest.approx((0.5 * 1e5) ** 1.0)
    for key in FIELDS:
        assert set(out[key]) == {"mean", "se"} and out[key]["se"] > 0


def test_same_seed_same_json_for_any_worker_count():
    args = ["simulate", "--d", "5", "--n", "3000", "--beta", "40", "--samples", "64", "--seed", "4"]
    assert run_cli_json(*args, "--workers", "1") == run_cli_json(*args, "--workers", "2")


def test_table_output():
    proc = run_cli("simulate", "--d", "3", "--n", "100", "--beta", "2", "--samples", "5", "--seed", "1", check=True)
    assert "max_weight" in proc.stdout and "λ" in proc.stdout


def test_file_law(tmp_path):
    np.save(tmp_path / "k.npy", np.random.default_rng(0).standard_normal((100, 4)))
    out = run_cli_json("simulate", "--d", "4", "--n", "50", "--beta", "3", "--samples", "5", "--seed", "1",
                       "--law", f"file:{tmp_path / 'k.npy'}")
    assert out["lam"] is None and out["law"].startswith("file:")


BAD = [
    (["--d", "1", "--n", "10", "--beta", "1"], "invalid d=1"),
    (["--d", "3", "--n", "0", "--beta", "1"], "invalid n="),
    (["--d", "3", "--n", "2.5", "--beta", "1"], "invalid n="),
    (["--d", "3", "--n", "10", "--beta", "-1"], "invalid beta=-1.0"),
    (["--d", "3", "--n", "10", "--beta", "nan"], "invalid beta=nan"),
    (["--d", "3", "--n", "10", "--beta", "inf"], "invalid beta=inf"),
    (["--d", "3", "--n", "10", "--lam", "0"], "invalid lam=0.0"),
    (["--d", "3", "--n", "10", "--beta", "1", "--lam", "1"], "exactly one of beta"),
    (["--d", "3", "--n", "10"], "exactly one of beta"),
    (["--d", "3", "--n", "10", "--beta", "1", "--samples", "0"], "invalid samples=0"),
    (["--d", "3", "--n", "10", "--beta", "1", "--law", "vmf:"], "invalid law="),
    (["--d", "3", "--n", "10", "--beta", "1", "--law", "file:/nonexistent.npy"], "not found"),
    (["--d", "3", "--n", "1e13", "--beta", "1", "--method", "exact"], "use method orderstat"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_is_one_line_and_exit_2(args, message):
    proc = run_cli("simulate", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_lam_with_file_law_is_refused(tmp_path):
    np.save(tmp_path / "k.npy", np.ones((3, 3)) + np.eye(3))
    proc = run_cli("simulate", "--d", "3", "--n", "10", "--lam", "1", "--law", f"file:{tmp_path / 'k.npy'}")
    assert proc.returncode == 2 and "local constant is unknown" in proc.stderr


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"garbage"), "corrupt"),
    (lambda p: np.save(p, np.array([[np.inf, 1.0, 0.0]])), "NaN or inf"),
    (lambda p: np.save(p, np.zeros((2, 3))), "zero norm"),
    (lambda p: np.save(p, np.ones((2, 4))), "expected d=3"),
    (lambda p: np.save(p, np.array([None, 1], dtype=object), allow_pickle=True), "pickled"),
])
def test_bad_key_files_exit_2(tmp_path, make, message):
    path = tmp_path / "k.npy"
    make(path)
    proc = run_cli("simulate", "--d", "3", "--n", "10", "--beta", "1", "--law", f"file:{path}")
    assert proc.returncode == 2 and message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_no_output_runs_the_weights_pass_alone():
    """--no-output: no tangent_sq / output_gap_sq; every other field (inner = ⟨q,O⟩ included) is the same
    number as with the output, since pass 1 is the same."""
    args = ["simulate", "--d", "8", "--n", "2e4", "--lam", "1", "--samples", "30", "--seed", "3"]
    full = run_cli_json(*args)
    weights = run_cli_json(*args, "--no-output")
    assert {"tangent_sq", "output_gap_sq"} <= set(full)
    assert not {"tangent_sq", "output_gap_sq"} & set(weights)
    assert weights == {key: value for key, value in full.items() if key in weights}
    assert set(full) - set(weights) == {"tangent_sq", "output_gap_sq"}
    proc = run_cli(*args, "--no-output", check=True)
    assert "max_weight" in proc.stdout and "tangent_sq" not in proc.stdout
