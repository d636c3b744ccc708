"""Key laws: what the keys look like from the query (SPEC §1–§2)."""

from ._base import Draw, KeyLaw, uniform_directions
from ._empirical import Empirical, load_key_file, read_arrays
from ._parse import LAW_FORMS, parse_law
from ._uniform import Subsphere, UniformSphere, uniform_distances
from ._vmf import VonMisesFisher

# What users call; LAW_FORMS, read_arrays, uniform_directions and uniform_distances stay importable from here.
__all__ = [
    "Draw",
    "Empirical",
    "KeyLaw",
    "Subsphere",
    "UniformSphere",
    "VonMisesFisher",
    "load_key_file",
    "parse_law",
]
