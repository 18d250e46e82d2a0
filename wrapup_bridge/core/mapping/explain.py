"""Why a record got its decision (``MappingTable.explain``): every rule tried, with each condition's outcome.

A module of its own, loaded by the first explanation: a table loaded for live use never explains, and defining
these classes costs a serverless cold start about half a millisecond each (``benchmarks/live.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wrapup_bridge.core.decision import Decision
    from wrapup_bridge.core.mapping.schema import Condition
    from wrapup_bridge.core.mapping.table import CompiledRule

__all__ = ["ConditionTrace", "Explanation", "RuleTrace"]


@dataclass(frozen=True)
class ConditionTrace:
    key: str
    raw: str
    normalized: str
    condition: Condition
    matched: bool


@dataclass(frozen=True)
class RuleTrace:
    rule: CompiledRule
    conditions: tuple[ConditionTrace, ...]

    @property
    def matched(self) -> bool:
        return all(c.matched for c in self.conditions)


@dataclass(frozen=True)
class Explanation:
    """Why a record got its decision: every rule tried, up to the one that matched."""

    decision: Decision
    traces: tuple[RuleTrace, ...]
