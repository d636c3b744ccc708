"""Where each practical rule lands against the critical schedule (SPEC §2, §5)."""

from __future__ import annotations

from .._validation import InputError, check_int, check_real
from ._rules import RULES

__all__ = ["schedule_table"]


def schedule_table(law, n_train, ns, beta_train=None) -> dict:
    """β each rule applies at each n, the critical schedules, and the regime each rule lands in.

    Parameters
    ----------
    law : KeyLaw
        Key law with an exact distance CDF (uniform in dimension D, or an :class:`~attnlimits.tails.EstimatedLaw`).
    n_train : int
        Training length T.
    ns : sequence of int
        Visible context lengths.
    beta_train : float, optional
        The model's β at T; default β*_T (λ = 1).

    Returns
    -------
    dict
        ``n_train``, ``beta_train``, ``lambda_train`` (β_train/β*_T), ``beta_half_train``, and ``rows``: per n,
        ``beta_star`` (β*_n), ``beta_half`` (β_{1/2}(n), exact E[max weight] = 1/2), ``critical`` (the schedule
        that keeps the model at its regime at T: β_train·β_{1/2}(n)/β_{1/2}(T), which is β_{1/2}(n) when
        β_train = β_{1/2}(T)), ``critical_asymptotic`` (λ fixed: β_train·β*_n/β*_T), ``pre_asymptotic``, and
        for each rule its ``beta``, ``max_weight`` (exact E[max weight]) and ``regime``; plus the same for
        ``critical`` and ``none`` (β_train unchanged).
    """
    from ..theory import beta_half, critical_beta, expected_max_weight, pre_asymptotic, regime

    n_train = check_int("n-train", n_train, minimum=2)
    ns = [check_int("n", n, minimum=2) for n in ns]
    if not ns:
        raise InputError("invalid n=[]: expected at least one context length")
    bstar_t = float(critical_beta(law, n_train))
    beta_train = bstar_t if beta_train is None else check_real("beta-train", beta_train, lower=0.0, lower_open=True)
    bhalf_t = float(beta_half(law, n_train))
    rows = []
    for n in ns:
        bstar = float(critical_beta(law, n))
        bhalf = float(beta_half(law, n))
        row = {"n": n, "beta_star": bstar, "beta_half": bhalf, "critical_asymptotic": beta_train * bstar / bstar_t,
               "pre_asymptotic": bool(pre_asymptotic(law, n))}
        betas = {"none": beta_train, "critical": beta_train * bhalf / bhalf_t}
        betas.update({name: beta_train * float(f(n, n_train)) for name, f in RULES.items()})
        row["critical"] = betas["critical"]
        row["rules"] = {name: {"multiplier": b / beta_train, "beta": b,
                               "max_weight": float(expected_max_weight(law, n, b)), "regime": regime(law, n, b)}
                        for name, b in betas.items()}
        rows.append(row)
    return {"n_train": n_train, "beta_train": beta_train, "lambda_train": beta_train / bstar_t,
            "beta_half_train": bhalf_t, "law": law.spec, "d": law.d, "rows": rows}
