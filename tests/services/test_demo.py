"""The demo service runs from an empty folder with nothing but the package's shipped data (as after a ``pip
install``): it correlates the Five9 export without conversation ids with the demo org first, then replays every
set, that one through the correlation file: 52 wrap-ups on a first run (42 from the exports with ids, 10 matched by
correlation), none on a second with the same output folder. The 5 records correlation did not match are dead
letters carrying their verdict. ``root`` is only an override, and one without the demo's files is refused with a
library error. The expected verdicts are docs/correlation-demo.md's."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from wrapup_bridge.data import DATA_DIR
from wrapup_bridge.services.demo import DemoDataMissing, DemoError, DemoReport, DemoTarget, run_demo

NO_IDS = "call-log-no-ids.csv"
#: docs/correlation-demo.md: the conversations the 10 matched records belong to (demo org 51-53, 57-63).
MATCHED = {f"c0ffee00-0000-4000-8000-0000000000{nn}" for nn in (51, 52, 53, 57, 58, 59, 60, 61, 62, 63)}
#: docs/correlation-demo.md: the records correlation does not match, and their status.
NOT_MATCHED = {
    "300000009874415": "before-cutover",
    "300000010315520": "ambiguous",
    "300000010315521": "ambiguous",
    "300000010315526": "none",
    "300000010315535": "none",
}
COUNTS = {"matched": 10, "ambiguous": 2, "none": 2, "before-cutover": 1}


def _correlation_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _uncorrelated_dead_letters(report: DemoReport) -> dict[str, str]:
    """source_id -> reason of the dead letters of the export without ids (the five9 set's)."""
    (five9,) = [r for r in report.sets if r.source == "five9"]
    assert five9.dead_letters is not None
    found: dict[str, str] = {}
    with five9.dead_letters.open(encoding="utf-8") as handle:
        for line in handle:
            entry = json.loads(line)
            if Path(entry["input"]).name == NO_IDS:
                assert entry["class"] == "no-target", entry
                found[entry["record"]["source_id"]] = entry["reason"]
    return found


def _check_correlation(report: DemoReport, out: Path) -> None:
    (found,) = report.correlations
    assert found.source == "five9" and [p.name for p in found.inputs] == [NO_IDS]
    assert all(p.is_relative_to(DATA_DIR) for p in found.inputs)  # the shipped copy
    assert found.counts == COUNTS and found.records == 15 and found.matched == 10
    assert 0 < found.api_calls <= 5  # one details query per UTC day (2) and one user look-up, not one per record
    assert found.file == out / "five9.correlation.csv" and found.unmatched == out / "five9.correlation.unmatched.jsonl"
    rows = _correlation_rows(found.file)
    assert len(rows) == 15
    assert {r["conversation_id"] for r in rows if r["status"] == "matched"} == MATCHED
    assert len([r for r in rows if r["status"] == "matched"]) == 10
    assert {r["source_id"]: r["status"] for r in rows if r["status"] != "matched"} == NOT_MATCHED
    unmatched = [json.loads(line) for line in found.unmatched.read_text(encoding="utf-8").splitlines()]
    assert {u["source_id"]: u["class"] for u in unmatched} == NOT_MATCHED

    # The not-matched records are dead letters whose reason is their correlation verdict, naming the file.
    dead = _uncorrelated_dead_letters(report)
    assert set(dead) == set(NOT_MATCHED)
    for source_id, status in NOT_MATCHED.items():
        assert dead[source_id].startswith(f"correlation {status} in {found.file}: "), dead[source_id]
    assert "time off by 375 s" in dead["300000010315526"]  # the near miss says why
    # The report's gists name the verdicts once, without the file.
    assert report.reasons[("no-target", "correlation ambiguous: 2 conversations score within 0.15 of each other")] == 2
    assert report.reasons[("no-target", "correlation none: none passes (threshold 0.6)")] == 1  # the near miss
    assert report.reasons[("no-target", "correlation none: no conversation within 120 s of the record's time")] == 1


def test_the_demo_runs_from_an_empty_folder_on_shipped_data_and_writes_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # nothing of the checkout here: no mappings/, no examples/
    out = Path("out/demo")
    told: list[DemoTarget] = []
    first = run_demo(out, on_target=told.append)
    assert [r.source for r in first.sets] == ["five9", "twilio", "cxone"]
    assert all(r.mapping.is_relative_to(DATA_DIR) for r in first.sets)  # the shipped tables
    assert first.writes == 52  # 42 from the exports with ids, 10 matched by correlation
    assert told == [first.target] and "EMULATOR (NOT Genesys Cloud)" in first.target.description
    assert str(DATA_DIR / "examples" / "demo-org.yaml") in first.target.description
    assert first.totals["replaced-system-code"] == 8
    assert first.passed_over_legs > 0 and first.passed_over_conversations > 0
    assert (tmp_path / "out/demo/five9.plan.jsonl").is_file()
    assert [p.name for p in first.dead_letter_files] == ["five9.deadletter.jsonl", "twilio.deadletter.jsonl"]
    assert sum(first.reasons.values()) == sum(
        r.outcomes.get(k, 0) for r in first.sets for k in ("unmapped", "no-target", "rejected")
    )
    five9 = first.sets[0]
    assert five9.records == 20 + 15  # call-log.csv and the export without ids
    _check_correlation(first, out)

    second = run_demo(out)
    assert second.target.restored == 52
    assert second.writes == 0 and second.nothing_written_twice
    assert second.sets[0].outcomes.get("already-applied", 0) >= 10
    _check_correlation(second, out)  # the same verdicts again, and the same dead letters


def test_a_root_without_the_demo_files_and_an_unusable_out_are_library_errors(tmp_path: Path) -> None:
    with pytest.raises(DemoDataMissing, match=r"demo-org\.yaml not found"):
        run_demo(tmp_path / "out", root=tmp_path)
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with pytest.raises(DemoError, match="cannot create the demo folder"):
        run_demo(tmp_path / "a-file" / "demo")
