"""benchmarks/run.py: collects every bench file's rows, labels the machine, saves JSON, skips GPU rows cleanly."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(RUN), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.slow  # runs the engine benchmark's quick rows: ~20 s
def test_quick_engine_rows_saved_as_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = run("--quick", "--only", "engine", "--json", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    assert record == json.loads(out.read_text())
    assert {"cpu", "cores", "threads", "numpy", "torch"} <= set(record["machine"])
    rows = record["rows"]
    assert rows and all(r["area"] == "engine" for r in rows)
    for r in rows:
        assert {"benchmark", "measured", "baseline", "ratio", "target"} <= set(r)
        assert r["ratio"] is None or r["ratio"] > 0
    assert any("floor" in r["benchmark"] for r in rows)


def test_gpu_rows_skip_cleanly_without_a_gpu():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    proc = run("--quick", "--only", "engine", "--device", "cuda", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert len(rows) == 1 and rows[0]["measured"].startswith("skipped") and rows[0]["ratio"] is None


def test_unknown_area_is_one_line():
    proc = run("--only", "nosuch")
    assert proc.returncode != 0 and "invalid --only='nosuch'" in proc.stderr
