"""Rules, conditions and decisions in the words a reviewer reads, shared by every output form.

A rule prints as its ``when:`` written back in one line (``code = 'Sale' | 'Call Back', campaign glob 'Sales*'``)
and a decision as the Genesys code's name and id, or what happens instead (skip, unmapped, fallback), so the
terminal, HTML, Markdown and CSV forms can never disagree on what a rule says.
"""

from __future__ import annotations

from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.mapping.schema import ConditionKind
from wrapup_bridge.core.mapping.table import CompiledRule, Matcher

__all__ = ["condition_text", "decision_text", "key_text", "outcome_key", "rule_outcome_text", "rule_when_text"]

_FIELDS_PREFIX = "fields."


def key_text(key: str) -> str:
    """A canonical condition key as the table's author wrote it: ``fields.campaign`` -> ``campaign``."""
    return key.removeprefix(_FIELDS_PREFIX)


def condition_text(matcher: Matcher) -> str:
    values = matcher.condition.values
    quoted = " | ".join(repr(v) for v in values)
    if matcher.condition.kind is ConditionKind.EXACT:
        return f"{key_text(matcher.key)} = {quoted}"
    return f"{key_text(matcher.key)} {matcher.condition.kind.value} {quoted}"


def rule_when_text(rule: CompiledRule) -> str:
    return ", ".join(condition_text(m) for m in rule.matchers)


def rule_outcome_text(rule: CompiledRule) -> str:
    return decision_text(rule.decision)


def decision_text(decision: Decision) -> str:
    """``Sale (0dd6a32c-...)``, ``skip: <reason>``, ``unmapped`` or ``fallback: Other (...)``."""
    code = decision.code
    if decision.kind is DecisionKind.MAPPED and code is not None:
        return f"{code.name} ({code.id})"
    if decision.kind is DecisionKind.FALLBACK and code is not None:
        return f"fallback: {code.name} ({code.id})"
    if decision.kind is DecisionKind.SKIP:
        if decision.rule is None:
            return "skip (table policy)"
        return f"skip: {decision.reason.removeprefix(f'{decision.rule} skips it: ')}"
    return "unmapped (dead-letter)"


def outcome_key(decision: Decision) -> tuple[str, str | None]:
    """What a decision *does*, ignoring which rule or line said it: two tables agree when their keys are equal."""
    return decision.kind.value, decision.code.id if decision.code is not None else None
