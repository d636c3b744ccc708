"""Key laws: what the keys look like from the query (:ref:`theory-model` to :ref:`theory-scales`).

Every law is a subclass of :class:`KeyLaw`, and every subclass lives here, one module each. A subclass that
declares a ``spec_name`` is found by :func:`parse_law` (``--law NAME[:ARGUMENTS]``) as soon as its class is
created.
"""

from ._base import Draw, KeyLaw, uniform_directions
from ._empirical import Empirical, load_key_file, read_arrays
from ._estimated import EstimatedLaw
from ._far_reshaped import FarReshaped
from ._parse import law_forms, parse_law
from ._uniform import Subsphere, UniformSphere, uniform_distances
from ._vmf import VonMisesFisher

# What users call; law_forms, read_arrays, uniform_directions and uniform_distances stay importable from here.
__all__ = [
    "Draw",
    "Empirical",
    "EstimatedLaw",
    "FarReshaped",
    "KeyLaw",
    "Subsphere",
    "UniformSphere",
    "VonMisesFisher",
    "load_key_file",
    "parse_law",
]
