"""Figures without pyplot: every drawing function of :mod:`attnlimits.report` builds a
:class:`matplotlib.figure.Figure` (no global state, no backend switch — ``matplotlib.use`` is never called) and
returns it; :func:`save_figure` writes it (the file's suffix picks the format)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["new_figure", "save_figure"]


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
