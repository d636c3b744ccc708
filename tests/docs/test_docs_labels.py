"""Every label the code or the documentation cites exists, and the theory labels cover every section the code
cites by number, so that those citations can be replaced by labels mechanically.

The documentation's labels are read from its sources without building it: MyST targets ``(label)=`` and reST
targets ``.. _label:``. Citations are ``:ref:`label` `` / ``:ref:`text <label>` `` (reST, docstrings, gallery
scripts) and ``{ref}`label` `` (MyST). Sphinx's nitpicky build (``.ci/docs``) checks the same and more; this
test runs in the default suite in a fraction of a second.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SRC = ROOT / "src" / "attnlimits"
GENERATED = ("_build", "_generated", "auto_examples", "generated")

_MYST_TARGET = re.compile(r"^\(([A-Za-z0-9_.:-]+)\)=\s*$", re.M)
_RST_TARGET = re.compile(r"^\s*\.\. _([A-Za-z0-9_.:-]+):\s*$", re.M)
_REF = re.compile(r"(?::ref:|\{ref\})`(?:[^`<]*<\s*([^`>]+?)\s*>|([^`<]+?))`", re.S)
_SECTION_CITED = re.compile(r"SPEC ?§ ?(\d+[a-z]?)")
_LABEL_NAME = re.compile(r"\b(theory-[a-z]+(?:-[a-z]+)*)\b")
_SECTION_ROW = re.compile(r"^\|\s*§(\d+[a-z]?)\s*\|\s*\{ref\}`([^`]+)`", re.M)


def _sources(*suffixes):
    for path in sorted(DOCS.rglob("*")):
        if path.suffix in suffixes and not any(part in GENERATED for part in path.relative_to(DOCS).parts):
            yield path


def defined_labels() -> Counter:
    """Each label defined in the documentation's sources, with how often it is defined."""
    labels = Counter()
    for path in _sources(".md", ".rst", ".py"):
        text = path.read_text(encoding="utf-8")
        labels.update(_MYST_TARGET.findall(text) if path.suffix == ".md" else [])
        labels.update(_RST_TARGET.findall(text))
    return labels


def cited_labels() -> dict:
    """``{label: [files citing it]}`` over the documentation's sources and the package's code."""
    cited = {}
    files = list(_sources(".md", ".rst", ".py")) + sorted(SRC.rglob("*.py"))
    for path in files:
        for explicit, plain in _REF.findall(path.read_text(encoding="utf-8")):
            label = (explicit or plain).strip()
            cited.setdefault(label, []).append(str(path.relative_to(ROOT)))
    return cited


def test_labels_are_defined_once():
    twice = {label: count for label, count in defined_labels().items() if count > 1}
    assert not twice, f"labels defined more than once: {twice}"


def test_every_cited_label_exists():
    defined = defined_labels()
    missing = {label: sorted(set(where)) for label, where in cited_labels().items() if label not in defined}
    assert not missing, f"cited labels that no documentation page defines: {missing}"


def test_the_theory_pages_carry_their_stable_labels():
    defined = defined_labels()
    for label in ("theory-model", "theory-scales", "theory-critical-scale", "theory-limit-laws", "theory-critical",
                  "theory-subcritical", "theory-supercritical", "theory-effective-exponent", "theory-sinks",
                  "theory-exact-identities", "theory-extreme-value", "theory-labels"):
        assert label in defined, label


def test_every_section_number_maps_to_a_label():
    """The mapping page from the private notes' section numbers to labels is complete, and its labels exist."""
    page = (DOCS / "theory" / "labels.md").read_text(encoding="utf-8")
    rows = dict(_SECTION_ROW.findall(page))
    assert set(rows) == {"1", "2", "2a", "2b", "3", "4", "5"}, rows
    defined = defined_labels()
    assert all(label in defined for label in rows.values()), rows


def test_the_code_cites_labels_not_section_numbers():
    """No code or test cites the private notes by section number; every label it names (cross-references in
    docstrings, names in comments) exists."""
    files = sorted(SRC.rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
    by_number = [str(p.relative_to(ROOT)) for p in files if p != Path(__file__) and _SECTION_CITED.search(
        p.read_text(encoding="utf-8"))]
    assert not by_number, f"citations by section number: {by_number}"
    defined = defined_labels()
    named = {m for p in files for m in _LABEL_NAME.findall(p.read_text(encoding="utf-8"))}
    assert named and named <= set(defined), sorted(named - set(defined))


@pytest.mark.parametrize("text, expected", [
    (":ref:`theory-model`", ["theory-model"]),
    (":ref:`the model <theory-model>`", ["theory-model"]),
    ("{ref}`theory-sinks` and {ref}`fixed keys <theory-sink-drift>`", ["theory-sinks", "theory-sink-drift"]),
])
def test_citation_parser(text, expected):
    assert [(e or p).strip() for e, p in _REF.findall(text)] == expected
