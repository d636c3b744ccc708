"""Where each practical rule lands against the selectivity-preserving schedule (:ref:`theory-scales`, :ref:`theory-effective-exponent`, :ref:`theory-exact-identities`, :ref:`theory-extreme-value`)."""

from __future__ import annotations

from .._validation import InputError, check_int, check_real
from ._iso import beta_iso, beta_iso_eff, beta_iso_first_order
from ._rules import RULES

__all__ = ["schedule_table"]


def schedule_table(law, n_train, ns, beta_train=None, *, beta_train_source: str | None = None) -> dict:
    """β each rule applies at each n, the iso-selectivity schedule, and the regime and E[max weight] of each.

    Parameters
    ----------
    law : KeyLaw
        Key law with an exact distance CDF (uniform in dimension d, or an :class:`~attnlimits.laws.EstimatedLaw`).
    n_train : int
        Training length T.
    ns : sequence of int
        Visible context lengths.
    beta_train : float, optional
        The head's β at T; default β_{1/2}(T), the exact scale at which E[max weight] = 1/2 at T (never β*_T,
        which at d = 64 is deep in the subcritical regime).
    beta_train_source : str, optional
        What ``beta_train`` is (e.g. "model: ‖q‖·median‖k‖·scale"), recorded in the result.

    Returns
    -------
    dict
        ``n_train``, ``beta_train``, ``beta_train_source``, ``lambda_train`` (β_train/β*_T),
        ``beta_half_train``, ``max_weight_train`` (the exact E[max weight] at (T, β_train): the selectivity to
        keep), ``alpha_eff_train``, ``t_train``, and ``rows``: per n, ``beta_star`` (β*_n), ``beta_half``
        (β_{1/2}(n)), ``alpha_eff`` and ``t_n`` (:ref:`theory-effective-exponent`), ``beta_iso`` (exact: E[max w](n, β_iso) =
        ``max_weight_train``), ``beta_iso_eff`` (closed form λ̃ matched in PK(α_n), corrected for α_n),
        ``beta_iso_first_order`` (β_train·t_T/t_n), ``pre_asymptotic``, and ``rules``: for ``none`` (β_train
        unchanged), ``iso`` (β_iso) and each practical rule, its ``multiplier``, ``beta``, ``max_weight``
        (exact E[max weight]) and ``regime``.
    """
    from ..theory import (beta_half, critical_beta, effective_exponent, expected_max_weight, expected_max_weights,
                          pre_asymptotic)
    from ..theory._scales import REGIME_THRESHOLD

    n_train = check_int("n-train", n_train, minimum=2)
    ns = [check_int("n", n, minimum=2) for n in ns]
    if not ns:
        raise InputError("invalid n=[]: expected at least one context length")
    bhalf_t = float(beta_half(law, n_train))
    at_half = beta_train is None  # then E[max w](T, β_train) = 1/2 and β_iso(n) is β_1/2(n) by definition
    if at_half:
        beta_train, beta_train_source = bhalf_t, beta_train_source or "β_1/2(T): E[max weight] = 1/2 at T"
    beta_train = check_real("beta-train", beta_train, lower=0.0, lower_open=True)
    eff_t = effective_exponent(law, n_train)
    m_train = float(expected_max_weight(law, n_train, beta_train))
    rows = []
    for n in ns:
        eff = effective_exponent(law, n)
        b_eff = beta_iso_eff(law, n, n_train, beta_train)
        b_iso = beta_iso(law, n, n_train, beta_train, guess=b_eff)
        # at the default β_train the iso equation is the one β_1/2(n) solves: one root, not two
        b_half = b_iso if at_half else float(beta_half(law, n))
        row = {"n": n, "beta_star": float(critical_beta(law, n)), "beta_half": b_half,
               "alpha_eff": eff.alpha_eff, "t_n": eff.t_n, "beta_iso": b_iso, "beta_iso_eff": b_eff,
               "beta_iso_first_order": beta_iso_first_order(law, n, n_train, beta_train),
               "pre_asymptotic": bool(pre_asymptotic(law, n))}
        betas = {"none": beta_train, "iso": b_iso}
        betas.update({name: beta_train * float(f(n, n_train)) for name, f in RULES.items()})
        # every rule's E max w at this n in one batch (ascending β, the direct integral below 1/2); the regime
        # is regime()'s classification of that same value
        reach = {name: b for name, b in betas.items() if b == b}
        mw = dict(zip(reach, expected_max_weights(law, n, list(reach.values())).tolist()))
        row["rules"] = {name: {"multiplier": b / beta_train, "beta": b,
                               "max_weight": mw[name] if b == b else float("nan"),
                               "regime": _regime(mw[name], REGIME_THRESHOLD) if b == b else "unreachable"}
                        for name, b in betas.items()}
        rows.append(row)
    return {"n_train": n_train, "beta_train": beta_train, "beta_train_source": beta_train_source or "given",
            "lambda_train": beta_train / float(critical_beta(law, n_train)), "beta_half_train": bhalf_t,
            "max_weight_train": m_train,
            "alpha_eff_train": eff_t.alpha_eff, "t_train": eff_t.t_n, "law": law.spec, "d": law.d, "rows": rows}


def _regime(max_weight: float, threshold: float) -> str:
    """:func:`attnlimits.theory.regime` from its E max w (:ref:`theory-scales`)."""
    if max_weight < threshold:
        return "subcritical"
    if max_weight > 1.0 - threshold:
        return "supercritical"
    return "critical"
