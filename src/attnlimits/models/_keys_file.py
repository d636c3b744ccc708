"""The keys file: one head's queries and keys as the softmax sees them, written by ``attnlimits keys`` and read
by ``attnlimits tail --keys`` and ``attnlimits schedule --keys`` (:ref:`theory-extreme-value`).

Format
------
A NumPy ``.npz`` archive (``numpy.savez``, uncompressed, no pickled objects; read with
``allow_pickle=False``). A ``.safetensors`` file holding the same names is read as well. Arrays:

============== ================ ============= ===========================================================
name           dtype            shape         meaning
============== ================ ============= ===========================================================
queries        float32          (tokens, d)   query vectors of the head, one row per real token
keys           float32          (tokens, d)   key vectors of the head (decoders: after q/k norms and RoPE)
scale          float64          ()            logit scale the model multiplies q·k by (1/√d_head for BERT)
layer          int64            ()            layer index (0-based)
head           int64            ()            query-head index (0-based)
model          str (``<U``)     ()            model name
window         int64            (tokens,)     index of the token's window in the text
position       int64            (tokens,)     position of the token in its window
causal         bool             ()            True for decoders (a query sees the keys before it)
kv_head        int64            ()            key-value head of the query head (GQA)
sliding_window int64            ()            the layer's sliding window, −1 for none
softcap        float64          ()            the layer's logit soft-cap, NaN for none
============== ================ ============= ===========================================================

Only ``queries`` and ``keys`` are required on reading (two finite float arrays with the same width); the
others are returned when present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._validation import InputError

__all__ = ["write_keys_file", "read_keys_file", "read_scores_file", "KEYS_FILE_FIELDS"]

#: Names written by :func:`write_keys_file`, in order.
KEYS_FILE_FIELDS = ("queries", "keys", "scale", "layer", "head", "model", "window", "position", "causal", "kv_head",
                    "sliding_window", "softcap")


def write_keys_file(path, queries, keys, *, scale: float, layer: int, head: int, model: str, window, position,
                    causal: bool, kv_head: int, sliding_window: int | None = None, softcap: float | None = None):
    """Write one head's queries and keys to ``path`` (.npz) in the format of the module docstring.

    Parameters
    ----------
    path : path
        Output file (``.npz``).
    queries, keys : array_like, shape (tokens, d_head)
        The head's query and key vectors (stored as given; :func:`attnlimits.models.extract_keys` gives float32).
    scale : float
        Logit scale of the layer.
    layer, head, kv_head : int
        Layer, query head and its key-value head.
    model : str
        Model name.
    window, position : array_like of int, shape (tokens,)
        Window index and in-window position of every token.
    causal : bool
        Whether a query sees only the keys before it.
    sliding_window : int, optional
        The layer's sliding window (None: none, stored as −1).
    softcap : float, optional
        The layer's logit soft-cap (None: none, stored as NaN).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    np.savez(path, queries=queries, keys=keys, scale=np.float64(scale), layer=np.int64(layer), head=np.int64(head),
             model=np.str_(model), window=window, position=position, causal=np.bool_(causal),
             kv_head=np.int64(kv_head), sliding_window=np.int64(sliding_window if sliding_window else -1),
             softcap=np.float64(softcap if softcap else np.nan))
    return path


def read_keys_file(path) -> dict:
    """Read a keys file (the module docstring's format; no pickles are ever loaded).

    Parameters
    ----------
    path : path
        A ``.npz`` written by :func:`write_keys_file` (or ``attnlimits keys``), or a ``.safetensors`` file with
        the same names.

    Returns
    -------
    dict
        ``queries`` and ``keys`` (float arrays, shape (tokens, d_head)), ``scale`` (float, or None when absent)
        and each other field of the format that the file holds (0-d arrays as Python scalars; ``sliding_window``
        −1 and ``softcap`` NaN as None).

    Raises
    ------
    InputError
        When the file is missing or unreadable, lacks ``queries`` or ``keys``, or they are not two finite float
        arrays of the same width.
    """
    from ..laws._empirical import read_arrays

    arrays = read_arrays(Path(path))
    missing = [k for k in ("queries", "keys") if k not in arrays]
    if missing:
        raise InputError(f"invalid keys file {str(path)!r}: missing {', '.join(missing)}; expected the output of attnlimits keys")
    q, k = np.asarray(arrays["queries"]), np.asarray(arrays["keys"])
    if q.ndim != 2 or k.ndim != 2 or q.shape[1] != k.shape[1] or q.dtype.kind != "f" or k.dtype.kind != "f":
        raise InputError(f"invalid keys file {str(path)!r}: queries {q.shape} and keys {k.shape}; expected two float arrays (tokens, d_head)")
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(k))):
        raise InputError(f"invalid keys file {str(path)!r}: queries or keys hold NaN or inf; expected finite values")
    out = {"queries": q, "keys": k, "scale": float(arrays["scale"]) if "scale" in arrays else None}
    for name in KEYS_FILE_FIELDS[3:]:
        if name in arrays:
            a = np.asarray(arrays[name])
            out[name] = a.item() if a.ndim == 0 else a
    if out.get("sliding_window") == -1:
        out["sliding_window"] = None
    if isinstance(out.get("softcap"), float) and out["softcap"] != out["softcap"]:
        out["softcap"] = None
    return out


def read_scores_file(path) -> np.ndarray:
    """One query's scores from a 1-D ``.npy`` file (``attnlimits tail --scores``); pickled objects are never
    loaded.

    Parameters
    ----------
    path : path
        A ``.npy`` file holding a numeric array.

    Returns
    -------
    ndarray
        The array as stored (:func:`attnlimits.tails.estimate_from_scores` checks its shape and values).

    Raises
    ------
    InputError
        One line naming the file: not ``.npy``, missing, pickled or unreadable.
    """
    if not str(path).endswith(".npy"):
        raise InputError(f"invalid scores={str(path)!r}: expected a .npy file")
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InputError(f"invalid scores={str(path)!r}: not found") from None
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise InputError(f"invalid scores={str(path)!r}: holds pickled objects, which are never loaded; "
                             "expected a numeric .npy array") from None
        raise InputError(f"invalid scores={str(path)!r}: unreadable (ValueError)") from None
    except Exception as exc:
        raise InputError(f"invalid scores={str(path)!r}: unreadable ({type(exc).__name__})") from None
