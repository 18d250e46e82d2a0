"""``wrapup-bridge mapping validate`` and ``mapping explain`` through the real entry point, run as a user would, on
the shipped tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.process import run
from tests.conftest import MAPPINGS


@pytest.mark.parametrize("table", sorted(p.name for p in MAPPINGS.glob("*.yaml")))
def test_shipped_tables_validate(table: str) -> None:
    result = run("mapping", "validate", str(MAPPINGS / table), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "version: 1\ncodes:\n  sale: {id: Sale, name: Sale}\nrules:\n  - when: {code: Sale}\n    code: sael\n"
        "  - when: {code: {regex: '(x'}}\n    code: sale\n"
    )
    result = run("mapping", "validate", str(broken))
    assert result.returncode == 1
    for fragment in (f"{broken}:3", f"{broken}:6", f"{broken}:7"):
        assert fragment in result.stdout


def test_explain_names_rule_line_and_code() -> None:
    result = run(
        "mapping",
        "explain",
        "mappings/five9.yaml",
        "callback   SCHEDULED",
        "--field",
        "campaign=Sales Outbound",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    explanation = json.loads(result.stdout)
    decision = explanation["decision"]
    assert decision["kind"] == "mapped"
    assert decision["code"] == {
        "alias": "callback",
        "id": "0b1f3790-be06-42fd-9aaf-6ec4a380626b",
        "name": "Callback Scheduled",
    }
    assert decision["rule"]["number"] == 3 and decision["rule"]["line"] == 37
    assert explanation["rules_tried"][-1]["matched"] is True


def test_explain_unmapped_exits_1_and_suggests() -> None:
    result = run("mapping", "explain", "mappings/five9.yaml", "Busyy")
    assert result.returncode == 1
    assert "no rule matches" in result.stdout and "'Busy'" in result.stdout


def test_explain_a_normalized_record() -> None:
    record = json.dumps({"code": "busy", "fields": {"outcome_kind": "system"}})
    result = run("mapping", "explain", "mappings/twilio-flex.yaml", "--record", record)
    assert result.returncode == 0, result.stderr
    assert "Busy" in result.stdout and "rule #1" in result.stdout
