"""A table's first pass costs about what its next one does: the values its exact ``code`` conditions name get their
buckets when it is compiled, and a value it does not name finds its pattern rules through one set per kind. Every
answer stays the naive scan's, whichever way the bucket was made."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, resolve_naive
from wrapup_bridge.core.mapping import table as table_module

TABLE = """version: 1
codes:
  a: {id: 00000001-0000-4000-8000-000000000001, name: A}
  b: {id: 00000002-0000-4000-8000-000000000002, name: B}
rules:
  - when: {code: {glob: "no *"}, campaign: Sales}
    code: a
  - when: {code: [No Answer, Busy]}
    code: b
  - when: {code: {regex: "^call ?back"}, Code: {glob: "*later"}}
    code: a
  - when: {code: Busy, CODE: {regex: "^b"}}
    code: a
  - when: {campaign: {glob: "legacy*"}}
    skip: old campaign
  - when: {code: {glob: "[!x]*ed"}}
    code: b
  - when: {code: [Sale, "Sale!"], agent: jdoe}
    code: a
  - when: {code: {regex: "^(sale|sold)$"}}
    code: b
  - when: {code: {glob: ["transfer*", "*transferred"]}, call_type: {regex: "out"}}
    code: a
"""

CODES = ["No Answer", "  NO   ANSWER ", "no one", "Busy", "Sale", "SALE!", "sold", "Callback later", "call back LATER",
         "callback", "Declined", "xed", "Transferred", "transfer to sales", "", "Unknown", "b", "no *", "sale\ud800"]  # fmt: skip
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "campaign": st.sampled_from(["Sales", "sales ", "Legacy 2", "Billing", ""]),
        "call_type": st.sampled_from(["Outbound", "inbound", ""]),
    },
)


def record(code: str, agent: str | None = None, **fields: str) -> Disposition:
    return Disposition(source="five9", source_id="1", code=code, agent=agent, fields=fields)


def test_values_the_table_names_have_their_buckets_from_the_start() -> None:
    table = MappingTable.from_text(TABLE)
    assert set(table._known) == {"no answer", "busy", "sale", "sale!"}
    for code in ["No Answer", "  BUSY", "sale", "Sale!"]:
        table.resolve(record(code, campaign="Sales"))
    assert table._buckets == {}  # nothing was left to make on a first record
    table.resolve(record("Transferred", call_type="Outbound"))
    assert set(table._buckets) == {"transferred"}
    table.resolve(record("Unknown"))  # no exact condition names it, no code pattern matches it
    assert table._buckets["unknown"] is table._plain
    assert [d.rule and d.rule.number for _, d in table._plain.candidates] == [5]


@given(st.lists(st.tuples(st.sampled_from(CODES), st.sampled_from([None, "jdoe", "JDOE"]), FIELDS), min_size=1))
def test_every_answer_is_the_naive_scans(cases: list[tuple[str, str | None, dict[str, str]]]) -> None:
    """Exact values, globs (with and without a class), regexes, two ``code`` conditions on one rule (keys spelled
    differently), rules without a ``code`` condition: prepared buckets, buckets made on first sight, and the
    bounded caches overflowing all answer as the plain scan does."""
    table = MappingTable.from_text(TABLE)
    for code, agent, fields in cases:
        one = record(code, agent, **fields)
        assert table.resolve(one) == resolve_naive(table, one), (code, agent, fields)
        assert table.resolve(one) == resolve_naive(table, one)


@pytest.mark.parametrize("budget", [1, 3, 0])
def test_past_the_budget_buckets_are_made_on_first_sight(budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_module, "_KNOWN_BUDGET", budget)
    table = MappingTable.from_text(TABLE)
    assert 1 <= len(table._known) < 4
    for code in CODES:
        for fields in ({"campaign": "Sales"}, {"call_type": "outbound"}, {}):
            one = record(code, "jdoe", **fields)
            assert table.resolve(one) == resolve_naive(table, one), code
    assert set(table._buckets).isdisjoint(table._known)


def test_the_rules_of_a_value_the_table_does_not_name_come_in_file_order() -> None:
    table = MappingTable.from_text(TABLE)

    def rule_of(code: str, **fields: str) -> int | None:
        decision = table.resolve(record(code, **fields))
        return decision.rule.number if decision.rule else None

    assert rule_of("no one", campaign="Sales") == 1
    assert rule_of("no one", campaign="Legacy 9") == 5  # a rule without a code condition, between the patterns
    assert rule_of("Callback later") == 3 and rule_of("callback") is None
    assert rule_of("declined") == 6 and rule_of("xed") is None
    assert rule_of("sold") == 8
    assert rule_of("Transfer to sales", call_type="Outbound") == 9 and rule_of("transfer to sales") is None
    assert rule_of("Transferred", call_type="Outbound") == 6  # '[!x]*ed' comes first
