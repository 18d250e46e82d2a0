"""Rules that can never match because an earlier rule takes their records first, and exact duplicates.

First match wins, so a rule below a broader one is dead code that a reviewer still reads as meaning something.
The analysis only claims what is certain: exact values are tested against the earlier rule's real matchers (an
earlier glob or regex is *run* on them, which is exact), while a later pattern counts as covered only by an
earlier match-anything condition (``{glob: "*"}``, ``{regex: ".*"}``) or by the same patterns. A rule with an
exact ``code`` list is split per value, so "two of these three values are taken by rule #2" is found too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wrapup_bridge.core.decision import Decision
from wrapup_bridge.core.mapping.schema import ConditionKind
from wrapup_bridge.core.mapping.table import CompiledRule, Matcher
from wrapup_bridge.core.normalize import normalize_text
from wrapup_bridge.core.review.describe import outcome_key

__all__ = ["ShadowKind", "Shadowing", "find_shadowing"]

#: Regexes that are searched in normalized text (no newlines) and so match every value, the empty one included.
_MATCH_ALL_REGEXES = frozenset({"", "^", "$", ".*", "^.*", ".*$", "^.*$", "(.*)", "^(.*)$", "(?s).*", "(?s:.*)"})

ShadowKind = str  # "duplicate" | "shadowed" | "partly-shadowed" | "never-matches"


@dataclass(frozen=True)
class Shadowing:
    """Rule ``rule`` is (partly) unreachable because of the earlier rules ``by``.

    ``values`` are the normalized ``code`` values that never reach it (all of them for ``shadowed``; for
    ``never-matches``, the condition keys whose values exclude each other);
    ``same_outcome`` says whether every earlier rule that takes them decides the same (then it is only redundant).
    """

    kind: ShadowKind
    rule: CompiledRule
    by: tuple[CompiledRule, ...]
    values: tuple[str, ...] = ()
    same_outcome: bool = True


def _accepts_all(matcher: Matcher) -> bool:
    kind = matcher.condition.kind
    if kind is ConditionKind.GLOB:
        return any(normalize_text(v) != "" and set(normalize_text(v)) == {"*"} for v in matcher.condition.values)
    if kind is ConditionKind.REGEX:
        return any(v.strip() in _MATCH_ALL_REGEXES for v in matcher.condition.values)
    return False


def _patterns(matcher: Matcher) -> frozenset[str]:
    if matcher.condition.kind is ConditionKind.GLOB:
        return frozenset(normalize_text(v) for v in matcher.condition.values)
    return frozenset(matcher.condition.values)


class _Conditions:
    """A rule's conditions grouped by key, with exact values narrowed by the other conditions on the same key."""

    def __init__(self, matchers: Sequence[Matcher]) -> None:
        self.by_key: dict[str, list[Matcher]] = {}
        for matcher in matchers:
            self.by_key.setdefault(matcher.key, []).append(matcher)
        self.exact: dict[str, frozenset[str]] = {}
        for key, group in self.by_key.items():
            exact = [m for m in group if m.condition.kind is ConditionKind.EXACT]
            if exact:
                values = frozenset.intersection(*(m.exact for m in exact))
                self.exact[key] = frozenset(v for v in values if all(m.matches(v) for m in group))

    @property
    def satisfiable(self) -> bool:
        return all(self.exact.values())

    def signature(self) -> frozenset[tuple[str, str, frozenset[str]]]:
        return frozenset(
            (key, m.condition.kind.value, m.exact if m.condition.kind is ConditionKind.EXACT else _patterns(m))
            for key, group in self.by_key.items()
            for m in group
        )

    def covered_by(self, earlier: _Conditions, *, code_value: str | None = None) -> bool:
        """True when every record these conditions accept (``code`` fixed to ``code_value`` if given) is accepted by
        ``earlier``: each of its conditions must hold for all values this rule lets through on that key."""
        for key, conditions in earlier.by_key.items():
            for condition in conditions:
                if not self._key_within(key, condition, code_value if key == "code" else None):
                    return False
        return True

    def _key_within(self, key: str, condition: Matcher, fixed: str | None) -> bool:
        if fixed is not None:
            return condition.matches(fixed)
        if key in self.exact:
            return all(condition.matches(v) for v in self.exact[key])
        if _accepts_all(condition):
            return True
        mine = self.by_key.get(key)
        if not mine or condition.condition.kind is ConditionKind.EXACT:
            return False
        return any(m.condition.kind is condition.condition.kind and _patterns(m) <= _patterns(condition) for m in mine)


def _same(decisions: Sequence[Decision], decision: Decision) -> bool:
    return all(outcome_key(d) == outcome_key(decision) for d in decisions)


def find_shadowing(rules: Sequence[CompiledRule]) -> list[Shadowing]:
    """Every duplicate, fully or partly shadowed and self-contradictory rule, in file order."""
    compiled = [_Conditions(rule.matchers) for rule in rules]
    found: list[Shadowing] = []
    for index, rule in enumerate(rules):
        mine = compiled[index]
        if not mine.satisfiable:
            keys = tuple(key for key, values in mine.exact.items() if not values)
            found.append(Shadowing("never-matches", rule, (), keys))
            continue
        earlier = [(rules[i], compiled[i]) for i in range(index) if compiled[i].satisfiable]
        signature = mine.signature()
        twin = next((r for r, c in earlier if c.signature() == signature), None)
        if twin is not None:
            found.append(Shadowing("duplicate", rule, (twin,), same_outcome=_same([twin.decision], rule.decision)))
            continue
        code_values = mine.exact.get("code")
        if code_values is None:
            cover = next((r for r, c in earlier if mine.covered_by(c)), None)
            if cover is not None:
                same = _same([cover.decision], rule.decision)
                found.append(Shadowing("shadowed", rule, (cover,), same_outcome=same))
            continue
        takers: dict[str, CompiledRule] = {}
        for value in sorted(code_values):
            cover = next((r for r, c in earlier if mine.covered_by(c, code_value=value)), None)
            if cover is not None:
                takers[value] = cover
        if not takers:
            continue
        by = tuple(sorted({r.number: r for r in takers.values()}.values(), key=lambda r: r.number))
        same = _same([r.decision for r in by], rule.decision)
        kind = "shadowed" if len(takers) == len(code_values) else "partly-shadowed"
        found.append(Shadowing(kind, rule, by, tuple(takers), same_outcome=same))
    return found
