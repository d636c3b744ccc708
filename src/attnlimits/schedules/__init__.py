"""Schedules: the logit multipliers practical long-context rules apply, against the selectivity-preserving
schedule β_iso(n) (:ref:`theory-effective-exponent`, :ref:`theory-exact-identities`, :ref:`theory-extreme-value`)."""

from ._audit import audit_summary, sink_iso_multipliers
from ._config import ROPE_TYPES, ConfigMultiplier, config_multiplier
from ._critical import schedule_table
from ._iso import beta_iso, beta_iso_eff, beta_iso_first_order
from ._rules import (RECIPES, RULES, llama4, llama4_train_floor, longrope, ministral3, multipliers, qwen_logn, ssmax,
                     yarn)

# What users call; RULES (the rules by name, as multipliers reads them), RECIPES (the context-extension recipes by
# name) and ROPE_TYPES stay importable from here.
__all__ = ["ConfigMultiplier", "audit_summary", "beta_iso", "beta_iso_eff", "beta_iso_first_order",
           "config_multiplier", "llama4", "llama4_train_floor", "longrope", "ministral3", "multipliers", "qwen_logn",
           "schedule_table", "sink_iso_multipliers", "ssmax", "yarn"]
