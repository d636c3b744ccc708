"""Key files: .npy, .npz, .safetensors load safely; bad files are refused with one-line messages."""

import pickle

import numpy as np
import pytest

from attnlimits import load_key_file
from attnlimits._validation import InputError


def test_npz_with_queries(tmp_path):
    rng = np.random.default_rng(0)
    keys, queries = rng.standard_normal((30, 4)), rng.standard_normal((2, 4))
    np.savez(tmp_path / "k.npz", keys=keys, queries=queries)
    law = load_key_file(tmp_path / "k.npz", d=4)
    np.testing.assert_allclose(law.query, queries[0] / np.linalg.norm(queries[0]))
    assert law.spec == f"file:{tmp_path / 'k.npz'}"


def test_npy_defaults_to_mean_key(tmp_path):
    keys = np.random.default_rng(1).standard_normal((30, 3)) + 2.0
    np.save(tmp_path / "k.npy", keys)
    law = load_key_file(tmp_path / "k.npy")
    unit = keys / np.linalg.norm(keys, axis=1, keepdims=True)
    mean = unit.mean(axis=0)
    np.testing.assert_allclose(law.query, mean / np.linalg.norm(mean))


def test_safetensors(tmp_path):
    from safetensors.numpy import save_file

    save_file({"keys": np.eye(3, dtype=np.float32)}, str(tmp_path / "k.safetensors"))
    assert load_key_file(tmp_path / "k.safetensors").d == 3


def test_pickled_array_is_refused_and_never_loaded(tmp_path):
    path = tmp_path / "evil.npy"
    np.save(path, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="pickled"):
        load_key_file(path)
    pkl = tmp_path / "keys.pkl"
    pkl.write_bytes(pickle.dumps(np.eye(3)))
    with pytest.raises(InputError, match="unsupported type"):
        load_key_file(pkl)


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"not an array"), "corrupt or unreadable"),
    (lambda p: np.save(p, np.array([[1.0, np.nan, 0.0], [1.0, 0.0, 0.0]])), "NaN or inf"),
    (lambda p: np.save(p, np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])), "zero norm"),
    (lambda p: np.save(p, np.ones((4, 5))), "expected d=3"),
    (lambda p: np.save(p, np.ones(5)), "2-D"),
])
def test_bad_key_files(tmp_path, make, message):
    path = tmp_path / "k.npy"
    make(path)
    with pytest.raises(InputError, match=message):
        load_key_file(path, d=3)
