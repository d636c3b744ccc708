"""What a simulation returns: per-replicate values of every statistic, read by attribute.

``res.max_weight`` is an :class:`Estimate` (mean, standard error, 95% normal interval, the per-replicate
values); ``res.to_dict()`` is the JSON record. A misspelt statistic raises ``AttributeError`` naming the ones
the run computed, where it is typed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Estimate", "SimulationResult"]

#: Two-sided 95% normal quantile for :attr:`Estimate.ci`.
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate of one statistic.

    Parameters
    ----------
    values : numpy.ndarray
        One value per replicate, in replicate order.

    Attributes
    ----------
    mean : float
        Mean over replicates.
    se : float
        Standard error of the mean, s/√samples (NaN with one replicate).
    ci : tuple of float
        95% normal interval mean ± 1.96·se (NaN ends with one replicate).
    """

    values: np.ndarray = field(repr=False)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def se(self) -> float:
        v = self.values
        return float(np.std(v, ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan

    @property
    def ci(self) -> tuple:
        m, s = self.mean, self.se
        return (m - _Z95 * s, m + _Z95 * s)

    def __repr__(self) -> str:
        return f"Estimate(mean={self.mean!r}, se={self.se!r})"


@dataclass
class SimulationResult:
    """Per-replicate values of every statistic computed by :func:`~attnlimits.engine.simulate`.

    Each statistic is an attribute giving an :class:`Estimate`, e.g. ``res.max_weight.mean``,
    ``res.max_weight.se``, ``res.max_weight.ci``; ``res.statistics`` lists them.

    Parameters
    ----------
    law : str
        The key law's spec string.
    d, n : int
        Dimension and number of keys.
    beta : float
        Inverse temperature β.
    lam : float or None
        λ = β/β*_n where β*_n is defined.
    samples : int
        Number of replicates.
    seed : int or list
        Root entropy of the run (and spawn key, where the root is a child).
    method : str
        The method that ran (``exact`` or ``orderstat``).
    values : dict
        ``{statistic: numpy array of one value per replicate}``.
    top_weights : numpy.ndarray
        (samples, k) largest weights per replicate, zero-padded where n < k.
    backend : str
        ``numpy`` or ``torch``.
    sinks : tuple of float
        Scores of the fixed keys beside the n random ones (:ref:`theory-sinks`); empty without.
    """

    law: str
    d: int
    n: int
    beta: float
    lam: float | None
    samples: int
    seed: int | list
    method: str
    values: dict = field(repr=False)
    top_weights: np.ndarray = field(repr=False)
    backend: str = "numpy"
    sinks: tuple = ()

    @property
    def statistics(self) -> tuple:
        """Names of the statistics this run computed, in report order."""
        return tuple(self.values)

    def __getattr__(self, name: str) -> Estimate:
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return Estimate(values[name])
        known = ", ".join(values) if values else "none"
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}; its statistics are {known}")

    def summary(self) -> dict:
        """Every statistic's mean and SE.

        Returns
        -------
        dict
            ``{stat: {"mean": float, "se": float or None}}`` (SE None with one replicate).
        """
        out = {}
        for stat, v in self.values.items():
            est = Estimate(v)
            out[stat] = {"mean": est.mean, "se": None if math.isnan(est.se) else est.se}
        return out

    def to_dict(self) -> dict:
        """The JSON record of the run.

        Returns
        -------
        dict
            The run's parameters, every statistic's mean and SE (:meth:`summary`) and the mean top weights.
        """
        out = {"d": self.d, "n": self.n, "beta": self.beta, "lam": self.lam, "samples": self.samples,
               "seed": self.seed, "law": self.law, "method": self.method, "backend": self.backend}
        if self.sinks:
            out["sinks"] = [float(x) for x in self.sinks]
        out.update(self.summary())
        out["top_weights"] = [float(x) for x in self.top_weights.mean(axis=0)]
        return out
