"""What a claim gives and where it runs: its figures, its result, and the context of a run (the claim object
itself is ``attnlimits.claims._claim.Claim``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .._rng import as_seed_sequence, named_child

__all__ = ["ClaimResult", "Context", "Figure"]


@dataclass
class Figure:
    """A figure the report draws from numbers a claim computed (the report computes nothing).

    Parameters
    ----------
    name : str
        File name under the run's ``figures/`` folder (e.g. ``"phase.png"``).
    kind : str
        The drawing that draws it: the id of the claim whose :meth:`~attnlimits.claims.Claim.drawing` registered
        it (``ID:NAME`` for a claim's further figures); :func:`attnlimits.report.draw_figure` looks it up.
    data : dict
        JSON-ready numbers the drawing function takes (points, curves, labels).
    caption : str
        The caption; says n, d, β or λ and samples.
    """

    name: str
    kind: str
    data: dict
    caption: str


@dataclass
class ClaimResult:
    """What running a claim gives: its judged cases, its figures and the report paragraph.

    Parameters
    ----------
    id, title : str
        The claim's id and title.
    cases : list of Case
        Its judged cases (:class:`~attnlimits.claims.Case`).
    figures : list of Figure
        The figures the report draws for it.
    paragraph : str
        The report's paragraph on the claim.
    elapsed : float
        Wall seconds the claim took (set by :func:`~attnlimits.claims.run_claim`).
    """

    id: str
    title: str
    cases: list
    figures: list = field(default_factory=list)
    paragraph: str = ""
    elapsed: float = 0.0

    @property
    def verdict(self) -> str:
        """``pass`` when every case passes."""
        return "pass" if self.cases and all(c.verdict == "pass" for c in self.cases) else "fail"


class Context:
    """Where a claim runs: sizes (``quick``), the run's root seed, workers, a resumable store and a progress
    callback ``progress(done, total)``.

    The claims' grids are sweeps in sections of the store's file (``attnlimits.claims._grids.run_grid``);
    without a store, in ``directory/store.sqlite`` (``directory``: the run's output folder).

    Each claim derives its streams from ``seed_for(claim_id, *key)``: the child of the root SeedSequence named
    by the key (``attnlimits._rng.named_child``: sha256 of its canonical JSON), so one claim's numbers do
    not depend on which other claims ran or in what order.

    Parameters
    ----------
    quick : bool
        Smaller sizes (``attnlimits reproduce --quick``).
    seed : int or numpy.random.SeedSequence
        The run's root seed (converted once by ``attnlimits._rng.as_seed_sequence``).
    workers : int
        Local worker processes for the grids.
    store : UnitStore, optional
        Resumable store of finished units (:meth:`cached`); None computes every unit.
    progress : callable, optional
        ``progress(done, total)``, called as units finish.
    directory : str or pathlib.Path, optional
        The run's output folder; holds ``store.sqlite`` when ``store`` is None.
    """

    def __init__(self, *, quick: bool = False, seed=0, workers: int = 1, store=None, progress=None, directory=None):
        self.quick = bool(quick)
        self.directory = directory
        self.root = as_seed_sequence(seed)
        self.workers = int(workers)
        self.store = store
        self._progress = progress

    def seed_for(self, *key) -> np.random.SeedSequence:
        """The SeedSequence of work unit ``key``.

        Parameters
        ----------
        *key : JSON-ready values
            The unit's name, e.g. ``("critical", "exact", 10**6, 1.0)``.

        Returns
        -------
        numpy.random.SeedSequence
            ``named_child(root, list(key))`` (``attnlimits._rng.named_child``).
        """
        return named_child(self.root, list(key))

    def progress(self, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(done, total)

    def cached(self, key: tuple, compute: Callable[[], dict]) -> dict:
        """``compute()`` once per ``key`` (a JSON-ready dict); stored as soon as it finishes, so an interrupted
        run resumes from the units already done (the key includes every parameter and the root seed)."""
        full = (self.root.entropy, list(self.root.spawn_key), self.quick, *key)
        if self.store is None:
            return compute()
        hit = self.store.get(full)
        if hit is not None:
            return hit
        value = compute()
        self.store.put(full, value)
        return value
