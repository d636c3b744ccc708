"""JSON in one place: numpy values as Python values, non-finite floats as null, and the canonical text that
keys the stores and derives seeds (sorted keys, no spaces, shortest float repr, ASCII)."""

from __future__ import annotations

import json
import math

import numpy as np

__all__ = ["to_jsonable", "canonical_json"]


def to_jsonable(obj):
    """``obj`` with numpy arrays and scalars as Python values, tuples as lists, dict keys as strings and
    NaN/±inf as None (JSON has no non-finite numbers)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


def canonical_json(obj) -> str:
    """The canonical JSON text of ``obj`` (after :func:`to_jsonable`): equal values give equal text on every
    machine, so it can key a store or a seed."""
    return json.dumps(to_jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
