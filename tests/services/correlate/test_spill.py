"""RecordSpill: records kept on disk by UTC day and read back a day at a time, oldest first, in time order (ties
in the order they were read), unchanged; the scratch file goes when the spill is closed, however it ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.services.correlate.spill import RecordSpill


def record(source_id: str, when: datetime | None, **fields: str) -> Disposition:
    return Disposition(
        source="five9",
        source_id=source_id,
        code="Sale",
        fields={"campaign": "Sales Outbound", **fields},
        agent="jdoe",
        occurred_at=when,
    )


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def spilled(spill: RecordSpill) -> list[tuple[str, list[str]]]:
    return [(day.isoformat(), [r.source_id for _, r in spill.records(day)]) for day in spill.days()]


def test_records_come_back_by_day_oldest_first_and_in_time_order_within_a_day(tmp_path: Path) -> None:
    # An export sorted by campaign, not by time: every day's records arrive out of order, days interleaved.
    arrivals = [
        ("c", at(6, 9)),
        ("a", at(5, 23, 59, 59)),
        ("e", at(7, 0, 0, 1)),
        ("b", at(5, 0, 0, 0)),
        ("d", at(6, 8, 59, 59)),
    ]
    with RecordSpill(tmp_path) as spill:
        for source_id, when in arrivals:
            spill.add(when, "export.csv", record(source_id, when))
        assert spill.count == 5
        assert spilled(spill) == [("2026-03-05", ["b", "a"]), ("2026-03-06", ["d", "c"]), ("2026-03-07", ["e"])]


def test_records_of_the_same_moment_keep_the_order_they_were_read_in(tmp_path: Path) -> None:
    moment = at(5, 16, 31, 14)
    with RecordSpill(tmp_path) as spill:
        for source_id in ["z", "m", "a", "q"]:
            spill.add(moment, None, record(source_id, moment))
        spill.add(moment - timedelta(microseconds=1), None, record("earlier", moment))
        assert spilled(spill) == [("2026-03-05", ["earlier", "z", "m", "a", "q"])]


def test_the_day_is_the_utc_day_whatever_offset_the_time_is_written_with(tmp_path: Path) -> None:
    """16:52 on 2026-03-05 in Los Angeles (UTC-8) is 00:52 on 2026-03-06 in UTC: the day the search asks for."""
    pacific = timezone(timedelta(hours=-8))
    evening = datetime(2026, 3, 5, 16, 52, 2, tzinfo=pacific)
    with RecordSpill(tmp_path) as spill:
        spill.add(evening, None, record("late", evening))
        spill.add(at(6, 0, 30), None, record("earlier", at(6, 0, 30)))
        assert spilled(spill) == [("2026-03-06", ["earlier", "late"])]


def test_a_record_comes_back_as_it_went_in_with_the_input_it_was_read_from(tmp_path: Path) -> None:
    original = Disposition(
        source="five9",
        source_id="300000010315514",
        code="Transferred To 3rd Party",
        fields={"ani": "2025550153", "dnis": "8005550100", "note": "naïve café, «quoted»\nsecond line"},
        notes="called back",
        agent="mgarcia",
        occurred_at=at(5, 16, 21, 36),
    )
    with RecordSpill(tmp_path) as spill:
        spill.add(at(5, 16, 21, 36), "exports/march.csv", original)
        [(name, back)] = list(spill.records(spill.days()[0]))
    assert name == "exports/march.csv"
    assert back == original


def test_a_day_without_records_reads_as_nothing(tmp_path: Path) -> None:
    with RecordSpill(tmp_path) as spill:
        assert spill.days() == []
        spill.add(at(5, 12), None, record("a", at(5, 12)))
        assert list(spill.records(at(4, 12).date())) == []


def test_the_scratch_file_is_in_the_folder_given_and_gone_once_closed(tmp_path: Path) -> None:
    spill = RecordSpill(tmp_path)
    spill.add(at(5, 12), None, record("a", at(5, 12)))
    assert spill.path.parent == tmp_path and spill.path.is_file()
    assert spill.path.name.startswith("wrapup-bridge-correlate-")
    spill.close()
    assert not spill.path.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_scratch_file_is_gone_when_the_work_stops_with_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="the target went away"), RecordSpill(tmp_path) as spill:
        spill.add(at(5, 12), None, record("a", at(5, 12)))
        spill.days()
        next(spill.records(at(5, 12).date()))
        raise RuntimeError("the target went away")
    assert list(tmp_path.iterdir()) == []


def test_the_scratch_file_is_gone_when_the_work_is_interrupted_while_writing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), RecordSpill(tmp_path) as spill:
        spill.add(at(5, 12), None, record("a", at(5, 12)))
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_a_record_is_first_met_once(tmp_path: Path) -> None:
    with RecordSpill(tmp_path) as spill:
        assert spill.first_time("five9", "300000010315502")
        assert spill.first_time("five9", "300000010315509")
        assert spill.first_time("cxone", "300000010315502")  # another platform's record of the same number
        assert not spill.first_time("five9", "300000010315502")
        assert spill.count == 0  # remembering a key spills nothing
