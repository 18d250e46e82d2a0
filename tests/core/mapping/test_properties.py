"""Property tests on the mapping edges: the compiled resolver equals the naive scan, resolve is total, and a
table survives a YAML round trip with every decision intact."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.core.decision import Decision, DecisionKind
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.mapping import MappingTable, resolve_naive
from wrapup_bridge.core.mapping import table as table_module

CODE_IDS = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, 6)]
BASE_VALUES = ["No Answer", "Busy", "Sale", "Transferred To 3rd Party", "Do Not Call", "", "Payment Taken", "Ab"]
FIELD_KEYS = ["campaign", "call_type", "queue"]
FIELD_VALUES = ["Billing Inbound", "Sales Outbound", "3rd party transfer", "", "Support"]


@st.composite
def spelled(draw: st.DrawFn, values: list[str]) -> str:
    """A value from the pool, sometimes respelled the ways real exports do (case, spaces, smart dashes)."""
    value = draw(st.sampled_from(values))
    variant = draw(st.integers(0, 4))
    if variant == 1:
        value = value.upper()
    elif variant == 2:
        value = f"  {value.lower()} "
    elif variant == 3:
        value = value.replace(" ", "\u00a0 ")
    return value


@st.composite
def conditions(draw: st.DrawFn, pool: list[str]) -> Any:
    kind = draw(st.sampled_from(["exact", "list", "glob", "regex"]))
    if kind == "exact":
        return draw(spelled(pool))
    if kind == "list":
        return draw(st.lists(spelled(pool), min_size=1, max_size=3))
    if kind == "glob":
        stem = draw(st.sampled_from(pool))[:2]
        return {"glob": draw(st.sampled_from([f"{stem}*", f"*{stem[-1:]}*", "*", f"{stem}?*", "[nbs]*"]))}
    stem = re.escape(draw(st.sampled_from(pool))[:3].lower())
    return {"regex": draw(st.sampled_from([stem, f"^{stem}", f"{stem}$", "answer|busy", "^$"]))}


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    when: dict[str, Any] = {}
    if draw(st.integers(0, 5)) > 0:
        when["code"] = draw(conditions(BASE_VALUES))
    for key in draw(st.lists(st.sampled_from([*FIELD_KEYS, "media"]), max_size=2, unique=True)):
        when[key] = draw(conditions([m.value for m in Media] if key == "media" else FIELD_VALUES))
    if not when:
        when["code"] = draw(conditions(BASE_VALUES))
    rule: dict[str, Any] = {"when": when}
    if draw(st.integers(0, 6)) == 0:
        rule["skip"] = "deliberately left alone"
    else:
        rule["code"] = f"c{draw(st.integers(0, len(CODE_IDS) - 1))}"
    return rule


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": 1,
        "codes": {f"c{i}": {"id": code_id, "name": f"Code {i}"} for i, code_id in enumerate(CODE_IDS)},
        "rules": draw(st.lists(rules(), max_size=25)),
    }
    policy = draw(st.sampled_from(["dead-letter", "skip", "fallback"]))
    doc["unmapped"] = {"action": policy, "code": "c0"} if policy == "fallback" else {"action": policy}
    return doc


@st.composite
def dispositions(draw: st.DrawFn) -> Disposition:
    fields = {k: draw(spelled(FIELD_VALUES)) for k in draw(st.lists(st.sampled_from(FIELD_KEYS), unique=True))}
    code = draw(st.one_of(spelled(BASE_VALUES), st.text(max_size=20)))
    return Disposition(
        source="five9", source_id="1", code=code, fields=fields, media=draw(st.sampled_from(list(Media)))
    )


def load(doc: dict[str, Any]) -> MappingTable:
    return MappingTable.from_text(yaml.safe_dump(doc, allow_unicode=True), name="generated.yaml")


def same(a: Decision, b: Decision) -> bool:
    number_a = a.rule.number if a.rule else None
    number_b = b.rule.number if b.rule else None
    return (a.kind, a.code, number_a) == (b.kind, b.code, number_b)


@given(tables(), st.lists(dispositions(), min_size=1, max_size=30))
def test_compiled_resolver_equals_naive_scan(doc: dict[str, Any], records: list[Disposition]) -> None:
    table = load(doc)
    for record in records:
        assert table.resolve(record) == resolve_naive(table, record)
        # and again, now that the normalization cache is warm
        assert table.resolve(record) == resolve_naive(table, record)


@given(tables(), st.lists(dispositions(), min_size=1, max_size=10))
def test_first_matching_rule_in_file_order_wins(doc: dict[str, Any], records: list[Disposition]) -> None:
    table = load(doc)
    for record in records:
        decision = table.resolve(record)
        explanation = table.explain(record)
        assert explanation.decision == decision
        matched = [t for t in explanation.traces if t.matched]
        if decision.rule is None:
            assert not matched
        else:
            assert matched == [explanation.traces[-1]]
            assert explanation.traces[-1].rule.number == decision.rule.number


@given(tables(), st.lists(dispositions(), min_size=1, max_size=20))
def test_yaml_round_trip_keeps_every_decision(doc: dict[str, Any], records: list[Disposition]) -> None:
    table = load(doc)
    again = MappingTable.from_text(table.to_yaml(), name="again.yaml")
    for record in records:
        assert same(table.resolve(record), again.resolve(record))


ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50),  # control characters
    st.just("x" * 100_000),
)


@given(tables(), ANY_TEXT, st.dictionaries(st.text(max_size=12), ANY_TEXT, max_size=6), st.sampled_from(list(Media)))
def test_resolve_is_total(doc: dict[str, Any], code: str, fields: dict[str, str], media: Media) -> None:
    table = load(doc)
    record = Disposition(source="twilio", source_id="WT1", code=code, fields=fields, media=media)
    decision = table.resolve(record)
    assert isinstance(decision, Decision)
    assert decision.reason
    assert decision.applies == (decision.kind in (DecisionKind.MAPPED, DecisionKind.FALLBACK))
    assert decision == resolve_naive(table, record)


def test_exact_index_and_patterns_interleave_in_file_order() -> None:
    table = MappingTable.from_text(
        """
version: 1
codes:
  a: {id: 00000001-0000-4000-8000-000000000001, name: A}
  b: {id: 00000002-0000-4000-8000-000000000002, name: B}
rules:
  - when: {code: {glob: "no *"}}
    code: a
  - when: {code: No Answer}
    code: b
  - when: {code: Busy, campaign: Sales}
    code: b
  - when: {code: {regex: "bus"}}
    code: a
"""
    )

    def rule_of(code: str, **fields: str) -> int | None:
        decision = table.resolve(Disposition(source="five9", source_id="1", code=code, fields=fields))
        return decision.rule.number if decision.rule else None

    assert rule_of("No Answer") == 1  # the earlier glob beats the later exact rule
    assert rule_of("BUSY", campaign="sales") == 3
    assert rule_of("Busy", campaign="Billing") == 4  # exact rule's field fails, later regex matches
    assert rule_of("Sale") is None


@given(tables(), st.lists(dispositions(), min_size=1, max_size=30))
def test_bounded_caches_give_the_same_answers_when_they_overflow(
    doc: dict[str, Any], records: list[Disposition]
) -> None:
    table = load(doc)
    original = table_module._CACHE_LIMIT
    table_module._CACHE_LIMIT = 2
    try:
        for record in records:
            assert table.resolve(record) == resolve_naive(table, record)
        assert len(table._buckets) <= 2 and len(table._norm_cache) <= 2
    finally:
        table_module._CACHE_LIMIT = original


@given(tables(), st.lists(dispositions(), min_size=1, max_size=20), st.sampled_from([1, 100]))
def test_the_table_answers_alike_with_sets_and_without(doc: dict[str, Any], records: list[Any], set_from: int) -> None:
    """The generated tables hold a few patterns each, under the table's own threshold: forced both ways here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "_SET_FROM", set_from)
        table = load(doc)
    for record in records:
        assert same(table.resolve(record), resolve_naive(table, record)), record
