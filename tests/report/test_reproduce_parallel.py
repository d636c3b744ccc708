"""Claims run side by side in spawned processes give the numbers of a run in one process."""

from __future__ import annotations

import json

from attnlimits.report import _reproduce
from attnlimits.report._reproduce import reproduce


def test_side_by_side_claims_equal_one_process(tmp_path, monkeypatch):
    only = "sub-lln-bias,local-not-global"
    reproduce(tmp_path / "two", quick=True, seed=2, only=only)
    monkeypatch.setattr(_reproduce, "_processes", lambda claims: 1)
    reproduce(tmp_path / "one", quick=True, seed=2, only=only)
    two, one = (json.loads((tmp_path / d / "claims.json").read_text()) for d in ("two", "one"))
    assert [r["id"] for r in two] == [r["id"] for r in one] and {r["id"] for r in one} == set(only.split(","))
    assert [(r["case"], r["measured"], r["se"], r["verdict"]) for r in two] == \
        [(r["case"], r["measured"], r["se"], r["verdict"]) for r in one]
    assert sorted(p.name for p in (tmp_path / "two" / "figures").glob("*.png")) == \
        sorted(p.name for p in (tmp_path / "one" / "figures").glob("*.png"))
