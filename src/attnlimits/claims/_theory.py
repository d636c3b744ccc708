"""Exact theory values shared by the claims of a run: each (function, law, arguments) is computed once per
process. The theory is pure (SPEC §4 values are functions of their arguments), so claims that need the same
value reuse it: the phase diagram's and the crossover's β_1/2 at d = 3, or a curve point of a figure that is
also a case's prediction."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["theory_value"]


@lru_cache(maxsize=4096)
def _value(name: str, law_key: tuple, args: tuple) -> float:
    from .. import theory

    law = law_key[0](*law_key[1])
    return float(getattr(theory, name)(law, *args))


def theory_value(name: str, law, *args) -> float:
    """``attnlimits.theory.<name>(law, *args)``, memoised on the law's constructor arguments and ``args``
    (e.g. ``theory_value("beta_half", UniformSphere(3), 10**6)``)."""
    return _value(name, law.__reduce__(), tuple(args))
