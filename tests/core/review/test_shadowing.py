"""Shadowing claims only what is certain: a rule reported unreachable is never the first match of any record
(checked exhaustively over random small tables), and the usual cases are found."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingDocument, MappingTable
from wrapup_bridge.core.mapping.table import CompiledRule
from wrapup_bridge.core.review import find_shadowing

CODES = {
    "one": {"id": "0dd6a32c-c059-4534-97bf-c82d73d9c869", "name": "Sale"},
    "two": {"id": "50a74cff-026f-4c84-aa8f-f5f8d837115f", "name": "Resolved"},
}
VALUES = ["a", "b", "A ", "ab", "ba", ""]


def table(*rules: dict[str, Any]) -> MappingTable:
    document = MappingDocument.model_validate({"version": 1, "codes": CODES, "rules": list(rules)})
    return MappingTable.compile(document, name="t.yaml", sha256="0" * 64)


def kinds(t: MappingTable) -> dict[int, str]:
    return {s.rule.number: s.kind for s in find_shadowing(t.rules)}


def test_exact_values_are_tested_against_earlier_patterns() -> None:
    t = table(
        {"when": {"code": {"glob": "call*"}}, "code": "one"},
        {"when": {"code": ["Callback", "Call Back"]}, "code": "two"},  # both match call*: shadowed
        {"when": {"code": ["Call", "Busy"]}, "code": "two"},  # only 'Call' is taken
        {"when": {"code": {"regex": "^busy$"}}, "code": "two"},  # a pattern after an exact value: not claimed
    )
    found = {s.rule.number: s for s in find_shadowing(t.rules)}
    assert found[2].kind == "shadowed" and not found[2].same_outcome
    assert found[3].kind == "partly-shadowed" and found[3].values == ("call",)
    assert 4 not in found


def test_patterns_are_only_covered_by_match_all_or_the_same_patterns() -> None:
    t = table(
        {"when": {"code": {"glob": "a*"}}, "code": "one"},
        {"when": {"code": {"glob": "ab*"}}, "code": "one"},  # a subset in fact, but not certain by rule: not claimed
        {"when": {"code": {"glob": ["a*"]}, "campaign": "x"}, "code": "two"},  # same pattern, narrower: shadowed
        {"when": {"campaign": {"regex": ".*"}}, "skip": "all"},
        {"when": {"code": {"regex": "z"}}, "code": "one"},  # every record already taken by the match-all regex
    )
    assert kinds(t) == {3: "shadowed", 5: "shadowed"}


def test_a_condition_the_later_rule_lacks_keeps_it_reachable() -> None:
    t = table(
        {"when": {"code": "Sale", "campaign": {"glob": "sales*"}}, "code": "one"},
        {"when": {"code": "Sale"}, "code": "two"},  # records of other campaigns still reach it
        {"when": {"code": "Sale", "campaign": {"glob": "*"}}, "code": "two"},  # but nothing reaches this one
    )
    assert kinds(t) == {3: "shadowed"}


def test_duplicates_compare_normalized_values_and_contradictions_are_found() -> None:
    t = table(
        {"when": {"code": ["Sale", "Renewal"]}, "code": "one"},
        {"when": {"code": ["renewal", " SALE "]}, "code": "one"},
        {"when": {"code": "Won", "Code": "Lost"}, "code": "two"},
    )
    found = {s.rule.number: s for s in find_shadowing(t.rules)}
    assert found[2].kind == "duplicate" and found[2].same_outcome
    assert found[3].kind == "never-matches" and found[3].values == ("code",)


_EXACT = st.lists(st.sampled_from(VALUES), min_size=1, max_size=2).map(lambda v: v if len(v) > 1 else v[0])
_GLOB = st.sampled_from(["*", "a*", "*a", "b", "?"]).map(lambda p: {"glob": p})
_REGEX = st.sampled_from([".*", "^a", "b$", "^$"]).map(lambda p: {"regex": p})
_CONDITION = st.one_of(_EXACT, _GLOB, _REGEX)
_RULE = st.builds(
    lambda when, outcome: {"when": when, **({"skip": "s"} if outcome == "skip" else {"code": outcome})},
    st.dictionaries(st.sampled_from(["code", "campaign", "Code"]), _CONDITION, min_size=1, max_size=2),
    st.sampled_from(["one", "two", "skip"]),
)


def _matches(rule: CompiledRule, record: Disposition) -> bool:
    from wrapup_bridge.core.mapping.table import record_value
    from wrapup_bridge.core.normalize import normalize_text

    return all(m.matches(normalize_text(record_value(record, m.key))) for m in rule.matchers)


@given(st.lists(_RULE, min_size=1, max_size=6))
def test_whatever_a_rule_is_reported_to_lose_an_earlier_rule_takes(rules: list[dict[str, Any]]) -> None:
    t = table(*rules)
    records = [
        Disposition(source="five9", source_id="r", code=code, fields={} if campaign is None else {"campaign": campaign})
        for code, campaign in itertools.product([*VALUES, "zz"], [*VALUES, None])
    ]
    for shadow in find_shadowing(t.rules):
        for record in records:
            if not _matches(shadow.rule, record):
                continue
            if shadow.kind == "partly-shadowed" and t.normalized(record.code) not in shadow.values:
                continue
            assert shadow.kind != "never-matches", (shadow, record)
            assert any(_matches(r, record) for r in shadow.by), (shadow, record)
            if shadow.same_outcome:
                taker = next(r for r in shadow.by if _matches(r, record))
                assert taker.decision.code == shadow.rule.decision.code
