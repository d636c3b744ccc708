"""Cell kinds: what one cell of a sweep computes.

A cell kind is a function ``fn(params: dict, seed: SeedSequence) -> dict`` returning a flat record of
numbers (floats, ints, None for an undefined value; short strings are allowed for labels). ``params``
holds the sweep's options merged with the cell's grid values. The function must be importable at module
top level, so that worker processes (local or Dask) can unpickle it by reference.

The built-in kind ``"simulate"`` runs :func:`attnlimits.engine.simulate` and returns every statistic as
``{stat}_mean`` and ``{stat}_se``, with the resolved β and λ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .._validation import InputError, check_beta, check_choice, check_dimension, check_int, check_keys, check_lam

__all__ = ["CellKind", "register_cell_kind", "get_cell_kind", "cell_kinds", "simulate_cell", "SIMULATE_OPTIONS"]


@dataclass(frozen=True)
class CellKind:
    """A registered cell kind (:func:`register_cell_kind`): its function, its validator and its defaults.

    Parameters
    ----------
    name : str
        The kind's name (``[sweep] kind = ...``).
    function : callable
        ``function(params, seed) -> dict``, run on each cell.
    validate : callable, optional
        ``validate(options, grid) -> (options, grid)``, run when a :class:`SweepSpec` of this kind is built.
    defaults : dict, optional
        Default options of the kind.
    """

    name: str
    function: Callable
    validate: Callable | None = None
    defaults: dict | None = None


_REGISTRY: dict[str, CellKind] = {}


def register_cell_kind(name: str, function: Callable, *, validate: Callable | None = None,
                       defaults: dict | None = None) -> CellKind:
    """Register a cell kind so that sweeps with ``kind = name`` run ``function`` on each cell.

    Parameters
    ----------
    name : str
        The kind's name, as written in ``[sweep] kind = ...``.
    function : callable
        ``function(params, seed) -> dict`` (flat: numbers, None or short strings). A module-level function,
        so that worker processes can import it.
    validate : callable, optional
        ``validate(options, grid) -> (options, grid)``: checks and normalises the sweep options and the grid
        lists (``grid`` maps a parameter to its list of values), raising :class:`~attnlimits.InputError` with one line
        naming the key (``sweep.samples``, ``grid.n``...). Values must become JSON scalars.
    defaults : dict, optional
        Default options of this kind (merged under the sweep's own).

    Returns
    -------
    CellKind
        The registration. Registering the same function (with the same validator and defaults) again returns
        the registration already there: a module that registers its kinds may be imported more than once.

    Raises
    ------
    InputError
        For an empty name, or a name already registered to another function, validator or defaults.
    """
    if not isinstance(name, str) or not name:
        raise InputError(f"invalid kind={name!r}: expected a non-empty string")
    kind = CellKind(name, function, validate, dict(defaults or {}))
    old = _REGISTRY.get(name)
    if old is not None:
        if old == kind:
            return old
        raise InputError(f"invalid kind={name!r}: already registered to {_qualified(old.function)}; choose another name")
    _REGISTRY[name] = kind
    return kind


def _qualified(function) -> str:
    """``module.qualname`` of ``function``, for messages."""
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', repr(function))}"


def get_cell_kind(name: str) -> CellKind:
    """The registered kind ``name`` (InputError listing the known kinds otherwise)."""
    if name not in _REGISTRY:
        raise InputError(f"invalid sweep.kind={name!r}: expected one of {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def cell_kinds() -> tuple[str, ...]:
    """Names of the registered kinds."""
    return tuple(sorted(_REGISTRY))


# ----------------------------------------------------------------------------------------------- simulate

#: Options of the ``simulate`` kind and their defaults.
SIMULATE_OPTIONS = {"samples": 1000, "method": "exact", "k": 10, "output": True}


@lru_cache(maxsize=64)
def _law(text: str, d: int):
    from ..laws import parse_law

    return parse_law(text, d)


def validate_simulate(options: dict, grid: dict) -> tuple[dict, dict]:
    """Check the options and grid of a ``simulate`` sweep (:ref:`theory-scales`: β = λ·β*_n).

    Parameters
    ----------
    options : dict
        ``samples, k, output, method`` (a name of :data:`attnlimits.engine.METHODS`).
    grid : dict
        ``d, n`` and exactly one of ``lam``, ``beta``; optionally ``law`` (default ``["uniform"]``).

    Returns
    -------
    (dict, dict)
        The checked options and grid (grid in the given key order, ``law`` last where it was not given).
    """
    from ..engine._montecarlo import METHODS

    methods = tuple(METHODS)
    opts = dict(options)
    opts["samples"] = check_int("sweep.samples", opts["samples"], minimum=1)
    opts["k"] = check_int("sweep.k", opts["k"], minimum=1)
    if not isinstance(opts["output"], bool):
        raise InputError(f"invalid sweep.output={opts['output']!r}: expected true or false")
    if not isinstance(opts["method"], str):
        raise InputError(f"invalid sweep.method={opts['method']!r}: expected one of {', '.join(methods)}")
    check_choice("sweep.method", opts["method"], methods)
    allowed = ("d", "n", "lam", "beta", "law")
    for key in grid:
        if key not in allowed:
            raise InputError(f"invalid key grid.{key}: expected one of {', '.join(allowed)}")
    for key in ("d", "n"):
        if key not in grid:
            raise InputError(f"invalid grid: missing key grid.{key}")
    if ("lam" in grid) == ("beta" in grid):
        raise InputError("invalid grid: give exactly one of grid.lam or grid.beta")
    out = {"d": [check_dimension(v, "grid.d") for v in grid["d"]],
           "n": [check_keys(v, "grid.n") for v in grid["n"]]}
    if "lam" in grid:
        out["lam"] = [check_lam(v, "grid.lam") for v in grid["lam"]]
    else:
        out["beta"] = [check_beta(v, "grid.beta") for v in grid["beta"]]
    laws = grid.get("law", ["uniform"])
    for v in laws:
        if not isinstance(v, str):
            raise InputError(f"invalid grid.law={v!r}: expected a law string such as \"uniform\" or \"vmf:10\"")
    out["law"] = list(laws)
    for text in out["law"]:
        for d in out["d"]:
            try:
                law = _law(text, d)
            except InputError as exc:
                raise InputError(f"grid.law: {exc}") from None
            if "lam" in out and not law.has_critical_scale:
                raise InputError(f"invalid grid.law={text!r}: λ needs a law with a known critical scale; use grid.beta")
    ordered = {k: out[k] for k in grid}
    ordered.setdefault("law", out["law"])
    return opts, ordered


def simulate_cell(params: dict, seed) -> dict:
    """One ``simulate`` cell: :func:`attnlimits.engine.simulate` at the cell's (d, n, β or λ, law) with the
    sweep's samples, method and k, seeded by the cell's SeedSequence.

    Parameters
    ----------
    params : dict
        The sweep's options and the cell's grid values (see :func:`validate_simulate`).
    seed : numpy.random.SeedSequence
        The cell's seed.

    Returns
    -------
    dict
        ``beta``, ``lam``, ``method`` (as the sweep names it) and ``{stat}_mean``, ``{stat}_se`` for every
        statistic (an SE that is not finite as None).
    """
    from ..engine import simulate

    method = params["method"]
    law = _law(params["law"], int(params["d"]))
    res = simulate(law, int(params["n"]), params.get("beta"), lam=params.get("lam"), samples=int(params["samples"]),
                   seed=seed, method=method, k=int(params["k"]), output=bool(params["output"]))
    out = {"beta": res.beta, "lam": res.lam, "method": method}
    for stat, s in res.summary().items():
        out[f"{stat}_mean"] = s["mean"]
        out[f"{stat}_se"] = None if s["se"] is None or not math.isfinite(s["se"]) else s["se"]
    return out


register_cell_kind("simulate", simulate_cell, validate=validate_simulate, defaults=SIMULATE_OPTIONS)
