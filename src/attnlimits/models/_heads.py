"""Per head and per position bin of a real model (:ref:`theory-effective-exponent`, :ref:`theory-extreme-value`): the estimated law, its exponents, the model's
β and the exact E[max weight] beside the measured one — what ``attnlimits tail --model`` and ``attnlimits
attention --model`` print for decoders and MiniLM alike."""

from __future__ import annotations

import time

from .._validation import check_int
from ._extract import extract_keys, shared_model, shared_text
from ._positions import MIN_DISTANCES, binned_laws
from ._sinks import MIN_SINK_QUERIES, SINK_LAG, SINK_QUERIES, SINK_THRESHOLD

__all__ = ["head_bins", "head_law", "iso_schedules", "BETA_DEFINITION", "SINK_DEFINITION"]

#: How β is reported everywhere (the norms the softmax sees, dropped from q̂, k̂).
BETA_DEFINITION = "β = |q|·median|k|·scale per query (median over its visible keys); a bin's β is the median over its queries"
#: What a sink is and how it is predicted (docs theory-sinks; ``_sinks``).
SINK_DEFINITION = (f"sinks: the first token and every position with mean weight ≥ {SINK_THRESHOLD:g} from the bin's "
                   f"queries ≥ {SINK_LAG} positions later (≥ {MIN_SINK_QUERIES} of them), among the positions every query "
                   "of the bin sees; S_q = q·k_sink/(|q|·median|k_bulk|), β_q = |q|·median|k_bulk|·scale (bulk: the visible "
                   "keys less the sinks), so β_q·S_q = scale·q·k_sink; the sink-aware prediction averages the exact "
                   "conditional values (theory: fixed keys (sinks)) over a seeded sample of the bin's queries, with the bulk law "
                   "estimated without the sink keys; measured means are over every query of the bin")


def head_bins(model="minilm", text_path=None, *, layers=None, heads=None, max_tokens: int = 8192,
              window: int | None = None, first: int = 16, queries_per_bin: int = 32,
              min_distances: int = MIN_DISTANCES, exact: bool = True, keep_laws: bool = False,
              shared: dict | None = None, sinks: bool = True, sink_queries: int | None = None,
              progress=None, timings: dict | None = None) -> dict:
    """Position-binned laws (:func:`~attnlimits.models.binned_laws`) of the chosen heads of ``model`` on a text.

    Parameters
    ----------
    model : str, path or LoadedModel
        'minilm' or a local Hugging Face directory (a decoder of ``_decoder.DECODER_TYPES``), or a model
        already loaded.
    text_path : path, optional
        UTF-8 text (default: the standard-library docstrings).
    layers, heads : list of int, optional
        Default all.
    max_tokens : int
        Tokens read from the text (a CPU cap).
    window : int, optional
        Tokens per window (default the model's ``max_position_embeddings``, capped by ``max_tokens``).
    first, queries_per_bin, min_distances : int
        Passed to :func:`~attnlimits.models.binned_laws`: lower edge of the first bin, queries pooled per bin,
        fewest pooled distances for an estimated bin.
    exact : bool
        Compute the exact E[max weight] of each estimated law (:ref:`theory-exact-identities`).
    keep_laws : bool
        Keep each estimated bin's law (``law``) in the bins.
    shared : dict, optional
        A dict handed to several calls on the same model and text (:func:`~attnlimits.models.real_keys_summary`,
        :func:`iso_schedules`): the model, the text and the keys are loaded, read and extracted once, for all
        of them (:func:`~attnlimits.models.extract_keys`); the results are those of separate calls.
    sinks : bool
        Measure each bin's attention sinks and give the sink-aware prediction beside the i.i.d. one (:ref:`theory-sinks`,
        ``_sinks``).
    sink_queries : int, optional
        Queries sampled per bin for the sink scores and prediction (default ``_sinks.SINK_QUERIES``).
    progress : callable, optional
        Called as ``progress(done, total, stage)`` with stage "forward pass" (attention layers run) and then
        "heads" (heads done); the library never prints.
    timings : dict, optional
        Seconds spent are added under "forward" (model run and extraction), "statistics", "fits" and
        "theory" (:func:`~attnlimits.models.binned_laws`).

    Returns
    -------
    dict
        ``model``, ``model_type``, ``causal``, ``tokens``, ``window``, ``d_head``, ``beta_definition``,
        ``min_distances``, ``layer_specs`` (per layer: scale, soft-cap, sliding window, RoPE), ``source`` (the
        model's file record where it has one, else None), ``text`` (the text's record where available, else
        None), with ``sinks`` also ``sink_definition`` and ``sink_queries``, and ``heads``: per head
        ``layer``, ``head``, ``kv_head`` and ``bins`` (see :func:`~attnlimits.models.binned_laws`).
    """
    lm = shared_model(model, shared)
    max_tokens = check_int("max-tokens", max_tokens, minimum=64)
    width = min(lm.max_tokens, max_tokens) if window is None else check_int("window", window, minimum=3, maximum=lm.max_tokens)
    forward = None if progress is None else (lambda done, total: progress(done, total, "forward pass"))
    start = time.perf_counter()
    ex = extract_keys(lm, shared_text(text_path, shared), layers=layers, heads=heads, max_tokens=max_tokens,
                      window=width, batch=1 if lm.causal else 8, min_tokens=64, shared=shared, progress=forward)
    if timings is not None:
        timings["forward"] = timings.get("forward", 0.0) + time.perf_counter() - start
    rows = []
    total = len(ex.layers) * len(ex.heads)
    for li, layer in enumerate(ex.layers):
        for hi, head in enumerate(ex.heads):
            bins = binned_laws(ex, li, hi, first=first, queries_per_bin=queries_per_bin, min_distances=min_distances,
                               exact=exact, keep_law=keep_laws, sinks=sinks, sink_queries=sink_queries,
                               timings=timings)
            rows.append({"layer": layer, "head": head, "kv_head": ex.kv_heads[hi], "bins": bins})
            if progress is not None:
                progress(len(rows), total, "heads")
    specs = [s.to_dict() for s in ex.specs] if ex.specs else [{"scale": ex.scale, "softcap": None, "sliding_window": None,
                                                                "layer_type": "bidirectional", "rope": {}} for _ in ex.layers]
    out = {"model": lm.name, "model_type": lm.model_type, "causal": lm.causal, "tokens": int(ex.keys.shape[2]),
           "window": width, "d_head": lm.d_head, "beta_definition": BETA_DEFINITION, "min_distances": min_distances,
           "layer_specs": dict(zip(map(str, ex.layers), specs)), "source": getattr(lm, "source", None),
           "text": _text_record(text_path)}
    if sinks:
        out["sink_definition"] = SINK_DEFINITION
        out["sink_queries"] = SINK_QUERIES if sink_queries is None else int(sink_queries)
    out["heads"] = rows
    return out


def _text_record(text_path):
    """The text's record (name, sha256, chars, python) from :func:`attnlimits.models._text.text_record` where
    that exists, else None."""
    from . import _text

    record = getattr(_text, "text_record", None)
    return None if record is None else record(text_path)


def head_law(model, layer: int, head: int, text_path=None, *, max_tokens: int = 8192) -> tuple:
    """The estimated law and β of one head at its largest estimated bin of visible count.

    That bin holds the keys a query sees at the longest context of the text (:func:`head_bins`).

    Parameters
    ----------
    model : str, path or LoadedModel
        As in :func:`head_bins`.
    layer, head : int
        The model's layer and query-head index.
    text_path : path, optional
        UTF-8 text (default: the standard-library docstrings).
    max_tokens : int
        Tokens read from the text, ≥ 64.

    Returns
    -------
    law : EstimatedLaw
        The bin's estimated law of D = 1 − ⟨q̂, k̂⟩.
    beta : float
        The bin's β (``BETA_DEFINITION``).
    record : dict
        The bin record of :func:`~attnlimits.models.binned_laws`, without the law.

    Raises
    ------
    InputError
        When no bin of the head has enough pooled distances.
    """
    from .._validation import InputError

    res = head_bins(model, text_path, layers=[layer], heads=[head], max_tokens=max_tokens, exact=False, keep_laws=True,
                    sinks=False)
    bins = [b for b in res["heads"][0]["bins"] if b["estimated"]]
    if not bins:
        raise InputError(f"invalid max-tokens={max_tokens}: no position bin of layer {layer} head {head} has "
                         f"{res['min_distances']} pooled distances; expected a longer text or more tokens")
    best = dict(bins[-1])
    return best.pop("law"), best["beta"], best


def iso_schedules(model="minilm", text_path=None, *, layers=None, heads=None, ns=(2048, 32768), n_train=None,
                  max_tokens: int = 8192, shared: dict | None = None) -> dict:
    """Per head: the iso-selectivity schedule of its estimated law (largest position bin) from its own β at T,
    beside every practical rule (:func:`attnlimits.schedules.schedule_table`).

    Parameters
    ----------
    model : str, path or LoadedModel
        As in :func:`head_bins`.
    text_path : path, optional
        UTF-8 text (default: the standard-library docstrings).
    layers, heads : list of int, optional
        Default all.
    ns : sequence of int
        Context lengths n at which to evaluate the schedules.
    n_train : int, optional
        Training length T, ≥ 2 (default the model's maximum positions).
    max_tokens : int
        Tokens read from the text.
    shared : dict, optional
        As in :func:`head_bins`.

    Returns
    -------
    dict
        ``model``, ``n_train`` (default the model's maximum positions), ``n``, ``beta_definition`` and ``heads``:
        per head ``layer``, ``head``, ``alpha`` (of its law, with ``alpha_ci``), ``beta_train``,
        ``max_weight_train`` and ``rows`` (per n: ``beta_iso``, ``beta_iso_eff``, ``beta_half`` and ``rules``:
        name → ``multiplier``, ``beta``, ``max_weight``, ``regime``).
    """
    from ..schedules import schedule_table

    lm = shared_model(model, shared)
    res = head_bins(lm, text_path, layers=layers, heads=heads, max_tokens=max_tokens, exact=False, keep_laws=True,
                    shared=shared, sinks=False)
    n_train = lm.max_tokens if n_train is None else check_int("n-train", n_train, minimum=2)
    out = []
    for h in res["heads"]:
        bins = [b for b in h["bins"] if b["estimated"]]
        if not bins:
            continue
        b = bins[-1]
        table = schedule_table(b["law"], n_train, list(ns), b["beta"], beta_train_source="model")
        rows = [{"n": r["n"], "beta_iso": r["beta_iso"], "beta_iso_eff": r["beta_iso_eff"], "beta_half": r["beta_half"],
                 "rules": r["rules"]} for r in table["rows"]]
        out.append({"layer": h["layer"], "head": h["head"], "alpha": b["alpha"], "alpha_ci": b["alpha_ci"],
                    "bin": [b["n_lo"], b["n_hi"]], "beta_train": table["beta_train"],
                    "max_weight_train": table["max_weight_train"], "rows": rows})
    return {"model": res["model"], "n_train": n_train, "n": list(ns), "beta_definition": BETA_DEFINITION, "heads": out}
