"""The registry of claims, and the runner that measures one.

Claims are not listed anywhere: each module of ``attnlimits.claims.paper`` declares its claim and registers it
(:func:`register_claim`) when it is imported, and the registry imports every module of that package
(``pkgutil``) the first time it is asked for its claims. The report lists them by their ``order``.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
import traceback

from .._validation import InputError
from ._base import ClaimResult
from ._verdict import Case

__all__ = ["ClaimRegistry", "register_claim", "claim_ids", "select_claims", "get_claim", "get_drawing", "run_claim"]

#: The package whose modules hold the paper's claims (each registers its own).
CLAIM_PACKAGE = "attnlimits.claims.paper"


class ClaimRegistry:
    """Claims by id, filled by :meth:`register` and by importing every module of some packages.

    Parameters
    ----------
    packages : sequence of str
        Packages whose modules are imported (once, on the first query) so that they register their claims.
    """

    def __init__(self, packages=()):
        self._packages = tuple(packages)
        self._claims: dict = {}
        self._discovered = not self._packages

    def register(self, claim):
        """Register ``claim`` (a :class:`~attnlimits.claims.Claim`) under its id.

        Registering the same object again does nothing (a module imported twice, discovery run twice); another
        object under a registered id is refused.

        Parameters
        ----------
        claim : Claim

        Returns
        -------
        Claim
            ``claim`` itself.

        Raises
        ------
        InputError
            For an id already registered to another claim object.
        """
        old = self._claims.get(claim.id)
        if old is not None and old is not claim:
            raise InputError(f"invalid claim id={claim.id!r}: already registered to another claim ({old.title!r})")
        self._claims[claim.id] = claim
        return claim

    def discover(self) -> None:
        """Import every module of the registry's packages (once), so that each registers its claims."""
        if self._discovered:
            return
        for package in self._packages:
            pkg = importlib.import_module(package)
            for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
                importlib.import_module(f"{package}.{info.name}")
        self._discovered = True

    def claims(self) -> list:
        """Every registered claim, in report order (by ``order``, then id)."""
        self.discover()
        return sorted(self._claims.values(), key=lambda c: (c.order, c.id))

    def ids(self) -> list:
        """The ids of :meth:`claims`, in report order."""
        return [c.id for c in self.claims()]

    def get(self, claim_id: str):
        """The claim registered as ``claim_id`` (InputError listing the known ids otherwise)."""
        self.discover()
        if claim_id not in self._claims:
            raise InputError(f"invalid claim id={claim_id!r}: expected one of {', '.join(self.ids())}")
        return self._claims[claim_id]

    def select(self, only=None) -> list:
        """The claims named in ``only`` (ids, or a comma-separated string of them; None or "" for all), in
        report order."""
        every = self.claims()
        if only is None or only == "":
            return every
        wanted = [s.strip() for s in (only.split(",") if isinstance(only, str) else only) if s.strip()]
        known = [c.id for c in every]
        for w in wanted:
            if w not in known:
                raise InputError(f"invalid only={w!r}: expected claim ids among {', '.join(known)}")
        return [c for c in every if c.id in wanted]

    def drawing(self, kind: str):
        """The :class:`~attnlimits.claims.Drawing` registered under ``kind`` (``ID`` or ``ID:NAME``)."""
        claim = self.get(kind.partition(":")[0])
        if kind not in claim.drawings:
            raise InputError(f"invalid figure kind={kind!r}: claim {claim.id!r} draws {', '.join(claim.drawings)}")
        return claim.drawings[kind]


#: The claims of ``attnlimits reproduce``.
_REGISTRY = ClaimRegistry([CLAIM_PACKAGE])


def register_claim(claim):
    """Register ``claim`` with ``attnlimits reproduce``: the call a claim's module makes once, where the claim
    is declared (``CLAIM = register_claim(Claim(...))``).

    Parameters
    ----------
    claim : Claim
        The claim (:class:`~attnlimits.claims.Claim`).

    Returns
    -------
    Claim
        ``claim`` itself. Registering the same object again does nothing.

    Raises
    ------
    InputError
        For an id already registered to another claim.
    """
    return _REGISTRY.register(claim)


def claim_ids() -> list:
    """Ids of every registered claim, in report order.

    Returns
    -------
    list of str
        The ids ``attnlimits reproduce --only`` takes.
    """
    return _REGISTRY.ids()


def select_claims(only=None) -> list:
    """The claims named in ``only``, in report order.

    Parameters
    ----------
    only : str, sequence of str or None
        Claim ids, or a comma-separated string of them; None or "" selects every claim.

    Returns
    -------
    list of Claim

    Raises
    ------
    InputError
        For an id that is not registered (the message lists the known ids).
    """
    return _REGISTRY.select(only)


def get_claim(claim_id: str):
    """The registered claim ``claim_id``.

    Parameters
    ----------
    claim_id : str

    Returns
    -------
    Claim

    Raises
    ------
    InputError
        For an id that is not registered (the message lists the known ids).
    """
    return _REGISTRY.get(claim_id)


def get_drawing(kind: str):
    """The drawing registered under ``kind`` (a figure's ``kind``: ``ID`` or ``ID:NAME``), for the report.

    Parameters
    ----------
    kind : str

    Returns
    -------
    Drawing
    """
    return _REGISTRY.drawing(kind)


def run_claim(claim, ctx) -> ClaimResult:
    """Run one claim; a claim that cannot run (an error, a missing dependency) is recorded as a failed case
    saying why, never dropped.

    Parameters
    ----------
    claim : Claim
        The claim to run.
    ctx : Context
        Sizes, root seed, workers and store of the run.

    Returns
    -------
    ClaimResult
        The claim's result with ``elapsed`` (wall seconds) set; on an exception, one failed case whose first
        reason names the exception and where it was raised.
    """
    start = time.monotonic()
    try:
        result = claim.run(ctx)
    except Exception as exc:  # recorded as a failure with its reason, and the run goes on
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"{type(exc).__name__}: {exc} (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})"
        case = Case(claim.id, "could not run", claim.statement, float("nan"), float("nan"), float("nan"),
                    note=reason).judged()
        case.reasons.insert(0, reason)
        result = ClaimResult(claim.id, claim.title, [case], [], f"This claim could not be measured: {reason}.")
    result.elapsed = time.monotonic() - start
    return result
