"""No import cycles among the modules of attnlimits. Imports are parsed with ``ast`` and the graph searched for a
cycle twice: module-level imports only (``if``/``try`` blocks included), and every import, those inside
functions too (a lazy import that closes a cycle is still a cycle). A function-level import of the root package
(``from .. import __version__``) is not an edge: the root is always imported first. The search itself is
checked on a small package with a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py file under the package folder ``root``."""
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


#: Cycles through imports inside functions, known and not yet removed (none left).
KNOWN_LAZY: set = set()


def _all_imports(tree: ast.Module):
    """Every import statement of the module, with whether it runs at import time (module level)."""
    top = {id(n) for n in _top_level_imports(tree)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, id(node) in top


def _top_level_imports(tree: ast.Module):
    """Import statements executed when the module is imported (not those inside functions or classes)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    todo.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def import_graph(root: Path, *, lazy: bool = False) -> dict[str, set[str]]:
    """Module → the package's modules it imports at module level (with ``lazy``, inside functions too, except
    the root package); a submodule named in ``from X import y`` counts as imported; parent packages of an
    imported module are not edges."""
    modules = _modules(root)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node, top in _all_imports(ast.parse(path.read_text(), str(path))):
            if not (top or lazy):
                continue
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in modules)
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    edges.add(sub)
                elif target in modules:
                    edges.add(target)
            if not top:
                edges.discard(root.name)
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, …, a]``, or None (depth-first search, colours)."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_attnlimits_has_no_import_cycle():
    graph = import_graph(SRC / "attnlimits")
    assert len(graph) > 50 and graph["attnlimits.claims.paper.phase_diagram"] >= {"attnlimits.claims._claim", "attnlimits.laws"}
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_attnlimits_has_no_import_cycle_through_imports_inside_functions():
    graph = import_graph(SRC / "attnlimits", lazy=True)
    assert "attnlimits.engine._torch" in graph["attnlimits.engine._backend"]  # reduce_distances' lazy import
    for a, b in KNOWN_LAZY:
        assert b in graph[a] and a in graph[b], f"{a} <-> {b} is gone: remove it from KNOWN_LAZY"
        graph[a].discard(b)
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("relative", [True, False])
def test_a_cycle_is_found(tmp_path, relative):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from ._a import f\n")
    (pkg / "sub" / "_a.py").write_text("import math\n\ndef f():\n    from ._b import g\n")
    (pkg / "sub" / "_b.py").write_text("try:\n    from ..c import h\nexcept ImportError:\n    pass\n" if relative
                                       else "if True:\n    from pkg.c import h\n")
    (pkg / "c.py").write_text("from .sub import _a\n")
    assert find_cycle(import_graph(pkg)) is None  # _a imports _b only inside a function
    assert find_cycle(import_graph(pkg, lazy=True)) == ["pkg.c", "pkg.sub._a", "pkg.sub._b", "pkg.c"]
    (pkg / "sub" / "_a.py").write_text("from . import _b\n")
    assert find_cycle(import_graph(pkg)) == ["pkg.c", "pkg.sub._a", "pkg.sub._b", "pkg.c"]
