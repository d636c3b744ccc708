"""Fixed keys (attention sinks) in the exact theory (:ref:`theory-sinks`): limits, identities, SPEC's numbers, the
subcritical expansion, the small-C bound, one-key quadratures, Monte Carlo of the engine and the batched API."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from attnlimits._validation import InputError
from attnlimits.engine import simulate
from attnlimits.laws import UniformSphere
from attnlimits.theory import (beta_half, expected_ipr, expected_max_weight, expected_sink_weight, predict,
                               sink_expectations)
from attnlimits.theory._counts import count_grid
from attnlimits.theory._finite import FiniteQuadrature
from attnlimits.theory._sink_quadrature import SinkQuadrature
from attnlimits.theory._sinks import _direct

SETTINGS = [(3, 1000, 100.0), (8, 1000, 20.0), (64, 10**6, 70.0), (16, 10**4, 5.0), (3, 500, 30.0)]


def _raw(d, n, beta, sinks):
    return _direct(UniformSphere(d), n, beta, np.asarray([sinks], dtype=float).reshape(1, len(sinks)))


@pytest.mark.parametrize("d, n, beta", SETTINGS)
def test_no_sinks_is_the_iid_quadrature(d, n, beta):
    """m = 0 through the sink-aware quadrature (C = 0, x* = ∞) reproduces :ref:`theory-exact-identities`'s integrals on the same nodes."""
    law = UniformSphere(d)
    grid = count_grid(law, n)
    ref = FiniteQuadrature(law, grid, beta).integrate()
    r = SinkQuadrature(law, grid, beta, np.zeros((1, 0))).integrate()
    assert abs(r["Bmax"][0] - ref["max"]) <= 1e-12
    assert abs(r["T2"][0] - ref["one_minus_max"]) <= 1e-12
    assert abs(r["J2"][0] - ref["power"][2.0]) <= 1e-12
    assert abs(r["J11"][0] - ref["one_minus_ipr"]) <= 1e-12
    assert r["I0"][0] == r["Smax"][0] == r["T1"][0] == 0.0
    out = sink_expectations(law, n, [beta], np.zeros((1, 0)))
    assert abs(out["max_weight"][0] - expected_max_weight(law, n, beta)) <= 1e-12
    assert abs(out["ipr"][0] - expected_ipr(law, n, beta)) <= 1e-12
    assert out["sink_weight"].shape == (1, 0)


def test_scalar_functions_unchanged_without_sinks():
    law = UniformSphere(3)
    assert expected_max_weight(law, 1000, 100.0, sinks=()) == expected_max_weight(law, 1000, 100.0)
    assert expected_ipr(law, 1000, 100.0, sinks=[]) == expected_ipr(law, 1000, 100.0)
    assert beta_half(law, 100, ()) == beta_half(law, 100)
    assert predict(law, 100, 50.0, sinks=()) == predict(law, 100, 50.0)


def test_spec_2b_numbers():
    """:ref:`theory-sinks`: d = 8, n = 1000, β = 20, s = 0.9, and d = 3, n = 500, β = 30, s = 0.95 with its expansion."""
    law = UniformSphere(8)
    assert round(expected_max_weight(law, 1000, 20.0, sinks=[0.9]), 4) == 0.3188
    assert round(float(expected_sink_weight(law, 1000, 20.0, [0.9])[0]), 4) == 0.2703
    assert round(expected_ipr(law, 1000, 20.0, sinks=[0.9]), 4) == 0.1703
    exact = float(expected_sink_weight(UniformSphere(3), 500, 30.0, [0.95])[0])
    first, second, _ = _expansion(3, 500, 30.0, [0.95])
    assert round(exact, 5) == 0.02766
    assert round(first[0], 4) == 0.0261 and round(second[0], 4) == 0.0275


# every case: (d, n, β, sinks); S > 1 above every random key, S < −1 below all, two sinks, ties
CASES = [(3, 200, 20.0, [1.1]), (3, 200, 20.0, [-1.2]), (3, 200, 20.0, [0.9, 0.85]), (3, 1000, 100.0, [0.97]),
         (64, 1000, 20.0, [0.5]), (64, 1000, 20.0, [1.05, 0.3]), (64, 1000, 40.0, [-1.5]), (8, 1000, 20.0, [0.9, 0.9]),
         (64, 10**6, 70.0, [0.5, 0.4]), (16, 10**4, 5.0, [3.0]), (3, 1000, 300.0, [1.2, 1.2])]


@pytest.mark.parametrize("d, n, beta, sinks", CASES)
def test_complements_and_normalisation(d, n, beta, sinks):
    """Each value and its complement come from different integrals (the complements from positive terms only):
    they add to 1; the sinks' total and the bulk's weight add to 1."""
    r = _raw(d, n, beta, sinks)
    for key, comp in (("max_weight", "one_minus_max_weight"), ("ipr", "one_minus_ipr"),
                      ("sink_weight", "one_minus_sink_weight")):
        assert np.all(np.abs(r[key] + r[comp] - 1.0) <= 1e-11), key
        assert np.all(r[key] >= 0) and np.all(r[comp] >= 0)
    assert abs(r["sink_weight"].sum() - r["sink_weight_total"][0]) <= 1e-14
    m = r["sink_weight"]
    assert np.all(r["max_weight"] >= m.max() - 1e-11)  # the max weight is at least every sink's
    assert r["ipr"][0] >= (m ** 2).sum() - 1e-11  # E w² ≥ (E w)²


def test_strong_sink_complements_keep_relative_accuracy():
    """S > 1 at large β: 1 − w_sink ~ 1e−40; the complement keeps its digits (positive terms) and matches the
    first-order value n E[Y]/C (the bulk's weight when the sink dominates Z)."""
    d, n, beta, s = 3, 1000, 400.0, 1.25
    r = sink_expectations(UniformSphere(d), n, [beta], [[s]])
    ey = (1.0 - math.exp(-2.0 * beta)) / (2.0 * beta)  # d = 3: D uniform on [0, 2]
    first = n * ey * math.exp(-beta * (s - 1.0))  # E[ΣY/(C + ΣY)] = E[ΣY]/C (1 + O(ΣY/C)), ΣY/C ~ 1e−40
    assert r["sink_weight"][0, 0] == 1.0 and r["max_weight"][0] == 1.0
    assert abs(r["one_minus_sink_weight"][0, 0] / first - 1.0) < 1e-10
    assert abs(r["one_minus_max_weight"][0] / first - 1.0) < 1e-10


def _moments(d, beta, k):
    """E[Y^k] = e^{−kβ} M(kβ) for uniform keys (M the moment generating function of ⟨q,K⟩, :ref:`theory-limit-laws`)."""
    nu = d / 2.0 - 1.0
    t = k * beta
    return math.exp(special.gammaln(d / 2.0) + nu * math.log(2.0 / t) + math.log(special.ive(nu, t)))


def _expansion(d, n, beta, sinks):
    """First, second order and the next two terms of E[C_j/Z], Z = μ + δ, δ = Σ(Y_i − EY), in powers of δ/μ."""
    m1, m2, m3, m4 = (_moments(d, beta, k) for k in (1, 2, 3, 4))
    var = m2 - m1 ** 2
    k3 = m3 - 3 * m1 * m2 + 2 * m1 ** 3
    k4 = m4 - 4 * m3 * m1 - 3 * m2 ** 2 + 12 * m2 * m1 ** 2 - 6 * m1 ** 4
    cj = np.exp(beta * (np.asarray(sinks) - 1.0))
    mu = cj.sum() + n * m1
    first = cj / mu
    second = cj * (1.0 / mu + n * var / mu ** 3)
    nxt = cj * (abs(n * k3) / mu ** 4 + (3 * n ** 2 * var ** 2 + n * abs(k4)) / mu ** 5)
    return first, second, nxt


@pytest.mark.parametrize("d, n, beta, sinks", [(3, 500, 30.0, [0.95]), (8, 10**4, 10.0, [0.8]),
                                               (16, 10**5, 4.0, [0.6, 0.5]), (3, 10**5, 50.0, [0.9])])
def test_subcritical_second_order(d, n, beta, sinks):
    """In the subcritical bulk E[w_sink,j] = C_j[1/μ + n Var(Y)/μ³] + R with |R| bounded by the next two terms
    of the expansion of E[1/Z] (third and fourth central moments); second order beats first order."""
    exact = expected_sink_weight(UniformSphere(d), n, beta, sinks)
    first, second, nxt = _expansion(d, n, beta, sinks)
    assert np.all(np.abs(exact - second) <= nxt)
    assert np.all(np.abs(exact - second) < np.abs(exact - first))


@pytest.mark.parametrize("d, n, beta", [(3, 1000, 100.0), (64, 1000, 20.0), (8, 1000, 20.0)])
@pytest.mark.parametrize("s", [-3.0, -0.5, 0.0, 0.3, 0.6, 0.9, 1.1])
def test_small_c_bound(d, n, beta, s):
    """Pathwise, a sink of weight w_s scales every random weight by (1 − w_s): if it does not hold the maximum,
    max w changes by −w_s max w, and if it does, by w_s − max w ∈ [−w_s, w_s]; the IPR changes by
    −2 w_s IPR + w_s² (1 + IPR). So |ΔE max w| ≤ E w_s and |ΔE IPR| ≤ 2 E w_s for every C, and both → 0 as C → 0."""
    law = UniformSphere(d)
    ws = float(expected_sink_weight(law, n, beta, [s])[0])
    dmax = expected_max_weight(law, n, beta, [s]) - expected_max_weight(law, n, beta)
    dipr = expected_ipr(law, n, beta, [s]) - expected_ipr(law, n, beta)
    assert abs(dmax) <= ws + 1e-12
    assert abs(dipr) <= 2.0 * ws + 1e-12


def test_one_random_key_against_direct_quadrature():
    """n = 1 (d = 3: D uniform on [0, 2]): every expectation is a one-dimensional integral over D."""
    beta, s = 10.0, 0.7
    c = math.exp(beta * (s - 1.0))
    r = _raw(3, 1, beta, [s])

    def mean(f):
        return integrate.quad(lambda t: 0.5 * f(math.exp(-beta * t)), 0.0, 2.0, epsabs=0, epsrel=1e-13, points=[0.3])[0]

    assert abs(r["sink_weight"][0, 0] - mean(lambda y: c / (c + y))) < 1e-12
    assert abs(r["max_weight"][0] - mean(lambda y: max(c, y) / (c + y))) < 1e-12
    assert abs(r["ipr"][0] - mean(lambda y: (c * c + y * y) / (c + y) ** 2)) < 1e-12


def test_two_random_keys_against_direct_quadrature():
    """n = 2, two sinks (d = 3): a two-dimensional integral over (D_1, D_2)."""
    beta, sinks = 6.0, [0.5, 0.2]
    cs = [math.exp(beta * (s - 1.0)) for s in sinks]
    r = _raw(3, 2, beta, sinks)

    kink = [1.0 - max(sinks)]  # where a random key passes the top sink

    def mean(f):  # symmetric in (D_1, D_2): twice the integral over D_1 < D_2, split at the kinks
        def inner(t1):
            y1 = math.exp(-beta * t1)
            return integrate.quad(lambda t2: f(y1, math.exp(-beta * t2)), t1, 2.0, epsabs=0, epsrel=1e-13,
                                  points=[k for k in kink if t1 < k < 2.0] or None, limit=200)[0]

        return 0.5 * integrate.quad(inner, 0.0, 2.0, epsabs=0, epsrel=1e-13, points=kink, limit=200)[0]

    z = lambda y1, y2: sum(cs) + y1 + y2  # noqa: E731
    assert abs(r["sink_weight"][0, 0] - mean(lambda a, b: cs[0] / z(a, b))) < 1e-10
    assert abs(r["max_weight"][0] - mean(lambda a, b: max(cs + [a, b]) / z(a, b))) < 1e-10
    assert abs(r["ipr"][0] - mean(lambda a, b: sum(v * v for v in cs + [a, b]) / z(a, b) ** 2)) < 1e-10


MC_CASES = [  # (d, n, β, sinks, samples, seed)
    (3, 200, 20.0, [1.1], 4000, 11),  # above every random key
    (3, 200, 20.0, [-1.2], 4000, 12),  # below all of them (a > 2)
    (3, 200, 20.0, [0.9, 0.85], 4000, 13),  # two sinks
    (64, 1000, 20.0, [0.45], 3000, 14),
    (64, 1000, 20.0, [1.05, 0.3], 3000, 15),
    (64, 1000, 40.0, [-1.5], 3000, 16),
]


@pytest.mark.parametrize("d, n, beta, sinks, samples, seed", MC_CASES)
def test_against_monte_carlo_of_the_engine(d, n, beta, sinks, samples, seed):
    """The exact values against the engine's Monte Carlo with the same fixed keys: within 4 SE (fixed seeds)."""
    law = UniformSphere(d)
    res = simulate(law, n, beta, samples=samples, seed=seed, sinks=sinks)
    exact = {"max_weight": expected_max_weight(law, n, beta, sinks), "ipr": expected_ipr(law, n, beta, sinks)}
    w = expected_sink_weight(law, n, beta, sinks)
    exact.update({f"sink_weight_{j}": float(v) for j, v in enumerate(w)})
    exact["sink_weight"] = float(w.sum())
    for stat, value in exact.items():
        est = getattr(res, stat)
        if est.se == 0.0:  # every replicate equal (a sink far below or above): the value itself
            assert abs(est.mean - value) <= 1e-12, stat
        else:
            assert abs(est.mean - value) <= 4.0 * est.se, (stat, est.mean, est.se, value)


def test_beta_half_with_sinks():
    law = UniformSphere(8)
    bh = beta_half(law, 1000, [0.9])
    assert abs(expected_max_weight(law, 1000, bh, [0.9]) - 0.5) < 1e-7
    assert bh < beta_half(law, 1000)  # the sink adds a competitor that concentrates mass
    assert beta_half(law, 1000, [1.2, 1.2]) is None  # two tied sinks above every key: max w ≤ 1/2
    p = predict(law, 1000, 20.0, sinks=[1.2, 1.2])
    assert p["beta_half"] is None and any("tie" in note for note in p["notes"])
    assert beta_half(law, 1, [0.3]) == 0.0  # n + m = 2: E max w = 1/2 at β = 0


def test_predict_with_sinks():
    law = UniformSphere(64)
    p = predict(law, 10**6, 70.0, sinks=[0.5, 0.4])
    assert p["expected_max_weight"] == expected_max_weight(law, 10**6, 70.0, [0.5, 0.4])
    assert p["expected_ipr"] == expected_ipr(law, 10**6, 70.0, [0.5, 0.4])
    assert p["expected_sink_weight"] == list(expected_sink_weight(law, 10**6, 70.0, [0.5, 0.4]))
    assert abs(p["expected_sink_weight_total"] - sum(p["expected_sink_weight"])) < 1e-15
    assert p["sinks"] == [0.5, 0.4] and p["expected_inner"] is None


def test_beta_zero_and_validation():
    law = UniformSphere(3)
    r = sink_expectations(law, 10, [0.0], [[0.5, 2.0]])
    assert np.all(r["sink_weight"] == 1.0 / 12) and r["max_weight"][0] == 1.0 / 12
    for bad in (math.nan, math.inf):
        with pytest.raises(InputError, match="sinks"):
            expected_max_weight(law, 10, 1.0, [bad])
        with pytest.raises(InputError, match="scores"):
            sink_expectations(law, 10, [1.0], [[bad]])
    with pytest.raises(InputError, match="scores"):
        sink_expectations(law, 10, [1.0, 2.0], [[0.5]])
    with pytest.raises(InputError, match="betas"):
        sink_expectations(law, 10, [-1.0], [[0.5]])


def test_batched_many_betas_against_direct_evaluation():
    """Many distinct β_q (interpolated in log β) against one quadrature per query: within the tolerance."""
    law = UniformSphere(64)
    n = 10**6
    rng = np.random.default_rng(5)
    q = 48
    betas = rng.uniform(40.0, 100.0, q)
    scores = np.column_stack([rng.uniform(0.2, 0.7, q), rng.uniform(-1.5, 1.3, q)])
    tol = 1e-6
    r = sink_expectations(law, n, betas, scores, tol=tol)
    assert np.all(r["interpolation_error"] <= tol)
    check = rng.choice(q, 6, replace=False)
    for i in check:
        d = sink_expectations(law, n, [betas[i]], scores[i:i + 1])
        assert d["interpolation_error"][0] == 0.0
        for key in ("max_weight", "ipr", "sink_weight", "one_minus_max_weight", "one_minus_sink_weight"):
            assert np.all(np.abs(r[key][i] - d[key][0]) <= tol), key


def test_batched_estimated_law():
    """An EstimatedLaw (attnlimits.laws; what real heads use): the batch equals per-query evaluation."""
    from attnlimits.laws import EstimatedLaw
    from attnlimits.tails import fit_local_power

    rng = np.random.default_rng(3)
    d = 64
    keys = rng.standard_normal((20000, d))
    keys /= np.linalg.norm(keys, axis=1, keepdims=True)
    dist = 1.0 - keys[:, 0]
    law = EstimatedLaw(fit_local_power(dist), dist, d)
    betas = np.array([30.0, 30.0, 45.0])
    scores = np.array([[0.4], [0.6], [0.5]])
    r = sink_expectations(law, 4096, betas, scores)
    for i in range(3):
        assert abs(r["sink_weight"][i, 0] - expected_sink_weight(law, 4096, betas[i], scores[i])[0]) <= 1e-14
        assert abs(r["max_weight"][i] - expected_max_weight(law, 4096, betas[i], scores[i])) <= 1e-14
