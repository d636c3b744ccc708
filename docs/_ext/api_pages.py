"""Generate the API reference pages from each public package's ``__all__``.

Every public name is documented exactly once, under its *home*: the public package whose ``__all__`` holds it
and whose private modules define it (``attnlimits.engine._montecarlo.simulate`` → ``attnlimits.engine``).
A package that re-exports a name from another one (``attnlimits.simulate``) lists it with a link to its home,
so cross-references never find two targets. The pages are written to ``docs/api/generated/`` (ignored by git)
each time the documentation is built, so a name added to an ``__all__`` appears without editing the docs.
"""

from __future__ import annotations

import importlib
from pathlib import Path

#: The public packages, in the order of the API index; each one gets a page.
PACKAGES = (
    "attnlimits",
    "attnlimits.laws",
    "attnlimits.engine",
    "attnlimits.theory",
    "attnlimits.claims",
    "attnlimits.sweep",
    "attnlimits.heat",
    "attnlimits.tails",
    "attnlimits.schedules",
    "attnlimits.models",
    "attnlimits.forecast",
    "attnlimits.extrapolate",
    "attnlimits.report",
    "attnlimits.cli",
)


def _extra_packages() -> tuple:
    """Public subpackages that exist but are not yet listed in :data:`PACKAGES` (a new one is never missed)."""
    import pkgutil

    import attnlimits

    found = tuple(f"attnlimits.{m.name}" for m in pkgutil.iter_modules(attnlimits.__path__)
                  if m.ispkg and not m.name.startswith("_"))
    return tuple(p for p in found if p not in PACKAGES)


def home(package: str, name: str, obj) -> str:
    """The public package that documents ``obj`` (``package`` itself for data and external objects)."""
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str) or not module.startswith("attnlimits") or not callable(obj):
        return package
    parts = module.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in all_packages():
            if name in getattr(importlib.import_module(candidate), "__all__", ()):
                return candidate
    return package


def all_packages() -> tuple:
    return PACKAGES + _extra_packages()


def _kind(obj) -> str:
    if isinstance(obj, type):
        return "class"
    if callable(obj) and getattr(obj, "__module__", "").startswith("attnlimits"):
        return "function"
    return "data"


def package_page(package: str) -> str:
    """The reST source of one package's page."""
    mod = importlib.import_module(package)
    names = list(getattr(mod, "__all__", ()))
    own = {"class": [], "function": [], "data": []}
    elsewhere = []
    for name in names:
        obj = getattr(mod, name)
        where = home(package, name, obj)
        if where == package:
            own[_kind(obj)].append(name)
        else:
            elsewhere.append((name, where, _kind(obj)))
    title = f"``{package}``"
    out = [title, "=" * len(title), "", f".. automodule:: {package}", "   :no-members:", "",
           f".. currentmodule:: {package}", ""]
    headings = {"class": "Classes", "function": "Functions", "data": "Constants"}
    for kind in ("class", "function", "data"):
        if not own[kind]:
            continue
        out += [headings[kind], "-" * len(headings[kind]), "", ".. autosummary::", "   :toctree: .",
                "   :nosignatures:", ""]
        if kind == "class":
            out.insert(len(out) - 1, "   :template: autosummary/class.rst")
        out += [f"   {name}" for name in sorted(own[kind], key=str.lower)] + [""]
    if elsewhere:
        out += ["Also importable from here", "-" * 25, "",
                "These names are documented in the package that defines them.", ""]
        role = {"class": "class", "function": "func", "data": "data"}
        for name, where, kind in sorted(elsewhere, key=lambda t: t[0].lower()):
            out.append(f"- ``{package}.{name}``: :{role[kind]}:`{where}.{name}`")
        out.append("")
    return "\n".join(out)


def write_pages(outdir: Path) -> list:
    """Write one page per public package to ``outdir`` (only files whose text changed); return their names."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for package in all_packages():
        path = outdir / f"{package}.rst"
        text = package_page(package)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(package)
    return written


def aliases() -> dict:
    """``{"attnlimits.simulate": "attnlimits.engine.simulate", ...}``: every public name re-exported by a package
    other than its home, mapped to the name it is documented under."""
    out = {}
    for package in all_packages():
        mod = importlib.import_module(package)
        for name in getattr(mod, "__all__", ()):
            where = home(package, name, getattr(mod, name))
            if where != package:
                out[f"{package}.{name}"] = f"{where}.{name}"
    return out


def setup(app):
    """Resolve a cross-reference to a re-exported name (``:func:`attnlimits.simulate` ``) to its home's entry.

    Only attnlimits names are rewritten, and only to the page that documents the same object; anything else
    that does not resolve still fails the nitpicky build."""
    table = aliases()

    def resolve(app, env, node, contnode):
        if node.get("refdomain") != "py" or node.get("reftarget") not in table:
            return None
        domain = env.domains["py"]
        return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], table[node["reftarget"]],
                                   node, contnode)

    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
