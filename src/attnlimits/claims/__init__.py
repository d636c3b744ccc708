"""The paper's claims, each a small declarative object: prediction (theory), measurement (simulation),
comparison with its uncertainty, verdict (issue 7; ``attnlimits reproduce``).

>>> from attnlimits.claims import claim_ids
>>> claim_ids()[:2]
['critical-exponent', 'high-d-crossover']
"""

from ._base import Claim, ClaimResult, Context, Figure
from ._halfweight import HalfWeightEstimate, estimate_beta_half
from ._registry import CLAIMS, claim_ids, run_claim, select_claims
from ._verdict import Case, judge

__all__ = [
    "CLAIMS",
    "Case",
    "Claim",
    "ClaimResult",
    "Context",
    "Figure",
    "HalfWeightEstimate",
    "claim_ids",
    "estimate_beta_half",
    "judge",
    "run_claim",
    "select_claims",
]
