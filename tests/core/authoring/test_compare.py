"""``--compare``'s measure: each record resolved by both tables with the real engine; the per-value shortcut on the
proposed side gives exactly what resolving every record would; agreements counted by kind; a proposed table whose
rules look past the legacy value is refused."""

from __future__ import annotations

import random

import pytest

from tests.conftest import MAPPINGS
from wrapup_bridge.core.authoring.compare import Agreement, decision_key
from wrapup_bridge.core.authoring.propose import Tally
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping

REFERENCE = load_mapping(MAPPINGS / "five9.yaml")
PROPOSED = MappingTable.from_text(
    """\
version: 1
codes:
  callback: {id: 0b1f3790-be06-42fd-9aaf-6ec4a380626b, name: Callback Scheduled}
  sale: {id: 0dd6a32c-c059-4534-97bf-c82d73d9c869, name: Sale}
  busy: {id: 5f1bfb25-5eef-4f8d-bde5-4e17c7836f95, name: Busy}
rules:
  - when: {code: Callback Scheduled}
    code: callback
  - when: {code: Sale}
    code: sale
  - when: {code: Busy}
    code: sale
  - when: {code: No Disposition}
    skip: none chosen
""",
    name="proposed.yaml",
)
VALUES = ["Callback Scheduled", "callback  scheduled", "Sale", "Busy", "No Disposition", "Spoke To Spouse", "Declined"]
CAMPAIGNS = ["Sales Outbound", "Billing Inbound"]


def history(n: int, seed: int = 1) -> list[Disposition]:
    rng = random.Random(seed)
    return [
        Disposition(
            source="five9", source_id=str(i), code=rng.choice(VALUES), fields={"campaign": rng.choice(CAMPAIGNS)}
        )
        for i in range(n)
    ]


def measure(records: list[Disposition], max_values: int = 100) -> Agreement:
    tally, agreement = Tally(max_values=max_values), Agreement(REFERENCE)
    for record in records:
        agreement.add(tally.add(record), record)
    return agreement


def test_the_shortcut_agrees_with_resolving_every_record() -> None:
    records = history(2_000)
    comparison = measure(records).against(PROPOSED)
    naive = [decision_key(REFERENCE.resolve(r)) == decision_key(PROPOSED.resolve(r)) for r in records]
    assert comparison.records == len(records)
    assert comparison.agreed == sum(naive)


def test_agreement_by_kind_and_differences_by_value() -> None:
    records = [
        Disposition(source="five9", source_id="1", code="Sale"),
        Disposition(source="five9", source_id="2", code="Callback Scheduled", fields={"campaign": "Sales Outbound"}),
        Disposition(source="five9", source_id="3", code="Callback Scheduled", fields={"campaign": "Billing"}),
        Disposition(source="five9", source_id="4", code="No Disposition"),
        Disposition(source="five9", source_id="5", code="Spoke To Spouse"),
        Disposition(source="five9", source_id="6", code="Busy"),
        Disposition(source="five9", source_id="7", code="Declined"),
    ]
    comparison = measure(records).against(PROPOSED)
    assert (comparison.same_code, comparison.both_skip, comparison.both_unmapped) == (2, 1, 1)
    assert comparison.agreed == 4 and comparison.share == 4 / 7 and comparison.strict_share == 3 / 7
    assert {(d.value, d.records, d.proposed, d.reference) for d in comparison.differences} == {
        ("Callback Scheduled", 1, "Callback Scheduled", "Follow-up Required"),
        ("Busy", 1, "Sale", "Busy"),
        ("Declined", 1, "unmapped (dead letter)", "skip"),
    }
    assert comparison.to_dict()["agreed"] == 4


def test_values_past_the_tally_limit_are_unmapped_in_the_proposal() -> None:
    records = history(500)
    comparison = measure(records, max_values=2).against(PROPOSED)
    assert comparison.records == 500
    assert any(d.value == "(untracked values)" for d in comparison.differences)


def test_a_proposed_table_looking_past_the_value_is_refused() -> None:
    with pytest.raises(ValueError, match="looks at more than the legacy value"):
        measure(history(10)).against(REFERENCE)
