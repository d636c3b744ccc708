"""α_n and β̃*_n of the estimated law (:ref:`theory-effective-exponent`): computed by ``EstimatedLaw.effective_exponents`` inside its
fitted tail, and reported by ``attnlimits tail`` beside the asymptotic β*_n."""

import numpy as np
import pytest

from attnlimits.laws import UniformSphere
from attnlimits.laws import EstimatedLaw
from attnlimits.tails import fit_local_power
from attnlimits.theory import effective_exponent

NS = ["1e3", "1e4", "1e5", "1e6", "1e7", "1e8", "1e9"]


def test_estimated_law_exponents_inside_the_fitted_tail():
    d = UniformSphere(9).draw(np.random.default_rng(8), 40000).distances
    law = EstimatedLaw(fit_local_power(d), d, 9)
    values = law.effective_exponents([10, 10**6, 10**9])
    assert values[10] is None  # F(t_10) = 0.1 lies in the histogram body, above the fitted threshold
    for n in (10**6, 10**9):
        a, b = values[n]
        eff = effective_exponent(law, n)
        assert eff.t_n <= law.smooth_up_to and (a, b) == (eff.alpha_eff, eff.critical_beta_eff)
        assert law.distance_cdf(1.0 / b) == pytest.approx(1.0 / n, rel=1e-9)
    # the sampled law is uniform on S^8: α = 4; the fitted exponent is within its interval of it
    lo, hi = law.fit.alpha_ci
    assert lo - 0.2 <= values[10**9][0] <= hi + 0.2


def test_tail_cli_reports_effective_scales(tmp_path, cli_json, cli):
    rng = np.random.default_rng(3)
    keys = rng.standard_normal((20000, 5)).astype(np.float32)
    queries = rng.standard_normal((4, 5)).astype(np.float32)
    np.savez(tmp_path / "k.npz", keys=keys, queries=queries, scale=np.float64(5**-0.5))
    out = cli_json("tail", "--keys", tmp_path / "k.npz")
    assert list(out["effective"]) == NS
    inside = [v for v in out["effective"].values() if v is not None]
    assert inside and all(set(v) == {"alpha_eff", "critical_beta_eff"} for v in inside)
    assert out["effective"]["1e9"]["critical_beta_eff"] > out["effective"]["1e6"]["critical_beta_eff"]
    proc = cli("tail", "--keys", tmp_path / "k.npz")
    assert proc.returncode == 0 and "α_n" in proc.stdout and "1/t_n" in proc.stdout


def test_scores_have_no_effective_exponent():
    """A raw-score estimate (peaks over threshold) has no law of D, so α_n is null at every n."""
    from attnlimits.tails import estimate_from_scores

    d = UniformSphere(3).draw(np.random.default_rng(0), 5000).distances
    est = estimate_from_scores(1.0 - d, k=200, seed=0)  # no endpoint: peaks over threshold
    assert est.law is None
    assert est.effective() == {n: None for n in est.beta_star}
    assert est.to_dict()["effective"] == {key: None for key in NS}
