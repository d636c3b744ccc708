"""Reports: figures and pages drawn from numbers handed in; nothing here computes a law.

Every drawing function returns a :class:`matplotlib.figure.Figure` (no pyplot, no ``matplotlib.use``);
:func:`save_figure` writes one. matplotlib is imported only when a figure is drawn.
"""

from ._canvas import save_figure
from ._figures import draw_figure
from ._html import write_report
from .forecast_figure import forecast_figure
from .heat_figure import heat_figure
from .real_keys_figure import attention_figure, real_keys_figure
from .schedule_figure import iso_heads_figure, schedule_figure

__all__ = ["attention_figure", "draw_figure", "forecast_figure", "heat_figure", "iso_heads_figure", "real_keys_figure", "save_figure",
           "schedule_figure", "write_report"]
