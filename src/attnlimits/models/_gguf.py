"""GGUF checkpoints: what the header says (architecture, quantization, size, attention metadata), read with the
``gguf`` package's memory-mapped ``GGUFReader`` (nothing is unpickled or executed; tensor data is mapped, not
read). The file must be GGUF and whole, and of an architecture that transformers' GGUF loader and
:mod:`._decoder` both support. The checks made with it before a conversion are in :mod:`._gguf_checks`.

llama.cpp stores Mistral models as ``llama`` (they load as Llama; llama.cpp applies no sliding window to them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .._validation import InputError

__all__ = ["GGUF_ARCHITECTURES", "GGUFInfo", "EXPECTED_MODEL", "read_gguf_info"]

#: GGUF ``general.architecture`` → the transformers ``model_type`` it loads as (those :mod:`._decoder` reproduces).
GGUF_ARCHITECTURES = {"llama": "llama", "mistral": "mistral", "qwen2": "qwen2", "qwen3": "qwen3", "gemma2": "gemma2",
                      "gemma3": "gemma3_text"}

#: What ``--model`` accepts (the tail of every refusal of a model argument).
EXPECTED_MODEL = "expected a .gguf file, a directory holding one, a Hugging Face model directory, 'smollm2' or 'minilm'"


@dataclass(frozen=True)
class GGUFInfo:
    """What a GGUF file says about its model, read from the header only.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    architecture : str
        ``general.architecture`` (``llama``, ``qwen2``, ``gemma2`` …).
    model_type : str
        The transformers ``model_type`` it loads as.
    quantization : str
        The file type (``Q4_1``, ``Q8_0``, ``F16`` …: ``general.file_type``, else the commonest tensor type).
    float32_bytes : int
        Bytes of every tensor dequantized to float32 (elements × 4).
    metadata : dict
        The scalar ``{architecture}.*`` fields, keys without the architecture prefix
        (``rope.freq_base``, ``attention.sliding_window`` …).
    tensor_names : tuple of str
        Names of the tensors (``rope_freqs.weight`` marks llama3-style RoPE frequency factors).
    name : str
        ``general.name`` (empty when absent).
    """

    path: Path
    architecture: str
    model_type: str
    quantization: str
    float32_bytes: int
    metadata: dict = field(default_factory=dict)
    tensor_names: tuple = ()
    name: str = ""


def _refuse(path, reason: str) -> InputError:
    return InputError(f"invalid model={str(path)!r}: {reason}; {EXPECTED_MODEL}")


def _value(fld):
    """A field's value (scalar, string or list), or None when the gguf package cannot decode it."""
    try:
        return fld.contents()
    except Exception:  # an unknown value type: not an attention setting this module reads
        return None


def read_gguf_info(path) -> GGUFInfo:
    """The architecture, quantization, size and attention metadata of a GGUF file, without reading its weights.

    The file is memory-mapped by ``gguf.GGUFReader`` (the header parsed, tensor data mapped, not read).

    Parameters
    ----------
    path : str or os.PathLike
        A GGUF file.

    Returns
    -------
    GGUFInfo
        What the header says.

    Raises
    ------
    InputError
        When the file is not GGUF (bad magic), is truncated or corrupt, holds an architecture outside
        ``GGUF_ARCHITECTURES``, or the ``gguf`` package is missing.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({type(exc).__name__})") from None
    if magic != b"GGUF":
        raise _refuse(path, "not a GGUF file (bad magic)")
    try:
        import gguf
    except ImportError:
        raise InputError("GGUF models need the 'models' extra: pip install 'attnlimits[models]'") from None
    try:
        reader = gguf.GGUFReader(path, "r")
    except Exception as exc:  # the reader maps past the end of a truncated file, or meets a corrupt header
        raise _refuse(path, f"truncated or corrupt GGUF file ({type(exc).__name__}: {str(exc)[:120]})") from None
    fields = reader.fields
    arch = _value(fields["general.architecture"]) if "general.architecture" in fields else None
    if arch not in GGUF_ARCHITECTURES:
        raise _refuse(path, f"unsupported GGUF architecture {arch!r} (supported: {', '.join(GGUF_ARCHITECTURES)})")
    name = str(_value(fields["general.name"]) or "") if "general.name" in fields else ""
    metadata = {}
    prefix = f"{arch}."
    for key, fld in fields.items():
        if key.startswith(prefix):
            value = _value(fld)
            if isinstance(value, (int, float, str, bool)) or (isinstance(value, list) and len(value) <= 64):
                metadata[key[len(prefix):]] = value
    if "tokenizer.ggml.add_bos_token" in fields:
        metadata["tokenizer.add_bos_token"] = _value(fields["tokenizer.ggml.add_bos_token"])
    model_type = GGUF_ARCHITECTURES[arch]
    if arch == "llama" and name == "mistral":  # transformers' loader makes this one Mistral (its exact test)
        model_type = "mistral"
    return GGUFInfo(path=path, architecture=arch, model_type=model_type, quantization=_quantization(gguf, reader),
                    float32_bytes=4 * sum(int(t.n_elements) for t in reader.tensors), metadata=metadata,
                    tensor_names=tuple(t.name for t in reader.tensors), name=name)


def _quantization(gguf, reader) -> str:
    """``general.file_type`` as llama.cpp names it (MOSTLY_Q4_1 → Q4_1), else the commonest tensor type."""
    if "general.file_type" in reader.fields:
        try:
            return gguf.LlamaFileType(int(_value(reader.fields["general.file_type"]))).name.removeprefix("MOSTLY_").removeprefix("ALL_")
        except (ValueError, TypeError):
            pass
    counts: dict = {}
    for t in reader.tensors:
        counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + int(t.n_elements)
    return max(counts, key=counts.get) if counts else "unknown"
