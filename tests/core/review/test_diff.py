"""Diffing two tables (core.review.diff_tables): field-dependent values compared branch by branch, reordering that
changes nothing reports nothing, and a table against itself changes nothing. The ``mapping diff`` command is
tested in tests/cli/test_mapping_diff.py."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MAPPINGS
from tests.core.review.samples import edited
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.review import diff_tables


def test_field_dependent_values_compare_branches(tmp_path: Path) -> None:
    narrower = edited(tmp_path, "v3.yaml", ('campaign: {glob: "Sales*"}', 'campaign: {glob: "Outbound*"}'))
    result = diff_tables(load_mapping(MAPPINGS / "five9.yaml"), load_mapping(narrower))
    changed = {r.value: r for r in result.changes}
    assert set(changed) == {"Callback Scheduled", "Call Back Scheduled"}
    row = changed["Callback Scheduled"]
    assert row.old == (
        "if campaign glob 'Sales*': Callback Scheduled (0b1f3790-be06-42fd-9aaf-6ec4a380626b); "
        "otherwise: Follow-up Required (2e7abed5-658e-430d-8569-80bb0977e471)"
    )
    assert "campaign glob 'Outbound*'" in row.new and row.old_rules == row.new_rules == (3, 4)


def test_reordering_rules_without_changing_meaning_is_no_change(tmp_path: Path) -> None:
    swapped = edited(
        tmp_path,
        "swapped.yaml",
        (
            "  - when: {code: Payment Taken}\n    code: payment_taken\n  - when: {code: Sale}\n    code: sale\n",
            "  - when: {code: Sale}\n    code: sale\n  - when: {code: Payment Taken}\n    code: payment_taken\n",
        ),
    )
    old, new = load_mapping(MAPPINGS / "five9.yaml"), load_mapping(swapped)
    assert old.sha256 != new.sha256
    result = diff_tables(old, new)
    assert result.changes == () and len(result.rows) == len(old.known_code_values())
    sale = next(r for r in result.rows if r.value == "Sale")
    assert (sale.old_rules, sale.new_rules) == ((2,), (1,))


def test_a_table_against_itself_changes_nothing() -> None:
    table: MappingTable = load_mapping(MAPPINGS / "twilio-flex.yaml")
    assert diff_tables(table, load_mapping(MAPPINGS / "twilio-flex.yaml")).changes == ()
