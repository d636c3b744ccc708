"""One store file: sweeps in named sections beside the claims' work units (a reproduce run's DIR/store.sqlite)."""

from __future__ import annotations

import math
import sqlite3

import pytest

from attnlimits import InputError
from attnlimits.sweep import StoreBusy, SweepSpec, read_rows, run_sweep, sweep_status
from attnlimits.sweep._store import SweepStore, UnitStore
from sweep_helpers import comparable

GRID = {"d": [3], "n": [100, 1000], "lam": [1.0]}


def spec(seed=11, grid=GRID):
    return SweepSpec(name="t", seed=seed, grid=grid, options={"samples": 4})


def test_sections_of_one_file_are_separate_sweeps(tmp_path):
    path = tmp_path / "store.sqlite"
    plain = run_sweep(spec(), tmp_path / "plain.sqlite")
    a = run_sweep(spec(), path, section="a")
    b = run_sweep(spec(seed=12), path, section="b")  # another definition: allowed in another section
    assert comparable(a) == comparable(plain) and comparable(b) != comparable(a)
    calls = []
    assert run_sweep(spec(), path, section="a", progress=lambda d, t: calls.append((d, t))) == a
    assert calls == [(2, 2)]  # resumed: nothing recomputed
    assert read_rows(path, section="b") == b and sweep_status(path, section="a")["done"] == 2
    for read in (sweep_status, read_rows):  # the unnamed section holds no sweep: refused, naming the sections
        with pytest.raises(InputError, match=r"^invalid section='': .* its sections: 'a', 'b'$"):
            read(path)
    with sqlite3.connect(path) as conn:
        keys = [k for (k,) in conn.execute("SELECT cell_key FROM cells")]
    assert sorted(k.split("/")[0] for k in keys) == ["a", "a", "b", "b"]


def test_a_store_without_sections_reads_as_before(tmp_path):
    path = tmp_path / "s.sqlite"
    rows = run_sweep(spec(), path)
    with sqlite3.connect(path) as conn:
        assert all("/" not in k for (k,) in conn.execute("SELECT cell_key FROM cells UNION SELECT key FROM meta"))
    assert read_rows(path) == rows
    with pytest.raises(InputError, match=r"^invalid section='a': .* its sections: ''$"):
        read_rows(path, section="a")


def test_each_section_has_its_own_runner_lock(tmp_path):
    path = tmp_path / "store.sqlite"
    with SweepStore(path, section="a") as a, SweepStore(path, section="b") as b, SweepStore(path, section="a") as a2:
        a.acquire()
        b.acquire()
        with pytest.raises(StoreBusy, match="in use by another runner"):
            a2.acquire()


def test_units_share_the_file(tmp_path):
    path = tmp_path / "store.sqlite"
    run_sweep(spec(), path, section="a")
    units = UnitStore(path)
    value = {"x": 1.5, "nan": math.nan, "inf": -math.inf, "list": (1, 2)}
    units.put(("claim", 3, [1.0, 2]), value)
    units.close()
    again = UnitStore(path)
    got = again.get(["claim", 3, (1.0, 2)])  # the key's canonical JSON: tuples and lists alike
    assert got["x"] == 1.5 and math.isnan(got["nan"]) and got["inf"] == -math.inf and got["list"] == [1, 2]
    assert again.get(("claim", 4)) is None and len(again) == 1
    again.close()
    assert sweep_status(path, section="a")["done"] == 2


def test_a_section_name_cannot_hold_the_separator(tmp_path):
    from attnlimits import InputError

    with pytest.raises(InputError, match="invalid section='a/b'"):
        SweepStore(tmp_path / "s.sqlite", section="a/b")


def test_cli_status_and_export_read_a_section(tmp_path, cli, cli_json):
    """`sweep status|export --section`: a grid inside a reproduce-style store (sections beside the units)."""
    path = tmp_path / "store.sqlite"
    a = run_sweep(spec(), path, section="grid-quick-seed0")
    run_sweep(spec(seed=12, grid={"d": [5], "n": [100], "lam": [1.0]}), path, section="other")
    units = UnitStore(path)
    units.put(("claim", 1), {"x": 1.0})
    units.close()
    st = cli_json("sweep", "status", "--store", path, "--section", "grid-quick-seed0")
    assert st == {**sweep_status(path, section="grid-quick-seed0"), "store": str(path)}
    assert (st["done"], st["total"]) == (2, 2)
    assert "1/1 cells done" in cli("sweep", "status", "--store", path, "--section", "other", check=True).stdout
    out = tmp_path / "a.csv"
    got = cli_json("sweep", "export", "--store", path, "--section", "grid-quick-seed0", "--out", out)
    assert got["rows"] == len(a) == len(out.read_text().splitlines()) - 1
    for argv in (("status",), ("export", "--out", tmp_path / "b.csv")):  # no section: refused, naming them
        proc = cli("sweep", *argv, "--store", path)
        (line,) = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and "its sections: 'grid-quick-seed0', 'other'" in line
