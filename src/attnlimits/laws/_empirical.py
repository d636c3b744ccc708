"""Keys from a user's array: the empirical law of its rows, seen from a given query."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._validation import InputError, check_int
from ._base import Draw, KeyLaw

__all__ = ["Empirical", "load_key_file"]


class Empirical(KeyLaw):
    """Keys drawn i.i.d. (with replacement) from the rows of ``keys``, normalised to the unit sphere.

    Distances are computed as D = ‖K − q‖²/2, equal to 1 − ⟨q,K⟩ for unit vectors but free of the
    cancellation of ``1 − score`` near the query. α and c are unknown (estimate them with
    :mod:`attnlimits.tails`), so no λ is defined for this law.

    Parameters
    ----------
    keys : array_like, shape (m, d)
        Key vectors; rows must be finite and non-zero.
    query : array_like, shape (d,), optional
        The query; default the normalised mean key.
    spec : str
        The ``--law`` string to report (``file:PATH``).
    """

    spec_name = "file"
    spec_syntax = "file:PATH"

    def __init__(self, keys, query=None, *, spec: str = "empirical"):
        keys = _as_key_matrix(keys, "keys")
        self.d = check_int("key dimension", keys.shape[1], minimum=2)
        self.spec = spec
        norms = np.linalg.norm(keys, axis=1)
        if np.any(norms == 0):
            raise InputError(f"invalid keys: row {int(np.argmax(norms == 0))} has zero norm; expected non-zero rows")
        self.keys = keys / norms[:, None]
        if query is None:
            query = self.keys.mean(axis=0)
        query = np.asarray(query, dtype=float).reshape(-1)
        if query.shape != (self.d,) or not np.all(np.isfinite(query)) or not np.any(query):
            raise InputError(f"invalid query of shape {query.shape}: expected a finite non-zero vector of length {self.d}")
        self.query = query / np.linalg.norm(query)
        diff = self.keys - self.query
        self.row_distances = 0.5 * np.einsum("ij,ij->i", diff, diff)
        self._row_tangents = self.keys - (1.0 - self.row_distances)[:, None] * self.query

    @classmethod
    def from_spec(cls, arguments: str, d: int) -> Empirical:
        """``file:PATH``: the keys of a ``.npy``, ``.npz`` or ``.safetensors`` file (:func:`load_key_file`)."""
        if not arguments:
            raise ValueError("file needs PATH")
        return load_key_file(arguments, d)

    def __reduce__(self):
        return (_rebuild, (self.keys, self.query, self.spec))

    def draw(self, rng, size):
        idx = rng.integers(0, len(self.keys), size)
        return Draw(self.row_distances[idx], (idx,))

    def tangents(self, draw, index, rng):
        return self._row_tangents[draw.latent[0][index]]


def _rebuild(keys, query, spec):
    return Empirical(keys, query, spec=spec)


def _as_key_matrix(a, name: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind not in "fiu" or a.ndim != 2 or a.shape[0] < 1:
        raise InputError(f"invalid {name} of shape {a.shape} and dtype {a.dtype}: expected a non-empty 2-D numeric array")
    a = a.astype(float)
    bad = ~np.all(np.isfinite(a), axis=1)
    if np.any(bad):
        raise InputError(f"invalid {name}: row {int(np.argmax(bad))} holds NaN or inf; expected finite values")
    return a


def load_key_file(path, d: int | None = None, query_index: int = 0) -> Empirical:
    """Load keys from ``.npy`` (a 2-D array), ``.npz`` (arrays ``keys`` and optionally ``queries``) or
    ``.safetensors`` (tensors ``keys`` and optionally ``queries``), never unpickling anything.

    The query is row ``query_index`` of ``queries`` where present, else the normalised mean key.

    Parameters
    ----------
    path : str or pathlib.Path
        The key file.
    d : int, optional
        The expected key dimension (InputError when the file's differs).
    query_index : int
        Row of ``queries`` used as the query (default 0).

    Returns
    -------
    Empirical
        The empirical law of the keys, seen from the query, with spec ``file:PATH``.
    """
    path = Path(path)
    arrays = read_arrays(path)
    if "keys" not in arrays:
        raise InputError(f"invalid key file {str(path)!r}: no array named 'keys' (found {sorted(arrays)})")
    keys = _as_key_matrix(arrays["keys"], "keys")
    if d is not None and keys.shape[1] != d:
        raise InputError(f"invalid key dimension {keys.shape[1]} in {str(path)!r}: expected d={d}")
    query = None
    if "queries" in arrays:
        queries = _as_key_matrix(arrays["queries"], "queries")
        check_int("query index", query_index, minimum=0, maximum=len(queries) - 1)
        query = queries[query_index]
    return Empirical(keys, query, spec=f"file:{path}")


def read_arrays(path: Path) -> dict:
    """Read named arrays from .npy/.npz/.safetensors with pickling disabled; bad files raise InputError."""
    if not path.is_file():
        raise InputError(f"invalid file {str(path)!r}: not found; expected a readable .npy, .npz or .safetensors file")
    suffix = path.suffix.lower()
    magic = {".npy": b"\x93NUMPY", ".npz": b"PK"}.get(suffix)
    if magic is not None:
        with open(path, "rb") as fh:
            if fh.read(len(magic)) != magic:
                raise InputError(f"invalid file {str(path)!r}: corrupt or unreadable (not a {suffix} file)")
    try:
        if suffix == ".npy":
            return {"keys": np.load(path, allow_pickle=False)}
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                return {name: z[name] for name in z.files}
        if suffix == ".safetensors":
            try:
                from safetensors.numpy import load_file
            except ImportError:
                raise InputError("reading .safetensors needs the 'models' extra: pip install 'attnlimits[models]'") from None
            return dict(load_file(str(path)))
    except InputError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise InputError(f"invalid file {str(path)!r}: it holds a pickled (object) array, which is refused and never loaded") from None
        raise InputError(f"invalid file {str(path)!r}: corrupt or unreadable ({exc})") from None
    except Exception as exc:  # zipfile.BadZipFile, OSError, safetensors errors...
        raise InputError(f"invalid file {str(path)!r}: corrupt or unreadable ({type(exc).__name__}: {exc})") from None
    raise InputError(f"invalid file {str(path)!r}: unsupported type {suffix!r}; expected .npy, .npz or .safetensors")
