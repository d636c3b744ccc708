"""The paper's claims, each a small declarative object: prediction (theory), measurement (simulation),
comparison with its uncertainty, verdict (issue 7; ``attnlimits reproduce``).

>>> from attnlimits.claims import claim_ids
>>> claim_ids()[:2]
['critical-exponent', 'high-d-crossover']
"""

from ._base import Claim, ClaimResult, Context, Figure
from ._halfweight import (
    BracketMiss,
    HalfWeightEstimate,
    NearestSample,
    beta_half_crn,
    estimate_beta_half,
    mean_max_weight_curve,
    nearest_block,
    nearest_sample,
    nested_dense_samples,
    one_minus_max_weight,
)
from ._crossover import crossover_cases
from ._exponent import exponent_bias_bound, exponent_case
from ._local import FarReshaped
from ._registry import CLAIMS, claim_ids, run_claim, select_claims
from ..sweep._store import UnitStore
from ._verdict import PRECISION, Z_AGREE, Z_INTERVAL, Case, judge

__all__ = [
    "BracketMiss",
    "CLAIMS",
    "Case",
    "Claim",
    "ClaimResult",
    "Context",
    "FarReshaped",
    "Figure",
    "HalfWeightEstimate",
    "NearestSample",
    "PRECISION",
    "UnitStore",
    "Z_AGREE",
    "Z_INTERVAL",
    "beta_half_crn",
    "claim_ids",
    "crossover_cases",
    "estimate_beta_half",
    "exponent_bias_bound",
    "exponent_case",
    "judge",
    "mean_max_weight_curve",
    "nearest_block",
    "nearest_sample",
    "nested_dense_samples",
    "one_minus_max_weight",
    "run_claim",
    "select_claims",
]
