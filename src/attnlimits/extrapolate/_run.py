"""The experiment: a decoder trained at T read on windows of 2T tokens under each recipe; the mean next-token loss
on query positions [T, 2T) and [0, T), paired across recipes on the same tokens, with the selectivity each
recipe leaves per head and an exactness check of the attention it applies.

Order of work (every choice is frozen, and recorded with its hash, before the first loss is computed):

1. the text is tokenised; its first T tokens are the schedule range, then ``windows`` windows of 2T tokens
   follow, disjoint;
2. the iso schedules (:func:`~attnlimits.extrapolate.estimate_schedule`) come from the schedule range only, on the model with
   YaRN's frequencies and attention factor 1;
3. each window runs once per recipe (one forward pass, SDPA with the recipe's query table, losses from the final
   hidden states in chunks); the first window also hooks the q/k projections of three layers and records
   whole probability rows for the exactness check.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import time

import numpy as np

from .._json import canonical_json
from .._validation import InputError, check_int
from ._paired import BLOCK, block_sums, loss_summary
from ._recipes import (FACTOR, LLAMA4_NOTE, RECIPES, REFERENCE, logit_multipliers, parse_recipes, query_multipliers,
                       recipe_rope)
from ._schedule import ROW_NODES, SCHEDULE_POINTS

__all__ = ["run_extrapolation", "check_decoder", "window_ranges", "MIN_TRAIN_LENGTH"]

#: Smallest T: the audit reads at least 64 tokens, and 16 schedule nodes in (T, 2T] must be distinct.
MIN_TRAIN_LENGTH = 64


def check_decoder(lm) -> dict:
    """Refuse a model the recipes cannot be applied to; return its plain RoPE parameters.

    Parameters
    ----------
    lm : LoadedModel
        A loaded model.

    Returns
    -------
    dict
        The model's ``rope_parameters`` (``rope_type`` ``default``).

    Raises
    ------
    InputError
        Not a decoder; no single rotary embedding; RoPE already scaled or differing by layer type (the recipes
        extend a model trained with plain RoPE); soft-capped logits (SDPA has no soft-cap).
    """
    if not lm.causal:
        raise InputError(f"invalid model={lm.name!r}: extrapolate needs a causal decoder (a trained length T)")
    net = lm.model
    rope = dict(getattr(net.config, "rope_parameters", None) or {})
    if not hasattr(net, "rotary_emb") or any(isinstance(v, dict) for v in rope.values()):
        raise InputError(f"invalid model={lm.name!r}: its RoPE differs by layer type (or it has no single rotary "
                         "embedding); the recipes replace one RoPE configuration")
    kind = rope.get("rope_type", "default")
    if kind != "default":
        raise InputError(f"invalid model={lm.name!r}: its RoPE is already scaled (rope_type {kind!r}); the recipes "
                         "extend a model trained with plain RoPE (rope_type 'default')")
    if any(s.softcap is not None for s in lm.specs):
        raise InputError(f"invalid model={lm.name!r}: it soft-caps its attention logits; the recipes run on SDPA, "
                         "which has no soft-cap")
    return rope


def window_ranges(total: int, n_train: int, windows: int, bos: int = 0) -> list:
    """The text-token ranges of the evaluation windows: after the schedule range [0, T), consecutive windows of
    2T − bos text tokens (the window adds the BOS where the tokenizer does).

    Parameters
    ----------
    total : int
        Tokens of the text.
    n_train : int
        T.
    windows : int
        Windows wanted.
    bos : int
        1 when each window starts with a BOS token, else 0.

    Returns
    -------
    list of [start, stop]
        One per window.

    Raises
    ------
    InputError
        When the text is too short for T + windows·(2T − bos) tokens.

    Examples
    --------
    >>> window_ranges(1000, 64, 2)
    [[64, 192], [192, 320]]
    """
    body = 2 * n_train - bos
    need = n_train + windows * body
    if total < need:
        fit = (total - n_train) // body
        raise InputError(f"invalid train-length={n_train}: the text gives {total:,} tokens; T + windows·2T = "
                         f"{need:,} are needed ({max(fit, 0)} window(s) of {2 * n_train:,} fit after the schedule "
                         "range); use a smaller --train-length or --windows, or a longer --text")
    return [[n_train + k * body, n_train + (k + 1) * body] for k in range(windows)]


def _device(device: str):
    import torch

    text = str(device)
    if text not in ("cpu", "cuda") and not text.startswith("cuda:"):
        raise InputError(f"invalid device={text!r}: expected cpu or cuda")
    if text.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"invalid device={text!r}: torch sees no CUDA device here; expected cpu")
    return torch.device(text)


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)


def run_extrapolation(model, n_train: int, *, windows: int = 1, recipes=None, text_path="pydoc-topics",
                      device: str = "cpu", seed: int = 0, queries: int | None = None, schedule_queries: int = 64,
                      points: int = SCHEDULE_POINTS, tol: float | None = None, workers: int | None = None,
                      row_nodes: int | None = ROW_NODES, check: bool = True, progress=None) -> dict:
    """Evaluate a decoder past its trained length T under context-extension recipes (module docstring).

    Parameters
    ----------
    model : str, path or LoadedModel
        A plain-RoPE decoder ('smollm2', a GGUF file, a Hugging Face directory) or one already loaded.
    n_train : int
        T (≥ 64): windows hold 2T tokens.
    windows : int
        Evaluation windows.
    recipes : str or list of str, optional
        Recipe names (:data:`~attnlimits.extrapolate.RECIPES`; default all); ``yarn`` is always added (the reference).
    text_path : str or path
        A named text or a UTF-8 file.
    device : str
        ``cpu`` or ``cuda`` (the schedule is estimated on the CPU first).
    seed : int
        Root seed: the schedule's query samples and the max-weight rows of each window.
    queries : int, optional
        Query rows per window whose max weight is read, in [T/2, T) and again in [T, 2T) (≤ T/2; default
        min(64, T/2)).
    schedule_queries : int
        Queries per head of the schedule's audit.
    points : int
        Schedule nodes in (T, 2T].
    tol : float, optional
        The audit's accuracy of each E[max weight].
    workers : int, optional
        Forked processes for the schedule audit's per-head work (default 2 on 2+ cores; no value depends on it).
    row_nodes : int, optional
        Exact roots per head at this many nodes, interpolated to the schedule's (:func:`~attnlimits.extrapolate.estimate_schedule`).
    check : bool
        Run the exactness check in the first window.
    progress : callable, optional
        ``progress(done, total, stage)``.

    Returns
    -------
    dict
        ``model``, ``source``, ``text``, ``n_train``, ``window_tokens``, ``frozen`` (every choice) and
        ``frozen_sha256``, ``schedule``, ``recipes`` (per recipe: ``description``, ``loss_long`` and
        ``loss_short`` with ``mean``, ``se``, ``tokens``, ``blocks``, ``diff`` from yarn {``mean``, ``se``},
        ``multiplier`` (M at n = T + 1 and 2T, median over heads), ``max_weight``, ``seconds``), ``windows`` (per
        window its range and each recipe's mean losses), ``check`` (per recipe, first window), ``notes`` and
        ``timings`` (``schedule``, ``total``, ``peak_rss_mb``, ``peak_cuda_mb``).
    """
    import torch

    from .._fork import default_workers
    from ..models._extract import shared_model
    from ..models._text import read_text, text_record
    from ._attention import applied
    from ._check import attention_check, check_rows, projection_hooks
    from ._loss import lm_head, token_losses
    from ._record import AttentionRecorder, sample_rows
    from ._schedule import estimate_schedule, iso_nodes
    from ._summary import max_weight_summary

    start = time.perf_counter()
    T = check_int("train-length", n_train, minimum=MIN_TRAIN_LENGTH)
    windows = check_int("windows", windows, minimum=1)
    queries = check_int("queries", min(64, T // 2) if queries is None else queries, minimum=2, maximum=T // 2)
    workers = check_int("workers", default_workers() if workers is None else workers, minimum=1)
    names = parse_recipes(recipes)
    dev = _device(device)
    iso_nodes(T, points)  # refuses T and points that give repeated nodes, before any work
    lm = shared_model(model)
    base_rope = check_decoder(lm)
    text = read_text(text_path)
    ids = lm.tokenizer(text, add_special_tokens=False)["input_ids"]
    bos_id = getattr(lm.tokenizer, "bos_token_id", None)
    bos = [bos_id] if bos_id is not None and lm.tokenizer("a", add_special_tokens=True)["input_ids"][:1] == [bos_id] \
        else []
    ranges = window_ranges(len(ids), T, windows, len(bos))
    L = 2 * T
    layers_checked = sorted({0, lm.layers // 2, lm.layers - 1})
    samples = [sample_rows(T, queries, seed, w) for w in range(windows)]
    iso = [n for n in names if RECIPES[n].query.startswith("iso")]
    frozen = {
        "model": {"name": lm.name, "model_type": lm.model_type, "path": str(lm.path),
                  "source": getattr(lm, "source", None)},
        "text": text_record(text_path),
        "recipes": {n: {**RECIPES[n].to_dict(), "rope_parameters": recipe_rope(n, base_rope, T)} for n in names},
        "reference": REFERENCE, "n_train": T, "factor": FACTOR, "window_tokens": L, "bos": bool(bos),
        "model_rope_parameters": base_rope,
        "token_ranges": {"schedule": [0, T] if iso else None, "windows": ranges, "text_tokens": len(ids)},
        "loss": {"long": [T, L - 1], "short": [0, T], "block": BLOCK,
                 "position": "query position p predicts token p + 1; n = p + 1 keys"},
        "max_weight": {"queries": queries, "seed": seed, "ranges": [[T // 2, T], [T, L]],
                       "rows": [[s.tolist(), lg.tolist()] for s, lg in samples]},
        "check": {"enabled": bool(check), "window": 0, "layers": layers_checked, "rows": check_rows(T).tolist()},
        "schedule_options": {"points": points, "queries": schedule_queries, "tol": tol, "seed": seed,
                             "row_nodes": row_nodes, "per_head": "yarn_iso" in names} if iso else None,
        "device": str(dev), "dtype": "float32",
    }
    schedule = None
    t0 = time.perf_counter()
    if iso:
        stage = None if progress is None else (lambda d, t, s: progress(d, t, f"schedule: {s}"))
        schedule = estimate_schedule(lm, text_path, T, points=points, queries=schedule_queries, tol=tol, seed=seed,
                                     per_head="yarn_iso" in names, workers=workers, row_nodes=row_nodes,
                                     progress=stage)
        frozen["schedule"] = {k: v for k, v in schedule.record.items() if k not in ("timings", "workers")}
    schedule_seconds = time.perf_counter() - t0
    frozen_sha = hashlib.sha256(canonical_json(frozen).encode()).hexdigest()

    home = next(lm.model.parameters()).device
    lm.model.to(dev)
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    head = lm_head(lm)
    sums = {part: {n: [] for n in names} for part in ("long", "short")}
    counts = {"long": [], "short": []}
    mw_short = {n: [] for n in names}
    mw_long = {n: [] for n in names}
    seconds = {n: 0.0 for n in names}
    per_window, checks = [], {}
    total, done = windows * len(names), 0
    try:
        for w, (lo, hi) in enumerate(ranges):
            window_ids = torch.as_tensor(bos + ids[lo:hi], dtype=torch.long, device=dev)
            short_rows, long_rows = samples[w]
            rows = np.concatenate([short_rows, long_rows])
            entry = {"index": w, "tokens": [lo, hi], "loss_long": {}, "loss_short": {}}
            for name in names:
                rope = recipe_rope(name, base_rope, T)
                g = query_multipliers(name, T, L, lm.heads, schedule)
                checking = check and w == 0
                rec = AttentionRecorder(rows=rows, check_rows=check_rows(T) if checking else None,
                                        check_layers=layers_checked if checking else ())
                t1 = time.perf_counter()
                with applied(lm, rope=rope, multipliers=g, recorder=rec, attention=True), \
                        projection_hooks(lm, layers_checked if checking else ()) as store, torch.no_grad():
                    hidden = lm.model(input_ids=window_ids[None], use_cache=False).last_hidden_state[0]
                    losses = token_losses(hidden, window_ids, head)
                    del hidden
                    if checking:
                        checks[name] = attention_check(lm, rec, store, name, rope, T, schedule)
                seconds[name] += time.perf_counter() - t1
                for part, (a, b) in (("long", (T, L)), ("short", (0, T))):
                    s, c = block_sums(losses, a, b)
                    sums[part][name].append(s)
                    if name == names[0]:
                        counts[part].append(c)
                    entry[f"loss_{part}"][name] = float(s.sum() / c.sum())
                mw = np.stack([rec.max_weight[i] for i in range(lm.layers)])  # (layers, heads, rows)
                mw_short[name].append(mw[..., :short_rows.size])
                mw_long[name].append(mw[..., short_rows.size:])
                done += 1
                if progress is not None:
                    progress(done, total, "windows × recipes")
            per_window.append(entry)
    finally:
        lm.model.to(home)
    result_losses = {part: loss_summary({n: np.concatenate(sums[part][n]) for n in names},
                                        np.concatenate(counts[part]), REFERENCE) for part in ("long", "short")}
    mws = max_weight_summary({n: np.concatenate(mw_short[n], axis=-1) for n in names},
                             {n: np.concatenate(mw_long[n], axis=-1) for n in names}, "none")
    out_recipes = {}
    for name in names:
        M = logit_multipliers(name, T, L, lm.heads, schedule)
        at = lambda n: float(np.median(M[..., n - 1]))  # noqa: E731
        out_recipes[name] = {"description": RECIPES[name].description, "loss_long": result_losses["long"][name],
                             "loss_short": result_losses["short"][name],
                             "multiplier": {"T+1": at(T + 1), "2T": at(L), "T": at(T)},
                             "max_weight": mws[name], "seconds": seconds[name],
                             "seconds_per_window": seconds[name] / windows}
    notes = []
    asked = None if recipes is None else [s.strip() for s in (recipes.split(",") if isinstance(recipes, str)
                                                              else recipes)]
    if asked is not None and REFERENCE not in asked:
        notes.append(f"{REFERENCE} added: every recipe's paired difference is taken from it")
    if "yarn_llama4" in names:
        notes.append(LLAMA4_NOTE)
    sched = None
    if schedule is not None:
        sched = dict(schedule.record)
        if "yarn_iso" in names and sched.get("fallback_heads"):
            notes.append(f"{sched['fallback_heads']} of {lm.layers * lm.heads} heads had no per-head schedule "
                         "(their audit failed) and take the uniform one in yarn_iso (schedule.heads gives why)")
    timings = {"schedule": schedule_seconds, "total": time.perf_counter() - start, "peak_rss_mb": _peak_rss_mb(),
               "peak_cuda_mb": (torch.cuda.max_memory_allocated(dev) / 2**20 if dev.type == "cuda" else None)}
    return {"model": lm.name, "model_type": lm.model_type, "source": getattr(lm, "source", None),
            "text": frozen["text"], "n_train": T, "window_tokens": L, "windows_run": windows,
            "reference": REFERENCE, "frozen": frozen, "frozen_sha256": frozen_sha, "schedule": sched,
            "recipes": out_recipes, "windows": per_window, "check": checks if check else None,
            "check_passed": (all(c["passed"] for c in checks.values()) if check else None), "notes": notes,
            "timings": timings}
