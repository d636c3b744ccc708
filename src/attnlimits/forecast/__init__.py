"""Forecasts of long-context attention from short contexts (:ref:`theory-sinks`): fit a real head on the queries that see
few keys and forecast its mean max weight at long ones — persistence, the i.i.d. pipeline, sink-aware, and
sink-drift-aware — with block-bootstrap intervals, an oracle fitted in the target bin, and scores over heads.
"""

from ._bootstrap import block_resample, bootstrap_forecasts
from ._fit import FitEstimate, fit_estimate, median_n
from ._kinds import forecast_values, grouped_betas
from ._metrics import kind_metrics
from ._options import KINDS, SINK_VARIANTS, ForecastOptions
from ._run import fit_window, forecast_heads, head_forecast, head_validation, measure_target, run_forecast
from ._windows import WindowData, block_se, window_data

__all__ = ["FitEstimate", "ForecastOptions", "KINDS", "SINK_VARIANTS", "WindowData", "block_resample", "block_se",
           "bootstrap_forecasts", "fit_estimate", "fit_window", "forecast_heads", "forecast_values", "grouped_betas",
           "head_forecast", "head_validation", "kind_metrics", "measure_target", "median_n", "run_forecast",
           "window_data"]
