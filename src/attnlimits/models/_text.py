"""Default text: docstrings of a fixed list of standard-library modules, read from source, never imported."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

from .._validation import InputError

__all__ = ["STDLIB_MODULES", "stdlib_docstrings", "read_text"]

#: Single-file standard-library modules whose docstrings make the default corpus (fixed for reproducibility).
STDLIB_MODULES = ("argparse", "ast", "bisect", "calendar", "contextlib", "dataclasses", "difflib", "fractions",
                  "functools", "heapq", "inspect", "ipaddress", "pathlib", "pickle", "random", "shutil",
                  "statistics", "string", "subprocess", "tarfile", "textwrap", "threading", "typing", "zipfile")


def stdlib_docstrings(modules=STDLIB_MODULES) -> str:
    """Every module, class and function docstring of ``modules``, read from source, never imported.

    ``ast.get_docstring`` on each module's source file in ``sysconfig``'s stdlib directory, in file order.

    Parameters
    ----------
    modules : sequence of str
        Names of single-file standard-library modules (default :data:`STDLIB_MODULES`); a name without a
        ``.py`` file there is skipped.

    Returns
    -------
    str
        The docstrings, module by module, separated by blank lines.
    """
    root = Path(sysconfig.get_paths()["stdlib"])
    parts = []
    for name in modules:
        src = root / f"{name}.py"
        if not src.is_file():
            continue
        tree = ast.parse(src.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    parts.append(doc)
    return "\n\n".join(parts)


def read_text(path=None) -> str:
    """The text of ``path`` (UTF-8), or the default stdlib docstrings when ``path`` is None.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A UTF-8 text file; None for :func:`stdlib_docstrings`.

    Returns
    -------
    str
        The text.

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8.
    """
    if path is None:
        return stdlib_docstrings()
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid text={str(p)!r}: cannot be read as UTF-8 text ({type(exc).__name__})") from None
