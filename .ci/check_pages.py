"""Open built HTML pages in headless Chromium and check that every image loaded and the maths typeset.

Usage: python .ci/check_pages.py [--site DIR] PAGE.html [PAGE.html ...]

With ``--site DIR``, every HTML page under DIR is first scanned for resources loaded from outside the site
(``<script src="http…">``, ``<link href="http…">``, ``<img src="http…">``): the site must work offline.

Each page is copied beside itself with a probe script (so relative links resolve as in the real page), loaded
from file:// with ``chromium --headless --dump-dom``, and the probe writes what it saw into the DOM: every
<img>'s naturalWidth, and, where the page loads MathJax, the number of typeset formulas and of MathJax errors.
A page fails if an image has naturalWidth 0, a formula did not typeset, or a gallery page has no image. Exit code 1 on any failure, 2 when
Chromium is missing.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--virtual-time-budget=30000", "--dump-dom"]

PROBE = """<script>
window.addEventListener('load', function () {
  function report() {
    var imgs = Array.prototype.map.call(document.images, function (i) {
      return {src: i.getAttribute('src'), width: i.naturalWidth}; });
    var out = {images: imgs,
               mathjax: !!(window.MathJax && window.MathJax.startup),
               math: document.querySelectorAll('mjx-container').length,
               math_errors: document.querySelectorAll('mjx-merror').length,
               math_pending: document.querySelectorAll('.math:not(:has(mjx-container))').length};
    var p = document.createElement('pre'); p.id = 'page-probe'; p.textContent = JSON.stringify(out);
    document.body.appendChild(p);
  }
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    window.MathJax.startup.promise.then(report, report);
  } else { report(); }
});
</script>"""


def probe(page: Path, exe: str, tries: int = 3) -> dict:
    """What the probe saw on ``page`` once loaded (a fresh browser profile per try; a first start of Chromium
    can spend the virtual time budget before the page's scripts finish, so a silent probe is retried)."""
    copy = page.with_name("probe-" + page.name)
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    marker = re.compile(r'<pre id="page-probe"[^>]*>(.*?)</pre>', re.S)  # the theme may add attributes
    try:
        for _ in range(tries):
            with tempfile.TemporaryDirectory() as profile:
                dom = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", copy.resolve().as_uri()],
                                     capture_output=True, text=True, timeout=180)
            found = marker.search(dom.stdout)
            if found:
                break
        else:
            raise RuntimeError(f"{page}: the probe did not report in {tries} tries (chromium exit {dom.returncode}): "
                               f"{dom.stderr[-1500:]}")
    finally:
        copy.unlink()
    return json.loads(html.unescape(found.group(1)))


def problems(page: Path, seen: dict) -> list:
    """What is wrong on ``page``, one line each (empty: nothing)."""
    out = [f"{page}: image {img['src']} did not load (naturalWidth 0)" for img in seen["images"] if img["width"] <= 0]
    if not seen["images"] and (page.name.startswith("plot_") or page.parent.name == "auto_examples"):
        out.append(f"{page}: a gallery page without a single image")
    if seen["mathjax"]:
        if seen["math_errors"]:
            out.append(f"{page}: {seen['math_errors']} formulas failed to typeset (MathJax errors)")
        if seen["math_pending"]:
            out.append(f"{page}: {seen['math_pending']} formulas were left untypeset")
    return out


_EXTERNAL = re.compile(r'<(?:script|img|iframe)\b[^>]*\bsrc="(https?:)?//[^"]*"|<link\b[^>]*\bhref="(https?:)?//[^"]*"', re.I)


def external_resources(site: Path) -> list:
    """Pages under ``site`` that load a script, stylesheet, image or frame from outside it, one line each."""
    out = []
    for page in sorted(site.rglob("*.html")):
        for match in _EXTERNAL.finditer(page.read_text(encoding="utf-8", errors="replace")):
            out.append(f"{page}: loads an external resource: {match.group(0)[:160]}")
    return out


def main(pages: list) -> int:
    failed = []
    if pages[:1] == ["--site"]:
        site = Path(pages[1])
        failed += external_resources(site)
        print(f"check_pages: {site}: {len(failed)} external resources in {sum(1 for _ in site.rglob('*.html'))} pages")
        pages = pages[2:]
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("check_pages: Debian's chromium is not installed (apt-get install -y chromium)", file=sys.stderr)
        return 2
    for name in pages:
        page = Path(name)
        if not page.is_file():
            failed.append(f"{page}: no such page")
            continue
        seen = probe(page, exe)
        failed += problems(page, seen)
        math = f", {seen['math']} formulas typeset" if seen["mathjax"] else ""
        print(f"check_pages: {page}: {len(seen['images'])} images, "
              f"{sum(i['width'] > 0 for i in seen['images'])} loaded{math}")
    for line in failed:
        print("check_pages: " + line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
