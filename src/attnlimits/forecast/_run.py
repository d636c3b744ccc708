"""The forecast workflow (:ref:`theory-sinks`): per head and context window, fit on the queries that see n ≤ the fitting
bin's top and forecast E[max weight] in the target bins; choose the sink-aware variant on a validation split of
the fitting data before any target is read; then measure the targets, add the oracle, and score every kind.

Order of work, which the no-leak rule rests on: (1) validation of every head (fit on ``validation_origin``,
forecast ``origin``); (2) the variant is selected and frozen; (3) per head, the forecasts and their block
bootstrap, from the fitting window only (queries and keys at positions below the fitting bin's top); (4) only
then the target bins are read: their measured means with block SEs, and the oracle.
"""

from __future__ import annotations

import time

import numpy as np

from .._fork import fork_map
from .._validation import InputError
from ..models._spans import layer_rule
from ._bootstrap import bootstrap_forecasts
from ._fit import fit_estimate, median_n
from ._kinds import forecast_values
from ._metrics import combined_interval, kind_metrics
from ._options import KINDS, ForecastOptions
from ._windows import bin_rows, block_se, find_sinks, window_data

__all__ = ["fit_window", "head_forecast", "head_validation", "measure_target", "forecast_heads", "run_forecast"]


def fit_window(ex, li: int, hi: int, window: int, origin, options: ForecastOptions) -> tuple:
    """The per-query data of the trend window of fitting bin ``origin`` (sinks detected on the fitting bin).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (causal).
    li, hi : int
        Extracted layer and head index.
    window : int
        Context window (a value of ``ex.window``).
    origin : (int, int)
        The fitting bin [lo, hi) of n.
    options : ForecastOptions
        Trend octaves, pooled queries, block, sink threshold.

    Returns
    -------
    data : WindowData
        The trend window's per-query data.
    origin_idx, lower_idx : ndarray of int
        Indices into ``data.rows`` of the fitting bin and of the rest of the trend window.
    """
    lo_trend = max(1, origin[0] // 2 ** (options.trend_octaves - 1))
    origin_rows = bin_rows(ex, li, window, *origin)
    if origin_rows.size < 2 * options.block:
        raise InputError(f"invalid text: the fitting bin [{origin[0]}, {origin[1]}) of window {window} holds "
                         f"{origin_rows.size} queries; expected at least {2 * options.block}")
    lower_rows = bin_rows(ex, li, window, lo_trend, origin[0]) if lo_trend < origin[0] else np.zeros(0, np.int64)
    cand, st = find_sinks(ex, li, hi, origin_rows, options.sink_threshold)
    rows = np.concatenate([lower_rows, origin_rows])
    data = window_data(ex, li, hi, rows, cand, pooled=options.pooled_queries, pool_from=lower_rows.size)
    return data, np.arange(lower_rows.size, rows.size), np.arange(lower_rows.size)


def head_validation(ex, li: int, hi: int, window: int, options: ForecastOptions) -> dict:
    """The validation split of one head: fit on ``validation_origin`` (its trend window below), forecast the
    fitting bin ``origin`` at its median n, and measure it there (all inside the fitting window).

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (causal).
    li, hi : int
        Extracted layer and head index.
    window : int
        Context window (a value of ``ex.window``).
    options : ForecastOptions
        The options (``validation_origin`` is fitted, ``origin`` forecast).

    Returns
    -------
    dict
        ``measured`` (the fitting bin's mean max weight) and ``forecasts`` (kind → value).
    """
    data, o, low = fit_window(ex, li, hi, window, options.validation_origin, options)
    est = fit_estimate(data, o, np.concatenate([low, o]), options.sink_threshold)
    n = median_n(*options.origin)
    vals = forecast_values(est, [n], groups=options.beta_groups, variants=options.variants)
    rows = bin_rows(ex, li, window, *options.origin)
    from ..models._spans import row_statistics

    measured = float(row_statistics(ex, li, hi, rows=rows)["max_weight"].mean())
    return {"n": n, "measured": measured, "forecasts": {k: v[0] for k, v in vals.items()}}


def head_forecast(ex, li: int, hi: int, window: int, options: ForecastOptions, rng) -> dict:
    """Forecasts of one head in one context window from its fitting window alone (no target query or key is
    read), with the block bootstrap.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (causal).
    li, hi : int
        Extracted layer and head index.
    window : int
        Context window (a value of ``ex.window``).
    options : ForecastOptions
        The options.
    rng : numpy.random.Generator
        This head's stream (bootstrap resamples).

    Returns
    -------
    dict
        ``ns`` (the target bins' median n), ``values`` (kind → list over targets), ``boot_sd`` (kind → list),
        ``sinks`` (kept positions), ``slopes`` (per sink: d(β_q·S_q)/d log n), ``alpha_bulk`` and ``beta``
        (fitted), ``sink_logit`` (per sink: the median logit in the fitting bin), ``law_error``, and
        ``in_sample``: the i.i.d. and sink-aware values at the fitting bin's own median n beside its measured
        mean (the model's error without any extrapolation).
    """
    _, cap, _ = layer_rule(ex, li)
    if cap is not None:
        raise InputError(f"invalid layer: it soft-caps its logits (c = {cap:g}); the sink model (theory: fixed keys (sinks)) takes "
                         "uncapped logits")
    data, o, low = fit_window(ex, li, hi, window, options.origin, options)
    est = fit_estimate(data, o, np.concatenate([low, o]), options.sink_threshold)
    ns = [median_n(*t) for t in options.targets]
    values = forecast_values(est, ns, groups=options.beta_groups, variants=options.variants)
    inside = forecast_values(est, [median_n(*options.origin)], groups=options.beta_groups, variants=("sink",))
    boot = bootstrap_forecasts(data, o, low, ns, options=options, rng=rng)
    sd = {k: [float(np.nanstd(v[:, i], ddof=1)) for i in range(len(ns))] for k, v in boot.items()}
    return {"ns": ns, "values": values, "boot_sd": sd, "sinks": [int(s) for s in est.sinks],
            "slopes": [float(s) for s in est.slopes],
            "sink_logit": [float(np.median(est.pair_logit[:, j])) for j in range(est.sinks.size)],
            "alpha_bulk": None if est.bulk_law is None else float(est.bulk_law.local_exponent), "beta": est.beta,
            "law_error": est.law_error, "in_sample": {"n": median_n(*options.origin), "measured": est.persistence,
                                                      "iid": inside["iid"][0], "sink": inside["sink"][0]}}


def measure_target(ex, li: int, hi: int, window: int, target, options: ForecastOptions, rng) -> dict:
    """The measured mean max weight of a target bin with its block SE, and the oracle: the same machinery
    (law, β, sinks, (β_q, S_q) pairs of a seeded sample of the bin's queries) fitted in the bin itself.

    Parameters
    ----------
    ex : KeyExtraction
        Extracted queries and keys (causal).
    li, hi : int
        Extracted layer and head index.
    window : int
        Context window (a value of ``ex.window``).
    target : (int, int)
        The target bin [lo, hi) of n.
    options : ForecastOptions
        The options.
    rng : numpy.random.Generator
        Stream of the oracle's query sample.

    Returns
    -------
    dict
        ``queries``, ``measured``, ``measured_se``, ``oracle-iid``, ``oracle-sink``, and what the oracle
        found: ``sinks``, ``sink_logit`` (median per sink), ``alpha_bulk``, ``beta``.
    """
    rows = bin_rows(ex, li, window, *target)
    if rows.size < 2 * options.measure_block:
        raise InputError(f"invalid text: target bin [{target[0]}, {target[1]}) of window {window} holds {rows.size} "
                         f"queries; expected at least {2 * options.measure_block}")
    sinks, st = find_sinks(ex, li, hi, rows, options.sink_threshold)
    mw = st["max_weight"]
    sample = np.sort(rng.choice(rows, options.oracle_queries, replace=False)) if rows.size > options.oracle_queries else rows
    data = window_data(ex, li, hi, sample, sinks, pooled=options.pooled_queries)
    idx = np.arange(sample.size)
    est = fit_estimate(data, idx, idx, options.sink_threshold)
    n = median_n(*target)
    vals = forecast_values(est, [n], groups=options.beta_groups, variants=("sink",))
    return {"queries": int(rows.size), "measured": float(mw.mean()), "measured_se": block_se(mw, options.measure_block),
            "oracle-iid": vals["iid"][0], "oracle-sink": vals["sink"][0], "sinks": [int(s) for s in est.sinks],
            "sink_logit": [float(np.median(est.pair_logit[:, j])) for j in range(est.sinks.size)],
            "alpha_bulk": None if est.bulk_law is None else float(est.bulk_law.local_exponent), "beta": est.beta}


def _select(validation: list, variants) -> tuple:
    """(selected variant, {variant: median |error| over units}) on the validation split."""
    errs = {}
    for v in variants:
        e = [abs(u["forecasts"][v] - u["measured"]) for u in validation if np.isfinite(u["forecasts"][v])]
        errs[v] = float(np.median(e)) if e else float("nan")
    finite = [v for v in variants if np.isfinite(errs[v])]
    return (min(finite, key=lambda v: errs[v]) if finite else variants[0]), errs


def _validation_unit(context: dict, unit) -> dict:
    w, li, hi = unit
    return head_validation(context["ex"], li, hi, w, context["options"])


def _forecast_unit(context: dict, item) -> dict:
    (w, li, hi), seed = item
    return head_forecast(context["ex"], li, hi, w, context["options"], np.random.default_rng(seed))


def _target_unit(context: dict, item) -> list:
    (w, li, hi), seed = item
    rng = np.random.default_rng(seed)
    return [measure_target(context["ex"], li, hi, w, target, context["options"], rng)
            for target in context["options"].targets]


def forecast_heads(ex, options: ForecastOptions | None = None, *, windows=None, workers: int = 1, progress=None,
                   timings: dict | None = None) -> dict:
    """Run the forecast on every extracted head of ``ex`` in each of ``windows`` (module docstring).

    Parameters
    ----------
    ex : KeyExtraction
        Causal extraction whose windows hold at least ``options.window_tokens`` tokens.
    options : ForecastOptions, optional
        Defaults of :class:`ForecastOptions`.
    windows : sequence of int, optional
        Context windows (values of ``ex.window``) used (default every window with enough tokens).
    workers : int
        Processes for the per-head work (``attnlimits._fork.fork_map``; each unit draws from its own
        stream, so the results do not depend on it).
    progress : callable, optional
        ``progress(done, total, stage)``.
    timings : dict, optional
        Seconds added under "validation", "forecast" and "targets".

    Returns
    -------
    dict
        ``options`` (the frozen options), ``selected`` (the sink-aware variant the validation chose) with
        ``validation`` (``median_abs_error`` per variant and the per-unit values), ``kinds``, ``units`` (per
        window and head: its forecasts, intervals, measured values, oracle, sinks and drift), ``summary``
        (per target bin and kind, over units: :func:`~attnlimits.forecast.kind_metrics`) and ``summary_by_window``.
    """
    options = ForecastOptions() if options is None else options
    if not ex.causal:
        raise InputError("invalid model: the forecast needs a causal decoder (a query at position p sees p + 1 keys)")
    counts = np.bincount(np.asarray(ex.window))
    full = [int(w) for w in np.flatnonzero(counts >= options.window_tokens)]
    windows = full if windows is None else [int(w) for w in windows]
    if not windows or any(w not in full for w in windows):
        raise InputError(f"invalid text: {len(full)} context windows hold {options.window_tokens} tokens; expected at "
                         "least one (a longer text or more --max-tokens)")
    units = [(w, li, hi) for w in windows for li in range(len(ex.layers or [0])) for hi in range(len(ex.heads or [0]))]
    name = lambda li, hi: ((ex.layers or [li])[li], (ex.heads or [hi])[hi])  # noqa: E731
    tick = (lambda i, stage: progress(i, len(units), stage)) if progress else (lambda i, stage: None)
    context = {"ex": ex, "options": options}
    clock = time.perf_counter()
    validation = []
    for (w, li, hi), v in zip(units, fork_map(_validation_unit, context, units, workers=workers,
                                              progress=lambda i: tick(i, "validation"))):
        layer, head = name(li, hi)
        validation.append({"window": w, "layer": layer, "head": head, **v})
    selected, val_err = _select(validation, list(options.variants))
    _add(timings, "validation", clock)
    root = np.random.SeedSequence(options.seed)
    # per unit: the bootstrap's stream, then the oracle's (drawn here, in this order, whatever the workers)
    seeds = [(st.spawn(1)[0], st.spawn(2)[1]) for st in root.spawn(len(units))]
    clock = time.perf_counter()
    # forecasts first, from the fitting windows only
    fitted = fork_map(_forecast_unit, context, [(u, seeds[i][0]) for i, u in enumerate(units)], workers=workers,
                      progress=lambda i: tick(i, "forecasts"))
    _add(timings, "forecast", clock)
    clock = time.perf_counter()
    # only now are the target bins read
    measured = fork_map(_target_unit, context, [(u, seeds[i][1]) for i, u in enumerate(units)], workers=workers,
                        progress=lambda i: tick(i, "targets"))
    out_units = []
    for i, (w, li, hi) in enumerate(units):
        f = fitted[i]
        targets = []
        for t, target in enumerate(options.targets):
            m = measured[i][t]
            kinds = {}
            for k in f["values"]:
                val = f["values"][k][t]
                sd = f["boot_sd"][k][t]
                lo, up = combined_interval(val, sd, m["measured_se"], options.level)
                kinds[k] = {"value": val, "boot_sd": sd, "lo": lo, "hi": up}
            for k in ("oracle-iid", "oracle-sink"):
                kinds[k] = {"value": m[k], "boot_sd": None, "lo": None, "hi": None}
            targets.append({"bin": list(target), "n": f["ns"][t], "queries": m["queries"], "measured": m["measured"],
                            "measured_se": m["measured_se"], "forecasts": kinds,
                            "target_fit": {"sinks": m["sinks"], "sink_logit": m["sink_logit"],
                                           "alpha_bulk": m["alpha_bulk"], "beta": m["beta"]}})
        layer, head = name(li, hi)
        out_units.append({"window": w, "layer": layer, "head": head,
                          "fit": {k: f[k] for k in ("sinks", "slopes", "sink_logit", "alpha_bulk", "beta", "law_error",
                                                        "in_sample")},
                          "targets": targets})
    _add(timings, "targets", clock)
    kinds = [k for k in KINDS if k in out_units[0]["targets"][0]["forecasts"]]
    return {"options": options.to_dict(), "selected": selected,
            "validation": {"fit_bin": list(options.validation_origin), "target_bin": list(options.origin),
                           "median_abs_error": val_err, "units": validation},
            "kinds": kinds, "windows": windows, "units": out_units,
            "summary": summarize(out_units, options.targets, kinds),
            "summary_by_window": {str(w): summarize([u for u in out_units if u["window"] == w], options.targets, kinds)
                                  for w in windows}}


def summarize(units: list, targets, kinds) -> list:
    """Per target bin and kind: :func:`~attnlimits.forecast.kind_metrics` over ``units`` (rows with ``bin`` and ``kind``)."""
    rows = []
    for t, target in enumerate(targets):
        meas = [u["targets"][t]["measured"] for u in units]
        pers = [u["targets"][t]["forecasts"]["persistence"]["value"] for u in units]
        for k in kinds:
            fc = [u["targets"][t]["forecasts"][k] for u in units]
            has = fc and fc[0]["lo"] is not None
            m = kind_metrics([x["value"] for x in fc], meas, pers, [x["lo"] for x in fc] if has else None,
                             [x["hi"] for x in fc] if has else None)
            if k == "persistence":
                m["beats_persistence"] = m["sign_test_p"] = m["wins"] = m["ties"] = None
            rows.append({"bin": list(target), "kind": k, **m})
    return rows


def _add(timings, stage, start):
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def run_forecast(model, text_path="pydoc-topics", *, layers=None, heads=None, max_tokens: int | None = None,
                 windows: int | None = None, options: ForecastOptions | None = None, workers: int = 1,
                 progress=None) -> dict:
    """The forecast on a real decoder: extract q and k of the chosen heads on ``text_path`` cut into context
    windows of ``options.window_tokens`` tokens, and run :func:`forecast_heads` on the first ``windows``.

    Parameters
    ----------
    model : str, path or LoadedModel
        A causal decoder ('smollm2', a GGUF file, a local Hugging Face directory).
    text_path : str or path
        A named text ('pydoc-topics', the default) or a UTF-8 file.
    layers, heads : list of int, optional
        Default all.
    max_tokens : int, optional
        Tokens read (default ``windows`` × window tokens, or two windows).
    windows : int, optional
        Context windows used (default every full one read).
    options : ForecastOptions, optional
        The forecast's options.
    workers : int
        Processes for the per-head work after the forward pass (the results do not depend on it).
    progress : callable, optional
        ``progress(done, total, stage)``.

    Returns
    -------
    dict
        :func:`forecast_heads`'s dict plus ``model``, ``text`` (:func:`attnlimits.models.text_record`),
        ``tokens``, ``window_tokens`` and ``timings`` (seconds per stage).
    """
    from .._validation import check_int
    from ..models import extract_keys, load_model, read_text, text_record
    from ..models._load import LoadedModel

    options = ForecastOptions() if options is None else options
    width = options.window_tokens
    windows = None if windows is None else check_int("windows", windows, minimum=1)
    workers = check_int("workers", workers, minimum=1)
    max_tokens = (width * (windows or 2)) if max_tokens is None else check_int("max-tokens", max_tokens, minimum=width)
    lm = model if isinstance(model, LoadedModel) else load_model(model)
    if not lm.causal:
        raise InputError(f"invalid model={lm.name!r}: the forecast needs a causal decoder; expected e.g. 'smollm2'")
    if lm.max_tokens < width:
        raise InputError(f"invalid model={lm.name!r}: it takes {lm.max_tokens} positions; the targets need {width}")
    timings: dict = {}
    start = time.perf_counter()
    fwd = None if progress is None else (lambda done, total: progress(done, total, "forward pass"))
    ex = extract_keys(lm, read_text(text_path), layers=layers, heads=heads, max_tokens=max_tokens, batch=1,
                      window=width, min_tokens=width, progress=fwd)
    timings["forward"] = time.perf_counter() - start
    counts = np.bincount(np.asarray(ex.window))
    full = [int(w) for w in np.flatnonzero(counts >= width)]
    if windows is not None:
        if len(full) < windows:
            raise InputError(f"invalid windows={windows}: the text gives {len(full)} full windows of {width} tokens "
                             f"within max-tokens={max_tokens}; expected at most {len(full)}")
        full = full[:windows]
    out = forecast_heads(ex, options, windows=full, workers=workers, progress=progress, timings=timings)
    return {"model": lm.name, "text": text_record(text_path), "tokens": int(ex.keys.shape[2]), "window_tokens": width,
            **out, "workers": workers, "timings": timings}
