"""``mapping check``: exit codes and JSON as a script reads them, the text output, ``--strict``, a live check of
the emulator, and usage errors (what the checks find is tested in tests/core/review/test_check.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import MAPPINGS
from tests.core.review.samples import ORG, PLANTED, line_of
from wrapup_bridge.cli import main


def test_cli_check_json_and_exit_codes(planted: Path, snapshot_file: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["mapping", "check", str(planted), "--catalog", str(snapshot_file), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False and report["counts"] == {"error": 7, "warning": 7, "info": 0}
    drift = next(f for f in report["findings"] if f["kind"] == "name-drift")
    assert drift["file"] == str(planted) and drift["line"] == line_of(PLANTED, "drift")
    assert report["catalog"]["fingerprint"].startswith("sha256:")

    text = runner.invoke(main, ["mapping", "check", str(planted), "--catalog", str(snapshot_file)])
    assert f"{planted}:{line_of(PLANTED, 'queue')}: error [queue-not-allowed]" in text.output

    clean = runner.invoke(main, ["mapping", "check", str(MAPPINGS / "five9.yaml"), "--catalog", str(snapshot_file)])
    assert clean.exit_code == 0, clean.output
    assert "payment_taken (line 18): 'Payment Taken'" in clean.output and "allowed on: Billing;" in clean.output


def test_warnings_fail_only_with_strict(tmp_path: Path, snapshot_file: Path) -> None:
    text = (MAPPINGS / "cxone.yaml").read_text(encoding="utf-8")
    table = tmp_path / "cxone.yaml"
    table.write_text(text.replace("rules:\n", "  fax: {id: 64403c6a-70d4-4907-babe-ab119dfba360, name: Fax}\nrules:\n"))
    runner = CliRunner()
    assert runner.invoke(main, ["mapping", "check", str(table), "--catalog", str(snapshot_file)]).exit_code == 0
    assert (
        runner.invoke(main, ["mapping", "check", str(table), "--catalog", str(snapshot_file), "--strict"]).exit_code
        == 1
    )


def test_live_check_reads_the_emulator(planted: Path) -> None:
    result = CliRunner().invoke(
        main, ["mapping", "check", str(planted), "--live", "--target", "emulator", "--org", str(ORG)]
    )
    assert result.exit_code == 1
    assert "emulator (NOT Genesys Cloud)" in result.output and "[name-drift]" in result.output


def test_usage_errors_exit_2(planted: Path, snapshot_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["mapping", "check", str(planted), "--catalog", str(snapshot_file), "--live"])
    assert both.exit_code == 2 and "not both" in both.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 1, "codes": [{"id": 5}]}')
    bad = runner.invoke(main, ["mapping", "check", str(planted), "--catalog", str(broken)])
    assert bad.exit_code == 2 and "codes[0]" in bad.output
    table = tmp_path / "bad.yaml"
    table.write_text("version: 1\ncodes: {}\nrules:\n  - when: {code: x}\n    code: nope\n")
    assert runner.invoke(main, ["mapping", "check", str(table)]).exit_code == 2


@pytest.mark.parametrize("name", ["five9.yaml", "twilio-flex.yaml", "cxone.yaml"])
def test_shipped_tables_check_clean_live_and_strict(name: str) -> None:
    """As the README runs it: five9.yaml's correlate: section (its queue ids the demo org's) included."""
    result = CliRunner().invoke(
        main, ["mapping", "check", str(MAPPINGS / name), "--live", "--target", "emulator", "--strict"]
    )
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output and "0 errors, 0 warnings, 0 notes" in result.output


def test_a_correlate_finding_names_its_line_and_fails(tmp_path: Path, snapshot_file: Path) -> None:
    text = (MAPPINGS / "five9.yaml").read_text(encoding="utf-8")
    wrong = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
    table = tmp_path / "five9.yaml"
    table.write_text(text.replace("Sales Outbound: 1fe52838-127f-42fd-bd21-e6ef4db35835", f"Sales Outbound: {wrong}"))
    line = next(i for i, row in enumerate(table.read_text().splitlines(), 1) if wrong in row)
    runner = CliRunner()
    result = runner.invoke(main, ["mapping", "check", str(table), "--catalog", str(snapshot_file)])
    assert result.exit_code == 1
    assert f"{table}:{line}: error [correlate-queue] correlate.queues maps 'Sales Outbound' to {wrong}" in result.output
    # the org has a queue named like the legacy one: its id is the suggestion
    assert "the org's queue 'Sales Outbound' has id 1fe52838-127f-42fd-bd21-e6ef4db35835" in result.output
    report = json.loads(
        runner.invoke(main, ["mapping", "check", str(table), "--catalog", str(snapshot_file), "--json"]).output
    )
    assert [(f["kind"], f["line"], f["file"]) for f in report["findings"]] == [("correlate-queue", line, str(table))]
    correlation = report["correlation"]
    assert correlation["section"] is True and correlation["platform"] == "five9"
    assert [(q["legacy"], q["status"]) for q in correlation["queues"]] == [
        ("Billing Inbound", "ok"),
        ("Sales Outbound", "unknown"),
    ]
