"""The keys file (models/_keys_file.py): what write_keys_file writes, read_keys_file reads back exactly; what
``attnlimits keys`` wrote before (np.savez with the same names) stays readable; bad files are refused."""

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.models import read_keys_file, write_keys_file
from attnlimits.models._keys_file import KEYS_FILE_FIELDS


def _arrays(tokens=40, d=8, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((tokens, d)).astype(np.float32)
    k = rng.standard_normal((tokens, d)).astype(np.float32)
    return q, k, np.repeat(np.arange(4), tokens // 4), np.tile(np.arange(tokens // 4), 4)


@pytest.mark.parametrize("decoder", [False, True])
def test_round_trip(tmp_path, decoder):
    q, k, window, position = _arrays()
    path = write_keys_file(tmp_path / "k.npz", q, k, scale=8**-0.5, layer=3, head=5, model="tiny", window=window,
                           position=position, causal=decoder, kv_head=2 if decoder else 5,
                           sliding_window=16 if decoder else None, softcap=30.0 if decoder else None)
    with np.load(path, allow_pickle=False) as z:
        assert set(z.files) == set(KEYS_FILE_FIELDS)
        assert z["queries"].dtype == np.float32 and z["scale"].dtype == np.float64 and z["layer"].dtype == np.int64
    out = read_keys_file(path)
    assert np.array_equal(out["queries"], q) and np.array_equal(out["keys"], k)
    assert out["queries"].dtype == np.float32
    assert np.array_equal(out["window"], window) and np.array_equal(out["position"], position)
    assert (out["scale"], out["layer"], out["head"], out["model"], out["causal"]) == (8**-0.5, 3, 5, "tiny", decoder)
    assert out["kv_head"] == (2 if decoder else 5)
    assert out["sliding_window"] == (16 if decoder else None) and out["softcap"] == (30.0 if decoder else None)


def test_minimal_file_reads(tmp_path):
    """Only queries and keys are required; scale is None when absent."""
    q, k, _, _ = _arrays()
    np.savez(tmp_path / "m.npz", queries=q, keys=k)
    out = read_keys_file(tmp_path / "m.npz")
    assert set(out) == {"queries", "keys", "scale"} and out["scale"] is None and np.array_equal(out["keys"], k)


@pytest.mark.parametrize("arrays, word", [
    ({"keys": np.zeros((4, 3))}, "missing queries"),
    ({"queries": np.zeros((4, 3)), "keys": np.zeros((4, 2))}, "expected two float arrays"),
    ({"queries": np.zeros((4, 3), dtype=np.int64), "keys": np.zeros((4, 3), dtype=np.int64)}, "expected two float arrays"),
    ({"queries": np.full((4, 3), np.nan), "keys": np.zeros((4, 3))}, "NaN or inf"),
])
def test_bad_files_are_refused(tmp_path, arrays, word):
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError, match=word):
        read_keys_file(tmp_path / "bad.npz")


def test_pickled_arrays_are_never_loaded(tmp_path):
    q, k, _, _ = _arrays()
    np.savez(tmp_path / "p.npz", queries=q, keys=k, model=np.array([{"x": 1}], dtype=object))
    with pytest.raises(InputError, match="pickle"):
        read_keys_file(tmp_path / "p.npz")


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_keys_file(tmp_path / "none.npz")
