"""Law strings ``NAME[:ARGUMENTS]`` (the CLI's ``--law``): ``uniform``, ``vmf:KAPPA[:ANGLE]``, ``subsphere:K``,
``file:PATH``, ``far-reshaped``, and every law class that declares a ``spec_name`` (:class:`KeyLaw`)."""

from __future__ import annotations

from .._validation import InputError
from ._base import SPEC_LAWS, KeyLaw

__all__ = ["parse_law", "law_forms"]


def law_forms() -> str:
    """The accepted law strings, for messages and ``--help``: each registered law's ``spec_syntax``, by name.

    Returns
    -------
    str
        e.g. ``"far-reshaped, file:PATH, subsphere:K, uniform or vmf:KAPPA[:ANGLE]"``.
    """
    forms = [cls.spec_syntax or name for name, cls in sorted(SPEC_LAWS.items())]
    return forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]


def parse_law(text: str, d: int) -> KeyLaw:
    """Build the key law named by ``text`` in dimension ``d`` (the CLI's ``--law``).

    The name before the first ``:`` picks the law class that declares it as its ``spec_name``; the class's
    ``from_spec`` reads the rest (:meth:`KeyLaw.from_spec`).

    Parameters
    ----------
    text : str
        ``NAME[:ARGUMENTS]``: ``uniform``, ``vmf:KAPPA[:ANGLE]``, ``subsphere:K``, ``file:PATH``,
        ``far-reshaped``, or the string of a law class registered by the user (``law_forms()`` lists them).
    d : int
        Dimension of the ambient space.

    Returns
    -------
    KeyLaw
        E.g. :class:`UniformSphere`, :class:`VonMisesFisher`, :class:`Subsphere` or :class:`Empirical`
        (:func:`load_key_file`).

    Raises
    ------
    InputError
        For an unknown name or arguments of the wrong form (the message lists the accepted forms).

    Examples
    --------
    >>> parse_law("subsphere:3", 8).local_exponent
    1.0
    """
    name, _, rest = str(text).partition(":")
    cls = SPEC_LAWS.get(name)
    if cls is not None:
        try:
            return cls.from_spec(rest, d)
        except InputError:
            raise
        except ValueError:
            pass
    raise InputError(f"invalid law={text!r}: expected {law_forms()}")
