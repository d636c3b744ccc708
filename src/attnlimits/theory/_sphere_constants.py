"""The local exponent and constant of uniform keys, and the critical scale, without scipy (:ref:`theory-model` to :ref:`theory-scales`).

They sit apart from :mod:`._special` so that building a key law and turning λ into β = λ·β*_n imports numpy
only: a simulation by β or λ never loads scipy (about 0.5 s of start-up).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["uniform_alpha", "log_uniform_constant", "log_critical_beta"]


def uniform_alpha(d: int) -> float:
    """Local exponent α = (d−1)/2 of D = 1 − ⟨q,K⟩ for K uniform on S^{d−1} (:ref:`theory-model`)."""
    return (d - 1) / 2.0


def log_uniform_constant(d: int) -> float:
    """log c_d, with c_d = 2^{α−1}/(α·B(1/2, α)) the constant in F(t) ~ c_d t^α (:ref:`theory-model`).

    Computed from ``math.lgamma``: c_d itself overflows past d ≈ 2049.

    >>> round(math.exp(log_uniform_constant(3)), 12)
    0.5
    """
    a = uniform_alpha(d)
    log_b = math.lgamma(0.5) + math.lgamma(a) - math.lgamma(a + 0.5)
    return float((a - 1.0) * np.log(2.0) - np.log(a) - log_b)


def log_critical_beta(alpha: float, log_c: float, n) -> float:
    """log β*_n with β*_n = (c·n)^{1/α} (:ref:`theory-scales`), in logs so no intermediate overflows."""
    return (log_c + np.log(float(n))) / alpha
