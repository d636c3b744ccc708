"""The iso-selectivity schedule of real keys: a keys file's pooled estimated law, or one head of a model
(``attnlimits schedule --keys`` / ``--model --layer L --head H``), with the β it was trained at measured."""

from __future__ import annotations

from .._validation import InputError

__all__ = ["real_schedule"]


def real_schedule(n_train: int, ns, *, keys_path=None, model=None, layer=None, head=None, text_path=None,
                  max_tokens: int = 8192, beta_train: float | None = None) -> dict:
    """:func:`attnlimits.schedules.schedule_table` for the estimated law of real keys.

    Parameters
    ----------
    n_train : int
        Training length T.
    ns : sequence of int
        Context lengths.
    keys_path : path, optional
        A keys file (:func:`read_keys_file`): the law pooled over its queries, β = ‖q‖·median‖k‖·scale.
    model : str, path or LoadedModel, optional
        Instead: a model (:func:`head_law`).
    layer, head : int, optional
        With ``model``: the head.
    text_path : path, optional
        With ``model``: the text (default the standard-library docstrings).
    max_tokens : int
        With ``model``: tokens read.
    beta_train : float, optional
        β at T (default the measured one).

    Returns
    -------
    dict
        The schedule table, with ``beta_train_source`` saying where β came from.
    """
    from ..schedules import schedule_table

    if (keys_path is None) == (model is None):
        raise InputError("invalid input: give one of keys_path or model")
    source = None
    if keys_path is not None:
        from ..tails import estimate_from_keys
        from ._keys_file import read_keys_file

        data = read_keys_file(keys_path)
        est = estimate_from_keys(data["queries"], data["keys"], pooled=True, scale=data["scale"], regimes=False)
        law = est.law
        if beta_train is None and est.model_beta is not None:
            beta_train, source = est.model_beta, "model: |q|·median|k|·scale (median over the pooled queries)"
    else:
        from ._heads import head_law

        law, beta_model, info = head_law(model, layer, head, text_path, max_tokens=max_tokens)
        if beta_train is None:
            beta_train = beta_model
            source = (f"model: |q|·median|k|·scale, median over {info['pooled_queries']} queries of the bin "
                      f"n in [{info['n_lo']}, {info['n_hi']})")
    return schedule_table(law, n_train, ns, beta_train, beta_train_source=source)
