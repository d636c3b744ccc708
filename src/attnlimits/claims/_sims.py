"""Cached simulations that several claims share (one work unit each, stored in the run's store), and the
replicate statistics they report."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["mean_se", "critical_sim", "critical_n_exact", "subcritical_sim", "cases_text"]

_D = 3
#: Mass above which a key counts as holding a macroscopic share (``critical-no-collapse``).
MASS = 0.01


def mean_se(values) -> tuple[float, float]:
    """(mean, SE) of i.i.d. replicate values: the sample mean and sd/√R (ddof = 1)."""
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))


def critical_n_exact(ctx) -> int:
    """n of the exact-engine runs at the critical scale (compared with the exact finite-n values)."""
    return 2_000 if ctx.quick else 10_000


def critical_sim(ctx, method: str, n: int, lam: float, samples: int) -> dict:
    """One cached simulation at β = λβ*_n (d = 3) shared by ``critical-constant`` and ``critical-no-collapse``:
    per-replicate max weight, IPR and the count of weights ≥ 1%."""
    from ..engine import simulate
    from ..laws import UniformSphere

    def unit():
        res = simulate(UniformSphere(_D), n, lam=lam, samples=samples, seed=ctx.seed_for("critical", method, n, lam),
                       method=method, k=64, output=False, workers=ctx.workers, progress=ctx.progress)
        count = (res.top_weights >= MASS).sum(axis=1)
        return {"beta": res.beta, "max_weight": res.values["max_weight"].tolist(), "ipr": res.values["ipr"].tolist(),
                "count": count.tolist()}

    return ctx.cached(("critical-sim", method, n, lam, samples), unit)


def subcritical_sim(ctx, d, n, beta, samples, output) -> dict:
    """One cached exact simulation of uniform keys below the critical scale, shared by ``sub-lln-bias`` and
    ``sub-clt``: per-replicate ⟨q,O⟩, the defect β(1 − ⟨q,O⟩) and, with ``output``, |P⊥O|²."""
    from ..engine import simulate
    from ..laws import UniformSphere

    def unit():
        res = simulate(UniformSphere(d), n, beta, samples=samples, seed=ctx.seed_for("sub", d, n, beta),
                       output=output, workers=ctx.workers, progress=ctx.progress)
        out = {"inner": res.values["inner"].tolist(), "defect": res.values["defect"].tolist()}
        if output:
            out["tangent_sq"] = res.values["tangent_sq"].tolist()
        return out

    return ctx.cached(("sub-sim", d, n, beta, samples, output), unit)


def cases_text(cases, digits: int = 4) -> str:
    """The report's sentence on cases: "case: measured ± 95% half-width against predicted (verdict); …"."""
    return "; ".join(f"{c.case}: {c.measured:.{digits}g} ± {1.96 * c.se:.2g} against {c.predicted:.{digits}g} "
                     f"({c.verdict})" for c in cases) + "."
