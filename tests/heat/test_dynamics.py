"""Self-attention dynamics: the blocked step, backends, the heat-law growth of :ref:`theory-limit-laws`, noise, warnings."""

import importlib.util
import sys
import warnings

import numpy as np
import pytest

from attnlimits._validation import InputError
from attnlimits.heat import (HarmonicDensity, HeatRegimeWarning, attention_step, attention_step_dense,
                             resolve_backend, run_dynamics)
from attnlimits.heat._step import _active_pairs, default_cutoff, spatial_order

HAS_TORCH = importlib.util.find_spec("torch") is not None
# fastest available (benchmarks/bench_heat.py, n = 2e4, d = 3): torch tiles 0.20 s, SDPA 0.34 s, NumPy tiles 0.34 s
FAST = dict(backend="torch") if HAS_TORCH else dict(backend="numpy")


def _quiet_run(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", HeatRegimeWarning)  # the reference cases must be inside the regime
        return run_dynamics(*args, **kw)


@pytest.fixture(scope="module")
def sphere_quasi():
    return _quiet_run(3, 2, 0.3, 20000, 100.0, 10, "quasi", **FAST)


@pytest.fixture(scope="module")
def sphere_random():
    with pytest.warns(HeatRegimeWarning, match="off-mode power .* exceeds the mode's own .* use init='quasi'") as rec:
        res = run_dynamics(3, 2, 0.3, 20000, 100.0, 10, "random", seed=20260, **FAST)
    assert len(rec) == 1  # n·F(1/β), step size and amplitude are all inside the regime
    return res


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("block", [1, 37, 5000])
@pytest.mark.parametrize("cutoff", ["auto", None])
def test_blocked_symmetric_step_equals_dense_softmax(d, block, cutoff):
    x = HarmonicDensity(d, 2, 0.3).sample(np.random.default_rng(d), 700)
    for beta in (40.0, 600.0):
        got = attention_step(x, beta, block=block, cutoff=cutoff)
        assert np.max(np.abs(got - attention_step_dense(x, beta))) < 1e-13
        assert np.allclose(np.linalg.norm(got, axis=1), 1.0)


@pytest.mark.parametrize("d", [2, 3])
def test_cap_bound_skips_tiles_and_is_conservative(d):
    """The skipped tiles hold only weights below e^−cutoff (checked against all pairs), and there are many."""
    x = HarmonicDensity(d, 2, 0.3).quasi_uniform(3000)
    beta, block = 300.0, 50
    xs = x[spatial_order(x, block)]
    active = _active_pairs(xs, beta, block, default_cutoff(len(x)))
    assert active.mean() < (0.5 if d == 2 else 0.8)
    exponent = beta * (1.0 - xs @ xs.T)  # β(1 − ⟨x_i, x_j⟩) for every pair
    blocks = np.arange(len(x)) // block
    skipped = ~active[blocks[:, None], blocks[None, :]]
    assert exponent[skipped].min() > default_cutoff(len(x)) - 1e-6


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
@pytest.mark.parametrize("d", [2, 3])
def test_torch_cpu_step_agrees_with_numpy(d):
    import torch

    x = HarmonicDensity(d, 2, 0.3).sample(np.random.default_rng(5 + d), 3000)
    ref = attention_step(x, 150.0, cutoff=None)
    got = attention_step(torch.from_numpy(x), 150.0, backend="torch", block=333)
    assert np.max(np.abs(attention_step(torch.from_numpy(x), 150.0, backend="torch", cutoff=None).numpy() - ref)) < 1e-13
    assert got.dtype == torch.float64
    assert np.max(np.abs(got.numpy() - ref)) < 1e-13
    got32 = attention_step(torch.from_numpy(x).float(), 150.0, backend="torch")
    assert got32.dtype == torch.float32
    assert np.max(np.abs(got32.double().numpy() - ref)) < 1e-4


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
@pytest.mark.parametrize("d", [2, 3])
def test_torch_sdpa_kernel_agrees_with_numpy(d):
    import torch

    x = HarmonicDensity(d, 2, 0.3).sample(np.random.default_rng(9 + d), 3000)
    ref = attention_step(x, 150.0, cutoff=None)
    got = attention_step(torch.from_numpy(x), 150.0, backend="torch", kernel="sdpa", block=1000)
    assert got.dtype == torch.float64
    assert np.max(np.abs(got.numpy() - ref)) < 1e-13
    res = run_dynamics(d, 2, 0.3, 3000, 60.0, 2, backend="torch", kernel="sdpa")
    assert res.amplitude_by_step == pytest.approx(run_dynamics(d, 2, 0.3, 3000, 60.0, 2).amplitude_by_step, rel=1e-12)


def test_circle_mode_two_grows_like_heat_equation():
    """:ref:`theory-limit-laws` / issue 5: S^1, k = 2, ε = 0.3, n = 2e4, β = 200, 20 steps, quasi: 1.482 against exp(0.4) = 1.492."""
    res = _quiet_run(2, 2, 0.3, 20000, 200.0, 20, "quasi", **FAST)
    assert res.growth_predicted == pytest.approx(np.exp(0.4))
    assert res.growth_measured == pytest.approx(res.growth_predicted, rel=0.02)
    assert res.growth_measured == pytest.approx(1.482, abs=5e-4)  # deterministic start: the planning figure
    # the exact mean-field factor g_ℓ(β) (first order in ε) explains the rest: its distance to the measurement
    # must be under a third of the first-order law's (which is 2.9e−3 here)
    assert res.growth_measured == pytest.approx(res.growth_predicted_mean_field, rel=1e-3)


def test_sphere_mode_two_grows_like_per_step_law(sphere_quasi):
    """:ref:`theory-limit-laws` / issue 5: S^2, ℓ = 2, β = 100, 10 steps: 1.773 against (1 + 6/β)^10 = 1.791 (exp: 1.822)."""
    res = sphere_quasi
    assert res.growth_predicted_per_step == pytest.approx(1.06**10)
    assert res.growth_measured == pytest.approx(res.growth_predicted_per_step, rel=0.02)
    assert res.growth_measured == pytest.approx(1.773, abs=5e-4)
    # mean field g_2(100)^10 = 1.7708: within a third of the per-step law's gap (1.0e−2); the remainder is O(ε²)
    assert res.growth_measured == pytest.approx(res.growth_predicted_mean_field, rel=3e-3)
    # the growth is monotone step by step and the amplitude starts at ε (quasi lattice)
    assert res.amplitude_by_step[0] == pytest.approx(0.3, abs=1e-6)
    assert np.all(np.diff(res.amplitude_by_step) > 0)


def test_random_start_amplifies_off_mode_noise(sphere_quasi, sphere_random):
    """The backward heat equation is ill posed: i.i.d. sampling noise in every degree m grows like
    exp(m(m+1)·steps/β); the quasi lattice has almost none to grow (only the O(ε²) harmonics the drift makes)."""
    q, r = sphere_quasi.off_mode_power_by_step, sphere_random.off_mode_power_by_step
    # i.i.d. start: E[power] = (Σ_{m≤8}(2m+1) − 1)/n = 79/n; 5 SE of a sum of ~80 chi-square(1)/n terms ≈ 5·√(2·79)/n
    assert abs(r[0] - 79 / 20000) < 5 * np.sqrt(2 * 79) / 20000
    assert r[-1] > 10 * r[0]
    assert r[-1] - r[0] > 1000 * (q[-1] - q[0])


def test_zero_steps_and_result_fields():
    res = run_dynamics(2, 1, 0.2, 500, 20.0, 0, "quasi")
    assert res.growth_measured == 1.0 and res.growth_predicted == 1.0 and res.growth_predicted_per_step == 1.0
    d = res.to_dict()
    for key in ("d", "n", "beta", "steps", "mode", "eps", "init", "growth_measured", "growth_predicted",
                "growth_predicted_per_step", "amplitude_by_step"):
        assert key in d
    assert len(d["amplitude_by_step"]) == 1


def test_random_start_is_reproducible_from_seed():
    a = run_dynamics(3, 1, 0.5, 800, 20.0, 2, "random", seed=4)
    b = run_dynamics(3, 1, 0.5, 800, 20.0, 2, "random", seed=4)
    c = run_dynamics(3, 1, 0.5, 800, 20.0, 2, "random", seed=5)
    assert a.amplitude_by_step == b.amplitude_by_step != c.amplitude_by_step
    assert a.seed == 4


def test_warns_when_too_few_neighbours():
    with pytest.warns(HeatRegimeWarning, match=r"n·F\(1/β\) = .* raise n or lower beta"):
        run_dynamics(3, 2, 0.3, 200, 100.0, 1, "quasi")


def test_warns_when_amplitude_leaves_linear_regime():
    with pytest.warns(HeatRegimeWarning, match=r"amplitude .* = 2\.\d+ >= 1.*lower eps or steps"):
        run_dynamics(2, 2, 0.5, 2000, 40.0, 15, "quasi")


def test_warns_when_step_is_not_small():
    with pytest.warns(HeatRegimeWarning, match=r"ℓ\(ℓ\+d−2\)/β = 0\.6 > 0\.1.*raise beta"):
        run_dynamics(3, 2, 0.1, 2000, 10.0, 1, "quasi")


@pytest.mark.parametrize("kw, name", [
    (dict(d=4), "d"), (dict(mode=0), "mode"), (dict(eps=1.5), "eps"), (dict(eps=0.0), "eps"), (dict(n=1), "n"),
    (dict(beta=0.0), "beta"), (dict(beta=float("nan")), "beta"), (dict(steps=-1), "steps"), (dict(init="grid"), "init"),
    (dict(backend="jax"), "backend"), (dict(device="tpu"), "device"), (dict(dtype="float16"), "dtype"),
    (dict(backend="numpy", device="cuda"), "device"), (dict(kernel="flash"), "kernel"),
    (dict(backend="numpy", kernel="sdpa"), "kernel"), (dict(block=0), "block")])
def test_bad_input_is_one_line(kw, name):
    args = dict(d=3, mode=2, eps=0.3, n=100, beta=10.0, steps=1, init="quasi")
    args.update(kw)
    with pytest.raises(InputError, match=f"invalid {name}=") as err:
        run_dynamics(**args)
    assert "\n" not in str(err.value)


def test_torch_missing_is_an_input_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(InputError, match="torch is not installed"):
        resolve_backend("torch", "cpu")


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
def test_cuda_without_gpu_is_an_input_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(InputError, match="invalid device='cuda'"):
        run_dynamics(3, 2, 0.3, 100, 10.0, 1, backend="torch", device="cuda")


@pytest.mark.slow
@pytest.mark.parametrize("backend, kernel", [("numpy", "blocked"), ("torch", "blocked"), ("torch", "sdpa")])
def test_reference_cases_on_every_backend(backend, kernel):
    if backend == "torch" and not HAS_TORCH:
        pytest.skip("torch not installed")
    a = _quiet_run(2, 2, 0.3, 20000, 200.0, 20, "quasi", backend=backend, kernel=kernel)
    b = _quiet_run(3, 2, 0.3, 20000, 100.0, 10, "quasi", backend=backend, kernel=kernel)
    assert a.growth_measured == pytest.approx(1.482, abs=5e-4)
    assert b.growth_measured == pytest.approx(1.773, abs=5e-4)


@pytest.mark.skipif(not HAS_TORCH, reason="torch not installed")
def test_cuda_matches_numpy_when_a_gpu_is_present():
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no GPU")
    x = HarmonicDensity(3, 2, 0.3).sample(np.random.default_rng(1), 5000)
    got = attention_step(torch.from_numpy(x).cuda(), 100.0, backend="torch", device="cuda").cpu().numpy()
    assert np.max(np.abs(got - attention_step(x, 100.0))) < 1e-12


def test_importing_heat_stays_light():
    import subprocess

    from conftest import SRC

    code = (f"import sys; sys.path.insert(0, {SRC!r}); import attnlimits.heat; "
            "print([m for m in ('torch', 'matplotlib', 'click', 'rich') if m in sys.modules])")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
