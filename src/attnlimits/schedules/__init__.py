"""Schedules: the logit multipliers practical long-context rules apply, against the critical schedule
(SPEC §5)."""

from ._critical import schedule_table
from ._rules import RULES, llama4, longrope, multipliers, qwen_logn, ssmax, yarn

__all__ = ["RULES", "llama4", "longrope", "multipliers", "qwen_logn", "schedule_table", "ssmax", "yarn"]
