"""core.authoring.extend: what ``Missing`` counts, and that ``prove`` refuses an extension that is not what it
claims (the CLI's tests cover the ones that are). Records are hand-made Five9 dispositions, shaped as the Call Log
adapter reads them (``campaign`` field: the CAMPAIGN column of examples/five9/call-log.csv)."""

from __future__ import annotations

import dataclasses

import pytest

from wrapup_bridge.core.authoring.extend import ExtendContext, ExtendRefused, Extension, Missing, extend_text, prove
from wrapup_bridge.core.authoring.propose import propose
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable
from wrapup_bridge.core.review.orgview import CatalogCode

TABLE = """\
version: 1
source: {platform: five9}
codes:
  callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}   # dialer callbacks
rules:
  - when: {code: Callback Scheduled, campaign: Sales Outbound}
    code: callback
"""
CODES = [
    CatalogCode("0b1f3790-be06-42fd-9aaf-6ec4a380626b", "Callback Scheduled"),
    CatalogCode("f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35", "Escalated"),
]


def record(code: str, campaign: str, n: int) -> Disposition:
    return Disposition(source="five9", source_id=f"3000000102{n:05d}", code=code, fields={"campaign": campaign})


def extended(text: str = TABLE) -> tuple[MappingTable, Missing, Extension]:
    table = MappingTable.from_text(text, name="t.yaml")
    missing = Missing(table)
    history = [record("Callback Scheduled", "Sales Outbound", 1), record("Callback Scheduled", "Billing Inbound", 2)]
    history += [record("Escalated", "Billing Inbound", 3), record("escalated ", "Sales Outbound", 4)]
    for r in history:
        missing.add(r)
    proposals = propose(missing.tally.values(), CODES)
    context = ExtendContext(platform="five9", inputs=("wave2.csv",), records=missing.records)
    return table, missing, extend_text(text, name="t.yaml", table=table, missing=missing, proposals=proposals,
                                       context=context)  # fmt: skip


def test_missing_counts_only_the_records_no_rule_decides() -> None:
    _, missing, extension = extended()
    assert (missing.records, missing.decided, missing.tally.records) == (4, 1, 3)
    assert [v.display for v in missing.tally.values()] == ["Escalated", "Callback Scheduled"]
    # the value a rule decides for one campaign gets a rule for the rest, after the table's, saying so
    assert "  # 1 more record of this value are decided by the rules above; this rule takes only the rest.\n" in (
        extension.text
    )
    lines = iter(extension.text.splitlines())
    assert all(line in lines for line in TABLE.splitlines())  # the table's lines, in order, with lines inserted
    assert [a for a, _ in extension.codes_added] == ["escalated"]
    assert "  callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}   # dialer callbacks\n" \
           "  # --- PROPOSED" in extension.text  # fmt: skip


def test_prove_accepts_the_extension_and_every_record_is_decided_as_claimed() -> None:
    table, missing, extension = extended()
    new = prove(extension, name="t.yaml", table=table, missing=missing)
    assert len(new.rules) == 3 and set(new.codes) == {"callback", "escalated"}


def test_prove_refuses_a_rule_that_decides_other_records_than_claimed() -> None:
    table, missing, extension = extended()
    swapped = dataclasses.replace(extension, rule_numbers={k: 5 - v for k, v in extension.rule_numbers.items()})
    with pytest.raises(ExtendRefused, match="would decide 3 records of the history differently"):
        prove(swapped, name="t.yaml", table=table, missing=missing)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Sales Outbound}\n    code: callback\n", "Sales Outbound}\n    code: escalated\n", "change the table's rules"),
        ("name: Callback Scheduled}", "name: Callback}", "change the table's codes"),
        ("source: {platform: five9}", "source: {platform: five9, media: voice}", "more than codes: and rules:"),
    ],
)
def test_prove_refuses_an_edit_of_what_was_reviewed(old: str, new: str, message: str) -> None:
    table, missing, extension = extended()
    assert old in extension.text
    tampered = dataclasses.replace(extension, text=extension.text.replace(old, new, 1))
    with pytest.raises(ExtendRefused, match=message):
        prove(tampered, name="t.yaml", table=table, missing=missing)


def test_a_flow_style_codes_mapping_is_refused_when_codes_must_be_added() -> None:
    flow = TABLE.replace(
        "codes:\n  callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}   # dialer callbacks\n",
        "codes: {callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}}\n",
    )
    with pytest.raises(ExtendRefused, match=r"t.yaml:3: codes: is written in flow style .*nothing was written"):
        extended(flow)
