"""The verdict intervals of ``sub-lln-bias`` and ``critical-constant`` cover their exact finite-n targets at
the nominal 95%.

Each claim reports mean ± 1.96·SE over i.i.d. replicates (:class:`attnlimits.claims._verdict.Case`). Here the
same interval is formed on G disjoint groups of replicates of the claim's own setting and counted against the
exact finite-n value (:ref:`theory-exact-identities`). Groups are smaller than the claims' (so the normal approximation is tested
where it is weaker). Coverage must lie within z_B binomial SEs of 95%, z_B the 3σ level Bonferroni-corrected
over the cases.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from attnlimits import UniformSphere, simulate
from attnlimits.claims._sims import mean_se
from attnlimits.claims._verdict import Case

NOMINAL = 0.95


def grouped_coverage(values, truth: float, groups: int, mean_se) -> float:
    """Share of ``groups`` disjoint groups whose claim interval (mean ± 1.96 SE) contains ``truth``."""
    hits = 0
    for g in np.asarray(values, dtype=float).reshape(groups, -1):
        m, se = mean_se(g)
        c = Case("coverage", "group", "", truth, m, se)
        hits += c.ci_low <= truth <= c.ci_high
    return hits / groups


def assert_covers(cov: float, groups: int, family: int) -> None:
    z = stats.norm.ppf(1.0 - 0.0027 / (2.0 * family))
    se = np.sqrt(NOMINAL * (1.0 - NOMINAL) / groups)
    assert abs(cov - NOMINAL) <= z * se, f"coverage {cov:.3f} of {groups}; expected {NOMINAL} ± {z * se:.3f}"


def sub_lln(groups: int, size: int):
    """sub-lln-bias at its quick setting d = 4, n = 20000, β = 30: (inner coverage, defect coverage)."""
    from attnlimits.theory import expected_defect, expected_inner

    law, n, beta = UniformSphere(4), 20_000, 30.0
    res = simulate(law, n, beta, samples=groups * size, seed=41, output=False)
    return (grouped_coverage(res.values["inner"], expected_inner(law, n, beta), groups, mean_se),
            grouped_coverage(res.values["defect"], expected_defect(law, n, beta), groups, mean_se))


def critical(lam: float, n: int, method: str, groups: int, size: int) -> float:
    """critical-constant: E[IPR] at β = λβ*_n, d = 3, against the exact finite-n value."""
    from attnlimits.claims._theory import theory_value

    law = UniformSphere(3)
    res = simulate(law, n, lam=lam, samples=groups * size, seed=43, method=method, k=64, output=False)
    return grouped_coverage(res.values["ipr"], theory_value("expected_ipr", law, n, res.beta), groups, mean_se)


def test_claim_intervals_cover_small():
    groups = 40
    inner, defect = sub_lln(groups, 25)
    ipr = critical(1.0, 2_000, "exact", groups, 50)
    for cov in (inner, defect, ipr):
        assert_covers(cov, groups, family=3)


@pytest.mark.slow
def test_claim_intervals_cover():
    groups = 200
    covs = {}
    covs["sub-lln-bias inner"], covs["sub-lln-bias defect"] = sub_lln(groups, 50)
    for lam in (0.5, 1.0, 2.0):
        covs[f"critical-constant λ={lam:g}, n=2000 exact"] = critical(lam, 2_000, "exact", groups, 100)
    covs["critical-constant λ=1, n=1e12 orderstat"] = critical(1.0, 10**12, "orderstat", groups, 100)
    for name, cov in covs.items():
        print(f"coverage {name}: {cov:.3f} of {groups}")
    for cov in covs.values():
        assert_covers(cov, groups, family=len(covs))
