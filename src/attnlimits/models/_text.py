"""Named, reproducible texts from the standard library, and user text files.

``stdlib-docstrings`` (the default): docstrings of a fixed list of standard-library modules, read from source,
never imported. ``pydoc-topics``: the help topics of ``pydoc_data.topics`` (the standard library's data module
behind ``help('topics')``; importing it runs nothing but the assignment of one dict of strings).
"""

from __future__ import annotations

import ast
import hashlib
import platform
import sysconfig
from pathlib import Path

from .._validation import InputError

__all__ = ["STDLIB_MODULES", "TEXT_NAMES", "DEFAULT_TEXT", "stdlib_docstrings", "pydoc_topics", "read_text",
           "text_record"]

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
        Names of single-file standard-library modules (default ``STDLIB_MODULES``); a name without a
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


def pydoc_topics() -> str:
    """The standard library's help topics (``pydoc_data.topics.topics``), joined in sorted-key order.

    About 465k characters (113k SmolLM2 tokens) of reference prose on Python's syntax and semantics; fixed
    for a given Python version.

    Returns
    -------
    str
        The topics' texts, in sorted order of their names, separated by blank lines.
    """
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key] for key in sorted(topics))


#: Named texts: name → function returning it (each depends only on the Python version).
TEXT_NAMES = {"stdlib-docstrings": stdlib_docstrings, "pydoc-topics": pydoc_topics}

#: The text used when none is given.
DEFAULT_TEXT = "stdlib-docstrings"


def read_text(path=None) -> str:
    """The text of ``path``: a named text (``TEXT_NAMES``), a UTF-8 file, or the default when None.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A name of ``TEXT_NAMES`` (``"stdlib-docstrings"``, ``"pydoc-topics"``; a name wins over a file of
        the same name in the working directory) or a UTF-8 text file; None for :func:`stdlib_docstrings`.

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
        path = DEFAULT_TEXT
    if isinstance(path, str) and path in TEXT_NAMES:
        return TEXT_NAMES[path]()
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"invalid text={str(p)!r}: cannot be read as UTF-8 text ({type(exc).__name__}); expected a "
                         f"UTF-8 file or one of {', '.join(TEXT_NAMES)}") from None


def text_record(path=None) -> dict:
    """What a text is, for results: its name, the SHA-256 of its UTF-8 bytes, its length, and the Python version
    that produced it (named standard-library texts).

    Parameters
    ----------
    path : str or os.PathLike, optional
        As for :func:`read_text` (None: the default text).

    Returns
    -------
    dict
        {"name": the text's name or the file's path, "sha256": hex digest, "chars": int, "python": "3.11.9" for a
        named text, None for a file}.

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8.
    """
    name = DEFAULT_TEXT if path is None else str(path)
    text = read_text(name if path is None else path)
    named = path is None or (isinstance(path, str) and path in TEXT_NAMES)
    return {"name": name, "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text),
            "python": platform.python_version() if named else None}
