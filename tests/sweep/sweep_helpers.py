"""Helpers for the sweep tests: small sweep files and row comparison (not a conftest: its name is unique)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

#: The sweep file shape of issue 6, with cells small enough for tests.
DEMO = """
[sweep]
name = "demo"
seed = 7
samples = {samples}
method = "exact"          # or orderstat / auto
[grid]                    # the cartesian product of these lists
d = {d}
n = {n}
lam = {lam}     # or beta = [...]
law = ["uniform"]
"""


def demo_text(samples=20, d="[3, 5]", n="[100, 1000]", lam="[0.5, 1.0, 2.0]") -> str:
    return DEMO.format(samples=samples, d=d, n=n, lam=lam)


@pytest.fixture
def write_sweep(tmp_path):
    def write(text: str, name: str = "sweep.toml"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def comparable(rows):
    """Rows keyed by their grid parameters, without the columns that may differ between runs."""
    out = {}
    for r in rows:
        key = (r["d"], r["n"], r.get("lam"), r.get("beta"), r["law"])
        assert key not in out, f"duplicate row {key}"
        out[key] = {k: v for k, v in r.items() if k not in ("elapsed", "version")}
    return out


def integrity_ok(path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def stored_count(path) -> int:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute("SELECT COUNT(*) FROM cells").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()
