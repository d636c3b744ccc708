"""The embedded store: one SQLite file per sweep, one row per finished cell.

- WAL journal, ``synchronous=NORMAL``: each cell is one committed transaction, so killing the runner
  (even SIGKILL) loses at most the cells in flight and never leaves a partial row (SQLite's atomic
  commit; an OS crash or power loss may roll back the last few commits, never corrupt).
- The table ``meta`` records the definition (everything but the grid) and its sha256; a run whose
  definition differs is refused. The grid of the latest run is recorded too, for ``status``.
- One runner at a time: a runner holds an exclusive ``flock`` on ``STORE.lock``; the kernel releases
  it when the process dies, however it dies, so a killed runner never leaves a stale lock.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from .._validation import InputError
from ._spec import canonical_json

__all__ = ["SweepStore", "StoreBusy", "DefinitionMismatch", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells (
    cell_key TEXT PRIMARY KEY,
    params   TEXT NOT NULL,
    results  TEXT NOT NULL,
    elapsed  REAL NOT NULL,
    version  TEXT NOT NULL,
    finished REAL NOT NULL
);
"""


class StoreBusy(RuntimeError):
    """Another runner holds the store's lock."""


class DefinitionMismatch(InputError):
    """The store was made by a different sweep definition (name, seed, kind or options)."""


class SweepStore:
    """A sweep's SQLite store.

    Parameters
    ----------
    path : str or Path
        The store file (created on first use when ``create``).
    create : bool
        Create the file if missing; otherwise a missing store raises :class:`InputError`.
    """

    def __init__(self, path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise InputError(f"invalid store={str(path)!r}: no such sweep store")
        if self.path.is_dir():
            raise InputError(f"invalid store={str(path)!r}: is a directory")
        try:
            self.conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            if create:
                self.conn.executescript(_SCHEMA)
            else:
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not {"meta", "cells"} <= tables:
                    raise InputError(f"invalid store={str(path)!r}: not a sweep store")
        except sqlite3.DatabaseError as exc:
            raise InputError(f"invalid store={str(path)!r}: not a sweep store ({exc})") from None
        self._lock_fd = None

    # ------------------------------------------------------------------------------------------- lock
    def acquire(self) -> None:
        """Take the runner lock, or raise :class:`StoreBusy` naming the holder's pid."""
        import fcntl

        lock_path = str(self.path) + ".lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreBusy(f"store {str(self.path)!r} is in use by another runner (pid {holder}); "
                            "wait for it to finish, then rerun to resume") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    def release(self) -> None:
        """Drop the runner lock (also dropped by the kernel if the process dies)."""
        if self._lock_fd is not None:
            import fcntl

            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    # ------------------------------------------------------------------------------------------- meta
    def meta(self) -> dict:
        """``{key: decoded JSON value}`` of the meta table (``grid`` as an ordered dict)."""
        out = {k: json.loads(v) for k, v in self.conn.execute("SELECT key, value FROM meta")}
        if "grid" in out:
            out["grid"] = {k: v for k, v in out["grid"]}
        return out

    def bind(self, spec) -> None:
        """Record ``spec``'s definition, or refuse one that differs from the recorded definition; record
        its grid as the current grid (a new grid only adds cells)."""
        definition, digest = spec.definition(), spec.definition_hash()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            meta = self.meta()
            if "definition_hash" in meta and meta["definition_hash"] != digest:
                raise DefinitionMismatch(_mismatch(self.path, meta.get("definition", {}), definition))
            rows = {"schema_version": SCHEMA_VERSION, "definition": definition, "definition_hash": digest,
                    "grid": [[k, v] for k, v in spec.grid.items()]}
            if "created" not in meta:
                rows["created"] = time.time()
            self.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                  [(k, canonical_json(v)) for k, v in rows.items()])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------------------------------- cells
    def done_keys(self) -> set[str]:
        """Keys of every stored cell."""
        return {r[0] for r in self.conn.execute("SELECT cell_key FROM cells")}

    def insert(self, cell_key: str, params_json: str, results: dict, elapsed: float, version: str) -> None:
        """Store one finished cell in its own committed transaction."""
        self.conn.execute("INSERT INTO cells (cell_key, params, results, elapsed, version, finished) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (cell_key, params_json, json.dumps(results, allow_nan=False), float(elapsed), version,
                           time.time()))

    def rows(self) -> list[dict]:
        """Every stored cell as ``{"key", "params", "results", "elapsed", "version"}``, in insertion order."""
        cur = self.conn.execute("SELECT cell_key, params, results, elapsed, version FROM cells ORDER BY rowid")
        return [{"key": k, "params": json.loads(p), "results": json.loads(r), "elapsed": e, "version": v}
                for k, p, r, e, v in cur]

    def close(self) -> None:
        """Release the lock and close the connection."""
        self.release()
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _mismatch(path, old: dict, new: dict) -> str:
    diffs = []
    for key in ("name", "seed", "kind"):
        if old.get(key) != new.get(key):
            diffs.append(f"{key} {old.get(key)!r} -> {new.get(key)!r}")
    oo, no = old.get("options", {}), new.get("options", {})
    for key in sorted(set(oo) | set(no)):
        if oo.get(key) != no.get(key):
            diffs.append(f"{key} {oo.get(key)!r} -> {no.get(key)!r}")
    return (f"store {str(path)!r} holds a different sweep definition ({'; '.join(diffs) or 'changed'}); "
            "only the grid may change between runs: restore the definition or use a new --store")
