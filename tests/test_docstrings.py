"""The public API's docstrings follow numpydoc, checked by numpydoc's own validator.

Every public callable (the names in ``__all__`` of the package and of each subpackage) has a summary and
Parameters/Returns sections that match its signature; every public theory function also has an Examples
section (run as a doctest by the suite) and cites the theory page of its formula (a :ref:`theory-…` label).
"""

import importlib
import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

PACKAGES = ["attnlimits"] + [f"attnlimits.{p}" for p in
                             ("engine", "laws", "theory", "heat", "claims", "sweep", "tails", "models", "schedules", "forecast",
                              "report", "extrapolate")]
#: numpydoc codes enforced: no docstring, no summary, parameters missing / unknown, no Returns section.
CODES = {"GL08", "SS01", "PR01", "PR02", "RT01"}


def public_callables():
    seen = set()
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                yield f"{package}.{name}", obj


CALLABLES = sorted(public_callables(), key=lambda item: item[0])


@pytest.mark.parametrize("name, obj", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_numpydoc(name, obj):
    codes = set(CODES)
    if inspect.isclass(obj):
        codes.discard("RT01")
    if name.startswith("attnlimits.theory.") and inspect.isfunction(obj):
        codes.add("EX01")
    report = numpydoc_validate.validate(name)
    errors = [f"{code}: {msg}" for code, msg in report["errors"] if code in codes]
    assert not errors, "\n".join(errors)
    if name.startswith("attnlimits.theory.") and inspect.isfunction(obj):
        assert ":ref:`theory-" in (obj.__doc__ or ""), "a theory function cites the theory page of its formula"
