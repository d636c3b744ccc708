"""The embedded store, one SQLite file: the cells of sweeps (:class:`SweepStore`) and the finished work units
of claims (:class:`UnitStore`), so a ``reproduce`` run keeps everything in ``DIR/store.sqlite``.

- A file holds one sweep, or several in named *sections* (``section=``; ``reproduce`` gives each grid its
  own): a section's meta keys and cell keys are stored as ``SECTION/key``, the unnamed section's as plain
  ``key``, so a store written before sections existed reads the same.

- WAL journal, ``synchronous=NORMAL``: each cell is one committed transaction, so killing the runner
  (even SIGKILL) loses at most the cells in flight and never leaves a partial row (SQLite's atomic
  commit; an OS crash or power loss may roll back the last few commits, never corrupt).
- The table ``meta`` records the definition (everything but the grid) and its sha256; a run whose
  definition differs is refused. The grid of the latest run is recorded too, for ``status``.
- One runner per section at a time: a runner holds an exclusive ``flock`` on ``STORE.lock``
  (``STORE.SECTION.lock`` for a named section); the kernel releases it when the process dies, however it
  dies, so a killed runner never leaves a stale lock.
- The table ``units`` maps the canonical JSON of a work unit's key to its JSON value (:class:`UnitStore`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

from .._json import canonical_json, to_jsonable
from .._validation import InputError

__all__ = ["SweepStore", "UnitStore", "StoreBusy", "DefinitionMismatch", "SCHEMA_VERSION"]

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
CREATE TABLE IF NOT EXISTS units (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _connect(path) -> sqlite3.Connection:
    """A connection to the store at ``path`` in autocommit mode, WAL journal, ``synchronous=NORMAL``."""
    conn = sqlite3.connect(path, timeout=60.0, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


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
        Create the file if missing; otherwise a missing store, or a section that holds no sweep, raises
        :class:`InputError` (naming the file's sections).
    section : str
        The sweep's section of the file ("" : the file's only sweep; a name without ``/`` otherwise).
    """

    def __init__(self, path, *, create: bool = True, section: str = ""):
        self.path = Path(path)
        if not isinstance(section, str) or "/" in section:
            raise InputError(f"invalid section={section!r}: expected a string without '/'")
        self.section = section
        self._prefix = f"{section}/" if section else ""
        if not create and not self.path.is_file():
            raise InputError(f"invalid store={str(path)!r}: no such sweep store")
        if self.path.is_dir():
            raise InputError(f"invalid store={str(path)!r}: is a directory")
        try:
            self.conn = _connect(self.path)
            if create:
                self.conn.executescript(_SCHEMA)
            else:
                tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if not {"meta", "cells"} <= tables:
                    raise InputError(f"invalid store={str(path)!r}: not a sweep store")
        except sqlite3.DatabaseError as exc:
            raise InputError(f"invalid store={str(path)!r}: not a sweep store ({exc})") from None
        self._lock_fd = None
        if not create and section not in (found := self.sections()):
            self.conn.close()
            raise InputError(f"invalid section={section!r}: store {str(path)!r} holds no sweep there; its sections: "
                             f"{', '.join(repr(s) for s in found) or 'none'}")

    def sections(self) -> list[str]:
        """The sections of the file that hold a sweep ("" for the unnamed one), sorted."""
        keys = (r[0] for r in self.conn.execute("SELECT key FROM meta"))
        return sorted(k[:-len("definition")].rstrip("/") for k in keys
                      if k == "definition" or k.endswith("/definition") and k.count("/") == 1)

    # ------------------------------------------------------------------------------------------- lock
    def acquire(self) -> None:
        """Take the runner lock, or raise :class:`StoreBusy` naming the holder's pid."""
        import fcntl

        lock_path = f"{self.path}.{self.section}.lock" if self.section else f"{self.path}.lock"
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
        out = {k[len(self._prefix):]: json.loads(v) for k, v in self.conn.execute("SELECT key, value FROM meta")
               if self._mine(k)}
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
                                  [(self._prefix + k, canonical_json(v)) for k, v in rows.items()])
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------------------------------- cells
    def _mine(self, key: str) -> bool:
        """Whether a stored meta or cell key belongs to this section."""
        return key.startswith(self._prefix) and "/" not in key[len(self._prefix):]

    def done_keys(self) -> set[str]:
        """Keys of every stored cell of this section."""
        return {r[0][len(self._prefix):] for r in self.conn.execute("SELECT cell_key FROM cells") if self._mine(r[0])}

    def insert(self, cell_key: str, params_json: str, results: dict, elapsed: float, version: str) -> None:
        """Store one finished cell in its own committed transaction."""
        self.conn.execute("INSERT INTO cells (cell_key, params, results, elapsed, version, finished) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          (self._prefix + cell_key, params_json, json.dumps(results, allow_nan=False), float(elapsed), version,
                           time.time()))

    def rows(self) -> list[dict]:
        """Every stored cell of this section as ``{"key", "params", "results", "elapsed", "version"}``, in
        insertion order."""
        cur = self.conn.execute("SELECT cell_key, params, results, elapsed, version FROM cells ORDER BY rowid")
        return [{"key": k[len(self._prefix):], "params": json.loads(p), "results": json.loads(r), "elapsed": e,
                 "version": v} for k, p, r, e, v in cur if self._mine(k)]

    def close(self) -> None:
        """Release the lock and close the connection."""
        self.release()
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class UnitStore:
    """Finished work units of claims by key (``get`` / ``put``), in the table ``units`` of the store at ``path``.

    Keys are the canonical JSON of the unit's parameters (claim, case, sizes, seed; see
    :func:`attnlimits._json.canonical_json`); values are JSON (NaN and ±inf kept, so a value read back equals
    the value computed). Each ``put`` is its own committed transaction: killing a run loses at most the unit
    in flight, and rerunning with the same store recomputes only the rest.

    Parameters
    ----------
    path : str or Path
        The store file (created with its folder if missing; it may also hold sweep sections).
    """

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _connect(str(self.path))
        self._db.executescript(_SCHEMA)

    def get(self, key):
        """The value stored under ``key``, or None."""
        row = self._db.execute("SELECT value FROM units WHERE key = ?", (canonical_json(key),)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, key, value) -> None:
        """Store ``value`` (JSON-ready; numpy values allowed) under ``key``."""
        self._db.execute("INSERT OR REPLACE INTO units (key, value) VALUES (?, ?)",
                         (canonical_json(key), json.dumps(to_jsonable(value, finite=False), allow_nan=True)))

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM units").fetchone()[0]

    def close(self) -> None:
        """Close the connection."""
        self._db.close()


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
