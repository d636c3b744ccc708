"""Verdicts: a measurement with its standard error against a prediction (issue 7, "Verdicts").

A case passes when both hold:

1. **Agreement.** |measured − predicted| ≤ Z·SE + bias, with Z = 4. ``bias`` is 0 when the prediction is an
   exact finite-n value (:ref:`theory-exact-identities`); otherwise it is the finite-n bias bound the claim states and justifies.
2. **Precision.** The half-width of the reported 95% interval (1.96·SE) is at most 10% of the predicted value,
   or of the effect being shown (``effect``), so a wide interval from too few samples cannot pass.

A case may also name an ``alternative`` prediction that the measurement must *reject*:
|measured − alternative| > Z·SE + bias (e.g. the power law where the claim is that it does not hold).

A case with ``miss=True`` states that its prediction does *not* hold: agreement is replaced by
|measured − predicted| > Z·SE + bias (precision still applies, to ``effect`` or the prediction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Case", "judge", "Z_AGREE", "Z_INTERVAL", "PRECISION"]

#: Standard errors allowed between measurement and prediction.
Z_AGREE = 4.0
#: Standard errors in the reported (95%) interval.
Z_INTERVAL = 1.96
#: Largest interval half-width, as a fraction of the predicted value or effect.
PRECISION = 0.10


@dataclass
class Case:
    """One case of a claim: prediction, measurement with SE, the comparison and its verdict.

    Parameters
    ----------
    id, case, statement : str
        Claim id, the case within it (e.g. ``d=3``) and what is claimed.
    predicted, measured, se : float
        Prediction, measurement and the measurement's standard error.
    exact : bool
        True when ``predicted`` is an exact finite-n value (then ``bias`` must be 0).
    bias : float
        Finite-n bias bound allowed on top of Z·SE (stated and justified in ``bias_reason``).
    bias_reason : str
        Why ``bias`` bounds the finite-n bias (shown in the report).
    effect : float or None
        Reference for the precision rule when it is not the predicted value.
    alternative : float or None
        A competing prediction the measurement must reject.
    alternative_name : str
        What ``alternative`` is (e.g. "the power law"), for the reasons.
    miss : bool
        True when the case states that ``predicted`` misses the measurement (by more than Z·SE + bias).
    params : dict
        n, d, β or λ, samples… (shown in the report).
    note : str
        Free text for the report.
    verdict : str
        ``"pass"`` or ``"fail"``; empty until :meth:`judged` (or :meth:`record`) sets it.
    reasons : list of str
        Why the case fails (empty when it passes); set with ``verdict``.
    """

    id: str
    case: str
    statement: str
    predicted: float
    measured: float
    se: float
    exact: bool = False
    bias: float = 0.0
    bias_reason: str = ""
    effect: float | None = None
    alternative: float | None = None
    alternative_name: str = ""
    miss: bool = False
    params: dict = field(default_factory=dict)
    note: str = ""
    verdict: str = ""
    reasons: list = field(default_factory=list)

    @property
    def ci_low(self) -> float:
        return self.measured - Z_INTERVAL * self.se

    @property
    def ci_high(self) -> float:
        return self.measured + Z_INTERVAL * self.se

    def judged(self) -> "Case":
        """Set ``verdict`` and ``reasons`` from :func:`judge`; return self."""
        self.verdict, self.reasons = judge(self)
        return self

    def record(self) -> dict:
        """The claims.json record: ``id, case, statement, predicted, measured, ci_low, ci_high, verdict`` and
        the details (se, bias, params, reasons)."""
        if not self.verdict:
            self.judged()
        return {"id": self.id, "case": self.case, "statement": self.statement, "predicted": self.predicted,
                "measured": self.measured, "ci_low": self.ci_low, "ci_high": self.ci_high, "verdict": self.verdict,
                "se": self.se, "bias": self.bias, "bias_reason": self.bias_reason, "exact": self.exact,
                "effect": self.effect, "alternative": self.alternative, "alternative_name": self.alternative_name,
                "miss": self.miss, "params": self.params, "note": self.note, "reasons": self.reasons}


def judge(case: Case) -> tuple[str, list]:
    """Judge one case by the agreement (or miss), precision and rejection rules of this module.

    With Z = ``Z_AGREE`` = 4 and allowed = Z·SE + bias: agreement is ``|measured − predicted| ≤ allowed``
    (a ``miss`` case needs > allowed); precision is 1.96·SE ≤ 10% of ``|effect|`` (or ``|predicted|``); an
    ``alternative`` must be rejected, ``|measured − alternative| > allowed``. An exact prediction allows no bias.

    Parameters
    ----------
    case : Case
        The prediction, measurement, SE and rules to apply.

    Returns
    -------
    verdict : str
        ``"pass"`` when no rule fails, else ``"fail"`` (also for non-finite or negative inputs).
    reasons : list of str
        One line per failed rule, with its numbers; empty on a pass.
    """
    reasons = []
    values = (case.predicted, case.measured, case.se, case.bias)
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values) or case.se < 0 or case.bias < 0:
        return "fail", [f"non-finite or negative input: predicted={case.predicted!r}, measured={case.measured!r}, "
                        f"se={case.se!r}, bias={case.bias!r}"]
    if case.exact and case.bias != 0:
        reasons.append(f"an exact prediction allows no bias bound (bias={case.bias:.3g})")
    allowed = Z_AGREE * case.se + case.bias
    dev = abs(case.measured - case.predicted)
    if case.miss and not dev > allowed:
        reasons.append(f"the prediction is not rejected: |measured − predicted| = {dev:.4g} ≤ {Z_AGREE:g}·SE + bias = "
                       f"{allowed:.4g}")
    if not case.miss and dev > allowed:
        reasons.append(f"|measured − predicted| = {dev:.4g} > {Z_AGREE:g}·SE + bias = {allowed:.4g}")
    ref = abs(case.effect if case.effect is not None else case.predicted)
    half = Z_INTERVAL * case.se
    if not half <= PRECISION * ref:
        reasons.append(f"95% half-width {half:.4g} > {PRECISION:.0%} of {'effect' if case.effect is not None else 'prediction'} "
                       f"{ref:.4g}")
    if case.alternative is not None:
        alt_dev = abs(case.measured - case.alternative)
        if not alt_dev > allowed:
            reasons.append(f"does not reject {case.alternative_name or 'the alternative'} {case.alternative:.4g}: "
                           f"|measured − alternative| = {alt_dev:.4g} ≤ {allowed:.4g}")
    return ("fail" if reasons else "pass"), reasons
