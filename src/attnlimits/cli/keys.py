"""``attnlimits keys``: extract one head's queries and keys from a real model into an .npz file."""

from __future__ import annotations

import click

from .._validation import InputError
from ._common import NPZ_PATH, Count, print_json
from ._model_options import MODEL_HELP, TEXT_HELP, cache_dir_option, provenance_lines

__all__ = ["keys_command"]


@click.command("keys")
@click.option("--model", default="minilm", show_default=True, help=MODEL_HELP)
@cache_dir_option
@click.option("--layer", type=Count(0, None), required=True, help="Layer index (0-based).")
@click.option("--head", type=Count(0, None), required=True, help="Head index (0-based).")
@click.option("--text", "text_path", type=click.Path(dir_okay=False), default=None, help=TEXT_HELP)
@click.option("--max-tokens", type=Count(256), default=16384, show_default=True, help="Tokens read from the text (windows of the model's maximum length).")
@click.option("--out", type=NPZ_PATH, required=True, help="Output .npz (format: attnlimits.models.write_keys_file).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
def keys_command(model, layer, head, text_path, max_tokens, out, as_json):
    """Queries and keys of one head of a real model as the softmax sees them (decoders: after q/k norms and RoPE)."""
    from ..models import extract_keys, load_model, read_text, write_keys_file

    text = read_text(text_path)
    lm = load_model(model)
    if not 0 <= layer < lm.layers:
        raise InputError(f"invalid layer={layer}: expected an integer in [0, {lm.layers - 1}]")
    if not 0 <= head < lm.heads:
        raise InputError(f"invalid head={head}: expected an integer in [0, {lm.heads - 1}]")
    ex = extract_keys(lm, text, layers=[layer], heads=[head], max_tokens=max_tokens)
    spec = ex.specs[0] if ex.specs else None  # decoders: the layer's soft-cap and sliding window
    write_keys_file(out, ex.queries[0, 0], ex.keys[0, 0], scale=ex.scale, layer=layer, head=head, model=ex.model,
                    window=ex.window, position=ex.position, causal=ex.causal, kv_head=ex.kv_heads[0],
                    sliding_window=spec.sliding_window if spec else None, softcap=spec.softcap if spec else None)
    summary = {"out": str(out), "model": ex.model, "layer": layer, "head": head, "tokens": int(ex.keys.shape[2]),
               "d_head": int(ex.keys.shape[3]), "scale": ex.scale, "causal": ex.causal, "source": lm.source}
    if as_json:
        print_json(summary)
    else:
        click.echo(f"wrote {summary['tokens']} queries and keys (d_head={summary['d_head']}, scale={ex.scale:.6g}) "
                   f"of {ex.model} layer {layer} head {head} to {out}")
        for line in provenance_lines(lm.source):
            click.echo(line)
