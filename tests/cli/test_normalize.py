"""``wrapup-bridge normalize`` (and ``--help`` everywhere) through the real entry point, run as a user would, on
the shipped examples and tables."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import invoke, run
from tests.conftest import EXAMPLES, MAPPINGS


def test_help_everywhere() -> None:
    """The entry point's help as a process of its own; each command's through click's runner (the same code)."""
    commands = [("normalize",), ("mapping",), ("mapping", "explain")]
    for result in (run("--help"), *(invoke(*command, "--help") for command in commands)):
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


def test_output_written_in_batches_keeps_every_record_in_order_around_rejects(tmp_path: Path) -> None:
    """More records than one output batch, with bad rows between them: every good call once, in file order, each a
    whole line; every bad row in the rejects file."""
    from wrapup_bridge.cli.normalize import OUTPUT_BATCH

    header = "CALL ID,TIMESTAMP,DISPOSITION,GENESYS CONVERSATION ID"
    rows = [header]
    bad = set()
    for i in range(OUTPUT_BATCH * 2 + 37):
        conversation = f"c0ffee00-0000-4000-8000-{i:012d}"
        if i % 97 == 5:
            conversation, _ = "not-an-id", bad.add(f"4000{i:06d}")
        rows.append(f"4000{i:06d},2026-08-21 09:{i // 60 % 60:02d}:{i % 60:02d},Sale,{conversation}")
    (tmp_path / "calls.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("normalize", "-s", "five9", "calls.csv", "-o", "out.jsonl", cwd=tmp_path)
    assert result.returncode == 1
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    expected = [f"4000{i:06d}" for i in range(OUTPUT_BATCH * 2 + 37) if f"4000{i:06d}" not in bad]
    assert [r["source_id"] for r in written] == expected
    rejects = (tmp_path / "rejects.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rejects) == len(bad) == 6
