"""``wrapup-bridge replay plan --correlation FILE`` as a user runs it after ``wrapup-bridge correlate``, against
the in-process emulator of the demo org: the matched rows become writes and the rest no-target; the ops lead's
settling of the ambiguous rows adds two writes that apply; a bad row stops with exit 2 naming the file and the
line; a correlation file changed after planning makes ``replay apply`` refuse the plan as stale."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.process import invoke
from tests.conftest import MAPPINGS
from tests.services.correlate.demo import DEMO_EXPORT, EXPECTED, edit_csv, settle_ambiguous

MAPPING = str(MAPPINGS / "five9.yaml")
TARGET = ("--target", "emulator")


def replay(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return invoke("replay", *args, *TARGET, cwd=cwd)


def plan(cwd: Path, matches: Path, *more: str) -> subprocess.CompletedProcess[str]:
    return replay(
        cwd, "plan", str(DEMO_EXPORT), "-m", MAPPING, "--correlation", str(matches), "--out", "p.plan.jsonl", *more
    )


@pytest.fixture(scope="module")
def correlated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("correlation")
    result = invoke(
        "correlate",
        str(DEMO_EXPORT),
        "-m",
        MAPPING,
        "--out",
        "matches.csv",
        "--cutover",
        "2026-03-02",
        *TARGET,
        cwd=folder,
    )
    assert result.returncode == 1, result.stderr  # 5 of 15 are not matched
    return folder / "matches.csv"


@pytest.fixture
def matches(correlated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(correlated, tmp_path / "matches.csv"))


def test_the_matched_rows_become_writes_and_the_others_no_target(matches: Path, tmp_path: Path) -> None:
    result = plan(tmp_path, matches, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["items"] == 15 and summary["actions"] == {"write": 10, "no-target": 5}
    reasons = [
        json.loads(line)["reason"]
        for line in (tmp_path / "p.plan.jsonl").read_text(encoding="utf-8").splitlines()
        if '"action":"no-target"' in line
    ]
    assert sorted(r.split(" in ", 1)[0] for r in reasons) == sorted(
        f"correlation {s}" for s, _ in EXPECTED.values() if s != "matched"
    )


def test_the_ops_leads_settled_rows_are_written_too(matches: Path, tmp_path: Path) -> None:
    edit_csv(matches, settle_ambiguous)
    planned = plan(tmp_path, matches, "--json")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["actions"] == {"write": 12, "no-target": 3}
    applied = replay(tmp_path, "apply", "p.plan.jsonl", "--json")
    assert applied.returncode == 1, applied.stderr  # the 3 records without a conversation are dead letters
    report = json.loads(applied.stdout)
    assert report["outcomes"]["applied"] == 12


def test_a_bad_row_exits_2_naming_the_file_and_the_line(matches: Path, tmp_path: Path) -> None:
    edit_csv(matches, lambda row: {**row, "status": "matched"} if row["source_id"] == "300000010315520" else row)
    result = plan(tmp_path, matches)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {matches}:6: conversation_id: status is matched but conversation_id is empty: "
        "fill in the conversation chosen"
    ]
    assert not (tmp_path / "p.plan.jsonl").exists()


def test_a_correlation_file_changed_after_planning_makes_apply_refuse_the_plan(matches: Path, tmp_path: Path) -> None:
    assert plan(tmp_path, matches).returncode == 0
    edit_csv(matches, settle_ambiguous)
    result = replay(tmp_path, "apply", "p.plan.jsonl")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"stale plan: the input {matches.resolve()} changed since planning" in result.stderr
    assert "refusing to apply a stale plan" in result.stderr
    assert not (tmp_path / "p.ledger.sqlite").exists()


def test_overlapping_exports_correlate_to_a_file_the_plan_reads(tmp_path: Path) -> None:
    """The same calls in two exports: one row per record, so the plan takes the file; the repeats are the plan's
    duplicates."""
    again = Path(shutil.copy(DEMO_EXPORT, tmp_path / "march-again.csv"))
    inputs = (str(DEMO_EXPORT), str(again))
    correlated = invoke(
        "correlate", *inputs, "-m", MAPPING, "--out", "both.csv", "--cutover", "2026-03-02", *TARGET, cwd=tmp_path
    )
    assert correlated.returncode == 1, correlated.stderr
    assert "  (and 15 records listed again in the inputs: one row each)" in correlated.stdout.splitlines()
    planned = replay(
        tmp_path, "plan", *inputs, "-m", MAPPING, "--correlation", "both.csv", "--out", "p.plan.jsonl", "--json"
    )
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["actions"] == {"write": 10, "no-target": 5, "duplicate": 15}


def test_replay_run_writes_the_matches_and_dead_letters_the_rest_with_the_files_verdict(
    matches: Path, tmp_path: Path
) -> None:
    result = replay(
        tmp_path,
        "run",
        str(DEMO_EXPORT),
        "-m",
        MAPPING,
        "--correlation",
        str(matches),
        "--out",
        "r.plan.jsonl",
        "--json",
    )
    assert result.returncode == 1, result.stderr  # 5 records have no conversation
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["outcomes"] == {"applied": 10, "no-target": 5}
    dead = [json.loads(line) for line in (tmp_path / "r.deadletter.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((d["record"]["source_id"], d["class"]) for d in dead) == sorted(
        (i, "no-target") for i, (s, _) in EXPECTED.items() if s != "matched"
    )
    assert all(d["reason"].startswith("correlation ") and str(matches) in d["reason"] for d in dead)
