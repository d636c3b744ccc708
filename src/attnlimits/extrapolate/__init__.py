"""Does keeping selectivity keep quality? A decoder trained at T read on windows of 2T tokens under
context-extension recipes (none, linear interpolation, YaRN and its variants with Qwen's log-n, Llama 4's
temperature tuning, and attnlimits' per-head iso-selectivity multiplier), with paired next-token losses, the
per-head selectivity each leaves, and an exactness check of the attention each applies (:ref:`theory-sinks`, :ref:`theory-exact-identities`, :ref:`theory-extreme-value`).

torch and transformers are imported inside the functions, never by ``import attnlimits.extrapolate``.
"""

from ._attention import ATTENTION_NAME, applied, rebuilt_rotary, register_attention
from ._check import attention_check, check_rows, projection_hooks, reference_inv_freq, reference_probabilities
from ._loss import lm_head, token_losses
from ._paired import block_sums, loss_summary, ratio_mean_se
from ._recipes import (FACTOR, RECIPES, REFERENCE, Recipe, logit_multipliers, parse_recipes, query_multipliers,
                       recipe_rope)
from ._record import AttentionRecorder, sample_rows
from ._run import check_decoder, run_extrapolation, window_ranges
from ._schedule import IsoSchedule, estimate_schedule, iso_nodes, uniform_multipliers
from ._summary import max_weight_summary

__all__ = ["ATTENTION_NAME", "AttentionRecorder", "FACTOR", "IsoSchedule", "RECIPES", "REFERENCE", "Recipe",
           "applied", "attention_check", "block_sums", "check_decoder", "check_rows", "estimate_schedule",
           "iso_nodes", "lm_head", "logit_multipliers", "loss_summary", "max_weight_summary", "parse_recipes",
           "projection_hooks", "query_multipliers", "ratio_mean_se", "rebuilt_rotary", "recipe_rope",
           "reference_inv_freq", "reference_probabilities", "register_attention", "run_extrapolation",
           "sample_rows", "token_losses", "uniform_multipliers", "window_ranges"]
