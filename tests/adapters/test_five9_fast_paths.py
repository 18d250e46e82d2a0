"""The Five9 Call Log reader's fast paths (issue 14) give the same records and errors as the general way.

Four shortcuts keep ``normalize`` of a million-row Call Log within 3x of a bare csv -> JSON pass:

- a file whose every part is one column or none is read by column index (``call_log._Direct``), not by trying
  each part's alternatives in a dict of the row;
- a record is built from the values the reader checked (``adapters._checked``), not validated again by pydantic;
- a time written to the second in a fixed shape is read by its minute, once (``Five9Clock`` keeps the minutes);
- an agent's text is checked for ``[None]`` once per text.

Each is held against the reader with it turned off, on generated Call Logs (any header, field map, zone, grouping
window, blank, bad and late rows), and the time shortcut against ``parse_five9_time`` around the changes of offset
of several zones (DST gaps and folds, 30-minute DST, local mean time ending mid-minute).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wrapup_bridge.adapters._checked as checked
import wrapup_bridge.adapters.five9._time as five9_time
import wrapup_bridge.adapters.five9.call_log as call_log
from wrapup_bridge.adapters import AdapterError, AdapterOptions, FieldMap
from wrapup_bridge.adapters.five9 import Five9Adapter
from wrapup_bridge.adapters.five9._time import Five9Clock, parse_five9_time
from wrapup_bridge.adapters.five9._values import agent_or_none
from wrapup_bridge.core.disposition import Disposition, Media

# --- the reader: fast paths on and off -----------------------------------------------------------------------------


@contextmanager
def general_paths() -> Iterator[None]:
    """The reader with every fast path off: each part picked from a dict of the row, each record validated by
    pydantic, each time read in full, each agent checked again."""
    with (
        patch.object(call_log._Direct, "of", classmethod(lambda cls, layout: None)),
        patch.object(call_log, "checked_disposition", Disposition),
        patch.object(five9_time, "_SECONDS", {}),
        patch.object(call_log.CallLogReader, "_agent", lambda self, text: agent_or_none(text)),
    ):
        yield


def outcome(adapter: Five9Adapter, text: str) -> tuple[list[tuple[Any, ...]], dict[str, int], str]:
    """Everything a read gives: each record's whole state and line, each error's every part, the stats, and what
    ``explain`` says (it reads with positions, the other way through the reader)."""
    results: list[tuple[Any, ...]] = []
    for result in adapter.read(io.StringIO(text, newline=""), name="calls.csv"):
        if isinstance(result, Disposition):
            results.append(("record", result.__getstate__(), result.to_json_line()))
        else:
            assert isinstance(result, AdapterError)
            results.append(("error", type(result), str(result), result.record, result.field, result.raw))
    report = adapter.explain(io.StringIO(text, newline=""), name="calls.csv").render()
    return results, dict(vars(adapter.stats)), report


def both_ways(text: str, options: AdapterOptions, window: int) -> tuple[Any, Any]:
    fast = outcome(Five9Adapter(options, window=window), text)
    with general_paths():
        general = outcome(Five9Adapter(options, window=window), text)
    return fast, general


COLUMNS = [
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI", "CUSTOMER NAME",
    "GENESYS CONVERSATION ID", "MEDIA TYPE", "NOTES", "DATE", "TIME", "HALF HOUR", "call.mediatype",
]  # fmt: skip
#: Local times near changes of offset in America/Los_Angeles (the default zone), Europe/London and others.
NEAR = [
    datetime(2026, 3, 8, 1, 58), datetime(2026, 11, 1, 0, 58), datetime(2026, 8, 21, 9, 0),
    datetime(2025, 12, 31, 23, 59), datetime(1883, 11, 18, 12, 5), datetime(2026, 3, 29, 0, 59),
    datetime(2026, 10, 25, 0, 59),
]  # fmt: skip
JUNK_TIMES = [
    "", " ", "garbage", "Fri, 31 Feb 2026 10:00:00", " Fri, 21 Aug 2026 09:00:05", "Fri, 21 Aug 2026 09:00:05 ",
    "Fri, 21 Aug 2026 9:00:05", "fri, 21 aug 2026 09:00:05", "Fri, 21 Aug 2026 24:00:05", "1787000000",
    "2026-08-21 09:00:05.250", "Fri, 21 Aug 2026 09:00:60", "Fri, 21 Aug 2026 09:00:5x", "Mon, 21 Aug 2026 09:00:05",
    "Fri, 21 Aug 2026 09:00:\u0661\u0662", "2026-08-21T09:00:05Z", "2026-08-21 09:00:05+01:00",
]  # fmt: skip
SHAPES = ["%a, %d %b %Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M"]


@st.composite
def times(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(JUNK_TIMES))
    when = draw(st.sampled_from(NEAR)) + timedelta(seconds=draw(st.integers(0, 4000)))
    return when.strftime(draw(st.sampled_from(SHAPES)))


def cells_for(column: str, call_ids: list[str]) -> st.SearchStrategy[str]:
    key = column.upper().replace("_", " ") if column != "call.mediatype" else column
    choices: dict[str, st.SearchStrategy[str]] = {
        "CALL ID": st.one_of(st.sampled_from(call_ids), st.sampled_from(["", "  ", "0123", " 42 "])),
        "TIMESTAMP": times(),
        "GENESYS CONVERSATION ID": st.one_of(
            st.integers(0, 40).map("c0ffee00-0000-4000-8000-{:012d}".format),
            st.integers(0, 3).map(" C0FFEE00-0000-4000-8000-{:012d} ".format),
            st.sampled_from(["", "   ", "not-a-uuid"]),
        ),
        "AGENT": st.sampled_from(["agent1", "agent2", "[None]", " [none] ", "", "  ", "\uff41gent", "agent1 "]),
        "DISPOSITION": st.sampled_from(["Sale", "No Answer", "", " ", "Pagé Réalisé", "Callback"]),
        "CALL TYPE": st.sampled_from(["Inbound", "3rd party transfer", "Queue Callback", "", "Transfer"]),
        "MEDIA TYPE": st.sampled_from(["", "voice", "chat", "weird", " Email "]),
        "call.mediatype": st.sampled_from(["", "voice", "sms"]),
        "DATE": st.sampled_from(["2025/09/29", "Mon, 29 Sep 2025", "", "2026/03/08"]),
        "TIME": st.sampled_from(["09:30", "02:30", "", "9:00 AM", "25:00"]),
        "HALF HOUR": st.sampled_from(["09:30", "02:30", ""]),
        "NOTES": st.sampled_from(["", 'note "quoted"', "multi\nline", "  "]),
    }
    return choices.get(key, st.sampled_from(["x", "", " ", "Billing Inbound", "ü", "a,b"]))


FIELD_MAPS: list[dict[str, Any] | None] = [
    None, None, None, {"agent_name": "AGENT NAME"}, {"notes": "NOTES"}, {"agent": ["AGENT", "AGENT NAME"]},
    {"time": "DATE+TIME"}, {"code": "CALL TYPE"}, {"media": "MEDIA TYPE"}, {"time": "TIMESTAMP"},
]  # fmt: skip


@st.composite
def call_logs(draw: st.DrawFn) -> tuple[str, AdapterOptions, int]:
    """A Call Log of any shape, the options it is read with and the grouping window."""
    core = draw(
        st.sampled_from(
            [
                ["CALL ID", "TIMESTAMP", "DISPOSITION"],
                ["CALL ID", "TIMESTAMP", "DISPOSITION"],
                ["CALL ID", "DATE", "TIME", "DISPOSITION"],
                ["CALL ID", "DATE", "HALF HOUR", "DISPOSITION"],
                ["CALL ID", "TIMESTAMP"],
                ["TIMESTAMP", "DISPOSITION"],
            ]
        )
    )
    extra = draw(st.lists(st.sampled_from([c for c in COLUMNS if c not in core]), max_size=7, unique=True))
    header = draw(st.permutations(core + extra))
    if draw(st.integers(0, 19)) == 0:
        header = [h.lower().replace(" ", "_") for h in header]
    call_ids = draw(st.lists(st.integers(0, 10**8).map("3000000{:08d}".format), min_size=1, max_size=12))
    writer_out = io.StringIO()
    writer = csv.writer(writer_out, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 25))):
        row = [draw(cells_for(column, call_ids)) for column in header]
        shape = draw(st.integers(0, 24))
        if shape == 0:
            row = row[: draw(st.integers(0, len(row) - 1))]  # cut short: a BadRow
        elif shape == 1:
            row = [*row, "extra"]  # longer than the header: read the general way
        elif shape == 2:
            writer.writerow([])
        writer.writerow(row)
    fields = draw(st.sampled_from(FIELD_MAPS))
    zone: dict[str, Any] = draw(
        st.sampled_from([{}, {}, {"region": "uk"}, {"timezone": "Australia/Lord_Howe"}, {"timezone": "UTC"}])
    )
    options = AdapterOptions(format="call-log", fields=FieldMap.from_mapping(fields), **zone)
    return writer_out.getvalue(), options, draw(st.sampled_from([1, 2, 3, 5000]))


@settings(max_examples=300)
@given(call_logs())
def test_a_call_log_reads_the_same_with_its_fast_paths_as_without(case: tuple[str, AdapterOptions, int]) -> None:
    text, options, window = case
    fast, general = both_ways(text, options, window)
    assert fast == general


def test_the_shipped_call_logs_read_the_same_with_and_without_the_fast_paths() -> None:
    from tests.conftest import EXAMPLES

    for name in ("call-log.csv", "call-log-no-ids.csv"):
        text = (EXAMPLES / "five9" / name).read_text(encoding="utf-8-sig")
        fast, general = both_ways(text, AdapterOptions(), call_log.CALL_WINDOW)
        assert fast == general
        assert fast[1]["records"] > 0


def test_the_usual_call_log_is_read_directly_and_records_are_not_validated_again() -> None:
    """So the fast paths the tests above hold are the ones a usual export takes (else they would prove nothing)."""
    header = ["CALL ID", "TIMESTAMP", "CAMPAIGN", "AGENT", "DISPOSITION", "GENESYS CONVERSATION ID"]
    layout = call_log.Layout.of(header, AdapterOptions())
    assert layout.direct is not None
    assert layout.direct.time is not None and layout.direct.time[0] == 1
    assert checked._TRUSTED  # this pydantic's models are built as checked_disposition builds them
    text = 'CALL ID,TIMESTAMP,DISPOSITION\n1,"Fri, 21 Aug 2026 09:00:05",Sale\n'
    with patch.object(Disposition, "__init__", side_effect=AssertionError("validated")):
        (record,) = Five9Adapter().read(io.StringIO(text, newline=""), name="calls.csv")
    assert isinstance(record, Disposition) and record.occurred_at == datetime(2026, 8, 21, 16, 0, 5, tzinfo=UTC)


def test_a_part_with_alternatives_or_a_joined_time_is_read_the_general_way() -> None:
    two = call_log.Layout.of(["CALL ID", "AGENT", "AGENT NAME"], AdapterOptions(fields=FieldMap.from_mapping(
        {"agent": ["AGENT", "AGENT NAME"]})))  # fmt: skip
    joined = call_log.Layout.of(["CALL ID", "DATE", "TIME", "DISPOSITION"], AdapterOptions())
    one_left = call_log.Layout.of(["CALL ID", "AGENT"], AdapterOptions(fields=FieldMap.from_mapping(
        {"agent": ["AGENT", "LOGIN"]})))  # fmt: skip
    assert two.direct is None and joined.direct is None
    assert one_left.direct is not None  # LOGIN is not a column, so AGENT is the only place left


def test_agents_and_minutes_kept_stay_bounded() -> None:
    """Memory stays flat however many agents and minutes an export names."""
    reader = Five9Adapter()._call_log
    for n in range(call_log._AGENTS_KEPT + 10):
        assert reader._agent(f"agent{n}") == f"agent{n}"
    assert reader._agent(" [None] ") is None
    assert len(reader._agents) <= call_log._AGENTS_KEPT
    clock = Five9Clock()
    start = datetime(2026, 1, 1)
    for n in range(five9_time._MINUTES_KEPT + 10):
        clock.read(f"{start + timedelta(minutes=n):%a, %d %b %Y %H:%M}:07")
    assert 0 < len(clock._minutes) <= five9_time._MINUTES_KEPT


# --- times read by their minute ----------------------------------------------------------------------------------


def read_or_error(read: Any, text: str) -> tuple[Any, ...]:
    try:
        instant = read(text)
    except ValueError as exc:
        return ("error", str(exc))
    return ("instant", instant.utc, instant.utc.tzinfo, instant.ambiguous, instant.own_offset)


ZONES = ["America/Los_Angeles", "Europe/London", "Europe/Amsterdam", "Australia/Lord_Howe", "Europe/Berlin", "UTC"]


def _changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """The local wall times (naive) just before and after each change of UTC offset in ``zone`` between two UTC
    instants, found by the day and then to the second."""
    found: list[datetime] = []
    day = start.replace(tzinfo=UTC)
    stop = end.replace(tzinfo=UTC)
    while day < stop:
        after = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            low, high = day, after
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            for instant in (low, high):
                found.append(instant.astimezone(zone).replace(tzinfo=None))
        day = after
    return found


#: Local times at changes of offset: DST gaps and folds (30 minutes on Lord Howe), LMT ending at 12:07:02 in Los
#: Angeles (1883) and Amsterdam's summer +1:19:32 becoming +1:20 (1 July 1937), 28 seconds skipped inside a minute.
CHANGES = {
    name: _changes(ZoneInfo(name), datetime(1883, 1, 1), datetime(1884, 1, 1))
    + _changes(ZoneInfo(name), datetime(1937, 1, 1), datetime(1938, 1, 1))
    + _changes(ZoneInfo(name), datetime(2025, 1, 1), datetime(2027, 1, 1))
    for name in ZONES
}


def test_the_changes_looked_at_include_gaps_folds_and_a_change_inside_a_minute() -> None:
    assert any(t.year == 1883 for t in CHANGES["America/Los_Angeles"])
    inside = [t for t in CHANGES["Europe/Amsterdam"] if t.replace(second=0, microsecond=0) == datetime(1937, 7, 1)]
    assert inside  # +1:19:32 became +1:20 at midnight: 28 seconds skipped within the minute 00:00
    assert len(CHANGES["Australia/Lord_Howe"]) >= 8 and CHANGES["UTC"] == []


@settings(max_examples=400)
@given(
    zone=st.sampled_from(ZONES),
    data=st.data(),
    shape=st.sampled_from(SHAPES[:4]),
    seconds=st.lists(st.sampled_from([*range(60), 60, 99]), min_size=1, max_size=6),
)
def test_a_time_read_by_its_minute_reads_as_read_in_full(
    zone: str, data: st.DataObject, shape: str, seconds: list[int]
) -> None:
    """Whatever seconds of a minute a clock reads first (the first one read decides what the minute keeps)."""
    near = CHANGES[zone] or [datetime(2026, 8, 21, 9, 0)]
    base = data.draw(st.sampled_from(near)) + timedelta(minutes=data.draw(st.integers(-2, 2)))
    clock = Five9Clock(ZoneInfo(zone))
    for second in seconds:
        text = base.strftime(shape)[:-3] + f":{second:02d}"
        assert read_or_error(clock.read, text) == read_or_error(lambda t: parse_five9_time(t, clock.zone), text)


@pytest.mark.parametrize(
    ("zone", "texts"),
    [
        # the hour skipped in spring: every second an error, the same one
        ("America/Los_Angeles", ["Sun, 08 Mar 2026 02:30:00", "Sun, 08 Mar 2026 02:30:59", "2026-03-08 02:59:59"]),
        # the minutes either side of it, and the repeated hour in autumn (ambiguous, first occurrence)
        (
            "America/Los_Angeles",
            ["Sun, 08 Mar 2026 01:59:59", "Sun, 08 Mar 2026 03:00:00", "Sun, 01 Nov 2026 01:30:10"],
        ),
        ("America/Los_Angeles", ["Sun, 01 Nov 2026 00:59:59", "Sun, 01 Nov 2026 02:00:00", "11/01/2026 01:59:59"]),
        # local mean time ends at 12:07:02: the minute 12:07 holds a change of offset
        ("America/Los_Angeles", ["Sun, 18 Nov 1883 12:07:01", "Sun, 18 Nov 1883 12:07:02", "1883-11-18 12:07:59"]),
        # +1:19:32 to +1:20 at midnight: 28 seconds that never were, inside the minute 00:00
        (
            "Europe/Amsterdam",
            ["1937-07-01 00:00:00", "1937-07-01 00:00:27", "1937-07-01 00:00:28", "1937-07-01 00:00:59"],
        ),
        # 30-minute DST
        (
            "Australia/Lord_Howe",
            ["Sun, 04 Oct 2026 02:00:00", "Sun, 04 Oct 2026 02:29:59", "Sun, 05 Apr 2026 01:45:00"],
        ),
    ],
)
def test_minutes_at_changes_of_offset_read_as_in_full(zone: str, texts: list[str]) -> None:
    clock = Five9Clock(ZoneInfo(zone))
    for text in [*texts, *reversed(texts)]:  # read once the minute is kept, too
        assert read_or_error(clock.read, text) == read_or_error(lambda t: parse_five9_time(t, clock.zone), text)


def test_a_minute_holding_a_change_of_offset_or_that_never_was_is_not_kept() -> None:
    pacific = Five9Clock()
    with pytest.raises(ValueError, match="does not exist in America/Los_Angeles"):
        pacific.read("Sun, 08 Mar 2026 02:30:00")
    assert pacific._minutes["Sun, 08 Mar 2026 02:30"] is None
    amsterdam = Five9Clock(ZoneInfo("Europe/Amsterdam"))
    with pytest.raises(ValueError, match="does not exist"):
        amsterdam.read("1937-07-01 00:00:10")
    assert amsterdam.read("1937-07-01 00:00:40").utc == datetime(1937, 6, 30, 22, 40, 40, tzinfo=UTC)
    assert amsterdam._minutes["1937-07-01 00:00"] is None
    assert pacific.read("Sun, 01 Nov 2026 01:30:10").ambiguous
    assert pacific._minutes["Sun, 01 Nov 2026 01:30"] == (datetime(2026, 11, 1, 8, 30, tzinfo=UTC), True)


def test_declared_formats_and_other_shapes_are_always_read_in_full() -> None:
    declared = Five9Clock(time_format="%Y-%m-%d %H:%M:%S")
    assert declared.read("2026-08-21 09:00:05").utc == datetime(2026, 8, 21, 16, 0, 5, tzinfo=UTC)
    assert declared._minutes == {}
    ordered = Five9Clock(date_order="dmy")
    assert ordered.read("21/08/2026 09:00:05").utc == datetime(2026, 8, 21, 16, 0, 5, tzinfo=UTC)
    assert ordered._minutes == {}
    plain = Five9Clock()
    for text in ("2026-08-21T09:00:05.250", "2026-08-21T09:00:05Z", "Fri, 21 Aug 2026 9:00:05", "1787000000"):
        plain.read(text)
    assert plain._minutes == {}


# --- records built from checked values ---------------------------------------------------------------------------


TEXT = st.text(max_size=12)


@given(
    source_id=TEXT.filter(str.strip).map(str.strip),
    conversation=st.one_of(st.none(), st.uuids().map(str)),
    code=TEXT,
    fields=st.dictionaries(TEXT, TEXT, max_size=4),
    notes=st.one_of(st.none(), TEXT),
    agent=st.one_of(st.none(), TEXT),
    media=st.sampled_from(list(Media)),
    occurred=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
)
def test_a_checked_record_is_the_validated_one(
    source_id: str,
    conversation: str | None,
    code: str,
    fields: dict[str, str],
    notes: str | None,
    agent: str | None,
    media: Media,
    occurred: datetime | None,
) -> None:
    values: dict[str, Any] = {
        "source": "five9", "source_id": source_id, "conversation_id": conversation, "code": code,
        "fields": fields, "notes": notes, "agent": agent, "media": media, "occurred_at": occurred,
    }  # fmt: skip
    built = checked.checked_disposition(**{**values, "fields": dict(fields)})
    validated = Disposition(**values)
    assert built.__getstate__() == validated.__getstate__()
    assert built == validated and built.model_dump() == validated.model_dump()
    assert built.to_json_line() == validated.to_json_line()


def test_a_time_not_in_utc_is_validated_into_utc() -> None:
    pacific = timezone(timedelta(hours=-7))
    record = checked.checked_disposition(
        source="five9", source_id="1", conversation_id=None, code="", fields={}, notes=None, agent=None,
        media=Media.VOICE, occurred_at=datetime(2026, 8, 21, 9, 0, 5, tzinfo=pacific),
    )  # fmt: skip
    assert record.occurred_at == datetime(2026, 8, 21, 16, 0, 5, tzinfo=UTC) and record.occurred_at.tzinfo is UTC


def test_records_are_validated_when_pydantic_builds_models_another_way() -> None:
    with (
        patch.object(checked, "_TRUSTED", False),
        patch.object(Disposition, "__init__", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        checked.checked_disposition(
            source="five9", source_id="1", conversation_id=None, code="", fields={}, notes=None, agent=None,
            media=Media.VOICE, occurred_at=None,
        )  # fmt: skip
