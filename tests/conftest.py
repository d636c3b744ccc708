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
