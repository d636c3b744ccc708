"""Claims plug in by registration: each module of ``attnlimits.claims.paper`` declares and registers its claim,
and the registry finds them all, in report order, without a central list."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from attnlimits import InputError
from attnlimits.claims import Claim, ClaimResult, Context, claim_ids, get_claim, register_claim, run_claim, select_claims
from attnlimits.claims._registry import CLAIM_PACKAGE, ClaimRegistry

#: The report order of the paper's claims.
REPORT_ORDER = ["critical-exponent", "high-d-crossover", "critical-constant", "local-not-global", "sub-lln-bias",
                "sub-clt", "critical-no-collapse", "super-collapse", "heat-equation", "phase-diagram"]


def _demo(claim_id="demo-claim", order=5.0):
    claim = Claim(claim_id, "A demonstration", "One equals one.", order=order)

    @claim.measure
    def _measure(ctx):
        return claim.result([claim.case("n=1", "one equals one", 1.0, 1.0, 0.01, exact=True).judged()], [], "ok")

    return claim


def test_the_registry_finds_every_claim_in_report_order():
    assert claim_ids() == REPORT_ORDER
    assert [c.id for c in select_claims()] == REPORT_ORDER
    assert [c.id for c in select_claims("phase-diagram, critical-exponent")] == ["critical-exponent", "phase-diagram"]
    orders = [get_claim(i).order for i in REPORT_ORDER]
    assert orders == sorted(orders)


def test_every_module_of_the_package_registers_its_claim_under_its_own_name():
    """One claim per module; the module's name is the claim's id (``_`` for ``-``); its figure, drawn by its
    own drawing, is named after it."""
    package = importlib.import_module(CLAIM_PACKAGE)
    modules = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    assert sorted(i.replace("-", "_") for i in claim_ids()) == modules
    for claim_id in claim_ids():
        claim = get_claim(claim_id)
        module = importlib.import_module(f"{CLAIM_PACKAGE}.{claim_id.replace('-', '_')}")
        declared = [v for v in vars(module).values() if isinstance(v, Claim)]
        assert declared == [claim]
        assert list(claim.drawings) == [claim_id] and claim.figure({}, "c").name == f"{claim_id}.png"


def test_grid_kinds_are_declared_by_their_claims():
    from attnlimits.sweep._kinds import cell_kinds

    assert get_claim("phase-diagram").cell_kinds == ["reproduce-phase-row"]
    assert get_claim("critical-exponent").cell_kinds == ["reproduce-beta-half"]
    assert {"reproduce-phase-row", "reproduce-beta-half"} <= set(cell_kinds())


def test_registering_a_claim_module_twice_is_a_no_op():
    before = [get_claim(i) for i in claim_ids()]
    module = importlib.import_module(f"{CLAIM_PACKAGE}.phase_diagram")
    assert register_claim(module.PHASE_DIAGRAM) is module.PHASE_DIAGRAM  # its registration call, again
    for m in pkgutil.iter_modules(importlib.import_module(CLAIM_PACKAGE).__path__):  # its import, again
        importlib.import_module(f"{CLAIM_PACKAGE}.{m.name}")
    from attnlimits.claims._registry import _REGISTRY

    _REGISTRY._discovered = False  # discovery, again
    assert [get_claim(i) for i in claim_ids()] == before


def test_a_duplicate_id_is_refused():
    registry = ClaimRegistry()
    first = registry.register(_demo())
    assert registry.register(first) is first
    with pytest.raises(InputError, match="demo-claim.*already registered"):
        registry.register(_demo())
    with pytest.raises(InputError, match="phase-diagram.*already registered"):
        register_claim(_demo("phase-diagram"))
    assert claim_ids() == REPORT_ORDER


def test_a_registry_orders_by_order_then_id_and_names_unknown_ids():
    registry = ClaimRegistry()
    for claim_id, order in (("b-claim", 2), ("a-claim", 2), ("c-claim", 1)):
        registry.register(_demo(claim_id, order))
    assert registry.ids() == ["c-claim", "a-claim", "b-claim"]
    with pytest.raises(InputError, match="invalid only='nope'.*c-claim, a-claim, b-claim"):
        registry.select("a-claim,nope")
    with pytest.raises(InputError, match="invalid claim id='nope'"):
        registry.get("nope")


def test_a_claim_declares_its_id_once():
    claim = _demo()

    @claim.drawing(figsize=(4, 3))
    def _draw(fig, data):
        fig.subplots().plot(data["x"])

    result = run_claim(claim, Context(quick=True))
    assert isinstance(result, ClaimResult) and result.id == "demo-claim" and result.verdict == "pass"
    assert result.cases[0].id == "demo-claim"
    fig = claim.figure({"x": [1, 2]}, "caption")
    assert (fig.name, fig.kind) == ("demo-claim.png", "demo-claim")
    with pytest.raises(InputError, match="no drawing registered"):
        claim.figure({}, "c", name="other")
    with pytest.raises(InputError, match="already registered"):
        claim.drawing(figsize=(4, 3))(lambda fig, data: None)
    with pytest.raises(InputError, match="claim id"):
        Claim("a,b", "t", "s", order=1)


def test_a_claim_without_a_measurement_is_recorded_as_a_failure():
    result = run_claim(Claim("empty-claim", "Empty", "Nothing.", order=1), Context(quick=True))
    assert result.verdict == "fail" and "no measurement attached" in result.cases[0].reasons[0]


def test_cell_kind_registration_is_idempotent_and_refuses_another_function():
    from attnlimits.sweep import register_cell_kind
    from attnlimits.claims.paper.phase_diagram import phase_row_cell

    kind = register_cell_kind("reproduce-phase-row", phase_row_cell)  # the same object again: nothing happens
    assert kind.function is phase_row_cell
    with pytest.raises(InputError, match="reproduce-phase-row.*already registered"):
        register_cell_kind("reproduce-phase-row", lambda params, seed: {})


def test_importing_the_claims_imports_no_claim_module_and_no_matplotlib():
    """Claims are discovered on first use; drawing functions import matplotlib only when a figure is drawn."""
    import subprocess
    import sys

    code = ("import sys, attnlimits.claims as c; a = [m for m in sys.modules if m.startswith('attnlimits.claims.paper')];"
            " c.claim_ids(); b = [m for m in sys.modules if m.startswith('attnlimits.claims.paper.')];"
            " print(len(a), len(b), 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", str(len(REPORT_ORDER)), "False"]
