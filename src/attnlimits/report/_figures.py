"""Figures of ``attnlimits reproduce``: each claim's figure, drawn by the drawing function its claim registered
(``Claim.drawing``) on a canvas made here, then captioned and saved. No pyplot, no backend switch; matplotlib
is imported when a figure is drawn; nothing here computes a law."""

from __future__ import annotations

from pathlib import Path

from ._canvas import new_figure, save_figure, set_suptitle

__all__ = ["claim_figure", "draw_figure"]


def claim_figure(figure):
    """The figure of one claim: its claim's drawing function applied to its stored numbers, captioned.

    Parameters
    ----------
    figure : attnlimits.claims.Figure
        ``kind`` (the id of the claim whose drawing draws it), ``data`` (the claim's numbers) and ``caption``
        (n, d, β or λ and samples).

    Returns
    -------
    matplotlib.figure.Figure
        The caption is the figure's title, broken into lines that fit its width.
    """
    from ..claims._registry import get_drawing

    drawing = get_drawing(figure.kind)
    fig = new_figure(drawing.figsize)
    drawing.function(fig, figure.data)
    set_suptitle(fig, figure.caption, fontsize=8)
    fig.tight_layout()
    return fig


def draw_figure(figure, directory) -> Path:
    """Draw ``figure`` (``claim_figure``) and save it as ``directory/figure.name`` (90 dpi).

    Parameters
    ----------
    figure : attnlimits.claims.Figure
    directory : path
        Existing directory of the report's figures.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    return save_figure(claim_figure(figure), Path(directory) / figure.name, dpi=90)
