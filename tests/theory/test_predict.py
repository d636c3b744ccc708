"""``predict``: the effective-exponent outputs, and asymptotic values only inside their stated range (notes
say why and what to read instead)."""

import math

import numpy as np
import pytest

from attnlimits.laws import UniformSphere
from attnlimits.laws import EstimatedLaw
from attnlimits.tails import fit_local_power
from attnlimits.theory import PREDICT_KEYS, beta_half_eff, effective_exponent, max_weight_eff, predict
from attnlimits.theory._predict import MIN_COMPETITORS


def test_high_d_asymptotics_are_withheld_with_notes():
    """d = 64, n = 1e6, β = 75: n·F(1/β) ≈ 1e−45, so no CLT (the issue's variances of 1e6 at d = 128), and the
    PK limit at λ is pre-asymptotic; the effective law is reported and matches the exact E max w."""
    p = predict(UniformSphere(64), 10**6, 75.0)
    assert list(p) == list(PREDICT_KEYS)
    for key in ("inner_limit", "tangent_var_limit", "radial_var_limit", "ipr_limit", "max_weight_limit", "heat_rate"):
        assert p[key] is None, key
        assert any(note.startswith(key) or f" {key}" in note or f"{key}," in note for note in p["notes"]), key
    assert any("n·F(1/β)" in note and "expected_inner" in note for note in p["notes"])
    assert any("pre-asymptotic" in note and "max_weight_eff" in note for note in p["notes"])
    eff = effective_exponent(UniformSphere(64), 10**6)
    assert p["alpha_eff"] == eff.alpha_eff and p["critical_beta_eff"] == eff.critical_beta_eff
    assert p["lam_eff"] == pytest.approx(75.0 * eff.t_n, rel=1e-15)
    assert abs(p["max_weight_eff"] - p["expected_max_weight"]) < 0.01
    assert p["beta_half_eff"] == pytest.approx(p["beta_half"], rel=0.01)


def test_in_range_values_are_numbers():
    """d = 3 at λ = 1: the PK limit holds (α_n = α, t_n = 1/β*_n exactly); at β = 1, n = 1e4 the CLT holds."""
    law = UniformSphere(3)
    crit = predict(law, 10**4, 5000.0)
    assert 0 < crit["ipr_limit"] < 1 and abs(crit["ipr_limit"] - crit["expected_ipr"]) < 1e-3
    assert crit["max_weight_eff"] == pytest.approx(crit["max_weight_limit"], rel=1e-12)
    sub = predict(law, 10**4, 1.0)
    assert sub["n_effective"] >= MIN_COMPETITORS
    assert 0 < sub["tangent_var_limit"] < 1 and 0 < sub["radial_var_limit"] < 1 and sub["inner_limit"] is not None
    assert sub["heat_rate"] is None  # 2d/β = 6 per step: not the β → ∞ limit
    hot = predict(law, 10**6, 100.0)
    assert hot["heat_rate"] == pytest.approx(0.06) and hot["tangent_var_limit"] is not None


def test_n_one():
    p = predict(UniformSphere(3), 1, 1.0)
    assert p["beta_half"] is None and p["alpha_eff"] is None and p["beta_half_eff"] is None
    assert any(note.startswith("beta_half") for note in p["notes"])


def test_estimated_law_has_effective_outputs():
    """The effective outputs of predict for the smooth estimated law of attnlimits.tails."""
    d = UniformSphere(5).draw(np.random.default_rng(6), 20000).distances
    law = EstimatedLaw(fit_local_power(d), d, 5)
    eff = effective_exponent(law, 10**4)
    b = beta_half_eff(law, 10**4)
    assert math.isfinite(eff.alpha_eff) and eff.alpha_eff > 0 and math.isfinite(b) and b > 0
    assert max_weight_eff(law, 10**4, b) == pytest.approx(0.5, abs=1e-6)
    p = predict(law, 10**4, 20.0)
    assert p["alpha_eff"] == eff.alpha_eff and p["beta_half_eff"] == b
    assert abs(p["beta_half_eff"] / p["beta_half"] - 1) < 0.01  # measured 0.4 % for this law
    assert p["tangent_var_limit"] is None and any("Bessel" in note for note in p["notes"])


def test_effective_max_weight_increases_with_beta_and_crosses_half_at_beta_half_eff():
    law = UniformSphere(16)
    b = beta_half_eff(law, 10**4)
    assert max_weight_eff(law, 10**4, b) == pytest.approx(0.5, abs=1e-7)
    vals = [max_weight_eff(law, 10**4, x) for x in (0.0, b / 4, b, 4 * b)]
    assert vals[0] == 0.0 and all(y > x for x, y in zip(vals, vals[1:])) and vals[-1] < 1.0


def test_lambda_outside_the_pk_range_is_withheld():
    p = predict(UniformSphere(2), 10**6, 1e30)  # λ ≈ 5e18: the limit_ipr = 1.0000000000000016
    assert p["ipr_limit"] is None and any("outside [1e-06, 1e+06]" in note for note in p["notes"])


def test_theory_json_has_the_new_keys(cli_json):
    out = cli_json("theory", "--d", "3", "--n", "1e4", "--lam", "1")
    for key in ("alpha_eff", "critical_beta_eff", "lam_eff", "max_weight_eff", "beta_half_eff", "heat_rate", "notes"):
        assert key in out
    assert out["alpha_eff"] == pytest.approx(1.0) and out["lam_eff"] == pytest.approx(1.0)
    assert out["tangent_var_limit"] is None and isinstance(out["notes"], list) and out["notes"]
