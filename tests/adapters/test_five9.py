"""Five9 adapter: Call Log grouping and time zones, web-connector payloads, catalog, errors, fuzzing."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from wrapup_bridge.adapters import AdapterOptions, Five9RecordError, get_adapter
from wrapup_bridge.adapters.five9 import Five9Adapter
from wrapup_bridge.adapters.five9.call_log import CALL_LOG_HEADERS
from wrapup_bridge.core.disposition import Disposition, Media

# five9.md section 2.4, verbatim: one agent row, then a transfer pair (origin row + empty-disposition leg).
REFERENCE_CSV = """\
CALL ID,TIMESTAMP,CAMPAIGN,CALL TYPE,AGENT,AGENT NAME,DISPOSITION,ANI,CUSTOMER NAME,DNIS,CALL TIME,BILL TIME (ROUNDED),COST,IVR TIME,QUEUE WAIT TIME,RING TIME,TALK TIME,HOLD TIME,PARK TIME,AFTER CALL WORK TIME,TRANSFERS,CONFERENCES,HOLDS,ABANDONED,RECORDINGS
300000010270779,"Fri, 21 Aug 2026 09:02:05",Billing Inbound,Inbound,jdoe,Jane Doe,Payment Taken,9045550162,,8005550100,00:04:12,00:04:18,0.0336,00:00:21,00:00:07.412,00:00:03,00:03:30,00:00:15,00:00:00,00:00:18,,,1,0,09:02:33(3:30)
300000010270763,"Fri, 21 Aug 2026 09:00:04",Canvass Confirmation - Inbound,Inbound,[None],,Transferred To 3rd Party,7275550143,,2395550118,00:03:54,00:03:54,0.0312,00:03:53,00:00:00.000,,,,,,,,,0,09:00:11(3:46)
300000010270763,"Fri, 21 Aug 2026 09:00:12",Canvass Confirmation - Inbound,3rd party transfer,[None],,,7275550143,,4075550177,00:03:45,00:03:48,0.0304,00:03:53,00:00:00.000,,,,,,,,,,09:00:11(3:46)
"""

CONV = "c0ffee00-0000-4000-8000-0000000000{:02d}"
AGENTS = ["jdoe", "asmith", "mgarcia", "kchen"]


def call_log(*rows: dict[str, str], extra: tuple[str, ...] = ()) -> str:
    """A Call Log CSV with the 25 standard headers (plus ``extra``); cells not given are empty."""
    header = [*CALL_LOG_HEADERS, *extra]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue()


def row(call_id: str, stamp: str, disposition: str, **cells: str) -> dict[str, str]:
    base = {"CALL ID": call_id, "TIMESTAMP": stamp, "DISPOSITION": disposition, "CALL TYPE": "Inbound", "AGENT": "jdoe"}
    base.update({k.replace("_", " ").upper(): v for k, v in cells.items()})
    return base


def read(text: str, adapter: Five9Adapter | None = None, name: str = "calls.csv") -> list[Any]:
    return list((adapter or Five9Adapter()).read(io.StringIO(text, newline=""), name=name))


def only(results: list[Any]) -> Any:
    assert len(results) == 1, results
    return results[0]


def dispositions(results: Iterable[object]) -> list[Disposition]:
    """All results, asserting that none is an error (and telling the type checker so)."""
    records = list(results)
    assert all(isinstance(r, Disposition) for r in records), records
    return [r for r in records if isinstance(r, Disposition)]


# --- Call Log: the reference rows ------------------------------------------------------------------------------


def test_reference_rows_group_the_transfer_pair_and_keep_first_appearance_order() -> None:
    first, second = read(REFERENCE_CSV)
    assert isinstance(first, Disposition) and isinstance(second, Disposition)
    assert first.source == "five9" and first.source_id == "300000010270779"
    assert first.code == "Payment Taken"
    assert first.agent == "jdoe"
    assert first.fields["agent_name"] == "Jane Doe"
    assert first.fields["campaign"] == "Billing Inbound"
    assert first.fields["after_call_work_time"] == "00:00:18"
    assert first.fields["bill_time_(rounded)"] == "00:04:18"
    assert first.occurred_at == datetime(2026, 8, 21, 16, 2, 5, tzinfo=UTC)  # PDT is UTC-7
    assert first.media is Media.VOICE
    assert "call_rows" not in first.fields

    assert second.source_id == "300000010270763"
    assert second.code == "Transferred To 3rd Party"
    assert second.agent is None  # "[None]" is text, but means no agent
    assert second.fields["call_type"] == "Inbound"  # the origin row won, not the leg
    assert second.fields["call_rows"] == "2"
    assert second.occurred_at == datetime(2026, 8, 21, 16, 0, 4, tzinfo=UTC)
    assert "other_dispositions" not in second.fields


def test_personal_and_consumed_columns_are_not_fields() -> None:
    text = call_log(row("300000000000001", "Fri, 21 Aug 2026 09:00:00", "Sale", customer_name="Pat Lee", ani="1"))
    record = only(read(text))
    assert record.fields["ani"] == "1"
    for key in ("customer_name", "call_id", "timestamp", "disposition", "agent"):
        assert key not in record.fields
    assert "Pat Lee" not in json.dumps(record.to_json_dict())


# --- Call Log: the shipped example -----------------------------------------------------------------------------


def test_example_call_log_reads_twenty_calls_for_demo_conversations_one_to_twenty() -> None:
    adapter = Five9Adapter(AdapterOptions(catalog=str(EXAMPLES / "five9" / "dispositions.yaml")))
    with (EXAMPLES / "five9" / "call-log.csv").open(encoding="utf-8", newline="") as stream:
        records = dispositions(adapter.read(stream, name="call-log.csv"))
    by_conversation = {r.conversation_id: r for r in records}
    assert sorted(str(c) for c in by_conversation) == [CONV.format(n) for n in range(1, 21)]
    for n in range(1, 21):
        record = by_conversation[CONV.format(n)]
        expected_agent = None if n == 19 else AGENTS[(n - 1) % 4]
        assert record.agent == expected_agent, n
        assert record.fields["campaign"] == ("Billing Inbound" if n <= 10 else "Sales Outbound")
        assert record.media is Media.VOICE
    assert by_conversation[CONV.format(19)].code == "Abandon"
    assert by_conversation[CONV.format(20)].code == "Sale"
    assert by_conversation[CONV.format(17)].code == "Do Not Call"
    assert by_conversation[CONV.format(17)].fields["other_dispositions"] == "Callback Scheduled"
    assert by_conversation[CONV.format(5)].fields["call_type"] == "Queue Callback"  # non-adjacent rows merged
    assert by_conversation[CONV.format(3)].fields["disposition_type"] == "FinalDisp"  # "Payment  Taken"
    assert by_conversation[CONV.format(1)].occurred_at == datetime(2026, 8, 21, 16, 2, 5, tzinfo=UTC)
    assert by_conversation[CONV.format(11)].occurred_at == datetime(2026, 11, 16, 18, 3, 11, tzinfo=UTC)
    assert adapter.stats.rows == 24 and adapter.stats.records == 20 and adapter.stats.rows_merged == 4
    assert {r.code for r in records} == {
        "Payment Taken", "Transferred To 3rd Party", "Payment  Taken", "Caller Disconnected", "No Disposition",
        "Spoke To Spouse", "Declined", "Do Not Call", "Callback scheduled", "Sale", "No Answer", "Answering Machine",
        "Busy", "Not Interested", "Wrong Number", "Callback Scheduled", "Abandon",
    }  # fmt: skip


def test_example_web_connector_payloads_match_their_call_log_calls() -> None:
    adapter = get_adapter("five9", AdapterOptions(catalog=str(EXAMPLES / "five9" / "dispositions.yaml")))
    with (EXAMPLES / "five9" / "web-connector.jsonl").open(encoding="utf-8") as stream:
        records = dispositions(adapter.read(stream, name="web-connector.jsonl"))
    assert [(r.source_id, r.code, r.agent, r.conversation_id) for r in records] == [
        ("300000010270801", "Payment Taken", "jdoe", CONV.format(1)),
        ("300000010270812", "No Answer", "kchen", CONV.format(12)),
        ("300000010270818", "Callback Scheduled", "asmith", CONV.format(18)),
    ]
    assert records[2].fields["disposition_type"] == "RedialNumber"


# --- Call Log: time zones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "expected", "ambiguous"),
    [
        ("Fri, 21 Aug 2026 09:00:12", datetime(2026, 8, 21, 16, 0, 12, tzinfo=UTC), False),  # PDT
        ("Mon, 16 Nov 2026 10:03:11", datetime(2026, 11, 16, 18, 3, 11, tzinfo=UTC), False),  # PST
        ("Sun, 01 Nov 2026 01:30:00", datetime(2026, 11, 1, 8, 30, tzinfo=UTC), True),  # repeated hour, first taken
        ("Sun, 01 Nov 2026 00:59:59", datetime(2026, 11, 1, 7, 59, 59, tzinfo=UTC), False),
        ("Sun, 01 Nov 2026 02:00:00", datetime(2026, 11, 1, 10, 0, tzinfo=UTC), False),
        ("Sun, 08 Mar 2026 03:00:00", datetime(2026, 3, 8, 10, 0, tzinfo=UTC), False),
    ],
)
def test_timestamps_are_pacific_with_daylight_saving(stamp: str, expected: datetime, ambiguous: bool) -> None:
    record = only(read(call_log(row("300000000000001", stamp, "Sale"))))
    assert record.occurred_at == expected
    assert record.fields.get("timestamp_ambiguous") == ("true" if ambiguous else None)


@pytest.mark.parametrize(
    ("stamp", "words"),
    [
        ("Sun, 08 Mar 2026 02:30:00", "does not exist"),  # the skipped hour
        ("Sat, 21 Aug 2026 09:00:12", "does not match"),  # 21 Aug 2026 is a Friday
        ("Fri, 31 Feb 2026 09:00:12", "not a valid date"),
        ("yesterday at noon", "not a Five9 time"),
    ],
)
def test_bad_timestamps_are_errors_naming_timestamp_and_line(stamp: str, words: str) -> None:
    text = call_log(row("300000000000001", "Fri, 21 Aug 2026 09:00:00", "Sale"), row("300000000000002", stamp, "Sale"))
    good, bad = read(text)
    assert isinstance(good, Disposition)
    assert isinstance(bad, Five9RecordError)
    assert bad.field == "TIMESTAMP" and bad.record == "line 3" and bad.input_name == "calls.csv"
    assert words in bad.message
    assert bad.raw["CALL ID"] == "300000000000002"


# --- Call Log: file encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["", None])
def test_bom_and_crlf_are_tolerated(newline: str | None) -> None:
    data = ("\ufeff" + REFERENCE_CSV.replace("\n", "\r\n")).encode("utf-8")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=newline)
    records = dispositions(Five9Adapter().read(stream, name="bom.csv"))
    assert [r.source_id for r in records] == ["300000010270779", "300000010270763"]
    assert records[1].fields["call_type"] == "Inbound"
    assert not any(value.endswith("\r") for r in records for value in r.fields.values())


def test_headers_match_whatever_their_case_and_spacing() -> None:
    text = 'call id ,  Timestamp,Call  Type,agent,Disposition,Skill\n1,"Fri, 21 Aug 2026 09:00:00",Inbound,jdoe,Sale,Billing\n'
    record = only(read(text))
    assert (record.source_id, record.code, record.agent) == ("1", "Sale", "jdoe")
    assert record.fields == {"call_type": "Inbound", "skill": "Billing"}


# --- Call Log: grouping ------------------------------------------------------------------------------------------


def test_rows_of_one_call_need_not_be_adjacent() -> None:
    text = call_log(
        row("100000000000001", "Fri, 21 Aug 2026 09:00:00", "Transferred To 3rd Party"),
        row("100000000000002", "Fri, 21 Aug 2026 09:00:30", "Sale"),
        row("100000000000001", "Fri, 21 Aug 2026 09:01:00", "", call_type="3rd party transfer", agent="[None]"),
    )
    first, second = read(text)
    assert (first.source_id, first.code, first.fields["call_rows"]) == (
        "100000000000001",
        "Transferred To 3rd Party",
        "2",
    )
    assert (second.source_id, second.code) == ("100000000000002", "Sale")


def test_latest_disposition_wins_and_the_others_are_kept() -> None:
    text = call_log(
        row("1", "Fri, 21 Aug 2026 10:00:00", "Do Not Call", agent="asmith"),
        row("1", "Fri, 21 Aug 2026 09:00:00", "Callback Scheduled"),
        row("1", "Fri, 21 Aug 2026 09:30:00", "Not Interested"),
    )
    record = only(read(text))
    assert record.code == "Do Not Call" and record.agent == "asmith"
    assert record.fields["other_dispositions"] == "Callback Scheduled|Not Interested"
    assert record.occurred_at == datetime(2026, 8, 21, 17, 0, tzinfo=UTC)


def test_equal_timestamps_let_the_later_row_win() -> None:
    text = call_log(row("1", "Fri, 21 Aug 2026 10:00:00", "First"), row("1", "Fri, 21 Aug 2026 10:00:00", "Second"))
    record = only(read(text))
    assert record.code == "Second" and record.fields["other_dispositions"] == "First"


def test_a_call_without_any_disposition_is_one_record_with_an_empty_code() -> None:
    mixed = call_log(
        row("1", "Fri, 21 Aug 2026 10:00:00", "", call_type="3rd party transfer", agent="[None]"),
        row("1", "Fri, 21 Aug 2026 09:59:00", "", call_type="Inbound"),
    )
    record = only(read(mixed))
    assert record.code == "" and record.fields["call_type"] == "Inbound" and record.agent == "jdoe"
    legs = call_log(row("2", "Fri, 21 Aug 2026 10:00:00", "", call_type="3rd party transfer", agent="[None]"))
    leg = only(read(legs))
    assert leg.code == "" and leg.fields["call_type"] == "3rd party transfer" and leg.agent is None


def test_disposition_is_kept_exactly_as_written() -> None:
    record = only(read(call_log(row("1", "Fri, 21 Aug 2026 10:00:00", "  Payment  taken "))))
    assert record.code == "  Payment  taken "


def test_rows_within_the_window_are_merged_and_output_order_is_first_appearance() -> None:
    rows = [
        row("A", "Fri, 21 Aug 2026 09:00:00", "Sale"),
        row("B", "Fri, 21 Aug 2026 09:00:01", "Busy"),
        row("C", "Fri, 21 Aug 2026 09:00:02", "Busy"),
        row("A", "Fri, 21 Aug 2026 09:00:03", "", call_type="3rd party transfer"),  # 3 rows after A: still open
        row("D", "Fri, 21 Aug 2026 09:00:04", "Busy"),
    ]
    results = read(call_log(*rows), Five9Adapter(window=3))
    assert [r.source_id for r in results] == ["A", "B", "C", "D"]
    assert results[0].fields["call_rows"] == "2"


def test_a_dispositioned_row_reappearing_beyond_the_window_is_an_error_not_a_second_record() -> None:
    rows = [row("A", "Fri, 21 Aug 2026 09:00:00", "Sale")]
    rows += [row(f"F{i}", "Fri, 21 Aug 2026 09:00:00", "Busy") for i in range(4)]
    rows.append(row("A", "Fri, 21 Aug 2026 09:05:00", "Do Not Call"))
    adapter = Five9Adapter(window=3)
    results = read(call_log(*rows), adapter)
    assert [r.source_id for r in results if isinstance(r, Disposition)] == ["A", "F0", "F1", "F2", "F3"]
    error = next(r for r in results if isinstance(r, Five9RecordError))
    assert error.field == "CALL ID" and error.record == "line 7"
    assert "reappeared 5 rows" in error.message and "Do Not Call" in error.message
    assert error.raw["DISPOSITION"] == "Do Not Call"
    assert adapter.stats.late_legs_dropped == 0


def test_an_empty_leg_reappearing_beyond_the_window_is_dropped_with_a_counted_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rows = [row("A", "Fri, 21 Aug 2026 09:00:00", "Sale")]
    rows += [row(f"F{i}", "Fri, 21 Aug 2026 09:00:00", "Busy") for i in range(3)]
    rows.append(row("A", "Fri, 21 Aug 2026 09:05:00", "", call_type="3rd party transfer"))
    adapter = Five9Adapter(window=2)
    with caplog.at_level(logging.WARNING, logger="wrapup_bridge.adapters.five9.call_log"):
        results = read(call_log(*rows), adapter)
    assert [r.source_id for r in results] == ["A", "F0", "F1", "F2"]
    assert all(isinstance(r, Disposition) for r in results)
    assert adapter.stats.late_legs_dropped == 1
    assert "CALL ID A" in caplog.text and "line 6" in caplog.text


def test_a_call_that_keeps_the_head_open_cannot_hold_back_unbounded_calls() -> None:
    rows = []
    for i in range(12):  # "A" recurs every other row, always inside the window
        rows.append(row("A", "Fri, 21 Aug 2026 09:00:00", "Sale" if i == 0 else ""))
        rows.append(row(f"F{i}", "Fri, 21 Aug 2026 09:00:00", "Busy"))
    adapter = Five9Adapter(window=3)
    results = read(call_log(*rows), adapter)
    records = [r for r in results if isinstance(r, Disposition)]
    assert records[0].source_id == "A" and records[0].code == "Sale"
    assert sorted(r.source_id for r in records[1:]) == sorted(f"F{i}" for i in range(12))
    assert all(isinstance(r, Disposition) for r in results)  # A's later rows are empty legs: dropped, counted
    assert adapter.stats.late_legs_dropped > 0
    assert adapter.stats.records == 13


# --- Call Log: errors ----------------------------------------------------------------------------------------------


def test_empty_call_id_is_an_error_naming_the_column_and_line() -> None:
    text = call_log(row("1", "Fri, 21 Aug 2026 09:00:00", "Sale"), row(" ", "Fri, 21 Aug 2026 09:00:00", "Busy"))
    good, bad = read(text)
    assert isinstance(good, Disposition)
    assert isinstance(bad, Five9RecordError)
    assert (bad.field, bad.record, bad.input_name) == ("CALL ID", "line 3", "calls.csv")
    assert bad.raw["DISPOSITION"] == "Busy"
    assert str(bad).startswith("calls.csv:line 3: field 'CALL ID': ")


def test_a_file_without_a_call_id_column_says_so_on_every_row() -> None:
    results = read('TIMESTAMP,DISPOSITION\n"Fri, 21 Aug 2026 09:00:00",Sale\n"Fri, 21 Aug 2026 09:00:00",Busy\n')
    assert [(r.record, r.field) for r in results] == [("line 2", "CALL ID"), ("line 3", "CALL ID")]
    assert all("not a column" in r.message for r in results)


def test_an_input_without_a_disposition_column_is_an_error_not_an_empty_code() -> None:
    results = read('CALL ID,TIMESTAMP\n1,"Fri, 21 Aug 2026 09:00:00"\n')
    error = only(results)
    assert isinstance(error, Five9RecordError)
    assert (error.field, error.record) == ("DISPOSITION", "line 2")
    with pytest.raises(Five9RecordError) as caught:
        Five9Adapter().from_payload({"call_id": "1", "disposition_name": "Sale"})
    assert caught.value.field == "DISPOSITION"


def test_a_malformed_conversation_id_is_an_error_naming_the_column() -> None:
    text = call_log(
        row("1", "Fri, 21 Aug 2026 09:00:00", "Sale", genesys_conversation_id="conv-1"),
        extra=("GENESYS CONVERSATION ID",),
    )
    error = only(read(text))
    assert isinstance(error, Five9RecordError)
    assert error.field == "GENESYS CONVERSATION ID" and error.record == "line 2"


def test_rows_of_one_call_naming_different_conversations_are_an_error() -> None:
    text = call_log(
        row("1", "Fri, 21 Aug 2026 09:00:00", "Sale", genesys_conversation_id=CONV.format(1)),
        row("1", "Fri, 21 Aug 2026 09:01:00", "", genesys_conversation_id=CONV.format(2)),
        extra=("GENESYS CONVERSATION ID",),
    )
    error = only(read(text))
    assert isinstance(error, Five9RecordError)
    assert error.field == "GENESYS CONVERSATION ID" and error.record == "line 3"
    assert CONV.format(1) in error.message and CONV.format(2) in error.message
    assert isinstance(error.raw, list) and len(error.raw) == 2


def test_one_unreadable_row_holds_back_its_whole_call_for_retry() -> None:
    text = call_log(
        row("1", "Fri, 21 Aug 2026 09:00:00", "Transferred To 3rd Party"),
        row("1", "not a time", "", call_type="3rd party transfer"),
    )
    error = only(read(text))
    assert isinstance(error, Five9RecordError)
    assert error.field == "TIMESTAMP" and error.record == "line 3"
    assert "2 rows are held back" in error.message
    assert [r["DISPOSITION"] for r in error.raw] == ["Transferred To 3rd Party", ""]


def test_duplicate_headers_stop_the_file_with_one_error() -> None:
    error = only(read("CALL ID,Disposition,DISPOSITION\n1,Sale,Busy\n"))
    assert isinstance(error, Five9RecordError)
    assert error.record == "header" and error.field == "DISPOSITION"


def test_a_row_the_csv_parser_cannot_read_is_rejected_with_its_text_and_reading_goes_on() -> None:
    text = 'CALL ID,DISPOSITION\n1,Sale\n2,Busy\r3,"x\n4,No Answer\n'
    results = list(Five9Adapter().read(io.StringIO(text), name="broken.csv"))
    assert [r.source_id for r in results if isinstance(r, Disposition)] == ["1", "4"]
    (error,) = [r for r in results if isinstance(r, Five9RecordError)]
    assert error.record == "line 3" and "line break" in error.message and "reading goes on" in error.message
    assert error.raw == '2,Busy\r3,"x\n'


def test_a_header_the_csv_parser_cannot_read_ends_the_file_with_one_error() -> None:
    results = list(Five9Adapter().read(io.StringIO("CALL ID,DISP\rOSITION\n1,Sale\n"), name="broken.csv"))
    assert len(results) == 1 and isinstance(results[0], Five9RecordError)
    assert results[0].record == "header" and "was not read" in results[0].message


# --- Call Log: options and extra columns --------------------------------------------------------------------------


def test_custom_columns_are_kept_and_the_conversation_column_can_be_renamed() -> None:
    text = call_log(
        row("1", "Fri, 21 Aug 2026 09:00:00", "Sale", skill="Billing", genesys_id=CONV.format(7).upper()),
        extra=("SKILL", "GENESYS ID"),
    )
    record = only(read(text, Five9Adapter(AdapterOptions(conversation_id_field="Genesys Id"))))
    assert record.conversation_id == CONV.format(7)
    assert record.fields["skill"] == "Billing"
    assert "genesys_id" not in record.fields


@pytest.mark.parametrize(
    ("media_type", "media", "unknown"),
    [("email", Media.EMAIL, False), ("Chat", Media.MESSAGE, False), ("SMS", Media.MESSAGE, False),
     ("voice", Media.VOICE, False), ("carrier pigeon", Media.VOICE, True)],
)  # fmt: skip
def test_a_media_type_column_sets_the_media(media_type: str, media: Media, unknown: bool) -> None:
    text = call_log(row("1", "Fri, 21 Aug 2026 09:00:00", "Sale", media_type=media_type), extra=("MEDIA TYPE",))
    record = only(read(text))
    assert record.media is media
    assert record.fields.get("media_type_unknown") == ("true" if unknown else None)


def test_disposition_type_column_is_kept_and_wins_over_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "dispositions.yaml"
    catalog.write_text("- {name: Sale, type: FinalDisp}\n- {name: callback  SCHEDULED, type: RedialNumber}\n")
    adapter = Five9Adapter(AdapterOptions(catalog=str(catalog)))
    text = call_log(
        row("1", "Fri, 21 Aug 2026 09:00:00", "Sale", disposition_type="AddAndFinalize"),
        row("2", "Fri, 21 Aug 2026 09:00:00", "Callback Scheduled"),
        row("3", "Fri, 21 Aug 2026 09:00:00", "No Answer"),
        extra=("DISPOSITION TYPE",),
    )
    one, two, three = read(text, adapter)
    assert one.fields["disposition_type"] == "AddAndFinalize"
    assert two.fields["disposition_type"] == "RedialNumber"
    assert "disposition_type" not in three.fields


# --- catalog ------------------------------------------------------------------------------------------------------

#: Nine lines of anchors that expand to 10**9 nodes ("billion laughs"); the node bound stops the walk early.
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(ord('b') + i)}: &{chr(ord('b') + i)} [{', '.join(['*' + chr(ord('a') + i)] * 10)}]\n" for i in range(8)
)


def test_catalog_accepts_json_and_the_soap_return_wrapper(tmp_path: Path) -> None:
    catalog = tmp_path / "dispositions.json"
    catalog.write_text(json.dumps({"return": [{"name": "Sale", "type": "FinalDisp", "description": "x"}]}))
    adapter = Five9Adapter(AdapterOptions(catalog=str(catalog)))
    record = adapter.from_payload({"call.call_id": "1", "call.disposition_name": "SALE"})
    assert record.fields["disposition_type"] == "FinalDisp"


@pytest.mark.parametrize(
    ("text", "record", "field", "words"),
    [
        ("- {name: Sale, type: Final}\n", "entry 1", "type", "not a Five9 disposition type"),
        ("- {type: FinalDisp}\n", "entry 1", "name", "name is missing"),
        ("- {name: Sale, type: FinalDisp}\n- {name: ' sale', type: DoNotDial}\n", "entry 2", "type", "entry 1"),
        ("- [unclosed\n", "line 2", None, "not valid YAML"),
        ("{other: 1}\n", None, None, "expected a list"),
        ("- Sale\n", "entry 1", None, "not an object"),
        ("[" * 70 + "]" * 70 + "\n", None, None, "nested more than 64 levels deep"),
        (ALIAS_BOMB, None, None, "more than 1,000,000 nodes once its aliases are expanded"),
    ],
)
def test_catalog_problems_name_the_file_and_entry(
    tmp_path: Path, text: str, record: str | None, field: str | None, words: str
) -> None:
    catalog = tmp_path / "dispositions.yaml"
    catalog.write_text(text)
    with pytest.raises(Five9RecordError) as caught:
        Five9Adapter(AdapterOptions(catalog=str(catalog)))
    assert caught.value.input_name == str(catalog)
    assert (caught.value.record, caught.value.field) == (record, field)
    assert words in caught.value.message


def test_a_missing_catalog_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(Five9RecordError, match="cannot read the disposition catalog"):
        Five9Adapter(AdapterOptions(catalog=str(tmp_path / "nope.yaml")))


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(Five9RecordError) as caught:
        Five9Adapter(AdapterOptions(format="insights-csv"))
    assert caught.value.field == "format"


# --- web connector ------------------------------------------------------------------------------------------------

FLAT = {
    "call.call_id": "300000010270779",
    "call.session_id": "C86EBE50B9744D6D946531842B278846",
    "call.disposition_id": "-17",
    "call.disposition_name": "Caller Disconnected",
    "call.campaign_name": "Billing Inbound",
    "call.skill_name": "Billing",
    "call.type_name": "Inbound",
    "call.type": "1",
    "call.comments": "hung up during verification",
    "call.mediatype": "voice",
    "call.end_timestamp": "2026-08-21 09:06:09",
    "agent.user_name": "jdoe",
    "agent.full_name": "Jane Doe",
    "agent.id": "1204311",
    "Genesys.conversation_id": CONV.format(1),
    "Customer.account": "A-77",
}


def test_flat_web_connector_payload() -> None:
    record = Five9Adapter().from_payload(FLAT)
    assert (record.source_id, record.code, record.agent, record.notes) == (
        "300000010270779", "Caller Disconnected", "jdoe", "hung up during verification",
    )  # fmt: skip
    assert record.conversation_id == CONV.format(1)
    assert record.occurred_at == datetime(2026, 8, 21, 16, 6, 9, tzinfo=UTC)
    assert record.fields == {
        "session_id": "C86EBE50B9744D6D946531842B278846",
        "disposition_id": "-17",
        "campaign": "Billing Inbound",
        "skill": "Billing",
        "call_type": "Inbound",
        "call_type_id": "1",
        "media_type": "voice",
        "end_timestamp": "2026-08-21 09:06:09",
        "agent_full_name": "Jane Doe",
        "agent_id": "1204311",
        "customer.account": "A-77",
    }


def test_nested_payload_reads_like_the_flat_one() -> None:
    nested: dict[str, Any] = {}
    for key, value in FLAT.items():
        group, _, name = key.partition(".")
        nested.setdefault(group, {})[name] = value
    assert Five9Adapter().from_payload(nested) == Five9Adapter().from_payload(FLAT)


def test_form_bodies_and_urls_one_per_line() -> None:
    body = "call.call_id=1&call.disposition_name=Payment+Taken&agent.user_name=jdoe&call.end_timestamp=2026-11-16%2010%3A03%3A11"
    url = "https://crm.example.com/five9?call.session_id=ABC&call.disposition_name=No%20Answer&call.mediatype=chat"
    results = read(f"{body}\n\n{url}\n", name="hooks.txt")
    first, second = results
    assert (first.source_id, first.code, first.agent) == ("1", "Payment Taken", "jdoe")
    assert first.occurred_at == datetime(2026, 11, 16, 18, 3, 11, tzinfo=UTC)  # PST in November
    assert (second.source_id, second.code, second.media) == ("ABC", "No Answer", Media.MESSAGE)
    assert second.fields["session_id"] == "ABC"


def test_variable_names_match_case_insensitively() -> None:
    record = Five9Adapter().from_payload(
        {"Call.Call_ID": "9", "Call.disposition_name": "Sale", "GENESYS_CONVERSATION_ID": CONV.format(3)}
    )
    assert (record.source_id, record.code, record.conversation_id) == ("9", "Sale", CONV.format(3))


@pytest.mark.parametrize(
    ("stamp", "expected", "ambiguous"),
    [
        ("2026-08-21T09:06:09.250", datetime(2026, 8, 21, 16, 6, 9, 250000, tzinfo=UTC), False),
        ("2026-08-21T09:06:09-04:00", datetime(2026, 8, 21, 13, 6, 9, tzinfo=UTC), False),
        ("2026-08-21 16:06:09Z", datetime(2026, 8, 21, 16, 6, 9, tzinfo=UTC), False),
        ("08/21/2026 9:06 AM", datetime(2026, 8, 21, 16, 6, tzinfo=UTC), False),
        ("11/01/2026 01:15:00", datetime(2026, 11, 1, 8, 15, tzinfo=UTC), True),
        ("1787328369", datetime(2026, 8, 21, 16, 6, 9, tzinfo=UTC), False),
        ("1787328369000", datetime(2026, 8, 21, 16, 6, 9, tzinfo=UTC), False),
    ],
)
def test_web_connector_time_formats(stamp: str, expected: datetime, ambiguous: bool) -> None:
    record = Five9Adapter().from_payload(
        {"call.call_id": "1", "call.disposition_name": "Sale", "call.end_timestamp": stamp}
    )
    assert record.occurred_at == expected
    assert record.fields.get("timestamp_ambiguous") == ("true" if ambiguous else None)


def test_start_timestamp_is_the_fallback() -> None:
    record = Five9Adapter().from_payload(
        {"call.call_id": "1", "call.disposition_name": "Sale", "call.start_timestamp": "2026-01-15 08:00:00"}
    )
    assert record.occurred_at == datetime(2026, 1, 15, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"call.call_id": "1"}, "call.disposition_name", "missing"),
        ({"call.disposition_name": "Sale"}, "call.call_id", "neither"),
        ({"call.call_id": "1", "call.disposition_name": "x", "call.end_timestamp": "soon"}, "call.end_timestamp", "not a Five9 time"),
        ({"call.call_id": "1", "call.disposition_name": "x", "call.START_timestamp": "2026-03-08 02:10:00"}, "call.START_timestamp", "does not exist"),
        ({"call.call_id": "1", "call.disposition_name": "x", "Genesys.conversation_id": "42"}, "Genesys.conversation_id", "UUID"),
        ({"call.call_id": "1", "call.disposition_name": "x", "call": {"call_id": "2"}}, "call.call_id", "twice"),
    ],
)  # fmt: skip
def test_web_connector_errors_name_the_variable(payload: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(Five9RecordError) as caught:
        Five9Adapter().from_payload(payload, ref="request 7")
    assert caught.value.field == field and caught.value.record == "request 7"
    assert words in caught.value.message
    assert caught.value.raw == payload


def test_an_empty_disposition_name_is_an_empty_code() -> None:
    record = Five9Adapter().from_payload({"call.call_id": "1", "call.disposition_name": ""})
    assert record.code == ""


def test_conversation_id_option_names_the_variable() -> None:
    adapter = Five9Adapter(AdapterOptions(conversation_id_field="call.genesys_id"))
    record = adapter.from_payload(
        {
            "call": {"call_id": "1", "disposition_name": "Sale", "genesys_id": CONV.format(4)},
            "Genesys.conversation_id": CONV.format(5),
        }
    )
    assert record.conversation_id == CONV.format(4)
    assert record.fields["genesys.conversation_id"] == CONV.format(5)  # not the configured one: just a variable


def test_web_connector_files_report_bad_lines_and_go_on() -> None:
    text = "\n".join(
        [
            json.dumps({"call.call_id": "1", "call.disposition_name": "Sale"}),
            '{"call.call_id": ',
            "[1, 2]",
            "call.call_id=2&call.disposition_name=Busy",
            "call.call_id=3&call.call_id=4&call.disposition_name=Busy",
        ]
    )
    results = read(text, Five9Adapter(AdapterOptions(format="web-connector")), name="hooks.jsonl")
    assert [type(r).__name__ for r in results] == [
        "Disposition",
        "Five9RecordError",
        "Five9RecordError",
        "Disposition",
        "Five9RecordError",
    ]
    assert [r.source_id for r in results if isinstance(r, Disposition)] == ["1", "2"]
    assert [r.record for r in results if isinstance(r, Five9RecordError)] == ["line 2", "line 3", "line 5"]
    assert "not valid JSON" in results[1].message and results[1].raw == '{"call.call_id": '
    assert "expected a JSON object" in results[2].message
    assert results[4].field == "call.call_id" and results[4].raw.startswith("call.call_id=3")


def test_a_json_array_of_payloads() -> None:
    payloads = [{"call.call_id": str(n), "call.disposition_name": "Sale"} for n in range(3)]
    results = read(json.dumps(payloads))
    assert [r.source_id for r in results] == ["0", "1", "2"]


def test_a_call_log_row_as_a_payload() -> None:
    record = Five9Adapter().from_payload(
        {
            "CALL ID": 300000010270779,
            "TIMESTAMP": "Fri, 21 Aug 2026 09:02:05",
            "AGENT": "[None]",
            "DISPOSITION": "Abandon",
        }
    )
    assert (record.source_id, record.code, record.agent) == ("300000010270779", "Abandon", None)
    with pytest.raises(Five9RecordError) as caught:
        Five9Adapter().from_payload({"CALL ID": "", "DISPOSITION": "Abandon"}, ref="row 4")
    assert caught.value.field == "CALL ID" and caught.value.record == "row 4"


def test_payloads_that_are_not_objects_are_refused() -> None:
    with pytest.raises(Five9RecordError, match="expected an object"):
        Five9Adapter().from_payload(["call.call_id", "1"])  # type: ignore[arg-type]


# --- fuzzing: anything in ends as a Disposition or a Five9RecordError ----------------------------------------------

CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", "[None]", "Sale", "Fri, 21 Aug 2026 09:00:12", "Sun, 08 Mar 2026 02:30:00", CONV.format(1), "1", "2"]
    ),
)
COLUMNS = st.lists(
    st.sampled_from([*CALL_LOG_HEADERS[:8], "GENESYS CONVERSATION ID", "MEDIA TYPE", "x"]), min_size=1, max_size=6
)


def assert_outcomes(results: list[Any]) -> None:
    for result in results:
        assert isinstance(result, Disposition | Five9RecordError), result
        if isinstance(result, Five9RecordError):
            str(result)
            json.dumps(result.to_json_dict(), default=str)


@given(header=COLUMNS, rows=st.lists(st.lists(CELLS, max_size=7), max_size=8), window=st.integers(1, 4))
def test_fuzz_call_log_rows(header: list[str], rows: list[list[str]], window: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    adapter = Five9Adapter(AdapterOptions(format="call-log"), window=window)
    results = list(adapter.read(io.StringIO(out.getvalue(), newline=""), name="fuzz.csv"))
    assert_outcomes(results)


@given(st.text(max_size=200))
def test_fuzz_any_text(text: str) -> None:
    assert_outcomes(list(Five9Adapter().read(io.StringIO(text), name="fuzz")))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
KEYS = st.sampled_from(
    ["call.call_id", "call.session_id", "call.disposition_name", "call.end_timestamp", "call.start_timestamp",
     "call.mediatype", "agent.user_name", "Genesys.conversation_id", "call", "agent", "CALL ID", "DISPOSITION",
     "TIMESTAMP", "disposition_type"]
)  # fmt: skip


@given(st.dictionaries(KEYS | st.text(max_size=8), JSON, max_size=6))
def test_fuzz_payloads(payload: dict[str, Any]) -> None:
    for adapter in (Five9Adapter(), Five9Adapter(AdapterOptions(format="web-connector"))):
        try:
            result: Any = adapter.from_payload(payload)
        except Five9RecordError as exc:
            result = exc
        assert_outcomes([result])


@given(st.dictionaries(KEYS | st.text(max_size=8), st.text(max_size=12), max_size=6))
def test_fuzz_form_bodies(params: dict[str, str]) -> None:
    from urllib.parse import urlencode

    body = urlencode(params)
    results = list(Five9Adapter(AdapterOptions(format="web-connector")).read(io.StringIO(body), name="form"))
    assert_outcomes(results)
    if body.strip() and "\n" not in body:
        assert len(results) == 1
