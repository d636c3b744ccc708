"""The registry of claims, and the runner that measures them into ``DIR`` (claims.json, figures, report)."""

from __future__ import annotations

import time
import traceback

from .._validation import InputError
from ._base import ClaimResult
from ._critical import CRITICAL_CONSTANT, CRITICAL_NO_COLLAPSE, SUPER_COLLAPSE
from ._crossover import HIGH_D_CROSSOVER
from ._exponent import CRITICAL_EXPONENT
from ._heat import HEAT_EQUATION
from ._local import LOCAL_NOT_GLOBAL
from ._phase import PHASE_DIAGRAM
from ._subcritical import SUB_CLT, SUB_LLN_BIAS
from ._verdict import Case

__all__ = ["CLAIMS", "claim_ids", "select_claims", "run_claim"]

#: Every claim, in report order.
CLAIMS = (CRITICAL_EXPONENT, HIGH_D_CROSSOVER, CRITICAL_CONSTANT, LOCAL_NOT_GLOBAL, SUB_LLN_BIAS, SUB_CLT,
          CRITICAL_NO_COLLAPSE, SUPER_COLLAPSE, HEAT_EQUATION, PHASE_DIAGRAM)


def claim_ids() -> list:
    """Ids of every registered claim, in report order.

    Returns
    -------
    list of str
        The ids of :data:`CLAIMS` (``attnlimits reproduce --only`` takes them).
    """
    return [c.id for c in CLAIMS]


def select_claims(only=None) -> list:
    """The claims named in ``only``, in report order.

    Parameters
    ----------
    only : str, sequence of str or None
        Claim ids, or a comma-separated string of them; None or "" selects every claim.

    Returns
    -------
    list of Claim

    Raises
    ------
    InputError
        For an id that is not registered (the message lists the known ids).
    """
    if only is None or only == "":
        return list(CLAIMS)
    wanted = [s.strip() for s in (only.split(",") if isinstance(only, str) else only) if s.strip()]
    known = claim_ids()
    for w in wanted:
        if w not in known:
            raise InputError(f"invalid only={w!r}: expected claim ids among {', '.join(known)}")
    return [c for c in CLAIMS if c.id in wanted]


def run_claim(claim, ctx) -> ClaimResult:
    """Run one claim; a claim that cannot run (an error, a missing dependency) is recorded as a failed case
    saying why, never dropped.

    Parameters
    ----------
    claim : Claim
        The claim to run.
    ctx : Context
        Sizes, root seed, workers and store of the run.

    Returns
    -------
    ClaimResult
        The claim's result with ``elapsed`` (wall seconds) set; on an exception, one failed case whose first
        reason names the exception and where it was raised.
    """
    start = time.monotonic()
    try:
        result = claim.run(ctx)
    except Exception as exc:  # recorded as a failure with its reason, and the run goes on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        case = Case(claim.id, "could not run", claim.statement, float("nan"), float("nan"), float("nan"),
                    note=reason).judged()
        case.reasons.insert(0, reason)
        result = ClaimResult(claim.id, claim.title, [case], [], f"This claim could not be measured: {reason}.")
    result.elapsed = time.monotonic() - start
    return result
