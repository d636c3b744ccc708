"""JSON in one place: numpy values as Python values, non-finite floats as null, and the canonical text that
keys the stores and derives seeds (sorted keys, no spaces, shortest float repr, ASCII)."""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["to_jsonable", "canonical_json"]


def to_jsonable(obj, *, finite: bool = True):
    """``obj`` with numpy arrays and scalars as Python values, tuples as lists, dict keys as strings and
    NaN/±inf as None (JSON has no non-finite numbers).

    Parameters
    ----------
    obj : object
        Nested dicts, lists, tuples, numpy arrays and scalars, numbers, strings, None.
    finite : bool
        False keeps NaN/±inf as floats (for ``json.dumps(..., allow_nan=True)``, which writes NaN/Infinity).

    Returns
    -------
    object
        The same value built from dict, list, str, int, float, bool and None.
    """
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v, finite=finite) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v, finite=finite) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist(), finite=finite)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) or not finite else None
    return obj


def canonical_json(obj) -> str:
    """The canonical JSON text of ``obj`` (after :func:`to_jsonable`): equal values give equal text on every
    machine, so it can key a store or a seed."""
    return json.dumps(to_jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
