"""correlate_records against the emulator's demo org, as a library caller runs it: the demo export gives exactly
docs/correlation-demo.md's table for 3 API calls; records that carry an id are left out, unreadable ones and
those without a time get rows of their own; the day searches are narrowed by media and (few) dialled numbers;
the async jobs give what the query gives; retention counts back from ``now``; a file that cannot be written or a
target that fails part-way leaves no file behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MAPPINGS
from tests.services.correlate.demo import (
    CUTOVER,
    DEMO_EXPORT,
    EXPECTED,
    Recording,
    connection_to,
    conversation,
    table_with,
)
from wrapup_bridge.core.correlate import Correlation, CorrelationIndex, CorrelationStatus, read_correlations
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.mapping import MappingTable, load_mapping
from wrapup_bridge.core.replay.pipeline import SourceRecord
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig
from wrapup_bridge.emulator.faults import FaultPlan
from wrapup_bridge.genesys.details_search import JOBS_PATH, QUERY_PATH
from wrapup_bridge.services.correlate import (
    CorrelateError,
    CorrelateOptions,
    CorrelateSummary,
    correlate_records,
)
from wrapup_bridge.services.inputs import adapter_options
from wrapup_bridge.services.replay import TargetFailed, source_records
from wrapup_bridge.testing import DEMO_ORG, FakeClock

DEMO = CorrelateOptions(cutover=CUTOVER)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    """The demo org; correlating only reads, so one serves the module."""
    yield Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=None))


@pytest.fixture(scope="module")
def five9() -> MappingTable:
    return load_mapping(MAPPINGS / "five9.yaml")


def demo_records(table: MappingTable, path: Path = DEMO_EXPORT) -> list[SourceRecord]:
    return list(source_records("five9", adapter_options(table), [str(path)]))


@dataclass
class Run:
    summary: CorrelateSummary
    recording: Recording
    rows: list[Correlation]

    def by_id(self) -> dict[str, Correlation]:
        return {row.source_id: row for row in self.rows}

    def analytics(self) -> list[Any]:
        return [s for s in self.recording.sent if s.path.startswith("/api/v2/analytics/")]


def correlate(
    emulator: Emulator,
    table: MappingTable,
    out: Path,
    records: Iterable[SourceRecord] | None = None,
    *,
    options: CorrelateOptions = DEMO,
    unmatched: Path | None = None,
    clock: FakeClock | None = None,
    **overrides: Any,
) -> Run:
    async def go() -> tuple[CorrelateSummary, Recording]:
        async with connection_to(emulator, clock=clock, **overrides) as (connection, recording):
            summary = await correlate_records(
                demo_records(table) if records is None else records,
                table=table,
                connection=connection,
                out=out,
                unmatched=unmatched,
                options=options,
            )
            return summary, recording

    summary, recording = asyncio.run(go())
    return Run(summary, recording, list(read_correlations(out)))


def outcome(row: Correlation) -> tuple[str, int | None]:
    """The row as docs/correlation-demo.md's table states it: the status and the conversation it names."""
    named = row.conversation_id or (row.candidates[0].conversation_id if row.candidates else None)
    return row.status.value, int(named[-2:]) if named else None


def unmatched_entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- the demo export ---------------------------------------------------------------------------------------------
def test_the_demo_export_gives_the_documented_result_for_three_api_calls(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    run = correlate(emulator, five9, tmp_path / "matches.csv")
    rows = run.by_id()
    assert len(run.rows) == len(rows) == 15
    found = {source_id: outcome(row) for source_id, row in rows.items()}
    found["300000010315535"] = (found["300000010315535"][0], None)  # docs: "no conversation within 10 minutes"
    assert found == EXPECTED
    assert {rows[i].conversation_id for i in rows if rows[i].status is CorrelationStatus.MATCHED} == {
        conversation(n) for n in (51, 52, 53, 57, 58, 59, 60, 61, 62, 63)
    }
    for record, other in (("300000010315520", 55), ("300000010315521", 54)):
        ambiguous = rows[record]
        assert ambiguous.conversation_id is None
        assert [c.conversation_id for c in ambiguous.candidates[:2]][1] == conversation(other)
        assert ambiguous.margin is not None and ambiguous.margin < 0.15
    assert "time off by 375 s (tolerance 120 s)" in rows["300000010315526"].evidence
    assert rows["300000009874415"].evidence == "the record is before the org's first day on Genesys (2026-03-02)"
    assert {row.input for row in run.rows} == {str(DEMO_EXPORT)}

    summary = run.summary
    assert dict(summary.counts) == {"matched": 10, "ambiguous": 2, "none": 2, "before-cutover": 1}
    assert (summary.records, summary.matched, summary.not_matched, summary.carried) == (15, 10, 5, 0)
    # One details query per UTC day with records (2026-03-05 and, by UTC, 03-06) and one users call for the agents.
    assert summary.calls == {"analytics": 2, "users": 1}
    assert summary.total_calls == len(run.recording.sent) == 3
    assert summary.days == 2 and summary.conversations == 13
    assert [s.body["interval"] for s in run.analytics()] == [
        "2026-03-05T00:00:00.000Z/2026-03-05T23:59:59.999Z",
        "2026-03-06T00:00:00.000Z/2026-03-06T23:59:59.999Z",
    ]
    assert summary.out == tmp_path / "matches.csv"
    assert summary.unmatched == tmp_path / "matches.unmatched.jsonl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matches.csv", "matches.unmatched.jsonl"]
    assert emulator.write_log == []  # correlating writes nothing

    entries = unmatched_entries(summary.unmatched)
    assert sorted((e["source_id"], e["class"]) for e in entries) == sorted(
        (i, s) for i, (s, _) in EXPECTED.items() if s != "matched"
    )
    for entry in entries:
        assert entry["record"]["source_id"] == entry["source_id"] and entry["record"]["conversation_id"] is None
        assert entry["reason"] == rows[entry["source_id"]].evidence


def test_records_that_carry_a_conversation_id_are_left_out(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    records: list[SourceRecord] = []
    for name, raw, item in demo_records(five9):
        if isinstance(item, Disposition) and item.source_id in ("300000010315502", "300000010315520"):
            item = item.model_copy(update={"conversation_id": conversation(int(EXPECTED[item.source_id][1] or 0))})
        records.append((name, raw, item))
    run = correlate(emulator, five9, tmp_path / "m.csv", records)
    assert run.summary.carried == 2
    assert len(run.rows) == 13
    assert "300000010315502" not in run.by_id() and "300000010315520" not in run.by_id()
    assert run.summary.counts["matched"] == 9 and run.summary.counts["ambiguous"] == 1


def test_a_record_listed_twice_gets_one_row_that_replay_can_read(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    """Two exports that overlap (the same calls in both): each record is correlated once, so the file has one row
    per record, as ``replay plan --correlation`` requires; the repeats are counted."""
    run = correlate(emulator, five9, tmp_path / "m.csv", demo_records(five9) + demo_records(five9))
    assert len(run.rows) == 15 == len(run.by_id())
    assert run.summary.repeated == 15 and run.summary.to_json_dict()["repeated"] == 15
    assert dict(run.summary.counts) == {"matched": 10, "ambiguous": 2, "none": 2, "before-cutover": 1}
    assert len(unmatched_entries(run.summary.unmatched)) == 5
    assert len(CorrelationIndex.load(tmp_path / "m.csv")) == 15


def test_unreadable_records_become_invalid_rows_and_unmatched_entries(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    lines = DEMO_EXPORT.read_text(encoding="utf-8-sig").splitlines()
    good = lines[2]  # 300000010315502, conversation 51
    export = tmp_path / "broken.csv"
    export.write_text(
        "\n".join(
            [
                lines[0],
                good,
                good.replace('"Thu, 05 Mar 2026 08:02:31"', "garbage time", 1).replace(
                    "300000010315502", "300000010399999", 1
                ),
                "," + good.split(",", 1)[1],
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    run = correlate(emulator, five9, tmp_path / "m.csv", demo_records(five9, export))
    assert [row.status.value for row in run.rows] == ["invalid", "invalid", "matched"]  # read first, searched after
    invalid = run.rows[:2]
    assert all(row.source == "five9" and row.source_id == "" for row in invalid)
    assert "field 'TIMESTAMP'" in invalid[0].evidence and "garbage time" in invalid[0].evidence
    assert "field 'CALL ID'" in invalid[1].evidence
    assert {row.input for row in invalid} == {str(export)}
    assert [row.line for row in invalid] == [3, 4]  # where in the export, as the adapter's error says
    assert run.by_id()["300000010315502"].conversation_id == conversation(51)
    assert dict(run.summary.counts) == {"invalid": 2, "matched": 1}

    entries = unmatched_entries(run.summary.unmatched)
    assert [e["class"] for e in entries] == ["invalid", "invalid"]
    assert entries[0]["record"] is None
    assert entries[0]["raw"]["raw"]["CALL ID"] == "300000010399999"  # the row as read, to fix and run again
    assert entries[0]["reason"] == invalid[0].evidence


def test_a_record_without_a_time_is_no_time_and_not_searched(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    timeless = Disposition(
        source="five9", source_id="4242", code="Sale", fields={"ani": "2025550158", "dnis": "8005550300"}
    )
    run = correlate(emulator, five9, tmp_path / "m.csv", [("typed.jsonl", None, timeless)])
    [row] = run.rows
    assert row.status is CorrelationStatus.NO_TIME and row.source_id == "4242"
    assert run.recording.sent == []
    assert unmatched_entries(run.summary.unmatched)[0]["class"] == "no-time"


# -- the searches --------------------------------------------------------------------------------------------------
def segment_filters(run: Run) -> list[Any]:
    queries = [s for s in run.analytics() if s.path == QUERY_PATH]
    assert queries
    filters = [s.body.get("segmentFilters") for s in queries]
    assert all(f == filters[0] for f in filters)  # the same filters every day
    return filters[0]  # type: ignore[no-any-return]


def predicates(filters: list[Any], dimension: str) -> list[str]:
    return sorted(p["value"] for f in filters for p in f["predicates"] if p.get("dimension") == dimension)


def test_the_day_searches_are_narrowed_by_media_and_the_few_numbers_dialled(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    narrowed = correlate(emulator, five9, tmp_path / "narrow.csv")
    filters = segment_filters(narrowed)
    assert predicates(filters, "mediaType") == ["voice"]
    assert predicates(filters, "dnis") == [
        "tel:+12025550158",
        "tel:+12025550159",
        "tel:+12025550160",
        "tel:+12025550161",
        "tel:+12025550197",
        "tel:+18005550100",
    ]
    assert all(f["type"] == "or" for f in filters)

    wide = correlate(emulator, five9, tmp_path / "wide.csv", options=CorrelateOptions(cutover=CUTOVER, narrow=False))
    assert segment_filters(wide) is None
    assert [outcome(r) for r in wide.rows] == [outcome(r) for r in narrowed.rows]


def test_many_numbers_dialled_narrow_by_media_only(emulator: Emulator, five9: MappingTable, tmp_path: Path) -> None:
    at = datetime(2026, 3, 5, 12, tzinfo=UTC)
    records: list[SourceRecord] = [
        (
            "many.csv",
            None,
            Disposition(
                source="five9",
                source_id=str(n),
                code="Sale",
                fields={"ani": "8005550300", "dnis": f"20255502{n:02d}", "call_type": "Outbound"},
                occurred_at=at,
            ),
        )
        for n in range(21)  # one more than NARROW_DNIS_MAX
    ]
    run = correlate(emulator, five9, tmp_path / "m.csv", records)
    filters = segment_filters(run)
    assert predicates(filters, "mediaType") == ["voice"]
    assert predicates(filters, "dnis") == []
    assert run.summary.counts == {"none": 21}


def test_a_record_without_a_dialled_number_is_not_narrowed_out_of_its_call(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    """One record of the day names no DNIS: a filter on the others' numbers would drop its call (a Support call,
    dialled to another number) before it is scored, so the day is searched by media only."""
    inbound = {"call_type": "Inbound", "campaign": "Support"}
    billing = Disposition(
        source="five9",
        source_id="1",
        code="Sale",
        fields={**inbound, "ani": "2025550199", "dnis": "8005550100"},
        agent="asmith",
        occurred_at=datetime(2026, 3, 3, 9, tzinfo=UTC),
    )
    support = Disposition(  # conversation 21: jdoe answered +12025550121 on Support at 15:00:00-15:04:30
        source="five9",
        source_id="2",
        code="Sale",
        fields={**inbound, "ani": "2025550121"},
        agent="jdoe",
        occurred_at=datetime(2026, 3, 3, 15, 0, 30, tzinfo=UTC),
    )
    run = correlate(emulator, five9, tmp_path / "m.csv", [("x.csv", None, billing), ("x.csv", None, support)])
    assert predicates(segment_filters(run), "dnis") == []
    assert predicates(segment_filters(run), "mediaType") == ["voice"]
    row = run.by_id()["2"]
    assert (row.status, row.conversation_id) == (CorrelationStatus.MATCHED, conversation(21))


def test_the_async_jobs_give_what_the_query_gives(emulator: Emulator, five9: MappingTable, tmp_path: Path) -> None:
    query = correlate(emulator, five9, tmp_path / "query.csv")
    jobs = correlate(
        emulator,
        five9,
        tmp_path / "jobs.csv",
        options=CorrelateOptions(cutover=CUTOVER, api="jobs"),
        clock=FakeClock(),  # the job's polling waits on the client's clock: no real waiting
    )
    assert jobs.rows == query.rows
    created = [s for s in jobs.analytics() if s.method == "POST"]
    assert [s.path for s in created] == [JOBS_PATH, JOBS_PATH]
    assert not [s for s in jobs.analytics() if s.path == QUERY_PATH]
    assert jobs.summary.calls["analytics"] == len(jobs.analytics()) > 2


def test_records_older_than_the_retention_from_now_are_outside_retention(emulator: Emulator, tmp_path: Path) -> None:
    table = table_with(tmp_path, retention_days=90)
    now = datetime(2026, 6, 1, tzinfo=UTC)  # 90 days back is 2026-03-03: the February call is older
    run = correlate(emulator, table, tmp_path / "m.csv", options=CorrelateOptions(now=now))
    rows = run.by_id()
    assert rows["300000009874415"].status is CorrelationStatus.OUTSIDE_RETENTION
    assert "90 days" in rows["300000009874415"].evidence
    assert {i: outcome(r) for i, r in rows.items() if i != "300000009874415"} == {
        i: (s, n) if i != "300000010315535" else outcome(rows[i])
        for i, (s, n) in EXPECTED.items()
        if s != "before-cutover"
    }
    assert run.summary.calls["analytics"] == 2  # February was not searched

    later = correlate(
        emulator, table, tmp_path / "later.csv", options=CorrelateOptions(now=datetime(2026, 9, 1, tzinfo=UTC))
    )
    assert later.summary.counts == {"outside-retention": 15}
    assert later.recording.sent == []


def test_a_jsonl_out_gets_json_lines(emulator: Emulator, five9: MappingTable, tmp_path: Path) -> None:
    run = correlate(emulator, five9, tmp_path / "matches.jsonl")
    text = (tmp_path / "matches.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 15 and text.endswith("\n")
    rows = [json.loads(line) for line in lines]
    assert [Correlation.model_validate(r) for r in rows] == run.rows
    assert {r["source_id"]: r["status"] for r in rows} == {i: s for i, (s, _) in EXPECTED.items()}
    assert run.summary.unmatched == tmp_path / "matches.unmatched.jsonl"


# -- what stops a run ------------------------------------------------------------------------------------------------
def test_a_file_that_cannot_be_written_is_named_and_nothing_is_left(
    emulator: Emulator, five9: MappingTable, tmp_path: Path
) -> None:
    async def go(out: Path, unmatched: Path | None) -> Recording:
        async with connection_to(emulator) as (connection, recording):
            await correlate_records(
                demo_records(five9), table=five9, connection=connection, out=out, unmatched=unmatched, options=DEMO
            )
        return recording  # pragma: no cover - never reached

    missing = tmp_path / "no-such-folder"
    with pytest.raises(CorrelateError) as out_error:
        asyncio.run(go(missing / "matches.csv", None))
    # The message names the file asked for (not the partial file it is written as until whole).
    assert (
        str(out_error.value)
        == f"cannot write the correlation file {missing / 'matches.csv'}: No such file or directory"
    )
    with pytest.raises(CorrelateError) as unmatched_error:
        asyncio.run(go(tmp_path / "matches.csv", missing / "u.jsonl"))
    assert (
        str(unmatched_error.value)
        == f"cannot write the unmatched file {missing / 'u.jsonl'}: No such file or directory"
    )
    (tmp_path / "a-folder.csv").mkdir()
    with pytest.raises(CorrelateError, match=r"cannot write .*a-folder\.csv: Is a directory"):
        asyncio.run(go(tmp_path / "a-folder.csv", tmp_path / "u.jsonl"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder.csv"]  # no partial file, no scratch file
    assert list((tmp_path / "a-folder.csv").iterdir()) == []


def fails_on_third_call(ratio: float = 0.5) -> FaultConfig:
    """A seeded fault plan whose first two API calls (the day 2026-03-05 and the users) pass and whose third
    (the day 2026-03-06) is answered 500/503."""
    for seed in range(10_000):
        config = FaultConfig(seed=seed, error_5xx_ratio=ratio)
        plan = FaultPlan(config)
        draws = [plan.next().error_status for _ in range(3)]
        if draws[0] is None and draws[1] is None and draws[2] is not None:
            return config
    raise AssertionError("no seed fails the third call only")  # pragma: no cover


def test_a_target_failing_part_way_stops_the_run_and_leaves_no_file(five9: MappingTable, tmp_path: Path) -> None:
    faulty = Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=None, faults=fails_on_third_call()))
    with pytest.raises(TargetFailed) as failed:
        correlate(faulty, five9, tmp_path / "matches.csv", max_attempts=1)
    assert "Nothing was written to Genesys and no correlation file was made" in str(failed.value)
    assert list(tmp_path.iterdir()) == []  # no correlation file, no unmatched file, no partials, no scratch file
    # The first day was read and scored (its rows written to the partial file) before the second day failed.
    statuses = faulty.stats()["statuses"]
    assert statuses[f"POST {QUERY_PATH}"] in ({"200": 1, "500": 1}, {"200": 1, "503": 1})
    assert statuses["GET /api/v2/users"] == {"200": 1}
    assert faulty.write_log == []


def test_an_interrupted_run_leaves_no_file(emulator: Emulator, five9: MappingTable, tmp_path: Path) -> None:
    """Ctrl-C while the export is read, half of it spilled and some rows written: nothing is left behind."""

    def interrupted() -> Iterator[SourceRecord]:
        for n, record in enumerate(demo_records(five9)):
            if n == 8:
                raise KeyboardInterrupt
            yield record

    with pytest.raises(KeyboardInterrupt):
        correlate(emulator, five9, tmp_path / "m.csv", interrupted())
    assert list(tmp_path.iterdir()) == []
