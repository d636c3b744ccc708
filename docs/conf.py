"""Sphinx configuration of the attnlimits documentation.

Build (offline, warnings as errors, every cross-reference checked)::

    sphinx-build -W -n --keep-going -b html docs docs/_build/html

Nothing is fetched at build or view time: no intersphinx, MathJax is served from the build itself
(``sphinx-mathjax-offline``), and the gallery examples draw only from the simulator and the theory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import attnlimits  # noqa: E402
import api_pages  # noqa: E402
import cli_pages  # noqa: E402

# -- Project -------------------------------------------------------------------------------------------------
project = "attnlimits"
author = "the attnlimits developers"
copyright = "2026, the attnlimits developers"
release = attnlimits.__version__
version = ".".join(release.split(".")[:2])

# -- Extensions ----------------------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static: no CDN
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "api_pages",  # docs/_ext: the API pages from each __all__, and references to re-exported names
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "_generated", "**.ipynb_checkpoints", "examples/README.rst", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
suppress_warnings = []

# -- MyST ----------------------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- API reference -------------------------------------------------------------------------------------------
api_pages.write_pages(DOCS / "api" / "generated")
cli_pages.write_help(DOCS / "_generated" / "cli")  # the user guide includes each command's --help
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc sections carry the types; signatures stay short
autodoc_member_order = "bysource"
autodoc_default_options = {"exclude-members": "__init__, __new__, __weakref__, __dict__, __module__"}
numpydoc_show_class_members = False  # members are documented by the class template
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

# -- Nitpicky mode -------------------------------------------------------------------------------------------
# Only names outside attnlimits (no intersphinx offline); every attnlimits reference must resolve.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|scipy|torch|matplotlib|click|dask|distributed|pyarrow|transformers|safetensors|"
               r"gguf|rich|mpmath|pathlib|os|concurrent|sqlite3|collections|typing|dataclasses)(\..*)?"),
    (r"py:(class|obj|exc|func|data)", r"(int|float|str|bool|bytes|dict|list|tuple|set|frozenset|object|"
                                      r"callable|None|Exception|ValueError|TypeError|Warning|UserWarning|"
                                      r"RuntimeWarning|Path|Generator|SeedSequence|ndarray|array_like|"
                                      r"optional)"),
]

# -- Gallery -------------------------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "promote_jupyter_magic": False,
    "write_computation_times": False,  # its pages load DataTables from a CDN: nothing external here
}

# -- HTML ----------------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"attnlimits {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "getting-started/**": []}
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None

# Matplotlib in the gallery: never a window.
os.environ.setdefault("MPLBACKEND", "Agg")
