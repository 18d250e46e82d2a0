"""Five9 adapter, issue 10: data-centre zones, Call Log column variants, warehouse loads, admin-named web-connector
parameters, unsubstituted placeholders, options a format cannot use, and ``explain``.

Fixtures are in ``fixtures/five9`` (``SOURCES.md`` says where each shape comes from; the values are invented).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wrapup_bridge.adapters.five9 as five9_package
from wrapup_bridge.adapters import AdapterOptionError, AdapterOptions, FieldMap, Five9RecordError
from wrapup_bridge.adapters.five9 import Five9Adapter
from wrapup_bridge.adapters.five9.call_log import KNOWN_KEYS
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.normalize import normalize_key

FIXTURES = Path(__file__).parent / "fixtures" / "five9"
CONV = "c0ffee00-0000-4000-8000-0000000000{:02d}"


def read(text: str, adapter: Five9Adapter | None = None, name: str = "calls.csv") -> list[Any]:
    return list((adapter or Five9Adapter()).read(io.StringIO(text, newline=""), name=name))


def read_fixture(file: str, adapter: Five9Adapter | None = None) -> list[Any]:
    with (FIXTURES / file).open(encoding="utf-8", newline="") as stream:
        return list((adapter or Five9Adapter()).read(stream, name=file))


def records(results: list[Any]) -> list[Disposition]:
    assert all(isinstance(r, Disposition) for r in results), results
    return [r for r in results if isinstance(r, Disposition)]


def only(results: list[Any]) -> Any:
    assert len(results) == 1, results
    return results[0]


def adapter(**options: Any) -> Five9Adapter:
    fields = options.pop("fields", None)
    return Five9Adapter(AdapterOptions(fields=FieldMap.from_mapping(fields), **options))


def one_call(stamp: str) -> str:
    return f'CALL ID,TIMESTAMP,DISPOSITION\n1,"{stamp}",Sale\n'


# --- region -> zone (Matatika/tap-five9 4cdd69c, a13f6b5) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "stamp", "expected", "ambiguous"),
    [
        (None, "Mon, 29 Sep 2025 09:02:05", datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC), False),  # default: PDT
        ("us", "Mon, 29 Sep 2025 09:02:05", datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC), False),
        ("ca", "Mon, 29 Sep 2025 09:02:05", datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC), False),  # Vancouver
        ("uk", "Mon, 29 Sep 2025 09:02:05", datetime(2025, 9, 29, 8, 2, 5, tzinfo=UTC), False),  # BST
        ("de", "Mon, 29 Sep 2025 09:02:05", datetime(2025, 9, 29, 7, 2, 5, tzinfo=UTC), False),  # CEST
        ("UK", "Mon, 03 Nov 2025 09:00:00", datetime(2025, 11, 3, 9, 0, tzinfo=UTC), False),  # GMT
        ("de", "Mon, 03 Nov 2025 09:00:00", datetime(2025, 11, 3, 8, 0, tzinfo=UTC), False),  # CET
        # the hour that repeats when summer time ends on 26 Oct 2025: first occurrence (still summer time), flagged
        ("uk", "Sun, 26 Oct 2025 01:30:00", datetime(2025, 10, 26, 0, 30, tzinfo=UTC), True),
        ("de", "Sun, 26 Oct 2025 02:30:00", datetime(2025, 10, 26, 0, 30, tzinfo=UTC), True),
        ("uk", "Sun, 26 Oct 2025 02:00:00", datetime(2025, 10, 26, 2, 0, tzinfo=UTC), False),
        ("de", "Sun, 26 Oct 2025 01:30:00", datetime(2025, 10, 25, 23, 30, tzinfo=UTC), False),
        # the US change (2 Nov 2025) is an ordinary hour in London
        ("uk", "Sun, 02 Nov 2025 01:30:00", datetime(2025, 11, 2, 1, 30, tzinfo=UTC), False),
        ("us", "Sun, 02 Nov 2025 01:30:00", datetime(2025, 11, 2, 8, 30, tzinfo=UTC), True),
    ],
)
def test_the_region_picks_the_zone_of_its_data_centre(
    region: str | None, stamp: str, expected: datetime, ambiguous: bool
) -> None:
    record = only(read(one_call(stamp), adapter(region=region)))
    assert record.occurred_at == expected
    assert record.fields.get("timestamp_ambiguous") == ("true" if ambiguous else None)


@pytest.mark.parametrize(
    ("region", "stamp"),
    [("uk", "Sun, 30 Mar 2025 01:30:00"), ("de", "Sun, 30 Mar 2025 02:30:00"), ("us", "Sun, 09 Mar 2025 02:30:00")],
)
def test_a_time_in_the_skipped_hour_of_the_region_is_an_error(region: str, stamp: str) -> None:
    error = only(read(one_call(stamp), adapter(region=region)))
    assert isinstance(error, Five9RecordError)
    assert error.field == "TIMESTAMP" and "does not exist" in error.message


def test_the_skipped_hour_of_another_region_is_an_ordinary_time() -> None:
    record = only(read(one_call("Sun, 30 Mar 2025 01:30:00"), adapter(region="us")))  # London's gap
    assert record.occurred_at == datetime(2025, 3, 30, 8, 30, tzinfo=UTC)


def test_the_default_zone_is_pacific_and_the_docstring_says_so() -> None:
    assert Five9Adapter().clock.zone_name == "America/Los_Angeles"
    assert "by default it is US Pacific" in (five9_package.__doc__ or "")


def test_web_connector_timestamps_follow_the_region() -> None:
    payload = {"call.call_id": "1", "call.disposition_name": "Sale", "call.end_timestamp": "2025-09-29 09:06:09"}
    assert adapter(region="de").from_payload(payload).occurred_at == datetime(2025, 9, 29, 7, 6, 9, tzinfo=UTC)
    offset = {**payload, "call.end_timestamp": "2025-09-29T09:06:09-04:00"}
    assert adapter(region="de").from_payload(offset).occurred_at == datetime(2025, 9, 29, 13, 6, 9, tzinfo=UTC)


# --- --timezone ------------------------------------------------------------------------------------------------------


def test_timezone_is_honoured_and_overrides_the_default() -> None:
    record = only(read(one_call("Mon, 29 Sep 2025 09:02:05"), adapter(timezone="Asia/Tokyo")))
    assert record.occurred_at == datetime(2025, 9, 29, 0, 2, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("region", "timezone"), [("uk", "Europe/London"), ("us", "US/Pacific"), ("ca", "Canada/Pacific")]
)
def test_a_timezone_agreeing_with_the_region_is_accepted(region: str, timezone: str) -> None:
    assert adapter(region=region, timezone=timezone).clock.zone_name == timezone


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"region": "uk", "timezone": "Europe/Berlin"}, "disagrees with --region uk"),
        ({"region": "de", "timezone": "UTC"}, "disagrees with --region de"),
        ({"region": "eu"}, "not a Five9 data centre"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ],
)
def test_conflicting_or_unknown_zones_are_refused(options: dict[str, str], words: str) -> None:
    with pytest.raises(AdapterOptionError, match=words):
        adapter(**options)


# --- Call Log column variants ----------------------------------------------------------------------------------------


def test_date_and_half_hour_slots_are_read_in_the_region_zone_with_a_precision_flag() -> None:
    results = records(read_fixture("date-half-hour.csv", adapter(region="uk")))
    by_id = {r.source_id: r for r in results}
    assert list(by_id) == ["300000010271101", "300000010271102", "300000010271103", "300000010271104"]
    first = by_id["300000010271101"]
    assert first.occurred_at == datetime(2025, 9, 29, 8, 0, tzinfo=UTC)  # 09:00 BST, the slot start
    assert first.fields["time_precision"] == "half-hour"
    assert (first.code, first.agent, first.fields["agent_name"]) == ("Payment Taken", "jdoe", "Jane Doe")
    assert first.fields["skill"] == "Care" and first.fields["handle_time"] == "00:04:12"
    for column in ("date", "half_hour", "call_id", "disposition", "agent"):
        assert column not in first.fields
    transfer = by_id["300000010271102"]
    assert transfer.fields["call_rows"] == "2" and transfer.code == "Transferred To 3rd Party"
    assert by_id["300000010271103"].fields["timestamp_ambiguous"] == "true"  # 01:30 on 26 Oct, London
    assert by_id["300000010271104"].occurred_at == datetime(2025, 11, 3, 14, 0, tzinfo=UTC)  # GMT


def test_custom_global_columns_are_kept_under_their_normalized_key() -> None:
    first = records(read_fixture("date-half-hour.csv"))[0]
    assert first.fields["global.strsugarzipcode"] == "76648-4511"


def test_date_and_time_with_named_dates() -> None:
    one, two, three = records(read_fixture("date-time-named-dates.csv"))
    assert one.occurred_at == datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC)
    assert two.occurred_at == datetime(2025, 9, 30, 0, 45, tzinfo=UTC)
    assert three.occurred_at == datetime(2025, 11, 2, 8, 15, tzinfo=UTC)  # 01:15 on 2 Nov 2025: first, PDT
    assert three.fields["timestamp_ambiguous"] == "true"
    assert "time_precision" not in one.fields and "date" not in one.fields and "time" not in one.fields


@pytest.mark.parametrize(
    ("header", "cells", "expected", "precision"),
    [
        ("DATE,QUARTER HOUR", "2025/09/29,09:45", datetime(2025, 9, 29, 16, 45, tzinfo=UTC), "quarter-hour"),
        ("DATE,HALF HOUR", '"Mon, 29 Sep 2025",09:30', datetime(2025, 9, 29, 16, 30, tzinfo=UTC), "half-hour"),
        ("DATE", "2025/09/29", datetime(2025, 9, 29, 7, 0, tzinfo=UTC), "day"),  # midnight Pacific
        ("DATE", '"Mon, 29 Sep 2025"', datetime(2025, 9, 29, 7, 0, tzinfo=UTC), "day"),
        ("DATE,TIME", "2025-09-29,9:30 PM", datetime(2025, 9, 30, 4, 30, tzinfo=UTC), None),
        ("TIMESTAMP,DATE,HALF HOUR", '"Mon, 29 Sep 2025 09:31:10",2025/09/29,09:30', datetime(2025, 9, 29, 16, 31, 10, tzinfo=UTC), None),
    ],
)  # fmt: skip
def test_time_column_sets_are_detected_in_order(
    header: str, cells: str, expected: datetime, precision: str | None
) -> None:
    record = only(read(f"CALL ID,DISPOSITION,{header}\n1,Sale,{cells}\n"))
    assert record.occurred_at == expected
    assert record.fields.get("time_precision") == precision


def test_a_field_map_time_overrides_detection() -> None:
    text = 'CALL ID,DISPOSITION,TIMESTAMP,DAY,SLOT\n1,Sale,"Mon, 29 Sep 2025 09:31:10",2025/09/29,09:30\n'
    record = only(read(text, adapter(fields={"time": "DAY+SLOT"})))
    assert record.occurred_at == datetime(2025, 9, 29, 16, 30, tzinfo=UTC)
    assert record.fields["timestamp"] == "Mon, 29 Sep 2025 09:31:10"  # not the time any more: just a column
    assert "day" not in record.fields and "slot" not in record.fields
    slots = only(read(text, adapter(fields={"time": "DAY + Slot"}, region="uk")))
    assert slots.occurred_at == datetime(2025, 9, 29, 8, 30, tzinfo=UTC)


def test_a_field_map_places_every_part_on_call_log_columns() -> None:
    text = (
        "Interaction,Outcome,Login,Full Name,Comment,Channel,When,Conv\n"
        f"A1,Sale,jdoe,Jane Doe,paid by card,chat,2025/09/29 09:00,{CONV.format(1)}\n"
        "A1,,[None],,,chat,2025/09/29 09:05,\n"
    )
    fields = {
        "source_id": "Interaction",
        "code": "Outcome",
        "agent": "Login",
        "agent_name": "Full Name",
        "notes": "Comment",
        "media": "Channel",
        "time": "When",
        "conversation_id": "Conv",
    }
    record = only(read(text, adapter(fields=fields)))
    assert (record.source_id, record.code, record.agent, record.notes) == ("A1", "Sale", "jdoe", "paid by card")
    assert record.fields["agent_name"] == "Jane Doe" and record.fields["call_rows"] == "2"
    assert record.media.value == "message" and record.conversation_id == CONV.format(1)
    assert record.occurred_at == datetime(2025, 9, 29, 16, 0, tzinfo=UTC)
    assert set(record.fields) == {"agent_name", "channel", "call_rows"}


def test_a_field_map_naming_a_missing_column_stops_the_file_at_its_header() -> None:
    error = only(read("CALL ID,DISPOSITION\n1,Sale\n2,Busy\n", adapter(fields={"agent": "Agent Email"})))
    assert isinstance(error, Five9RecordError)
    assert error.record == "header" and error.field == "Agent Email" and "not a column of this file" in error.message


@pytest.mark.parametrize(
    ("options", "cells", "expected"),
    [
        ({"time_format": "%d/%m/%Y %H:%M"}, "29/09/2025,09:30", datetime(2025, 9, 29, 16, 30, tzinfo=UTC)),
        ({"date_order": "dmy"}, "01/10/2025,09:30", datetime(2025, 10, 1, 16, 30, tzinfo=UTC)),
        ({"date_order": "mdy"}, "01/10/2025,09:30", datetime(2025, 1, 10, 17, 30, tzinfo=UTC)),
        ({"time_format": "%d.%m.%Y %H:%M", "region": "de"}, "29.09.2025,09:30", datetime(2025, 9, 29, 7, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_time_format_and_date_order_apply_to_the_joined_date_and_time(
    options: dict[str, str], cells: str, expected: datetime
) -> None:
    record = only(read(f"CALL ID,DISPOSITION,DATE,TIME\n1,Sale,{cells}\n", adapter(**options)))
    assert record.occurred_at == expected


def test_a_time_not_in_the_declared_format_names_the_joined_columns() -> None:
    error = only(
        read("CALL ID,DISPOSITION,DATE,HALF HOUR\n1,Sale,2025/09/29,09:30\n", adapter(time_format="%d/%m/%Y %H:%M"))
    )
    assert isinstance(error, Five9RecordError)
    assert error.field == "DATE+HALF HOUR" and "time_format" in error.message


# --- snake_case warehouse loads ---------------------------------------------------------------------------------------


def test_snake_case_warehouse_columns_with_rfc3339_utc_times() -> None:
    for options in ({}, {"region": "uk"}):  # the times carry their offset: no zone is applied to them
        one, two = records(read_fixture("warehouse-call-log.csv", adapter(**options)))
        assert (one.source_id, one.code, one.agent) == ("300000010271301", "Payment Taken", "jdoe")
        assert one.occurred_at == datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC)
        assert one.fields["bill_time_(rounded)"] == "00:04:18"  # as the standard report's column
        assert one.fields["agent_name"] == "Jane Doe" and "customer_name" not in one.fields
        assert (two.code, two.fields["call_rows"]) == ("No Answer", "2")
        assert two.occurred_at == datetime(2025, 9, 29, 16, 40, tzinfo=UTC)


def test_a_warehouse_that_wrote_naive_utc_is_read_with_timezone_utc() -> None:
    text = "call_id,timestamp,disposition\n1,2025-09-29 16:02:05,Sale\n"
    assert only(read(text, adapter(timezone="UTC"))).occurred_at == datetime(2025, 9, 29, 16, 2, 5, tzinfo=UTC)
    assert only(read(text)).occurred_at == datetime(2025, 9, 29, 23, 2, 5, tzinfo=UTC)  # else read as Pacific


@pytest.mark.parametrize("column", ["bill_time__rounded_", "bill_time__rounded", "bill_time_rounded"])
def test_every_tap_spelling_of_bill_time_rounded_is_the_same_field(column: str) -> None:
    record = only(read(f"call_id,disposition,{column}\n1,Sale,00:01:00\n"))
    assert record.fields == {"bill_time_(rounded)": "00:01:00"}


# --- web connector: admin-named parameters, unsubstituted placeholders ------------------------------------------------

ADMIN_FIELDS = {
    "source_id": "CallID",
    "code": "Disposition",
    "agent": "AgentLogin",
    "agent_name": "AgentName",
    "time": "EndTime",
    "notes": "Notes",
    "conversation_id": "GenesysId",
}


def test_admin_named_parameters_are_read_through_the_field_map() -> None:
    first, second, third = read_fixture("web-connector-admin-named.txt", adapter(fields=ADMIN_FIELDS))
    assert isinstance(first, Disposition)
    assert (first.source_id, first.code, first.agent, first.notes) == (
        "300000010271401", "Payment Taken", "jdoe", "card payment",
    )  # fmt: skip
    assert first.conversation_id == CONV.format(41)
    assert first.occurred_at == datetime(2025, 9, 29, 16, 6, 9, tzinfo=UTC)
    assert first.fields == {
        "agent_name": "Jane Doe",
        "ani": "9045550101",
        "endtime": "2025-09-29 09:06:09",
        "unsubstituted_variables": "DNIS",
    }
    assert isinstance(second, Disposition)
    assert (second.code, second.agent, second.conversation_id) == ("No Answer", None, None)
    assert second.fields["unsubstituted_variables"] == "AgentLogin|AgentName|ANI|GenesysId"
    assert "ani" not in second.fields and "agent_name" not in second.fields
    assert isinstance(third, Five9RecordError)
    assert third.field == "Disposition" and third.record == "line 3"
    assert "placeholder '@Call.disposition_name@'" in third.message and third.raw.startswith("CallID=300000010271403")


def test_admin_named_json_payload_and_dotted_paths() -> None:
    reader = adapter(format="web-connector", fields={"code": "dispo.name", "source_id": ["Call.Id", "Session"]})
    record = reader.from_payload({"dispo": {"name": "Sale"}, "call": {"id": "7"}, "Session": "S"})
    assert (record.source_id, record.code) == ("7", "Sale")
    assert record.fields == {}  # every variable the field map places is an attribute, not a field
    # without --format, an admin's bare "Disposition" parameter does not make the payload a Call Log row
    named = adapter(fields={"code": "Disposition", "source_id": "CallID", "notes": "Notes"})
    assert named.from_payload({"CallID": "8", "Disposition": "Busy"}).code == "Busy"


def test_without_a_field_map_admin_names_miss_the_disposition() -> None:
    with pytest.raises(Five9RecordError) as caught:
        adapter(format="web-connector").from_payload({"CallID": "1", "Disposition": "Sale"})
    assert caught.value.field == "call.disposition_name"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"call.call_id": "@Call.call_id@", "call.session_id": "S1"}, "S1"),  # falls back to the session id
        ({"call.call_id": "1", "call.end_timestamp": "@Call.end_timestamp@", "call.start_timestamp": "2025-09-29 09:00:00"}, "1"),
    ],
)  # fmt: skip
def test_default_variables_left_unsubstituted_are_missing_values(payload: dict[str, str], expected: str) -> None:
    record = Five9Adapter().from_payload({"call.disposition_name": "Sale", **payload})
    assert record.source_id == expected
    assert "@" not in "".join(record.fields.values()).replace(record.fields["unsubstituted_variables"], "")
    if "call.start_timestamp" in payload:
        assert record.occurred_at == datetime(2025, 9, 29, 16, 0, tzinfo=UTC)


def test_an_unsubstituted_disposition_is_never_a_code() -> None:
    for value in ("@Call.disposition_name@", " @Call.Disposition_Name@ "):
        with pytest.raises(Five9RecordError, match="did not substitute") as caught:
            Five9Adapter().from_payload({"call.call_id": "1", "call.disposition_name": value})
        assert caught.value.field == "call.disposition_name"
    unidentified = {"call.call_id": "@Call.call_id@", "call.disposition_name": "Sale"}
    with pytest.raises(Five9RecordError, match="unsubstituted"):
        Five9Adapter().from_payload(unidentified)


# --- options a format cannot use --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "call-log", "web-connector"])
def test_date_order_with_a_time_format_is_refused_at_construction(fmt: str | None) -> None:
    with pytest.raises(AdapterOptionError, match="--date-order"):
        adapter(format=fmt, time_format="%d/%m/%Y", date_order="dmy")


@pytest.mark.parametrize("fmt", [None, "call-log"])
@pytest.mark.parametrize(
    "option", [{"region": "uk"}, {"timezone": "UTC"}, {"time_format": "%Y"}, {"date_order": "dmy"}]
)
def test_time_options_for_a_call_log_without_any_time_column_are_refused_before_any_record(
    fmt: str | None, option: dict[str, str]
) -> None:
    reader = adapter(format=fmt, **option)  # usable for some files: accepted here
    results = reader.read(io.StringIO("CALL ID,DISPOSITION\n1,Sale\n"), name="no-times.csv")
    with pytest.raises(AdapterOptionError, match="no TIMESTAMP or DATE column"):
        next(results)
    assert reader.stats.records == 0


def test_the_same_options_read_a_file_that_has_a_time() -> None:
    assert only(read(one_call("Mon, 29 Sep 2025 09:02:05"), adapter(format="call-log", region="uk", catalog=None)))


def test_catalog_is_accepted_by_both_formats(tmp_path: Path) -> None:
    catalog = tmp_path / "d.yaml"
    catalog.write_text("- {name: Sale, type: FinalDisp}\n")
    for fmt in ("call-log", "web-connector"):
        assert Five9Adapter(AdapterOptions(format=fmt, catalog=str(catalog))).catalog == {"sale": "FinalDisp"}


# --- property: column order and unknown columns do not change a Call Log's dispositions ------------------------------

BASE_HEADER = [
    "CALL ID",
    "DATE",
    "HALF HOUR",
    "AGENT",
    "AGENT NAME",
    "DISPOSITION",
    "CALL TYPE",
    "GENESYS CONVERSATION ID",
]
BASE_ROWS = [
    ["300000010271501", "2025/09/29", "09:00", "jdoe", "Jane Doe", "Sale", "Inbound", CONV.format(51)],
    ["300000010271502", "2025/10/26", "01:30", "asmith", "", "Transferred To 3rd Party", "Inbound", CONV.format(52)],
    ["300000010271502", "2025/10/26", "01:30", "[None]", "", "", "3rd party transfer", ""],
    ["300000010271503", "2025/11/03", "14:00", "kchen", "Kevin Chen", "No Answer", "Outbound", ""],
]
NAMES = st.text(st.sampled_from("ABCXYZ abc._-"), min_size=1, max_size=10).filter(
    lambda n: n.strip() and normalize_key(n) not in KNOWN_KEYS | {normalize_key(h) for h in BASE_HEADER}
)
CELL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12)


def write_csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def essentials(record: Disposition) -> tuple[Any, ...]:
    return (record.source_id, record.code, record.occurred_at, record.agent, record.conversation_id)


@given(
    order=st.permutations(range(len(BASE_HEADER))),
    extra_name=NAMES,
    extra_at=st.integers(0, len(BASE_HEADER)),
    extra_cells=st.lists(CELL, min_size=len(BASE_ROWS), max_size=len(BASE_ROWS)),
    region=st.sampled_from([None, "uk"]),
)
def test_column_order_and_unknown_columns_do_not_change_the_dispositions(
    order: list[int], extra_name: str, extra_at: int, extra_cells: list[str], region: str | None
) -> None:
    base = records(read(write_csv(BASE_HEADER, BASE_ROWS), adapter(region=region)))
    header = [BASE_HEADER[i] for i in order]
    rows = [[row[i] for i in order] for row in BASE_ROWS]
    header.insert(extra_at, extra_name)
    for row, cell in zip(rows, extra_cells, strict=True):
        row.insert(extra_at, cell)
    shuffled = records(read(write_csv(header, rows), adapter(region=region)))
    assert [essentials(r) for r in shuffled] == [essentials(r) for r in base]
    key = normalize_key(extra_name)
    for before, after in zip(base, shuffled, strict=True):
        extra = {k: v for k, v in after.fields.items() if k not in before.fields}
        assert set(extra) <= {key}
        assert {k: v for k, v in after.fields.items() if k != key} == before.fields
    assert base[1].fields.get("timestamp_ambiguous") == ("true" if region == "uk" else None)  # 26 Oct 01:30


# --- explain ------------------------------------------------------------------------------------------------------


def explain(file: str, reader: Five9Adapter | None = None) -> Any:
    with (FIXTURES / file).open(encoding="utf-8", newline="") as stream:
        return (reader or Five9Adapter()).explain(stream, name=file)


def test_explain_a_half_hour_report_read_in_london() -> None:
    report = explain("date-half-hour.csv", adapter(region="uk"))
    assert (report.format, report.how) == ("call-log", "detected: a CSV header with call_id, disposition")
    assert report.envelope.startswith("CSV, 12 columns: a report built on the Call Log (DATE + HALF HOUR)")
    assert "local times read as Europe/London (--region uk)" in report.settings
    first = report.records[0]
    assert first.position == "CALL ID 300000010271101 (line 2)"
    assert first.values["occurred_at"] == ("2025-09-29T08:00:00Z", "DATE + HALF HOUR (slot start, Europe/London)")
    assert first.values["code"] == ("Payment Taken", "DISPOSITION")
    assert first.values["fields.global.strsugarzipcode"] == ("76648-4511", "Global.strSugarZipCode")
    assert report.records[1].values["fields.call_rows"][1] == "rows sharing the CALL ID"
    assert len(report.records) == 3
    notes = "\n".join(report.notes)
    assert "5 rows read as 4 calls: 1 rows merged" in notes
    assert "Global.strSugarZipCode" in notes
    assert "DATE + HALF HOUR" in report.render()


def test_explain_a_warehouse_load() -> None:
    report = explain("warehouse-call-log.csv", adapter(region="uk"))
    assert "snake_case warehouse columns" in report.envelope and "(timestamp)" in report.envelope
    assert report.records[0].values["occurred_at"][1] == "timestamp (its own UTC offset, no zone applied)"
    assert any("2 of 2 times carry their own UTC offset" in n for n in report.notes)
    assert any("customer_name" in n for n in report.notes)


def test_explain_admin_named_web_connector_bodies_including_an_unreadable_one() -> None:
    report = explain("web-connector-admin-named.txt", adapter(fields=ADMIN_FIELDS))
    assert (report.format, report.how) == ("web-connector", "detected: name=value pairs")
    assert report.envelope == "web-connector form bodies (url-encoded name=value pairs), one per line"
    assert any(s.startswith("field map: ") and "code=Disposition" in s for s in report.settings)
    first, second, third = report.records
    assert first.values["code"] == ("Payment Taken", "Disposition")
    assert first.values["occurred_at"][1] == "EndTime (America/Los_Angeles)"
    assert first.values["fields.agent_name"][1] == "AgentName (field map)"
    assert second.values["agent"] == (None, "not in the record")
    assert third.position == "line 3" and third.error and "did not substitute" in third.error


def test_explain_refuses_options_the_file_cannot_use() -> None:
    with pytest.raises(AdapterOptionError):
        Five9Adapter(AdapterOptions(region="uk")).explain(io.StringIO("CALL ID,DISPOSITION\n1,Sale\n"), name="x.csv")
