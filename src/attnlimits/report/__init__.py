"""Reports: figures and pages drawn from results (matplotlib imported lazily inside each module)."""

from ._figures import FIGURE_KINDS, draw_figure
from ._html import write_report

__all__ = ["FIGURE_KINDS", "draw_figure", "write_report"]
