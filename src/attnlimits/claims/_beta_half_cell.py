"""Cell kind ``reproduce-beta-half`` of the ``critical-exponent`` and ``local-subsphere`` grids: β̂_1/2(n) with
its SE for one (law, d, n) by common random numbers (:func:`~attnlimits.claims.estimate_beta_half`).
Importing this module registers the kind (:func:`attnlimits.sweep.register_cell_kind`)."""

from __future__ import annotations

from ..laws import parse_law
from ..sweep import register_cell_kind
from ._halfweight import estimate_beta_half

__all__ = ["beta_half_cell"]


def beta_half_cell(params: dict, seed) -> dict:
    """One ``reproduce-beta-half`` cell: β̂_1/2 at (law, d, n) with its SE.

    Parameters
    ----------
    params : dict
        ``law, d, n, samples`` and optionally ``method`` (default ``"orderstat"``).
    seed : numpy.random.SeedSequence
        The cell's seed.

    Returns
    -------
    dict
        :meth:`HalfWeightEstimate.to_dict` without ``n`` and ``method``; the search starts from
        β*_n·max(0.2, α) (SPEC §2, α the law's local exponent).
    """
    law = parse_law(params["law"], int(params["d"]))
    n = int(params["n"])
    guess = law.critical_beta(n) * max(0.2, law.local_exponent)
    est, _ = estimate_beta_half(law, n, int(params["samples"]), seed, guess, method=params.get("method", "orderstat"))
    return {k: v for k, v in est.to_dict().items() if k not in ("n", "method")}


register_cell_kind("reproduce-beta-half", beta_half_cell, replace=True)
