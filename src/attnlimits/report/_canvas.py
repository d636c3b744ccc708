"""Figures without pyplot: every drawing function of :mod:`attnlimits.report` builds a
:class:`matplotlib.figure.Figure` (no global state, no backend switch — ``matplotlib.use`` is never called) and
returns it; :func:`save_figure` writes it (the file's suffix picks the format)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["new_figure", "save_figure", "fit_text", "set_title", "set_suptitle"]


def new_figure(figsize):
    """A new :class:`matplotlib.figure.Figure` of ``figsize`` inches, attached to no pyplot window."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def save_figure(fig, path, *, dpi: int = 120) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix: PNG, PDF, SVG...) at ``dpi``; return the path.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from one of the report's drawing functions.
    path : path
        Output file.
    dpi : int
        Resolution of raster formats.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    fig.savefig(path, dpi=dpi)
    return path


def fit_text(text: str, width_inches: float, fontsize: float) -> str:
    """``text`` broken at spaces into lines no wider than ``width_inches`` at ``fontsize`` points.

    Widths are measured with the Agg renderer's text metrics (the fonts the figure will use), not estimated
    from a character count, so a title that fits here is not cut at the edge of the saved file. Existing line
    breaks are kept; a single word wider than the width stays on its own line.

    Parameters
    ----------
    text : str
    width_inches : float
        The widest line, in inches.
    fontsize : float
        Font size in points.

    Returns
    -------
    str
    """
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(1, 1, 72.0)  # at 72 dpi one pixel is one point
    prop = FontProperties(size=fontsize)
    limit = 72.0 * float(width_inches)

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0]

    lines = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and width(candidate) > limit:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return "\n".join(lines)


def set_title(ax, text: str, *, fontsize: float = 9, margin: float = 0.95) -> None:
    """Set ``ax``'s title, broken into lines that fit the axes' width (``margin`` of it), so that no title runs
    past the edge of the figure whatever its content (a model's name, a file path).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    text : str
    fontsize : float
        Font size in points.
    margin : float
        Fraction of the axes' width the lines may fill.
    """
    fig = ax.get_figure()
    width = ax.get_position().width * fig.get_figwidth() * margin
    ax.set_title(fit_text(text, width, fontsize), fontsize=fontsize)


def set_suptitle(fig, text: str, *, fontsize: float = 8, margin: float = 0.96) -> None:
    """Set ``fig``'s title, broken into lines that fit the figure's width (``margin`` of it), at the top edge;
    ``fig.tight_layout()`` then keeps the axes below it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    text : str
    fontsize : float
        Font size in points.
    margin : float
        Fraction of the figure's width the lines may fill.
    """
    fig.suptitle(fit_text(text, fig.get_figwidth() * margin, fontsize), fontsize=fontsize, y=0.995, va="top")
