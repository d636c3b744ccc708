"""Exact theory values shared by the claims of a run: each (function, law, arguments) is computed once per
process. The theory is pure (:ref:`theory-exact-identities` values are functions of their arguments), so claims that need the same
value reuse it: the phase diagram's and the crossover's β_1/2 at d = 3, or a curve point of a figure that is
also a case's prediction. Laws are told apart by their ``cache_key`` (:class:`attnlimits.laws.KeyLaw`)."""

from __future__ import annotations

__all__ = ["theory_value"]

#: (function name, law.cache_key, arguments) → value; at most _CACHE_SIZE, the oldest dropped first.
_CACHE: dict = {}
_CACHE_SIZE = 4096


def theory_value(name: str, law, *args) -> float:
    """``attnlimits.theory.<name>(law, *args)``, memoised on the law's ``cache_key`` and ``args``
    (e.g. ``theory_value("beta_half", UniformSphere(3), 10**6)``)."""
    key = (name, law.cache_key, tuple(args))
    value = _CACHE.get(key)
    if value is None:
        from .. import theory

        value = float(getattr(theory, name)(law, *args))
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = value
    return value
