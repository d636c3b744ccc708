"""report.html travels: its figures are embedded (data URIs), so the page moved alone to an empty directory
still shows every image in headless Chromium (naturalWidth > 0)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_PROBE = ("<script>window.addEventListener('load', function () {var w = Array.prototype.map.call(document.images, "
          "function (i) { return i.naturalWidth; }); var p = document.createElement('pre'); p.id = 'natural-widths'; "
          "p.textContent = JSON.stringify(w); document.body.appendChild(p);});</script>")


def natural_widths(html_path) -> list:
    """naturalWidth of every <img> of ``html_path`` once loaded in headless Chromium (skips without it)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
    probe = html_path.with_name("probe-" + html_path.name)
    probe.write_text(html_path.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = subprocess.run([exe, *_FLAGS, "--virtual-time-budget=20000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120)
    probe.unlink()
    assert "natural-widths" in dom.stdout, dom.stderr[-2000:]
    return json.loads(dom.stdout.split("id=\"natural-widths\">", 1)[1].split("</pre>", 1)[0])


def move_alone(report, tmp_path):
    """A copy of ``report`` alone in a new empty directory."""
    alone = tmp_path / "alone"
    alone.mkdir()
    return shutil.copy(report, alone / "report.html") and alone / "report.html"


def _draw(path, seed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [seed, 2, 1])
    fig.savefig(path, dpi=60)
    plt.close(fig)


def test_figures_are_embedded_and_load_when_the_page_travels_alone(tmp_path):
    from attnlimits.report import write_report

    (tmp_path / "figures").mkdir()
    _draw(tmp_path / "figures" / "real-keys.png", 0)
    _draw(tmp_path / "figures" / "other.png", 1)
    extras = [{"figure": "real-keys.png", "caption": "cap", "paragraph": "para"},
              {"figure": "other.png", "caption": "cap2", "paragraph": "para2"}]
    report = write_report(tmp_path, [], {"quick": True, "seed": 0}, extras=extras)
    text = report.read_text()
    assert text.count("src='data:image/png;base64,") == 2 and "src='figures/" not in text
    widths = natural_widths(move_alone(report, tmp_path))
    assert len(widths) == 2 and all(w > 0 for w in widths), widths


def test_a_figure_not_drawn_keeps_its_link(tmp_path):
    """No silent hole: a missing figure file keeps the relative link naming it (and fails to load)."""
    from attnlimits.report import write_report

    (tmp_path / "figures").mkdir()
    report = write_report(tmp_path, [], {"quick": True, "seed": 0},
                          extras=[{"figure": "missing.png", "caption": "cap", "paragraph": "para"}])
    assert "src='figures/missing.png'" in report.read_text()
