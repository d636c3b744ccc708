"""Bracketing a root of an increasing function of log β, shared by the β_1/2 searches (:mod:`._scales`,
:mod:`._sinks`)."""

from __future__ import annotations

__all__ = ["bracket_increasing"]


def bracket_increasing(f, lo: float, hi: float, *, step: float = 2.0, max_steps: int = 200):
    """An interval [lo, hi] with f(lo) < 0 < f(hi) for an increasing f, found by moving each end outwards in
    steps of ``step`` (at most ``max_steps`` each); None where no sign change is found.

    Parameters
    ----------
    f : callable
        Increasing function of one float.
    lo, hi : float
        Starting interval, lo < hi.
    step : float
        Step by which an end moves outwards.
    max_steps : int
        Most steps per end.

    Returns
    -------
    tuple or None
        (lo, hi, f(lo), f(hi)), or None.
    """
    flo, fhi = f(lo), f(hi)
    for _ in range(max_steps):
        if flo < 0.0:
            break
        hi, fhi = lo, flo
        lo -= step
        flo = f(lo)
    for _ in range(max_steps):
        if fhi > 0.0:
            break
        lo, flo = hi, fhi
        hi += step
        fhi = f(hi)
    return (lo, hi, flo, fhi) if flo < 0.0 < fhi else None
