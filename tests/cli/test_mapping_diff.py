"""``mapping diff``: per legacy value old -> new as JSON and text, and with history the exact number of records each
change moves (the comparison itself is tested on core.review.diff_tables in tests/core/review/test_diff.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.conftest import EXAMPLES, MAPPINGS
from tests.core.review.samples import edited
from wrapup_bridge.cli import main

CALL_LOG = str(EXAMPLES / "five9" / "call-log.csv")


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


def test_field_dependent_values_count_the_records_of_the_branch_that_changed(tmp_path: Path) -> None:
    narrower = edited(tmp_path, "v3.yaml", ('campaign: {glob: "Sales*"}', 'campaign: {glob: "Outbound*"}'))
    report = diff_json(str(MAPPINGS / "five9.yaml"), str(narrower), "--history", CALL_LOG)
    moved = {r["value"]: (r["seen"], r["moved"]) for r in report["rows"]}
    assert moved == {"Callback Scheduled": (2, 1), "Call Back Scheduled": (0, 0)}  # only the Sales campaign's call


def test_text_output_and_all(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["diff", str(MAPPINGS / "five9.yaml"), str(new_table(tmp_path))]
    result = runner.invoke(main, ["mapping", *args])
    assert result.exit_code == 0
    assert "'Not Interested': changed" in result.output and "3 of 18 legacy values change" in result.output
    everything = runner.invoke(main, ["mapping", *args, "--all"])
    assert "'Sale': same" in everything.output
