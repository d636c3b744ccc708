"""``attnlimits theory``: every prediction of the theory for one setting (:ref:`theory-scales` to :ref:`theory-exact-identities`); no simulation."""

from __future__ import annotations

import click

from .._validation import check_real
from ._common import _Real, build_law, setting_options, print_json, print_table

#: A fixed key's score in the units of <q,K>: any finite real.
SINK = _Real(lambda value, name: check_real(name, value))

_LABELS = {
    "alpha": "local exponent α",
    "c": "local constant c",
    "log_c": "log c",
    "critical_beta": "critical scale β*_n = (c n)^{1/α}",
    "beta_half": "β_1/2(n): exact E max w = 1/2",
    "lam": "λ = β/β*_n",
    "regime": "regime (exact E max w)",
    "pre_asymptotic": "pre-asymptotic (n F(1/β*_n) ∉ [0.5, 2])",
    "n_effective": "competing keys n F(1/β)",
    "expected_ipr": "E IPR (exact, this n)",
    "expected_max_weight": "E max weight (exact)",
    "expected_inner": "E<q,O> (exact)",
    "expected_defect": "E β(1 − <q,O>) (exact)",
    "inner_limit": "LLN <q,O> → A(β)",
    "tangent_var_limit": "CLT tangent variance σ⊥²",
    "radial_var_limit": "CLT radial variance σ∥²",
    "ipr_limit": "Poisson–Kingman E IPR at λ",
    "max_weight_limit": "Poisson–Kingman E W_1 at λ",
    "alpha_eff": "effective exponent α_n at F(t_n) = 1/n",
    "critical_beta_eff": "effective scale β̃*_n = 1/t_n",
    "lam_eff": "λ̃ = β t_n",
    "max_weight_eff": "effective-law E W_1 at λ̃ (2nd order)",
    "beta_half_eff": "effective-law β_1/2 (2nd order)",
    "heat_rate": "heat rate per step ℓ(ℓ+d−2)/β, ℓ = 2",
}

#: Labels of the rows that see the sinks, when there are some.
_SINK_LABELS = {
    "beta_half": "β_1/2(n): E max w = 1/2, with sinks",
    "regime": "regime (exact E max w, with sinks)",
    "expected_max_weight": "E max weight, all keys (exact)",
    "expected_ipr": "E IPR, all keys (exact)",
}

#: Table rows in reading order: each effective value beside the paper's and the exact one.
_ROWS = ("alpha", "alpha_eff", "c", "log_c", "critical_beta", "critical_beta_eff", "beta_half", "beta_half_eff", "lam",
         "lam_eff", "regime", "pre_asymptotic", "n_effective", "expected_max_weight", "max_weight_eff",
         "max_weight_limit", "expected_ipr", "ipr_limit", "expected_inner", "inner_limit", "expected_defect",
         "tangent_var_limit", "radial_var_limit", "heat_rate")


@click.command("theory")
@setting_options
@click.option("--sink", "sinks", type=SINK, multiple=True,
              help="A fixed key's score S in the units of <q,K> (logit BETA*S; any finite real, S > 1 above every "
                   "random key; SPEC 2b); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def theory_command(d, n, beta, lam, law, sinks, as_json):
    """Predict max weight, IPR, <q,O>, the scales and the regime for N keys at BETA (or BETA = LAM * beta*_n)."""
    from .._setting import Setting

    setting = Setting(build_law(law, d), n, beta, lam=lam, sinks=sinks)
    out = setting.summary()  # d, n, beta, law, then PREDICT_KEYS (notes last)
    beta = setting.beta
    if as_json:
        print_json(out)
        return
    title = f"theory: {setting.law.spec} keys, d={d}, n={n:,}, β={beta:.6g}"
    if sinks:
        title += f", {len(sinks)} sink{'s' if len(sinks) > 1 else ''}"
    rows = []
    for k in _ROWS:
        v = out[k]
        label = _LABELS[k] if not sinks or k not in _SINK_LABELS else _SINK_LABELS[k]
        rows.append((label, ("yes" if v else "no") if isinstance(v, bool) else ("out of range: see notes" if v is None else v)))
        if sinks and k == "expected_max_weight":
            for s, w in zip(sinks, out["expected_sink_weight"]):
                rows.append((f"E sink weight, S = {s:.6g} (exact)", w))
            if len(sinks) > 1:
                rows.append(("E sinks' total weight (exact)", out["expected_sink_weight_total"]))
    print_table(title, ["statistic", "value"], rows)
    for note in out["notes"]:
        click.echo(f"note: {note}")
