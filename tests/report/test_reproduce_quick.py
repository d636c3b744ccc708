"""`attnlimits reproduce --quick` end to end: every claim id, the claims.json schema, figures that decode and are
not blank, a report that references every figure and renders in headless Chromium, resume, bad input — and
each claim's verdict rejecting a wrong prediction on the measured numbers."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from attnlimits.claims import Case, claim_ids

from conftest import run_cli

KEYS = ("id", "case", "statement", "predicted", "measured", "ci_low", "ci_high", "verdict")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "out"
    proc = run_cli("reproduce", "--quick", "--out", out, "--seed", "0", "--json", timeout=900)
    assert proc.returncode in (0, 1), proc.stderr
    return {"out": out, "proc": proc, "json": json.loads(proc.stdout),
            "records": json.loads((out / "claims.json").read_text())}


def test_every_claim_id_present_and_exit_code_follows_verdicts(quick):
    records = quick["records"]
    assert {r["id"] for r in records} == set(claim_ids())
    by_claim = {}
    for r in records:
        by_claim.setdefault(r["id"], []).append(r["verdict"])
    any_fail = any(v != "pass" for vs in by_claim.values() for v in vs)
    assert quick["proc"].returncode == (1 if any_fail else 0)
    assert quick["json"]["verdicts"] == {k: ("pass" if all(v == "pass" for v in vs) else "fail")
                                         for k, vs in by_claim.items()}


def test_every_claim_passes_on_the_quick_defaults(quick):
    failed = [(r["id"], r["case"]) for r in quick["records"] if r["verdict"] != "pass"]
    assert not failed and quick["proc"].returncode == 0, failed


def test_claims_json_schema(quick):
    for r in quick["records"]:
        for key in KEYS:
            assert key in r, key
        assert isinstance(r["id"], str) and isinstance(r["case"], str) and isinstance(r["statement"], str)
        assert r["verdict"] in ("pass", "fail")
        for key in ("predicted", "measured", "ci_low", "ci_high"):
            assert isinstance(r[key], (int, float)) and math.isfinite(r[key]), (r["id"], r["case"], key)
        assert r["ci_low"] <= r["measured"] <= r["ci_high"]
    cases = [(r["id"], r["case"]) for r in quick["records"]]
    assert len(cases) == len(set(cases))
    assert sum(r["id"] == "critical-exponent" for r in quick["records"]) == 4  # one case per d


def test_figures_decode_and_are_not_blank_and_report_references_them(quick):
    from matplotlib import image

    out = quick["out"]
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) >= len(claim_ids())
    html = (out / "report.html").read_text()
    for png in pngs:
        img = image.imread(png)
        assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 100
        rgb = img[..., :3]
        assert rgb.std() > 0.02, png.name
        assert np.mean(rgb.min(axis=2) < 0.9) > 0.01, png.name  # some ink on the page
        assert f"figures/{png.name}" in html
    for cid in claim_ids():
        assert f"id='{cid}'" in html
    assert "http://" not in html and "https://" not in html  # self-contained


def test_rerun_over_the_store_gives_the_same_records(quick, tmp_path):
    copy = tmp_path / "again"
    shutil.copytree(quick["out"], copy)
    proc = run_cli("reproduce", "--quick", "--out", copy, "--seed", "0", "--only", "critical-exponent,super-collapse",
                   "--json")
    assert proc.returncode in (0, 1), proc.stderr
    again = json.loads(proc.stdout)["claims"]
    first = [r for r in quick["records"] if r["id"] in ("critical-exponent", "super-collapse")]
    assert [(r["case"], r["measured"], r["verdict"]) for r in again] == [(r["case"], r["measured"], r["verdict"])
                                                                         for r in first]


def test_bad_only_is_one_line_exit_2(tmp_path):
    proc = run_cli("reproduce", "--quick", "--out", tmp_path / "o", "--only", "no-such-claim")
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no-such-claim" in proc.stderr


# ---- each claim's verdict rejects a wrong prediction, on the measured numbers --------------------------------

def _rejudge(record, predicted, **kw):
    return Case(record["id"], record["case"], record["statement"], predicted, record["measured"], record["se"],
                bias=kw.pop("bias", record["bias"]), effect=kw.pop("effect", record["effect"]), **kw).judged()


def _records(quick, cid):
    recs = [r for r in quick["records"] if r["id"] == cid]
    assert recs and all(r["case"] != "could not run" for r in recs), recs
    return recs


def test_wrong_predictions_are_rejected(quick):
    from attnlimits import UniformSphere
    from attnlimits.theory import PoissonKingman

    for r in _records(quick, "critical-exponent"):
        assert _rejudge(r, 1.0 / (r["params"]["d"] - 1)).verdict == "fail"  # the exponent 1/(d−1)
    for r in _records(quick, "high-d-crossover"):
        if r["case"].startswith("(a)"):
            assert _rejudge(r, r["predicted"]).verdict == "fail"  # the asymptotic law as an agreement
        else:
            assert _rejudge(r, 1.3 * r["predicted"]).verdict == "fail"  # exact / effective value off by 30%
    for r in _records(quick, "critical-constant"):
        lam = r["params"]["lam"]
        assert _rejudge(r, PoissonKingman(1.0, 2.0 * lam).ipr_limit(), bias=0.0).verdict == "fail"  # λ off by 2
    for r in _records(quick, "local-not-global"):
        if r["case"].startswith("vMF"):
            assert _rejudge(r, 1.0, bias=0.0).verdict == "fail"  # no shift
        if r["case"].startswith("subsphere"):
            assert _rejudge(r, r["alternative"], bias=0.0).verdict == "fail"  # the ambient exponent
    for r in _records(quick, "sub-lln-bias"):
        d, beta = r["params"]["d"], r["params"]["beta"]
        wrong = 1.0 - (d - 1) / beta if "⟨q,O⟩" in r["case"] and "β(" not in r["case"] else float(d - 1)
        assert _rejudge(r, wrong).verdict == "fail"  # twice the bias
    for r in _records(quick, "sub-clt"):
        wrong = math.sqrt(3.0) / 2.0 if "Geary" in r["case"] else 2.0 * r["predicted"]  # uniform shape; variance ×2
        assert _rejudge(r, wrong).verdict == "fail"
    for r in _records(quick, "critical-no-collapse"):
        assert _rejudge(r, 1.0, bias=0.0).verdict == "fail"  # collapse onto one key / one key above 1%
    for r in _records(quick, "super-collapse"):
        assert _rejudge(r, 2.0 * r["predicted"]).verdict == "fail"
    for r in _records(quick, "heat-equation"):
        if r["case"].startswith("S^2"):
            beta, steps = r["params"]["beta"], r["params"]["steps"]
            wrong = (1 + 4 / beta) ** steps if "per-step" in r["case"] else math.exp(4 * steps / beta)  # ℓ² for ℓ(ℓ+1)
            assert _rejudge(r, wrong).verdict == "fail"
    _ = UniformSphere


def test_phase_diagram_rows_read_as_what_they_measure(quick):
    """One case per n: the measured β_1/2 against the exact one (exact, no bias), and the paper's statement up to
    constants as its own case; the old single row's largest |log2(measured/exact)| is recovered from the rows."""
    from attnlimits import UniformSphere
    from attnlimits.theory import beta_half

    recs = _records(quick, "phase-diagram")
    per_n, (factor,) = recs[:-1], recs[-1:]
    law = UniformSphere(3)
    assert [r["params"]["n"] for r in per_n] == [10**k for k in range(1, 13, 2)]
    for r in per_n:
        assert r["exact"] and r["bias"] == 0.0 and r["case"].startswith("β_1/2 at n = ")
        assert r["predicted"] == pytest.approx(beta_half(law, r["params"]["n"]), rel=1e-12)
    assert factor["predicted"] == 1.0 and factor["measured"] >= 1.0 and "≍ β*_n" in factor["case"]
    old = json.loads(BEFORE_REDESIGN.read_text(encoding="utf-8"))
    (old_row,) = [r for r in old if r["id"] == "phase-diagram"]
    worst = max(abs(math.log2(r["measured"] / r["predicted"])) for r in per_n)
    assert worst == pytest.approx(old_row["measured"], rel=1e-9)


# ---- the report in a real browser ------------------------------------------------------------------------------

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_PROBE = ("<script>window.addEventListener('load', function () {var w = Array.prototype.map.call(document.images, "
          "function (i) { return i.naturalWidth; }); var p = document.createElement('pre'); p.id = 'natural-widths'; "
          "p.textContent = JSON.stringify(w); document.body.appendChild(p);});</script>")


def _chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return exe


def test_report_renders_in_headless_chromium(quick, tmp_path):
    exe = _chromium()
    out = quick["out"]
    probe = out / "report_probe.html"
    probe.write_text((out / "report.html").read_text().replace("</body>", _PROBE + "</body>"))
    dom = subprocess.run([exe, *_FLAGS, "--virtual-time-budget=20000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert "natural-widths" in dom.stdout, dom.stderr[-2000:]
    text = dom.stdout.split("id=\"natural-widths\">", 1)[1].split("</pre>", 1)[0]
    widths = json.loads(text)
    assert len(widths) == len(list((out / "figures").glob("*.png")))
    assert all(w > 0 for w in widths), widths
    shot = tmp_path / "shot.png"
    subprocess.run([exe, *_FLAGS, f"--screenshot={shot}", "--window-size=1200,1600", "--virtual-time-budget=20000",
                    (out / "report.html").as_uri()], capture_output=True, text=True, timeout=120)
    from matplotlib import image

    img = image.imread(shot)[..., :3]
    assert img.std() > 0.02
    assert np.mean(img.min(axis=2) < 0.9) > 0.005


#: A reproduce run that SIGKILLs itself right after its sweep store commits cell number KILL_AFTER: the kill
#: lands mid-grid on a machine of any speed (no timing), and is a real SIGKILL (no cleanup, no atexit).
_KILLED_RUN = """
import os, signal, sys
from attnlimits.cli import main
from attnlimits.sweep import _store
insert, stored = _store.SweepStore.insert, []
def insert_then_die(self, *args, **kwargs):
    insert(self, *args, **kwargs)
    stored.append(args[0])
    if len(stored) == int(os.environ["KILL_AFTER"]):
        os.kill(os.getpid(), signal.SIGKILL)
_store.SweepStore.insert = insert_then_die
sys.argv[0] = "attnlimits"
main()
"""


def test_killed_run_resumes_to_the_same_result(tmp_path):
    """SIGKILL a run once two of its grid's six cells are stored; the rerun keeps those two, computes only the
    rest and gives the numbers of an uninterrupted run."""
    import os
    import signal
    import sys

    from attnlimits.sweep import read_rows, sweep_status

    from conftest import SRC

    out = tmp_path / "killed"
    args = ["reproduce", "--quick", "--only", "phase-diagram", "--out", str(out), "--seed", "5"]
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), KILL_AFTER="2")
    proc = subprocess.run([sys.executable, "-c", _KILLED_RUN, *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    store, section = out / "store.sqlite", "phase-diagram-quick-seed5"  # the grid's section of the run's store
    status = sweep_status(store, section=section)
    assert (status["done"], status["total"]) == (2, 6)  # killed mid-grid (6 cells in --quick)
    before = read_rows(store, section=section, grid_only=True)
    resumed = run_cli(*args, "--json")
    fresh = run_cli(*args[:-4], "--out", tmp_path / "fresh", "--seed", "5", "--json")
    a = json.loads(resumed.stdout)["claims"]
    b = json.loads(fresh.stdout)["claims"]
    assert [(r["measured"], r["verdict"]) for r in a] == [(r["measured"], r["verdict"]) for r in b]
    status = sweep_status(store, section=section)
    assert status["done"] == status["total"] == 6
    after = read_rows(store, section=section, grid_only=True)
    assert all(row in after for row in before)  # the two cells stored before the kill are kept, not recomputed


def test_report_sections_without_verdict(tmp_path):
    """The real-keys section (a figure and its numbers, no verdict) is rendered after the claims."""
    from attnlimits.report import write_report

    (tmp_path / "figures").mkdir()
    path = write_report(tmp_path, [], {"quick": False, "seed": 0},
                        extras=[{"figure": "real-keys.png", "caption": "cap", "paragraph": "para"}])
    html = path.read_text()
    assert "id='real-keys'" in html and "figures/real-keys.png" in html and "no verdict" in html


def test_report_moved_alone_still_shows_every_figure(quick, tmp_path):
    """The real report, copied alone into an empty directory, loads every image (embedded data URIs)."""
    from test_report_travels import move_alone, natural_widths

    widths = natural_widths(move_alone(quick["out"] / "report.html", tmp_path))
    assert len(widths) == len(list((quick["out"] / "figures").glob("*.png"))) and all(w > 0 for w in widths), widths


#: The claims.json of ``reproduce --quick --seed 0``, written before the redesign of issue 24 (Setting, no shims,
#: claims and laws by registration) by the code it started from.
BEFORE_REDESIGN = Path(__file__).parent / "data" / "claims_quick_seed0_before_issue24.json"
#: Claims whose rows were restated by it (the phase diagram's one row became one case per n and a
#: factor-of-constants case, from the same measurements; test_phase_diagram_rows_read_as_what_they_measure).
RESTATED = {"phase-diagram"}


def _same(a, b) -> bool:
    """Numbers equal to 1e−12·max(1, |v|), nested lists and dicts alike; words (statements, notes) may change."""
    if isinstance(a, str) and isinstance(b, str):
        return True
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-12 * max(1.0, abs(a))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def test_same_numbers_as_before_the_redesign(quick):
    """The redesign changes no number: every value of every record (the restated rows aside) as before, and
    the same verdicts; records in the same order."""
    before = [r for r in json.loads(BEFORE_REDESIGN.read_text(encoding="utf-8")) if r["id"] not in RESTATED]
    now = [r for r in quick["records"] if r["id"] not in RESTATED]
    assert [r["id"] for r in now] == [r["id"] for r in before]
    for new, old in zip(now, before):
        key = (new["id"], new["case"])
        assert new.keys() == old.keys() and new["verdict"] == old["verdict"], key
        bad = [f for f in new if not _same(new[f], old[f])]
        assert not bad, (key, bad)