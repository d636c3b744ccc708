"""No figure title is clipped: after drawing with the Agg backend, every title's window extent lies inside the
figure's bounding box — for every claim's figure (drawn from the figures of a quick run, kept in
``data/claim_figures_quick_seed0.json``; ``data/make_claim_figures.py`` rewrites it) and for the schedule
figures, with titles much longer than their axes. And a region without data says why in the figure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

FIGURES = json.loads((Path(__file__).parent / "data" / "claim_figures_quick_seed0.json").read_text(encoding="utf-8"))
#: Longer than any axes is wide at the fonts used: a file path as a law, a long model name.
LONG = "estimated:alpha=21.37:c=0.0001234 (file:/home/user/checkpoints/some-model/keys-layer12-head3.npz, pooled)"


def _drawn(fig):
    """``fig`` drawn on an Agg canvas, and its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _titles(fig):
    """The figure's title and every axes' titles (left, centre, right) that hold text."""
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title]
    return [t for t in texts if t.get_text() and t.get_visible()]


def clipped_titles(fig) -> list:
    """Titles whose extent leaves the figure (one pixel of slack for rounding)."""
    renderer = _drawn(fig)
    box = fig.bbox
    out = []
    for t in _titles(fig):
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1:
            out.append((t.get_text(), e.bounds, box.bounds))
    return out


def test_the_check_finds_a_clipped_title():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5))
    fig.subplots().set_title(f"law {LONG}, d = 64, T = 4096", fontsize=9)
    assert clipped_titles(fig)


def test_the_figures_cover_every_claim():
    from attnlimits.claims import claim_ids

    assert sorted({f["kind"] for f in FIGURES}) == sorted(claim_ids())


@pytest.mark.parametrize("stored", FIGURES, ids=[f["kind"] for f in FIGURES])
def test_claim_figure_titles_inside_the_canvas(stored):
    from attnlimits.claims import Figure
    from attnlimits.report._figures import claim_figure

    fig = claim_figure(Figure(stored["name"], stored["kind"], stored["data"], stored["caption"]))
    assert _titles(fig) and fig._suptitle.get_text().replace("\n", " ") == stored["caption"]
    assert not clipped_titles(fig)


def test_phase_diagram_says_why_its_blank_region_is_blank():
    from attnlimits.claims import Figure
    from attnlimits.report._figures import claim_figure

    (stored,) = [f for f in FIGURES if f["kind"] == "phase-diagram"]
    fig = claim_figure(Figure(stored["name"], stored["kind"], stored["data"], stored["caption"]))
    renderer = _drawn(fig)
    ax = fig.axes[0]
    notes = [t for t in ax.texts if "not simulated" in t.get_text() and "β*_n/30" in t.get_text()]
    assert len(notes) == 1
    assert ax.bbox.contains(*notes[0].get_window_extent(renderer).p0)
    assert any(getattr(c, "get_hatch", lambda: None)() for c in ax.collections)  # the region itself is hatched


def _schedule_table(law: str) -> dict:
    rules = ("none", "yarn", "longrope", "qwen", "llama4", "ssmax", "iso")
    rows = [{"n": n, "beta_iso": 50.0 + i, "beta_iso_eff": 50.5 + i, "beta_half": 49.0 + i, "beta_star": 2.5 + i,
             "rules": {r: {"beta": 47.3 * (1 + 0.1 * i * j)} for j, r in enumerate(rules)}}
            for i, n in enumerate((8192, 32768, 131072))]
    return {"law": law, "d": 64, "n_train": 4096, "beta_train": 47.3, "max_weight_train": 0.5, "rows": rows}


@pytest.mark.parametrize("law", ["uniform", LONG])
def test_schedule_figure_title_inside_the_canvas(law):
    from attnlimits.report import schedule_figure

    fig = schedule_figure(_schedule_table(law))
    assert LONG.split()[0] in fig.axes[0].get_title() or law == "uniform"
    assert not clipped_titles(fig)


def test_iso_heads_figure_title_inside_the_canvas():
    from attnlimits.report import iso_heads_figure

    rows = [{"beta_iso": 10.0 * (1 + 0.1 * i), "beta_iso_eff": 10.0 * (1 + 0.11 * i),
             "rules": {"none": {"multiplier": 1.0}, "yarn": {"multiplier": 1.0 + 0.2 * i}}} for i in (1, 2)]
    summary = {"model": LONG, "n_train": 512, "n": [2048, 32768],
               "heads": [{"layer": 0, "head": h, "beta_train": 10.0, "rows": rows} for h in (0, 6)]}
    assert not clipped_titles(iso_heads_figure(summary))
