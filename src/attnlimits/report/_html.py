"""``report.html``: one self-contained page with a paragraph per claim and its figures embedded as data URIs
(no network, nothing beside it: the file alone can be mailed or attached to an issue)."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import mimetypes
from pathlib import Path

__all__ = ["write_report"]

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
td:first-child, td:nth-child(2), th { text-align: left; }
.pass { color: #176b2c; font-weight: bold; } .fail { color: #b00020; font-weight: bold; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #555; } section { border-top: 1px solid #ddd; margin-top: 2em; }
.reasons { font-size: 0.85em; color: #b00020; }
"""


def _num(x) -> str:
    if x is None:
        return "—"
    try:
        f = float(x)
    except (TypeError, ValueError):
        return html.escape(str(x))
    if f != f:
        return "—"
    return f"{f:.6g}"


def _figure(directory: Path, name: str, caption: str) -> str:
    """A <figure> whose image is ``directory/figures/name`` embedded as a base64 data URI (``data-file`` keeps
    the name); a figure that was not drawn keeps the relative link, so the page says which file is missing."""
    e = html.escape
    path = directory / "figures" / name
    src = f"figures/{name}"
    if path.is_file():
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
        src = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    return (f"<figure><img src='{e(src)}' data-file='figures/{e(name)}' alt='{e(caption)}'>"
            f"<figcaption>{e(caption)}</figcaption></figure>")


def write_report(directory, results, meta: dict, extras=()) -> Path:
    """Write ``directory/report.html``: a summary table, one section per claim and the real-keys sections.

    The page is self-contained: every figure is embedded as a data URI. Nothing is computed here; the verdict
    rule stated at the top is :func:`attnlimits.claims.judge`'s.

    Parameters
    ----------
    directory : str or pathlib.Path
        The run's output folder; the figures are already drawn into ``directory/figures``.
    results : list of ClaimResult
        The claims' results, in report order.
    meta : dict
        The run's ``seed``, ``quick``, ``version``, ``elapsed`` (seconds) and optionally ``when`` (ISO time;
        default now, UTC).
    extras : sequence of dict
        Sections without a verdict (real keys, the real decoder): ``paragraph``, optionally ``id`` and ``title``
        (default the real-keys section's), ``figure`` and ``caption`` (a file under ``directory``) and ``more``
        (further paragraphs with figures).

    Returns
    -------
    pathlib.Path
        ``directory/report.html``.
    """
    directory = Path(directory)
    e = html.escape
    parts = ["<!DOCTYPE html>", "<html lang='en'><head><meta charset='utf-8'>",
             "<title>attnlimits reproduce — report</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>Scaling limits of long-context attention: claims reproduced</h1>",
             f"<p>Run of {e(meta.get('when', _dt.datetime.now(_dt.timezone.utc).isoformat(timespec='seconds')))}: "
             f"{'quick' if meta.get('quick') else 'default'} sizes, root seed {e(str(meta.get('seed')))}, "
             f"attnlimits {e(str(meta.get('version')))}, {_num(meta.get('elapsed'))} s. "
             "A case passes when |measured − predicted| ≤ 4 SE (+ the stated finite-n bias bound where no exact "
             "finite-n value exists) and the 95% interval's half-width is at most 10% of the predicted value or "
             "effect. Intervals below are 95% (±1.96 SE).</p>"]
    n_pass = sum(r.verdict == "pass" for r in results)
    parts.append(f"<p><b>{n_pass} of {len(results)} claims pass.</b></p>")
    parts.append("<table><tr><th>claim</th><th>case</th><th>predicted</th><th>measured</th><th>95% interval</th>"
                 "<th>bias bound</th><th>verdict</th></tr>")
    for r in results:
        for c in r.cases:
            parts.append(f"<tr><td><a href='#{e(r.id)}'>{e(r.id)}</a></td><td>{e(c.case)}</td><td>{_num(c.predicted)}"
                         f"</td><td>{_num(c.measured)}</td><td>[{_num(c.ci_low)}, {_num(c.ci_high)}]</td>"
                         f"<td>{_num(c.bias)}</td><td class='{e(c.verdict)}'>{e(c.verdict)}</td></tr>")
    parts.append("</table>")
    for r in results:
        parts.append(f"<section id='{e(r.id)}'><h2>{e(r.title)} <small>({e(r.id)})</small>: "
                     f"<span class='{r.verdict}'>{r.verdict}</span></h2>")
        parts.append(f"<p>{e(r.paragraph)}</p>")
        for c in r.cases:
            params = ", ".join(f"{k} = {v}" for k, v in c.params.items())
            extra = " ".join(x for x in (c.note, f"Bias bound: {c.bias_reason}." if c.bias_reason else "") if x)
            parts.append(f"<p><b>{e(c.case)}</b> — {e(c.statement)}. Predicted {_num(c.predicted)}, measured "
                         f"{_num(c.measured)} ± {_num(1.96 * c.se)} ({e(params)}). {e(extra)}</p>")
            if c.reasons:
                parts.append(f"<p class='reasons'>Why it fails: {e('; '.join(c.reasons))}</p>")
        for f in r.figures:
            parts.append(_figure(directory, f.name, f.caption))
        parts.append(f"<p><small>{r.elapsed:.1f} s</small></p></section>")
    for x in extras:
        parts.append(f"<section id='{e(x.get('id', 'real-keys'))}'><h2>{e(x.get('title', 'Real transformer keys'))} "
                     "<small>(no verdict)</small></h2>")
        parts.append(f"<p>{e(x['paragraph'])}</p>")
        if x.get("figure"):  # absent when the section could not run (its paragraph says why)
            parts.append(_figure(directory, x["figure"], x["caption"]))
        for sub in x.get("more", []):  # further measurements of the same section (e.g. iso-selectivity schedules)
            parts.append(f"<p>{e(sub['paragraph'])}</p>" + _figure(directory, sub["figure"], sub["caption"]))
        parts.append("</section>")
    parts.append("</body></html>")
    path = directory / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
