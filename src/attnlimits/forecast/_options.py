"""The forecast's options: bins, fitting windows, bootstrap sizes, and the variants it runs (:ref:`theory-sinks`).

Every option is fixed before any target bin is looked at; the one choice made from data (which sink-aware
variant is *selected*) is made on the validation split of the fitting data alone (:mod:`._run`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .._validation import InputError, check_int, check_real

__all__ = ["ForecastOptions", "KINDS", "SINK_VARIANTS"]

#: The forecast kinds, in report order ("oracle-*" use the target bin's own law, β and sinks).
KINDS = ("persistence", "iid", "sink", "drift", "oracle-iid", "oracle-sink")
#: The sink-aware variants among which the validation split selects one.
SINK_VARIANTS = ("sink", "drift")


@dataclass(frozen=True)
class ForecastOptions:
    """Options of one forecast run.

    Parameters
    ----------
    origin : (int, int)
        The fitting bin [lo, hi) of the visible count n: persistence is its measured mean; the law, β, the
        (β_q, S_q) pairs and the sinks are fitted there.
    targets : tuple of (int, int)
        Target bins [lo, hi) of n (each lo ≥ origin hi: nothing of a target enters a fit).
    validation_origin : (int, int)
        The fitting bin of the validation split; its target is ``origin`` (choose the variant there).
    trend_octaves : int
        The drift trend (sink logit β_q·S_q linear in log n, per sink) is fitted on the queries with
        n ∈ [origin lo / 2^(octaves − 1), origin hi).
    pooled_queries : int
        Queries (evenly spaced over the bin) whose distances are pooled for a law.
    beta_groups : int
        The sink-aware theory groups the queries into this many quantile groups of β_q and evaluates each
        group at its median β (keeping every query's sink logit β_q·S_q exact): the cost is one quadrature
        per group (:func:`attnlimits.theory.sink_expectations` at ≤ 9 distinct β).
    oracle_queries : int
        Queries sampled (seeded) from a target bin for the oracle's (β_q, S_q) pairs.
    resamples : int
        Block-bootstrap resamples over the fitting window (each refits everything).
    block : int
        Consecutive queries per bootstrap block in the fitting window.
    measure_block : int
        Consecutive queries per block of the measured means' block SE in the target bins.
    sink_threshold : float
        A position is a sink when its mean weight from queries ≥ 64 positions later is at least this (the
        first token always is one).
    level : float
        Nominal coverage of the intervals.
    seed : int
        Root seed of the bootstrap and of the oracle's query sample.
    variants : tuple of str
        The sink-aware variants run (a non-empty subset of :data:`SINK_VARIANTS`); every one is reported and
        the validation split selects one.
    """

    origin: tuple = (256, 512)
    targets: tuple = ((2048, 4096), (4096, 8192))
    validation_origin: tuple = (128, 256)
    trend_octaves: int = 2
    pooled_queries: int = 32
    beta_groups: int = 4
    oracle_queries: int = 256
    resamples: int = 10
    block: int = 16
    measure_block: int = 64
    sink_threshold: float = 0.05
    level: float = 0.95
    seed: int = 0
    variants: tuple = field(default=SINK_VARIANTS)

    def __post_init__(self):
        def pair(name, v):
            try:
                lo, hi = (int(x) for x in v)
            except (TypeError, ValueError):
                raise InputError(f"invalid {name}={v!r}: expected a bin [lo, hi) of two integers") from None
            if not 1 <= lo < hi:
                raise InputError(f"invalid {name}=[{lo}, {hi}): expected 1 ≤ lo < hi")
            return lo, hi

        object.__setattr__(self, "origin", pair("origin", self.origin))
        object.__setattr__(self, "validation_origin", pair("validation_origin", self.validation_origin))
        object.__setattr__(self, "targets", tuple(pair("targets", t) for t in self.targets))
        if not self.targets:
            raise InputError("invalid targets=(): expected at least one target bin")
        for lo, _ in self.targets:
            if lo < self.origin[1]:
                raise InputError(f"invalid targets: bin starting at n = {lo} overlaps the fitting bin "
                                 f"[{self.origin[0]}, {self.origin[1]}); expected lo ≥ {self.origin[1]}")
        if self.validation_origin[1] > self.origin[0]:
            raise InputError(f"invalid validation_origin={list(self.validation_origin)}: expected it below the "
                             f"fitting bin (hi ≤ {self.origin[0]})")
        for name, lo in (("trend_octaves", 1), ("pooled_queries", 2), ("beta_groups", 1), ("oracle_queries", 2),
                         ("resamples", 2), ("block", 1), ("measure_block", 1)):
            check_int(name.replace("_", "-"), getattr(self, name), minimum=lo)
        if self.beta_groups > 9:
            raise InputError(f"invalid beta-groups={self.beta_groups}: expected at most 9 (one quadrature each)")
        check_real("sink-threshold", self.sink_threshold, lower=0.0, upper=1.0, lower_open=True)
        check_real("level", self.level, lower=0.0, upper=1.0, lower_open=True, upper_open=True)
        bad = [v for v in self.variants if v not in SINK_VARIANTS]
        if bad or not self.variants:
            raise InputError(f"invalid variants={list(self.variants)!r}: expected a non-empty subset of "
                             f"{list(SINK_VARIANTS)}")

    @property
    def window_tokens(self) -> int:
        """Tokens a context must hold for every target bin: the largest target hi."""
        return max(hi for _, hi in self.targets)

    def to_dict(self) -> dict:
        """The options as plain JSON values."""
        out = asdict(self)
        out["origin"], out["validation_origin"] = list(self.origin), list(self.validation_origin)
        out["targets"] = [list(t) for t in self.targets]
        out["variants"] = list(self.variants)
        return out
