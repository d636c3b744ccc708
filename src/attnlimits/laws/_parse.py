"""``--law`` strings: ``uniform``, ``vmf:KAPPA[:ANGLE]``, ``subsphere:K``, ``file:PATH``."""

from __future__ import annotations

from .._validation import InputError
from ._base import KeyLaw
from ._empirical import load_key_file
from ._uniform import Subsphere, UniformSphere
from ._vmf import VonMisesFisher

__all__ = ["parse_law", "LAW_FORMS"]

LAW_FORMS = "uniform, vmf:KAPPA[:ANGLE], subsphere:K or file:PATH"


def parse_law(text: str, d: int) -> KeyLaw:
    """Build the key law named by ``text`` in dimension ``d`` (the CLI's ``--law``).

    Parameters
    ----------
    text : str
        ``uniform``, ``vmf:KAPPA[:ANGLE]``, ``subsphere:K`` or ``file:PATH``.
    d : int
        Dimension of the ambient space.

    Returns
    -------
    KeyLaw
        :class:`UniformSphere`, :class:`VonMisesFisher`, :class:`Subsphere` or :class:`Empirical`
        (:func:`load_key_file`).

    Examples
    --------
    >>> parse_law("subsphere:3", 8).local_exponent
    1.0
    """
    kind, _, rest = str(text).partition(":")
    try:
        if kind == "uniform" and not rest:
            return UniformSphere(d)
        if kind == "vmf" and rest:
            parts = rest.split(":")
            if len(parts) > 2:
                raise ValueError
            return VonMisesFisher(d, float(parts[0]), float(parts[1]) if len(parts) == 2 else 0.0)
        if kind == "subsphere" and rest:
            return Subsphere(d, int(rest))
        if kind == "file" and rest:
            return load_key_file(rest, d)
    except InputError:
        raise
    except ValueError:
        pass
    raise InputError(f"invalid law={text!r}: expected {LAW_FORMS}")
