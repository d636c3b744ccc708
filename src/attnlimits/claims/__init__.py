"""The paper's claims, each a small declarative object: prediction (theory), measurement (simulation),
comparison with its uncertainty, verdict (``attnlimits reproduce``).

A claim is one module of ``attnlimits.claims.paper``: it declares its :class:`Claim` once and registers it
(:func:`register_claim`); decorators attach its measurement, its figure and its grids' cell kinds. Nothing
lists the claims centrally: :func:`claim_ids` and :func:`select_claims` find every registered claim, in report
order.

>>> from attnlimits.claims import claim_ids
>>> claim_ids()[:2]
['critical-exponent', 'high-d-crossover']
"""

from ._base import ClaimResult, Context, Figure
from ._claim import Claim, Drawing
from ._halfweight import HalfWeightEstimate, estimate_beta_half
from ._registry import claim_ids, get_claim, register_claim, run_claim, select_claims
from ._verdict import Case, judge

__all__ = [
    "Case",
    "Claim",
    "ClaimResult",
    "Context",
    "Drawing",
    "Figure",
    "HalfWeightEstimate",
    "claim_ids",
    "estimate_beta_half",
    "get_claim",
    "judge",
    "register_claim",
    "run_claim",
    "select_claims",
]
