"""A GGUF checkpoint converted once to a float32 safetensors directory in a cache keyed by the file's SHA-256.

transformers dequantizes the file (``from_pretrained(..., gguf_file=...)``, with ``gguf`` and ``accelerate``);
a model loaded that way refuses ``save_pretrained``, so its state dict goes into a model built from the same
config without its ``quantization_config`` (on the meta device: no second copy of the weights) and that model
is saved with safetensors, beside the tokenizer and a ``source.json`` record. The conversion is written into a
temporary directory beside its final place and renamed there when complete, so an interrupted conversion
leaves nothing that a later load would take for a finished one.

The cache is ``--cache-dir`` / ``cache_dir=``, else ``$ATTNLIMITS_CACHE_DIR``, else ``$XDG_CACHE_HOME/attnlimits``
(``~/.cache/attnlimits``); converted models live in its ``gguf/<sha256>/``.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .._validation import InputError
from ._gguf import GGUFInfo, read_gguf_info
from ._gguf_checks import check_memory, dropped_settings, expected_window

__all__ = ["CACHE_ENV", "cache_root", "file_sha256", "gguf_model_dir", "model_loading"]

#: The environment variable that moves the cache.
CACHE_ENV = "ATTNLIMITS_CACHE_DIR"

#: Written last into a converted directory: what it was converted from.
SOURCE_FILE = "source.json"

_SETTINGS: contextvars.ContextVar = contextvars.ContextVar("attnlimits_model_loading", default={})


@contextmanager
def model_loading(*, cache_dir=None, progress=None):
    """Inside, model loads that are not given ``cache_dir`` / ``progress`` use these (the CLI's ``--cache-dir``
    and its progress bar reach loads made deep inside a command this way).

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        The cache directory (see :func:`cache_root`).
    progress : callable, optional
        ``progress(done, total)``, called as a conversion advances.

    Returns
    -------
    contextlib.AbstractContextManager
        Sets the defaults on entry, restores the previous ones on exit.
    """
    token = _SETTINGS.set({"cache_dir": cache_dir, "progress": progress})
    try:
        yield
    finally:
        _SETTINGS.reset(token)


def cache_root(cache_dir=None) -> Path:
    """The cache directory: ``cache_dir``, else ``$ATTNLIMITS_CACHE_DIR``, else ``$XDG_CACHE_HOME/attnlimits``
    (default ``~/.cache/attnlimits``).

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        An explicit directory (default: the one set by :func:`model_loading`, then the environment).

    Returns
    -------
    pathlib.Path
        The directory (not created here).
    """
    cache_dir = cache_dir if cache_dir is not None else _SETTINGS.get().get("cache_dir")
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "attnlimits"


def file_sha256(path) -> str:
    """The SHA-256 of a file, read in 16 MiB blocks.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            digest.update(block)
    return digest.hexdigest()


def _source(info: GGUFInfo, sha: str, directory: Path) -> dict:
    return {"file": str(info.path.resolve()), "sha256": sha, "quantization": info.quantization, "dequantized": True,
            "cache": str(directory)}


def _refuse_dropped(info: GGUFInfo, config) -> None:
    lost = dropped_settings(info, config)
    if lost:
        raise InputError(f"invalid model={str(info.path)!r}: transformers' GGUF loader drops an attention setting "
                         f"({lost[0]}); refused rather than measuring the wrong attention")


def _fixed_config(info: GGUFInfo, config):
    """The loaded config without its ``quantization_config`` and with the file's own sliding window where the
    file sets none (transformers' Mistral config would otherwise add 4096, which llama.cpp does not apply)."""
    data = config.to_dict()
    data.pop("quantization_config", None)
    fixed = type(config).from_dict(data)
    if expected_window(info) is None and getattr(fixed, "sliding_window", None) is not None:
        fixed.sliding_window = None
    return fixed


def _sweep_stale(folder: Path) -> None:
    """Remove temporary conversions whose process is gone (killed mid-conversion)."""
    for tmp in folder.glob(".tmp-*"):
        try:
            pid = int(tmp.name.split("-")[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except (ValueError, IndexError, PermissionError, OSError):
            continue


@contextmanager
def _tensor_progress(progress, total: int):
    """Route transformers' per-tensor tqdm loop of the GGUF dequantization to ``progress`` and keep it off
    stderr (the library does not print). transformers exposes no hook for it, so its module's ``tqdm`` name is
    replaced for the duration of the conversion."""
    import transformers.modeling_gguf_pytorch_utils as gguf_utils

    def quiet(iterable, *args, **kwargs):
        for i, item in enumerate(iterable):
            yield item
            if progress is not None:
                progress(i + 1, total)

    original = getattr(gguf_utils, "tqdm", None)
    if original is None:  # a transformers without that loop: no per-tensor progress, nothing else changes
        yield
        return
    gguf_utils.tqdm = quiet
    try:
        yield
    finally:
        gguf_utils.tqdm = original


def _convert(info: GGUFInfo, sha: str, final: Path, progress) -> None:
    """Dequantize ``info.path`` with transformers and write it to ``final`` through a temporary directory."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    folder, name = info.path.parent, info.path.name
    total = len(info.tensor_names) + 2
    if progress is not None:
        progress(0, total)
    config = AutoConfig.from_pretrained(folder, gguf_file=name, local_files_only=True)
    _refuse_dropped(info, _fixed_config(info, config))  # before the weights are read
    if progress is not None:
        progress(0, total)  # transformers now parses the file again (seconds) before the first tensor
    final.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(final.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-{sha[:16]}-", dir=final.parent))
    try:
        with _tensor_progress(progress, total):
            loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, local_files_only=True,
                                                          dtype=torch.float32)
        fixed = _fixed_config(info, loaded.config)
        with torch.device("meta"):
            model = type(loaded)(fixed)
        model.load_state_dict(loaded.state_dict(), assign=True)
        model.tie_weights()
        del loaded
        model.save_pretrained(tmp, safe_serialization=True)
        del model
        if progress is not None:
            progress(total - 1, total)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name, local_files_only=True)
        tokenizer.save_pretrained(tmp)
        (tmp / SOURCE_FILE).write_text(json.dumps({**_source(info, sha, final), "architecture": info.architecture,
                                                   "model_type": info.model_type, "name": info.name,
                                                   "metadata": info.metadata}, indent=1, default=str))
        try:
            os.rename(tmp, final)
        except OSError:  # another process finished the same conversion first: keep its copy
            if not (final / SOURCE_FILE).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if progress is not None:
        progress(total, total)


def gguf_model_dir(path, *, cache_dir=None, progress=None, available: int | None = None) -> tuple:
    """The converted safetensors directory of a GGUF file (converted now if the cache lacks it) and its source
    record.

    Order of work: the header is read and checked (magic, whole file, architecture, memory for a float32 copy),
    then the file is hashed; a cached conversion is checked against the file's metadata and used; otherwise
    memory for the conversion is checked, transformers' config is checked against the metadata, and the file is
    converted.

    Parameters
    ----------
    path : str or os.PathLike
        A GGUF file.
    cache_dir : str or os.PathLike, optional
        The cache (see :func:`cache_root`).
    progress : callable, optional
        ``progress(done, total)`` as the conversion advances (default: the one set by :func:`model_loading`).
    available : int, optional
        Bytes of memory available (default ``MemAvailable``).

    Returns
    -------
    directory : pathlib.Path
        The Hugging Face model directory (config.json, model.safetensors, tokenizer, source.json).
    source : dict
        {"file", "sha256", "quantization", "dequantized": True, "cache"}.

    Raises
    ------
    InputError
        When the file is not GGUF, truncated, of an unsupported architecture, too big for memory, loses an
        attention setting in transformers' loader, or cannot be converted.
    """
    info = read_gguf_info(path)
    check_memory(info, converting=False, available=available)
    progress = progress if progress is not None else _SETTINGS.get().get("progress")
    sha = file_sha256(info.path)
    final = cache_root(cache_dir) / "gguf" / sha
    try:
        from transformers import AutoConfig
        from transformers.utils import logging as hf_logging
    except ImportError:
        raise InputError("GGUF models need the 'models' extra: pip install 'attnlimits[models]'") from None
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if (final / SOURCE_FILE).is_file():
        _refuse_dropped(info, AutoConfig.from_pretrained(final, local_files_only=True))
        return final, _source(info, sha, final)
    check_memory(info, converting=True, available=available)
    try:
        _convert(info, sha, final, progress)
    except InputError:
        raise
    except Exception as exc:  # a tensor transformers cannot map, a tokenizer it cannot build, a full disk
        msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InputError(f"invalid model={str(info.path)!r}: cannot be converted ({type(exc).__name__}: {msg})") from None
    return final, _source(info, sha, final)
