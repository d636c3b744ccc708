"""Sweep definitions: the TOML file, its validation, and the cells of its grid.

A sweep is a definition (name, seed, kind and the kind's options such as samples and method) and a grid
(lists of parameter values whose cartesian product are the cells). Each cell is identified by the canonical
JSON of its grid values; its seed is ``SeedSequence(seed, spawn_key=words of sha256(canonical JSON))``, so
a cell's result depends only on the sweep seed and the cell itself — adding, removing or reordering other
cells changes nothing (Python's salted ``hash()`` is never used). The canonical JSON is
:func:`attnlimits._json.canonical_json` and the seed :func:`attnlimits._rng.named_child`, the derivation
every stream of the package uses.
"""

from __future__ import annotations

import hashlib
import itertools
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._json import canonical_json
from .._rng import named_child
from .._validation import InputError, check_int
from ._kinds import get_cell_kind

__all__ = ["SweepSpec", "Cell", "load_spec", "canonical_json", "cell_key", "cell_seed"]

_SWEEP_KEYS = ("name", "seed", "kind", "samples", "method", "k", "output", "description")
_TOP_KEYS = ("sweep", "grid", "options")


def cell_key(params: dict) -> str:
    """The key of the cell with grid values ``params`` in a store: sha256 hex of their canonical JSON.

    Parameters
    ----------
    params : dict
        The cell's grid values.

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(canonical_json(params).encode()).hexdigest()


def cell_seed(sweep_seed: int, params: dict) -> np.random.SeedSequence:
    """The SeedSequence of the cell with grid values ``params``.

    Parameters
    ----------
    sweep_seed : int
        The sweep's seed (≥ 0), the entropy of every cell.
    params : dict
        The cell's grid values.

    Returns
    -------
    numpy.random.SeedSequence
        ``named_child(SeedSequence(sweep_seed), params)``: spawn key the first 16 bytes of
        sha256(canonical JSON of ``params``) as four little-endian 32-bit words (:mod:`attnlimits._rng`).
    """
    return named_child(np.random.SeedSequence(sweep_seed), params)


@dataclass(frozen=True)
class Cell:
    """One cell of a sweep's grid (:meth:`SweepSpec.cells`).

    Parameters
    ----------
    params : dict
        The cell's grid values.
    json : str
        Their canonical JSON (sorted keys, no spaces).
    key : str
        The cell's key in a store: sha256 hex of ``json`` (``cell_key``).
    seed : numpy.random.SeedSequence
        The cell's stream: the sweep seed's child named by ``params`` (``cell_seed``).
    """

    params: dict
    json: str
    key: str
    seed: np.random.SeedSequence = field(repr=False, compare=False)


@dataclass
class SweepSpec:
    """A validated sweep definition.

    Build it with :meth:`from_toml` (a file), :meth:`from_dict` (the same shape as the TOML: ``{"sweep":
    {...}, "grid": {...}, "options": {...}}``) or directly::

        SweepSpec(name="demo", seed=7, grid={"d": [3], "n": [1000], "lam": [1.0]}, options={"samples": 200})

    Parameters
    ----------
    name : str
        The sweep's name (part of its definition).
    seed : int
        Sweep seed ≥ 0; every cell's seed derives from it (see ``cell_seed``).
    kind : str
        A registered cell kind (``"simulate"`` by default; see :func:`register_cell_kind`).
    grid : dict
        Parameter → non-empty list of values; the cells are their cartesian product in this order.
    options : dict
        The kind's options (for ``simulate``: samples, method, k, output), defaults filled in.
    description : str
        Free text, not part of the definition.
    """

    name: str = "sweep"
    seed: int = 0
    kind: str = "simulate"
    grid: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise InputError(f"invalid sweep.name={self.name!r}: expected a non-empty string")
        self.seed = check_int("sweep.seed", self.seed, minimum=0)
        if not isinstance(self.description, str):
            raise InputError(f"invalid sweep.description={self.description!r}: expected a string")
        kind = get_cell_kind(self.kind)
        if not isinstance(self.grid, dict) or not self.grid:
            raise InputError(f"invalid grid={self.grid!r}: expected a non-empty table of lists")
        grid = {}
        for key, values in self.grid.items():
            if not isinstance(values, (list, tuple)) or isinstance(values, str):
                raise InputError(f"invalid grid.{key}={values!r}: expected a non-empty list")
            if not values:
                raise InputError(f"invalid grid.{key}=[]: expected a non-empty list (empty grid)")
            for v in values:
                if isinstance(v, bool) or not isinstance(v, (numbers.Real, str)):
                    raise InputError(f"invalid grid.{key} value {v!r}: expected a number or a string")
            grid[str(key)] = list(values)
        if not isinstance(self.options, dict):
            raise InputError(f"invalid options={self.options!r}: expected a table")
        options = dict(kind.defaults or {})
        options.update(self.options)
        for key in options:
            if key in grid:
                raise InputError(f"invalid key {key}: it is both an option and a grid parameter")
        if kind.validate is not None:
            options, grid = kind.validate(options, grid)
        for key, values in grid.items():
            if len(set(canonical_json(v) for v in values)) != len(values):
                raise InputError(f"invalid grid.{key}={values!r}: expected distinct values")
        self.grid, self.options = grid, options

    # ------------------------------------------------------------------------------------------- build
    @classmethod
    def from_dict(cls, data: dict) -> "SweepSpec":
        """A spec from the TOML shape ``{"sweep": {...}, "grid": {...}, "options": {...}}``."""
        if not isinstance(data, dict):
            raise InputError(f"invalid sweep definition {data!r}: expected a table")
        for key in data:
            if key not in _TOP_KEYS:
                raise InputError(f"invalid key {key}: expected one of {', '.join(_TOP_KEYS)}")
        sweep = data.get("sweep")
        if not isinstance(sweep, dict):
            raise InputError("invalid sweep definition: missing table [sweep]")
        if not isinstance(data.get("grid"), dict):
            raise InputError("invalid sweep definition: missing table [grid]")
        for key in sweep:
            if key not in _SWEEP_KEYS:
                raise InputError(f"invalid key sweep.{key}: expected one of {', '.join(_SWEEP_KEYS)}")
        if "seed" not in sweep:
            raise InputError("invalid sweep definition: missing key sweep.seed (an integer >= 0)")
        options = dict(data.get("options") or {})
        if not isinstance(data.get("options", {}), dict):
            raise InputError(f"invalid options={data['options']!r}: expected a table")
        for key in ("samples", "method", "k", "output"):
            if key in sweep:
                if key in options:
                    raise InputError(f"invalid key options.{key}: already given as sweep.{key}")
                options[key] = sweep[key]
        return cls(name=sweep.get("name", "sweep"), seed=sweep["seed"], kind=sweep.get("kind", "simulate"),
                   grid=dict(data["grid"]), options=options, description=sweep.get("description", ""))

    @classmethod
    def from_toml(cls, path) -> "SweepSpec":
        """A spec read from a TOML file (see the module docstring for the shape)."""
        return load_spec(path)

    # ------------------------------------------------------------------------------------------- use
    def definition(self) -> dict:
        """Everything but the grid: what a store checks before adding cells."""
        return {"name": self.name, "seed": self.seed, "kind": self.kind, "options": self.options}

    def definition_hash(self) -> str:
        """sha256 of the canonical JSON of :meth:`definition`."""
        return hashlib.sha256(canonical_json(self.definition()).encode()).hexdigest()

    def cells(self) -> list[Cell]:
        """The cartesian product of the grid, in grid order (first key slowest)."""
        keys = list(self.grid)
        out = []
        for combo in itertools.product(*(self.grid[k] for k in keys)):
            params = dict(zip(keys, combo))
            text = canonical_json(params)
            out.append(Cell(params, text, cell_key(params), cell_seed(self.seed, params)))
        return out

    def __len__(self) -> int:
        size = 1
        for values in self.grid.values():
            size *= len(values)
        return size


def load_spec(path) -> SweepSpec:
    """Read and validate a sweep TOML file (tomllib).

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file: tables ``[sweep]`` (``name``, ``seed``, ``kind``, ``description``), ``[grid]`` (parameter
        = list of values) and optionally ``[options]``.

    Returns
    -------
    SweepSpec
        The validated definition (:meth:`SweepSpec.from_dict`).

    Raises
    ------
    InputError
        One line for a missing file, invalid TOML or an invalid definition.
    """
    import tomllib

    p = Path(path)
    if not p.is_file():
        raise InputError(f"invalid FILE={str(path)!r}: no such file")
    try:
        data = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid FILE={str(path)!r}: not valid TOML ({exc})") from None
    return SweepSpec.from_dict(data)
