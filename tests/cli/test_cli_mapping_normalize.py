"""The real ``wrapup-bridge`` entry point, run as a user would, on the shipped examples and tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, MAPPINGS, ROOT

CLI = [sys.executable, "-m", "wrapup_bridge"]


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_help_everywhere() -> None:
    for args in (["--help"], ["normalize", "--help"], ["mapping", "--help"], ["mapping", "explain", "--help"]):
        result = run(*args)
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout


def test_normalize_five9_call_log_one_record_per_call_in_utc(tmp_path: Path) -> None:
    result = run(
        "normalize", "--mapping", str(MAPPINGS / "five9.yaml"), str(EXAMPLES / "five9" / "call-log.csv"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    call_ids = [r["source_id"] for r in records]
    assert len(call_ids) == len(set(call_ids)) == 20  # 20 calls, transfer legs folded into their call
    assert all(r["occurred_at"].endswith("Z") for r in records)
    transfer = next(r for r in records if r["code"] == "Transferred To 3rd Party")
    assert transfer["fields"]["call_rows"] == "2"
    summer = next(r for r in records if r["conversation_id"].endswith("01"))
    assert summer["occurred_at"] == "2026-08-21T16:02:05Z"  # 09:02:05 PDT (UTC-7)
    assert not (tmp_path / "rejects.jsonl").exists()


def test_normalize_keeps_bad_rows_for_retry_and_exits_1(tmp_path: Path) -> None:
    lines = (EXAMPLES / "five9" / "call-log.csv").read_text(encoding="utf-8-sig").splitlines()
    bad = lines[1].replace("c0ffee00-0000-4000-8000-000000000001", "not-a-conversation-id")
    (tmp_path / "export.csv").write_text("\n".join([lines[0], bad, *lines[2:]]) + "\n", encoding="utf-8")
    result = run(
        "normalize",
        "--source",
        "five9",
        "export.csv",
        "--conversation-id-field",
        "GENESYS CONVERSATION ID",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "export.csv:line 2" in result.stderr and "GENESYS CONVERSATION ID" in result.stderr
    rejects = [json.loads(line) for line in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 1 and rejects[0]["raw"] and rejects[0]["field"] == "GENESYS CONVERSATION ID"
    assert len(result.stdout.splitlines()) == 19  # the rest went on


def test_normalize_reads_stdin() -> None:
    body = (EXAMPLES / "twilio" / "taskrouter-events.txt").read_text()
    result = run("normalize", "--source", "twilio", "--format", "taskrouter", "-", stdin=body)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 6
    assert "skipped 1: event type task.created" in result.stderr


def test_normalize_usage_errors_exit_2() -> None:
    assert run("normalize", "examples/five9/call-log.csv").returncode == 2  # no --source
    assert run("normalize", "--source", "five9", "no/such/file.csv").returncode == 2
    assert run("normalize", "--source", "nine5", "x").returncode == 2


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


def test_demo_replays_onto_the_emulator_and_a_second_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    first = run("demo", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert "EMULATOR (NOT Genesys Cloud)" in first.stdout
    assert "wrap-ups written to the emulator this run: 42" in first.stdout
    # The demo org is realistic, and the report shows it: legs that rang out passed over, system codes replaced,
    # the abandoned call that nobody answered explained.
    text = " ".join(first.stdout.split())
    assert "agent participants whose alerts rang out or were declined were passed over" in text
    assert "8 wrap-ups replaced ININ-WRAP-UP-TIMEOUT" in text
    assert "no-target: no agent ever connected (1 alert(s) rang out, 1 declined)" in text
    assert (out / "five9.plan.jsonl").is_file() and (out / "five9.deadletter.jsonl").is_file()
    second = run("demo", "--out", str(out))
    assert second.returncode == 0, second.stderr
    assert "wrap-ups written to the emulator this run: 0" in second.stdout
    assert "nothing was written twice" in second.stdout
