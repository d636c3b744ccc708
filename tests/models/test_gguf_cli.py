"""GGUF files through the CLI: --model FILE.gguf with --cache-dir converts into that directory and the JSON names
the source; a refused file is one stderr line and exit code 2; importing the package loads no GGUF machinery."""

import subprocess
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("gguf")
pytest.importorskip("accelerate")

from conftest import SRC  # noqa: E402
from _tiny_gguf import write_tiny_gguf  # noqa: E402


def test_import_loads_no_gguf_machinery():
    code = (f"import sys; sys.path.insert(0, {SRC!r}); import attnlimits, attnlimits.models, attnlimits.cli; "
            "print([m for m in ('torch', 'transformers', 'gguf', 'accelerate') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_keys_from_a_gguf_file_into_the_given_cache(tmp_path, cli_json):
    path = tmp_path / "tiny.gguf"
    write_tiny_gguf(path)
    cache = tmp_path / "cache"
    res = cli_json("keys", "--model", path, "--cache-dir", cache, "--layer", "1", "--head", "2", "--text",
                   "stdlib-docstrings", "--max-tokens", "256", "--out", tmp_path / "k.npz")
    src = res["source"]
    assert src["file"] == str(path.resolve()) and src["quantization"] == "F32" and src["dequantized"] is True
    assert src["cache"] == str(cache / "gguf" / src["sha256"]) and (cache / "gguf" / src["sha256"]).is_dir()
    assert res["model"] == "tiny" and res["causal"] and res["tokens"] == 256


def test_refused_file_is_one_line_and_exit_2(tmp_path, cli):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"PK\x03\x04 not a gguf file")
    proc = cli("keys", "--model", bad, "--layer", "0", "--head", "0", "--out", tmp_path / "k.npz")
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a GGUF file (bad magic)" in lines[0] and "'smollm2'" in lines[0]
