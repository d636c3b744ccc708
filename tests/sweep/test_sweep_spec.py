"""Sweep files: the issue's shape, validation of every key, and cell identities and seeds."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from attnlimits import InputError
from attnlimits.sweep import SweepSpec, load_spec
from attnlimits.sweep._spec import canonical_json, cell_seed
from sweep_helpers import demo_text, write_sweep  # noqa: F401 (fixture)


def test_issue_shape_loads(write_sweep):
    spec = load_spec(write_sweep(demo_text(samples=200, n="[1000, 100000]")))
    assert (spec.name, spec.seed, spec.kind) == ("demo", 7, "simulate")
    assert spec.options == {"samples": 200, "method": "exact", "k": 10, "output": True}
    assert len(spec) == len(spec.cells()) == 12
    assert list(spec.grid) == ["d", "n", "lam", "law"]
    assert spec.cells()[0].params == {"d": 3, "n": 1000, "lam": 0.5, "law": "uniform"}


def test_law_defaults_to_uniform_and_counts_accept_exponents():
    spec = SweepSpec(seed=1, grid={"d": [4], "n": ["1e18", 1e3], "beta": [0, 2.5]})
    assert spec.grid == {"d": [4], "n": [10**18, 1000], "beta": [0.0, 2.5], "law": ["uniform"]}


def test_cell_seed_is_sha256_of_canonical_json():
    params = {"n": 1000, "d": 3, "lam": 0.5, "law": "uniform"}
    text = canonical_json(params)
    assert text == '{"d":3,"lam":0.5,"law":"uniform","n":1000}'
    digest = hashlib.sha256(text.encode()).digest()
    words = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    ss = cell_seed(7, params)
    assert ss.entropy == 7 and tuple(ss.spawn_key) == words


def test_cells_do_not_depend_on_other_cells():
    small = SweepSpec(seed=3, grid={"d": [3], "n": [100], "lam": [1.0]})
    big = SweepSpec(seed=3, grid={"lam": [2.0, 1.0], "n": [10, 100], "d": [5, 3]})
    (cell,) = small.cells()
    same = [c for c in big.cells() if c.key == cell.key]
    assert len(same) == 1
    a = np.random.default_rng(cell.seed).random(4)
    b = np.random.default_rng(same[0].seed).random(4)
    assert np.array_equal(a, b)
    assert len({c.key for c in big.cells()}) == 8


def test_definition_hash_ignores_grid_only():
    a = SweepSpec(seed=3, grid={"d": [3], "n": [100], "lam": [1.0]})
    b = SweepSpec(seed=3, grid={"d": [3, 4], "n": [100], "beta": [1.0]})
    c = SweepSpec(seed=4, grid={"d": [3], "n": [100], "lam": [1.0]})
    d = SweepSpec(seed=3, grid={"d": [3], "n": [100], "lam": [1.0]}, options={"samples": 10})
    assert a.definition_hash() == b.definition_hash()
    assert len({a.definition_hash(), c.definition_hash(), d.definition_hash()}) == 3


BAD = [
    ("[sweep]\nseed = 1\nfoo = 2\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.foo"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\nkappa = [2]\n", "grid.kappa"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n[extra]\nx = 1\n", "extra"),
    ("[sweep]\nseed = 1\nsamples = \"many\"\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.samples"),
    ("[sweep]\nseed = 1.5\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.seed"),
    ("[sweep]\nseed = 1\n[grid]\nd = 3\nn = [10]\nlam = [1.0]\n", "grid.d"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = []\nlam = [1.0]\n", "grid.n"),
    ("[sweep]\nseed = 1\n[grid]\n", "grid"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [0]\nlam = [1.0]\n", "grid.n"),
    ("[sweep]\nseed = 1\n[grid]\nd = [1]\nn = [10]\nlam = [1.0]\n", "grid.d"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10]\nlam = [-1.0]\n", "grid.lam"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\nbeta = [1.0]\n", "grid.lam or grid.beta"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\nlaw = [\"vmf\"]\n", "grid.law"),
    ("[sweep]\nseed = 1\nmethod = \"magic\"\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.method"),
    ("[sweep]\nseed = 1\nkind = \"nope\"\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.kind"),
    ("[sweep]\nname = \"x\"\n[grid]\nd = [3]\nn = [10]\nlam = [1.0]\n", "sweep.seed"),
    ("[sweep]\nseed = 1\n[grid]\nd = [3]\nn = [10, 1e1]\nlam = [1.0]\n", "grid.n"),
    ("[sweep\nseed = 1\n", "TOML"),
]


@pytest.mark.parametrize("text, key", BAD)
def test_bad_files_name_the_key(write_sweep, text, key):
    with pytest.raises(InputError) as err:
        load_spec(write_sweep(text))
    msg = str(err.value)
    assert key in msg and "\n" not in msg


@pytest.mark.parametrize("index", [0, 3, 7, 8, 17])
def test_bad_files_exit_2_with_one_line(cli, write_sweep, tmp_path, index):
    text, key = BAD[index]
    proc = cli("sweep", "run", write_sweep(text), "--store", tmp_path / "s.db")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and key in lines[0]
    assert not (tmp_path / "s.db").exists()


def test_missing_file_and_store(cli, tmp_path):
    proc = cli("sweep", "run", tmp_path / "none.toml", "--store", tmp_path / "s.db")
    assert proc.returncode == 2 and "FILE" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    proc = cli("sweep", "status", "--store", tmp_path / "none.db")
    assert proc.returncode == 2 and "store" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
