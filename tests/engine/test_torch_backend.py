"""The torch backend of the exact engine: agreement with numpy, streams, float32 bound, bad input."""

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from attnlimits import InputError, Subsphere, UniformSphere, VonMisesFisher, simulate
from attnlimits._rng import as_seed_sequence
from attnlimits.engine import attend_exact, reduce_distances
from attnlimits.laws import uniform_distances
from conftest import SRC
from zonal_helpers import vector_twin

torch = pytest.importorskip("torch")

from attnlimits.engine._torch import (  # noqa: E402
    TORCH_STREAM_BLOCK,
    attend_torch,
    torch_generator,
)



@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """One intra-op thread: on a shared 2-core machine torch's thread hand-offs would dominate the timings."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


WEIGHT_KEYS = ("max_weight", "ipr", "entropy", "effective_support", "nearest_distance", "inner", "defect")
DIMS = [2, 3, 64]


def assert_same_statistic(key, got, ref, rtol=1e-12):
    """Agreement to rounding. ``inner`` = 1 − mean D cancels two O(1) terms (at d = 64 it is ~5e−5), so its
    tolerance scales with those terms, 1 + mean D, not with the small difference; ``defect`` = β·mean D
    carries the same quantity at its own relative precision."""
    if key == "inner":
        scale = 1.0 + np.abs(1.0 - np.asarray(ref))
        np.testing.assert_allclose(got, ref, rtol=0.0, atol=rtol * float(np.max(scale)), err_msg=key)
    else:
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=1e-15, err_msg=key)


# ---------------------------------------------------------------------------------------------------------
# Same distances: the two reductions agree to rounding.

@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("lam", [0.01, 1.0, 300.0])
def test_same_distances_agree_to_1e12(d, lam):
    law = UniformSphere(d)
    n = 50_000
    dist = uniform_distances(np.random.default_rng(d), n, d)
    beta = lam * law.critical_beta(n)
    ref = reduce_distances(dist, beta, k=7, chunk_size=8192)
    for chunk in (8192, 30_001, n):
        got = reduce_distances(dist, beta, k=7, chunk_size=chunk, backend="torch")
        for key in WEIGHT_KEYS:
            assert_same_statistic(key, got[key], ref[key])
        np.testing.assert_allclose(got["top_weights"], ref["top_weights"], rtol=1e-12, atol=1e-15)


def test_same_distances_beta_zero_and_single_key():
    dist = uniform_distances(np.random.default_rng(0), 1000, 5)
    for beta in (0.0, 1e30):
        ref = reduce_distances(dist, beta)
        got = reduce_distances(dist, beta, backend="torch", chunk_size=100)
        for key in WEIGHT_KEYS:
            assert_same_statistic(key, got[key], ref[key])
    one = reduce_distances([0.3], 5.0, backend="torch")
    assert one["max_weight"] == 1.0 and one["ipr"] == 1.0 and one["entropy"] == 0.0
    assert one["nearest_distance"] == 0.3 and one["top_weights"].tolist() == [1.0]


@pytest.mark.parametrize("law", [VonMisesFisher(4, 5.0, 0.7), VonMisesFisher(6, 5.0, 0.0)], ids=repr)
def test_host_drawn_laws_equal_numpy_backend(law):
    """vMF keys have no device sampler: drawn with the numpy streams, so both backends see the same keys
    (off the query: the vector path; centred: the zonal scalar recursion on the host)."""
    seed = as_seed_sequence(11)
    ref = attend_exact(law, 70_000, 30.0, seed)
    got = attend_torch(law, 70_000, 30.0, seed)
    for key in ref:
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-15, err_msg=key)


# ---------------------------------------------------------------------------------------------------------
# Own generators: the device sampler has the exact law of D, and the backends agree in law.

@pytest.mark.parametrize("law", [UniformSphere(2), UniformSphere(3), UniformSphere(64), Subsphere(8, 4)], ids=repr)
def test_device_distances_follow_the_exact_cdf(law):
    gen = torch_generator(as_seed_sequence(4), "cpu", 0, 0)
    dist = law.device_sampler(torch, gen, 20_000, torch.device("cpu")).numpy()
    assert np.all((dist >= 0) & (dist <= 2))
    assert stats.kstest(dist, law.distance_cdf).pvalue > 1e-3


@pytest.mark.parametrize("d", DIMS)
def test_own_generators_agree_in_law(d):
    law = UniformSphere(d)
    n, samples = 3000, 400
    a = simulate(law, n, lam=1.0, samples=samples, seed=21)
    b = simulate(law, n, lam=1.0, samples=samples, seed=21, backend="torch")
    assert b.backend == "torch:cpu:float64" and b.to_dict()["backend"] == "torch:cpu:float64"
    for stat in ("max_weight", "ipr", "defect", "nearest_distance", "tangent_sq"):
        ea, eb = getattr(a, stat), getattr(b, stat)
        assert abs(ea.mean - eb.mean) <= 4 * np.hypot(ea.se, eb.se), stat
    for stat in ("max_weight", "nearest_distance"):
        assert stats.ks_2samp(a.values[stat], b.values[stat]).pvalue > 1e-3, stat
    assert not np.array_equal(a.values["max_weight"], b.values["max_weight"])  # different streams


# ---------------------------------------------------------------------------------------------------------
# Streams: seeded from the SeedSequence tree, full mt19937 state on the CPU.

def test_cpu_generator_state_layout_is_the_one_assumed():
    """torch's CPU state holds the 624 mt19937 words at byte 24 (checked against numpy's MT19937)."""
    gen = torch.Generator()
    gen.manual_seed(12345)
    raw = gen.get_state().numpy()
    assert raw.size == 5056
    mt = np.random.MT19937()
    mt._legacy_seeding(12345)
    np.testing.assert_array_equal(raw[24:24 + 624 * 8].view(np.uint64), mt.state["state"]["key"].astype(np.uint64))


def test_streams_are_reproducible_and_distinct():
    ss = as_seed_sequence(5)

    def draw(*key):
        return torch.rand(8, generator=torch_generator(ss, "cpu", *key), dtype=torch.float64)

    assert torch.equal(draw(0, 3), draw(0, 3))
    assert not torch.equal(draw(0, 3), draw(0, 4)) and not torch.equal(draw(0, 3), draw(1, 3))
    # seeds equal in their low 32 bits stay distinct (manual_seed would collide them)
    other = np.random.SeedSequence(ss.entropy + 2**32)
    assert not torch.equal(draw(0, 0), torch.rand(8, generator=torch_generator(other, "cpu", 0, 0), dtype=torch.float64))


def test_chunk_size_and_workers_do_not_change_results():
    law, seed = UniformSphere(3), as_seed_sequence(8)
    n = TORCH_STREAM_BLOCK["cpu"] + 1234  # two stream blocks
    ref = attend_torch(law, n, 3e4, seed)
    got = attend_torch(law, n, 3e4, seed, chunk_size=10_000)
    for key in ref:
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-15, err_msg=key)
    # workers: the same keys; sums agree to rounding (bit-identical only at equal torch thread counts, since
    # torch splits its reductions by thread, and this module runs with one thread, the workers with more)
    a = simulate(UniformSphere(4), 500, lam=1.0, samples=12, seed=9, backend="torch", workers=1)
    b = simulate(UniformSphere(4), 500, lam=1.0, samples=12, seed=9, backend="torch", workers=2)
    for stat in a.values:
        np.testing.assert_allclose(b.values[stat], a.values[stat], rtol=1e-12, atol=1e-15, err_msg=stat)
    np.testing.assert_array_equal(b.values["nearest_distance"], a.values["nearest_distance"])


# ---------------------------------------------------------------------------------------------------------
# Output vector on the device equals the dense computation on the same streams.

@pytest.mark.parametrize("law", [vector_twin(UniformSphere(2)), vector_twin(UniformSphere(3)),
                                 vector_twin(UniformSphere(16)), vector_twin(Subsphere(6, 3))], ids=repr)
def test_device_output_matches_dense_keys(law):
    """The device vector path (a law drawn on the device that declares no zonal capability)."""
    seed, n, beta = as_seed_sequence(3), 5000, 2.0  # β small: every weight is non-zero, every key rebuilt
    s = attend_torch(law, n, beta, seed)
    dist = law.device_sampler(torch, torch_generator(seed, "cpu", 0, 0), n, torch.device("cpu")).numpy()
    gen = torch_generator(seed, "cpu", 1, 0)
    dim = law.sphere_parameters[0] - 1
    if dim == 1:
        u = np.where(torch.rand((n, 1), generator=gen, dtype=torch.float64).numpy() < 0.5, -1.0, 1.0)
    else:
        u = torch.randn((n, dim), generator=gen, dtype=torch.float64).numpy()
        u /= np.linalg.norm(u, axis=1, keepdims=True)
    keys = np.column_stack([1.0 - dist, np.sqrt(dist * (2 - dist))[:, None] * u])
    np.testing.assert_allclose(np.linalg.norm(keys, axis=1), 1.0, atol=1e-12)
    w = np.exp(-beta * (dist - dist.min()))
    w /= w.sum()
    out, nearest = w @ keys, keys[np.argmin(dist)]
    assert s["inner"] == pytest.approx(out[0], rel=1e-12)
    assert s["tangent_sq"] == pytest.approx(out[1:] @ out[1:], rel=1e-10)
    assert s["output_gap_sq"] == pytest.approx(np.sum((out - nearest) ** 2), rel=1e-10)


# ---------------------------------------------------------------------------------------------------------
# float32: the documented error bound against float64 on the same keys.

U32 = 2.0**-24


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("lam", [0.01, 1.0, 30.0, 1e4])
def test_float32_error_bound(d, lam):
    """max_weight, ipr, effective_support, nearest_distance, defect: relative error ≤ 8u(1 + βD_(1));
    entropy and inner: absolute error ≤ 8u(1 + βD_(1)), u = 2^−24 (same keys: float32 D = float64 D rounded)."""
    law = UniformSphere(d)
    n = 200_000
    beta = lam * law.critical_beta(n)
    for s in range(2):
        seed = as_seed_sequence(s)
        a = attend_torch(law, n, beta, seed, output=False)
        b = attend_torch(law, n, beta, seed, output=False, dtype="float32")
        bound = 8 * U32 * (1 + beta * a["nearest_distance"])
        for key in ("max_weight", "ipr", "effective_support", "nearest_distance", "defect"):
            assert abs(b[key] - a[key]) <= bound * abs(a[key]), key
        for key in ("entropy", "inner"):
            assert abs(b[key] - a[key]) <= bound, key


def test_float32_keeps_relative_precision_of_tiny_distances():
    """D is rounded once from float64, not drawn on a float32 grid: D_(1) ~ 1e−9 keeps 24 bits."""
    law, seed = UniformSphere(3), as_seed_sequence(2)
    n = TORCH_STREAM_BLOCK["cpu"] * 4
    a = attend_torch(law, n, 1.0, seed, output=False)
    b = attend_torch(law, n, 1.0, seed, output=False, dtype="float32")
    assert 0 < a["nearest_distance"] < 1e-5
    assert b["nearest_distance"] == pytest.approx(a["nearest_distance"], rel=U32)


def test_float32_host_drawn_law():
    """vMF keys (host-drawn) in float32: pass 2 sees the rounded distances, so it finds the nearest key."""
    law, seed = VonMisesFisher(5, 4.0, 0.3), as_seed_sequence(6)
    a = attend_torch(law, 20_000, 50.0, seed)
    b = attend_torch(law, 20_000, 50.0, seed, dtype="float32")
    bound = 8 * U32 * (1 + 50.0 * a["nearest_distance"])
    for key in ("max_weight", "ipr", "nearest_distance", "defect"):
        assert abs(b[key] - a[key]) <= bound * abs(a[key]), key
    assert b["tangent_sq"] == pytest.approx(a["tangent_sq"], rel=1e-5)
    assert np.isfinite(b["output_gap_sq"])


# ---------------------------------------------------------------------------------------------------------
# Bad input: one line, InputError / exit code 2.

def test_numpy_backend_refuses_cuda_and_float32():
    with pytest.raises(InputError, match="device='cuda' for backend='numpy'"):
        simulate(UniformSphere(3), 10, beta=1.0, samples=2, device="cuda")
    with pytest.raises(InputError, match="dtype='float32' for backend='numpy'"):
        simulate(UniformSphere(3), 10, beta=1.0, samples=2, dtype="float32")
    with pytest.raises(InputError, match="backend=.?jax.*numpy"):
        simulate(UniformSphere(3), 10, beta=1.0, samples=2, backend="jax")


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_gpu_is_one_line(cli):
    with pytest.raises(InputError, match="no CUDA GPU"):
        simulate(UniformSphere(3), 10, beta=1.0, samples=2, backend="torch", device="cuda")
    proc = cli("simulate", "--d", "3", "--n", "100", "--beta", "1", "--samples", "2", "--backend", "torch",
               "--device", "cuda")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "device='cuda'" in proc.stderr


def test_torch_missing_is_one_line():
    code = (f"import sys; sys.path.insert(0, {SRC!r}); sys.modules['torch'] = None\n"
            "from attnlimits import UniformSphere, simulate, InputError\n"
            "try:\n    simulate(UniformSphere(3), 10, beta=1.0, samples=2, backend='torch')\n"
            "except InputError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.count("\n") == 1 and "torch is not installed" in out and "attnlimits[torch]" in out


def test_cli_torch_backend_json(cli_json):
    out = cli_json("simulate", "--d", "3", "--n", "1e4", "--lam", "1", "--samples", "20", "--seed", "1",
                   "--backend", "torch", "--dtype", "float32")
    assert out["backend"] == "torch:cpu:float32" and 0 < out["max_weight"]["mean"] <= 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")
def test_cuda_agrees_with_cpu_in_law():
    law = UniformSphere(3)
    a = simulate(law, 10**5, lam=1.0, samples=300, seed=4, backend="torch")
    b = simulate(law, 10**5, lam=1.0, samples=300, seed=4, backend="torch", device="cuda")
    for stat in ("max_weight", "ipr", "defect"):
        ea, eb = getattr(a, stat), getattr(b, stat)
        assert abs(ea.mean - eb.mean) <= 4 * np.hypot(ea.se, eb.se), stat
    dist = uniform_distances(np.random.default_rng(1), 10**5, 3)
    ref = reduce_distances(dist, 5e4)
    got = reduce_distances(dist, 5e4, backend="torch", device="cuda")
    for key in WEIGHT_KEYS:
        np.testing.assert_allclose(got[key], ref[key], rtol=1e-12, atol=1e-15, err_msg=key)
