"""The claim object: a claim of the paper declared once, in its own module, with its measurement, its grids'
cell kinds and its figure attached by decorators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .._validation import InputError
from ._base import ClaimResult, Figure
from ._verdict import Case

__all__ = ["Claim", "Drawing"]


@dataclass(frozen=True)
class Drawing:
    """A claim's drawing function with the size of its canvas (registered by :meth:`Claim.drawing`).

    Parameters
    ----------
    kind : str
        What a :class:`~attnlimits.claims.Figure` names in ``kind`` to be drawn by it: the claim's id, or
        ``ID:NAME`` for a claim's further figures.
    figsize : tuple of float
        Width and height of the canvas, in inches.
    function : callable
        ``function(fig, data)``: draws ``data`` (the figure's JSON-ready numbers) on ``fig``, an empty
        :class:`matplotlib.figure.Figure` of ``figsize`` that the report creates, captions and saves.
    """

    kind: str
    figsize: tuple
    function: Callable


class Claim:
    """One claim of the paper: an id, what it states, where it stands in the report, and how it is measured.

    A claim is declared once, in its own module of ``attnlimits.claims.paper``, and registered there
    (:func:`~attnlimits.claims.register_claim`; :ref:`how-to-add-claim` walks through one). Its id is written once: the cases, figures and grids it
    makes take it from the object (:meth:`case`, :meth:`figure`, :meth:`grid`, :meth:`result`). Decorators
    attach the rest:

    - :meth:`measure`: ``function(ctx) -> ClaimResult``, which predicts (theory), measures (simulation),
      compares (:func:`~attnlimits.claims.judge`) and describes the figures;
    - :meth:`drawing`: the figure's drawing function ``function(fig, data)``, called by the report only when the
      figure is drawn (matplotlib is imported then, never by the claim's module);
    - :meth:`cell_kind`: a sweep cell kind of the claim's grids (:func:`attnlimits.sweep.register_cell_kind`).

    Parameters
    ----------
    id : str
        The claim's id (``attnlimits reproduce --only ID``): lower-case words joined by ``-``.
    title, statement : str
        Its title and what it states (the paper's claim, in words).
    order : float
        Its place in the report: claims are listed by increasing ``order`` (then id).
    cost : float
        CPU seconds of the default run (measured); only orders the work when claims run side by side.

    Examples
    --------
    >>> from attnlimits.claims import Claim
    >>> demo = Claim("demo-claim", "A demonstration", "Nothing is measured.", order=1000)
    >>> @demo.measure
    ... def _measure(ctx):
    ...     case = demo.case("n=1", "one equals one", 1.0, 1.0, 0.01, exact=True).judged()
    ...     return demo.result([case], [], "One equals one.")
    >>> demo.run(None).verdict
    'pass'
    """

    def __init__(self, id: str, title: str, statement: str, *, order: float, cost: float = 1.0):
        if not isinstance(id, str) or not id or id != id.strip() or "," in id or ":" in id:
            raise InputError(f"invalid claim id={id!r}: expected a non-empty string without ',' or ':'")
        self.id = id
        self.title = str(title)
        self.statement = str(statement)
        self.order = float(order)
        self.cost = float(cost)
        self.drawings: dict[str, Drawing] = {}
        self.cell_kinds: list[str] = []
        self._measure: Callable | None = None

    def __repr__(self) -> str:
        return f"Claim({self.id!r}, order={self.order:g})"

    # ------------------------------------------------------------------------------------------- declaring

    def measure(self, function: Callable) -> Callable:
        """Decorator: ``function(ctx) -> ClaimResult`` measures the claim (:meth:`run` calls it).

        Parameters
        ----------
        function : callable
            ``function(ctx: Context) -> ClaimResult``.

        Returns
        -------
        callable
            ``function`` itself.
        """
        if self._measure is not None and self._measure is not function:
            raise InputError(f"invalid measure for claim {self.id!r}: it already has one ({self._measure.__qualname__})")
        self._measure = function
        return function

    def drawing(self, figsize, *, name: str | None = None) -> Callable:
        """Decorator: ``function(fig, data)`` draws the claim's figure (:meth:`figure`) on an empty
        :class:`matplotlib.figure.Figure` of ``figsize`` inches; the report adds the caption and saves it.

        Parameters
        ----------
        figsize : tuple of float
            Width and height of the canvas, in inches.
        name : str, optional
            For a claim's further figures: the drawing's name (its kind is then ``ID:NAME``).

        Returns
        -------
        callable
            The decorator; it returns the function itself.
        """
        kind = self.id if name is None else f"{self.id}:{name}"

        def register(function: Callable) -> Callable:
            old = self.drawings.get(kind)
            if old is not None and old.function is not function:
                raise InputError(f"invalid drawing {kind!r}: already registered ({old.function.__qualname__})")
            self.drawings[kind] = Drawing(kind, tuple(float(x) for x in figsize), function)
            return function

        return register

    def cell_kind(self, name: str, *, validate: Callable | None = None, defaults: dict | None = None) -> Callable:
        """Decorator: register ``function(params, seed) -> dict`` as the sweep cell kind ``name`` of the
        claim's grids (:func:`attnlimits.sweep.register_cell_kind`; the function must be a module-level
        function, so that worker processes import it by reference).

        Parameters
        ----------
        name : str
            The kind's name, e.g. ``"reproduce-phase-row"``.
        validate, defaults
            As in :func:`attnlimits.sweep.register_cell_kind`.

        Returns
        -------
        callable
            The decorator; it returns the function itself.
        """

        def register(function: Callable) -> Callable:
            from ..sweep import register_cell_kind

            register_cell_kind(name, function, validate=validate, defaults=defaults)
            if name not in self.cell_kinds:
                self.cell_kinds.append(name)
            return function

        return register

    # --------------------------------------------------------------------------------------------- running

    def run(self, ctx) -> ClaimResult:
        """Measure the claim in ``ctx`` (a :class:`~attnlimits.claims.Context`): the function of
        :meth:`measure`."""
        if self._measure is None:
            raise InputError(f"invalid claim {self.id!r}: no measurement attached (decorate one with @claim.measure)")
        return self._measure(ctx)

    def case(self, case: str, statement: str, predicted: float, measured: float, se: float, **options) -> Case:
        """A :class:`~attnlimits.claims.Case` of this claim (not judged yet).

        Parameters
        ----------
        case, statement : str
            The case within the claim (e.g. ``d=3``) and what it states.
        predicted, measured, se : float
            Prediction, measurement and the measurement's standard error.
        **options
            The other fields of :class:`~attnlimits.claims.Case` (``exact``, ``bias``, ``bias_reason``,
            ``params``...).

        Returns
        -------
        Case
        """
        return Case(self.id, case, statement, predicted, measured, se, **options)

    def figure(self, data: dict, caption: str, *, name: str | None = None) -> Figure:
        """A :class:`~attnlimits.claims.Figure` of this claim, drawn by its :meth:`drawing`.

        Parameters
        ----------
        data : dict
            JSON-ready numbers the drawing function takes.
        caption : str
            The caption; says n, d, β or λ and samples.
        name : str, optional
            The drawing's name, for a claim's further figures (file ``ID-NAME.png``).

        Returns
        -------
        Figure
            Saved as ``ID.png`` (``ID-NAME.png``) under the run's ``figures/``.
        """
        kind = self.id if name is None else f"{self.id}:{name}"
        if kind not in self.drawings:
            raise InputError(f"invalid figure {kind!r}: no drawing registered for it (decorate one with @claim.drawing)")
        return Figure(f"{kind.replace(':', '-')}.png", kind, data, caption)

    def result(self, cases: list, figures: list, paragraph: str) -> ClaimResult:
        """The :class:`~attnlimits.claims.ClaimResult` of this claim: its judged cases, figures and paragraph."""
        return ClaimResult(self.id, self.title, cases, figures, paragraph)

    def grid(self, ctx, kind: str, grid: dict, options: dict, *, name: str | None = None) -> list:
        """Run a grid of the registered cell kind ``kind`` as a sweep in the run's store
        (``attnlimits.claims._grids.run_grid``).

        Parameters
        ----------
        ctx : Context
            The run.
        kind : str
            A registered cell kind (:meth:`cell_kind`).
        grid, options : dict
            The sweep's grid (parameter → list of values) and the kind's options.
        name : str, optional
            The grid's name (its store section and sweep name); default the claim's id.

        Returns
        -------
        list of dict
            One row per cell in grid order.
        """
        from ._grids import run_grid

        return run_grid(ctx, self.id if name is None else name, kind, grid, options)
