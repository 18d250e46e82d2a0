"""``mapping diff``: per legacy value old -> new, field-dependent values compared branch by branch, reordering
that changes nothing reports nothing, and with history the exact number of records each change moves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.conftest import EXAMPLES, MAPPINGS
from wrapup_bridge.cli import main
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.review import diff_tables

FIVE9 = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
CALL_LOG = str(EXAMPLES / "five9" / "call-log.csv")


def edited(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = FIVE9
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def new_table(tmp_path: Path) -> Path:
    return edited(
        tmp_path,
        "five9-v2.yaml",
        (
            "  - when: {code: Not Interested}\n    code: not_interested",
            "  - when: {code: Not Interested}\n    code: do_not_call",
        ),
        (
            "code: [Callback Scheduled, Call Back Scheduled]}\n",
            "code: [Callback Scheduled, Call Back Scheduled, Callback]}\n",
        ),
        ("unmapped:\n", "  - when: {code: Spoke To Spouse}\n    code: follow_up\n\nunmapped:\n"),
    )


def diff_json(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["mapping", "diff", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_changes_per_value_and_records_moved(tmp_path: Path) -> None:
    report = diff_json(str(MAPPINGS / "five9.yaml"), str(new_table(tmp_path)), "--history", CALL_LOG)
    rows = {r["value"]: r for r in report["rows"]}
    assert set(rows) == {"Not Interested", "Spoke To Spouse", "Callback"}
    assert rows["Not Interested"]["old"].startswith("Not Interested (ea3d9d20")
    assert rows["Not Interested"]["new"].startswith("Do Not Call (2d4579fe")
    assert (rows["Not Interested"]["seen"], rows["Not Interested"]["moved"]) == (1, 1)
    assert rows["Spoke To Spouse"]["old"] == "unmapped (dead-letter)" and rows["Spoke To Spouse"]["moved"] == 1
    assert rows["Callback"]["moved"] == 0 and rows["Callback"]["seen"] == 0  # a new value no record has yet
    assert report["history"] == {"records": 20, "moved": 2, "untracked_records": 0}
    assert report["values_changed"] == 3


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

    report = diff_json(str(MAPPINGS / "five9.yaml"), str(narrower), "--history", CALL_LOG)
    moved = {r["value"]: (r["seen"], r["moved"]) for r in report["rows"]}
    assert moved == {"Callback Scheduled": (2, 1), "Call Back Scheduled": (0, 0)}  # only the Sales campaign's call


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


def test_text_output_and_all(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["diff", str(MAPPINGS / "five9.yaml"), str(new_table(tmp_path))]
    result = runner.invoke(main, ["mapping", *args])
    assert result.exit_code == 0
    assert "'Not Interested': changed" in result.output and "3 of 18 legacy values change" in result.output
    everything = runner.invoke(main, ["mapping", *args, "--all"])
    assert "'Sale': same" in everything.output


def test_a_table_against_itself_changes_nothing() -> None:
    table: MappingTable = load_mapping(MAPPINGS / "twilio-flex.yaml")
    assert diff_tables(table, load_mapping(MAPPINGS / "twilio-flex.yaml")).changes == ()
