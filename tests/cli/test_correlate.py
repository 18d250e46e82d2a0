"""``wrapup-bridge correlate`` as a user runs it, against the in-process emulator of the demo org: the demo
export's summary and exit 1 (some records are not matched), the --json summary, exit 0 when every record is
matched, the files beside the input by default, and exit 2 with one ``Error:`` line for what is wrong before
anything is searched (no table, a bad date, a country that is not one) or a file that cannot be written."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.process import invoke, run
from tests.conftest import MAPPINGS
from tests.services.correlate.demo import DEMO_EXPORT, EXPECTED, conversation
from wrapup_bridge.core.correlate import CorrelationStatus, read_correlations

MAPPING = str(MAPPINGS / "five9.yaml")
TARGET = ("--target", "emulator")


def correlate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return invoke("correlate", *args, *TARGET, cwd=cwd)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_the_demo_export_is_summed_up_by_status_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "matches.csv"
    result = run("correlate", str(DEMO_EXPORT), "-m", MAPPING, "--out", str(out), "--cutover", "2026-03-02", *TARGET)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("target: the wrapup-bridge Genesys emulator (NOT Genesys Cloud)")
    lines = result.stdout.splitlines()
    assert lines[:9] == [
        f"correlation: {out} (15 records without a conversation id)",
        "  matched            10",
        "  ambiguous          2",
        "  none               2",
        "  before-cutover     1",
        "API requests: 3 (analytics 2, users 1); 0.200 per record; 13 conversations read over 2 days",
        f"not matched: 5 records, with why, in {tmp_path / 'matches.unmatched.jsonl'}",
        f"next: review {out} (settle a row by hand: status matched + conversation_id), then",
        f"  wrapup-bridge replay plan {DEMO_EXPORT} --mapping {MAPPING} --correlation {out}",
    ]
    assert lines[9].startswith("took ") and len(lines) == 10
    rows = {row.source_id: row for row in read_correlations(out)}
    assert {i: row.status.value for i, row in rows.items()} == {i: s for i, (s, _) in EXPECTED.items()}
    assert len((tmp_path / "matches.unmatched.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def test_json_prints_the_summary_as_one_object(tmp_path: Path) -> None:
    result = correlate(
        tmp_path, str(DEMO_EXPORT), "-m", MAPPING, "--out", "m.jsonl", "--cutover", "2026-03-02", "--json"
    )
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) == {
        "out",
        "unmatched",
        "records",
        "counts",
        "carried_conversation_id",
        "repeated",
        "calls",
        "calls_per_record",
        "days_searched",
        "conversations_read",
        "seconds",
    }
    assert summary["out"] == "m.jsonl" and summary["unmatched"] == "m.unmatched.jsonl"
    assert (summary["records"], summary["carried_conversation_id"], summary["repeated"]) == (15, 0, 0)
    assert summary["counts"] == {"ambiguous": 2, "before-cutover": 1, "matched": 10, "none": 2}
    assert summary["calls"] == {"analytics": 2, "users": 1} and summary["calls_per_record"] == 0.2
    assert (summary["days_searched"], summary["conversations_read"]) == (2, 13)
    rows = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 15 and {r["source"] for r in rows} == {"five9"}  # --out .jsonl: JSON lines


def one_call_export(folder: Path) -> Path:
    """The demo export's header and its record of conversation 51 (300000010315502), alone."""
    header, _, first, *_ = DEMO_EXPORT.read_text(encoding="utf-8-sig").splitlines()
    assert first.startswith("300000010315502,")
    path = folder / "one-call.csv"
    path.write_text(f"{header}\n{first}\n", encoding="utf-8")
    return path


def test_every_record_matched_exits_0(tmp_path: Path) -> None:
    export = one_call_export(tmp_path)
    result = correlate(tmp_path, str(export), "-m", MAPPING, "--out", "m.csv")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  matched            1" in result.stdout.splitlines()
    assert "not matched" not in result.stdout
    [row] = read_correlations(tmp_path / "m.csv")
    assert row.status is CorrelationStatus.MATCHED and row.conversation_id == conversation(51)
    assert (tmp_path / "m.unmatched.jsonl").read_text(encoding="utf-8") == ""


def test_the_files_go_beside_the_first_input_by_default(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    export = exports / "march.csv"
    shutil.copy(one_call_export(tmp_path), export)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = correlate(elsewhere, str(export), "-m", MAPPING)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in exports.iterdir()) == [
        "march.correlation.csv",
        "march.correlation.unmatched.jsonl",
        "march.csv",
    ]
    assert list(elsewhere.iterdir()) == []
    assert (
        result.stdout.splitlines()[0]
        == f"correlation: {exports / 'march.correlation.csv'} (1 records without a conversation id)"
    )


def test_usage_errors_exit_2_before_anything_is_searched(tmp_path: Path) -> None:
    export = str(DEMO_EXPORT)
    cases = {
        "no table": ((export,), "Missing option '--mapping' / '-m'"),
        "bad cutover": (
            (export, "-m", MAPPING, "--cutover", "2026-13-01"),
            "Invalid value for '--cutover': '2026-13-01' is not a date (YYYY-MM-DD)",
        ),
        "not a country": (
            (export, "-m", MAPPING, "--default-country", "XX"),
            "--default-country: 'XX' is not a country code phone numbers know",
        ),
    }
    for case, (args, message) in cases.items():
        result = correlate(tmp_path, *args)
        assert result.returncode == 2, (case, result.stdout, result.stderr)
        [error] = errors(result)
        assert message in error, (case, error)
        assert "pydantic" not in result.stderr and "validation error" not in result.stderr
        assert "target:" not in result.stderr  # refused before connecting
    assert list(tmp_path.iterdir()) == []


def test_an_out_that_cannot_be_written_exits_2_with_one_error_line(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "m.csv"
    result = correlate(tmp_path, str(DEMO_EXPORT), "-m", MAPPING, "--out", str(out))
    assert result.returncode == 2, result.stdout + result.stderr
    assert errors(result) == [f"Error: cannot write the correlation file {out}: No such file or directory"]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_an_input_that_is_not_there_exits_2_and_leaves_nothing(tmp_path: Path) -> None:
    result = correlate(tmp_path, str(tmp_path / "nope.csv"), "-m", MAPPING, "--out", "m.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert errors(result) == [f"Error: input '{tmp_path / 'nope.csv'}' does not exist or is not a file"]
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_run_exits_130_saying_nothing_was_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("wrapup_bridge.cli.correlate.correlate_records", interrupted)
    result = correlate(tmp_path, str(DEMO_EXPORT), "-m", MAPPING, "--out", "m.csv")
    assert result.returncode == 130, result.stdout + result.stderr
    assert "interrupted: no correlation file was made (nothing was written to Genesys)" in result.stderr
    assert result.stdout == ""
