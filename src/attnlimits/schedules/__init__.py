"""Schedules: the logit multipliers practical long-context rules apply, against the selectivity-preserving
schedule β_iso(n) (SPEC §2a, §4, §5)."""

from ._critical import schedule_table
from ._iso import beta_iso, beta_iso_eff, beta_iso_first_order
from ._rules import RULES, llama4, longrope, multipliers, qwen_logn, ssmax, yarn

# What users call; RULES (the rules by name, as multipliers reads them) stays importable from here.
__all__ = ["beta_iso", "beta_iso_eff", "beta_iso_first_order", "llama4", "longrope", "multipliers", "qwen_logn",
           "schedule_table", "ssmax", "yarn"]
