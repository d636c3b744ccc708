"""A resumable store of finished work units: SQLite (stdlib), WAL mode, one row per unit, committed as it ends.

Keys are the canonical JSON of the unit's parameters (claim, case, sizes, seed); values are JSON. Killing a
run loses at most the unit in flight; rerunning with the same ``--out`` and seed recomputes only the rest.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

__all__ = ["UnitStore"]


def _encode(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_default, allow_nan=True)


def _default(obj):
    import numpy as np

    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON-ready: {type(obj).__name__}")


class UnitStore:
    """Finished work units by key (``get`` / ``put``), persisted in ``path``."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS units (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def get(self, key):
        row = self._db.execute("SELECT value FROM units WHERE key = ?", (_encode(key),)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key, value) -> None:
        self._db.execute("INSERT OR REPLACE INTO units (key, value) VALUES (?, ?)", (_encode(key), _encode(value)))

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM units").fetchone()[0]

    def close(self) -> None:
        self._db.close()
