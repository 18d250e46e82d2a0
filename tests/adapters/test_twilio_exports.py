"""Issue 10: the Twilio adapter on the shapes real exports and captures take.

One test (or one small group) per fact: task lifecycle (wrap-up events are not dispositions yet; one task, one
disposition), Task API resources (lifecycle statuses, ``attributes`` null on list pages), Event Streams
(arrays of CloudEvents, the authoritative ``type``, Voice status callbacks inside them), Flex Insights locale
dates, the field map and the options each format accepts, agent names, column order, and ``explain``.
Fixtures: ``fixtures/twilio/`` (sources in its SOURCES.md).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wrapup_bridge.adapters import AdapterOptionError, AdapterOptions, FieldMap, TwilioRecordError
from wrapup_bridge.adapters.twilio import TwilioAdapter
from wrapup_bridge.core.disposition import Disposition, Media

FIXTURES = Path(__file__).parent / "fixtures" / "twilio"
T1 = "WT1000000000000000000000000000a001"
T3 = "WT1000000000000000000000000000a003"
T4 = "WT1000000000000000000000000000a004"


def adapter(fields: dict[str, Any] | None = None, **options: Any) -> TwilioAdapter:
    return TwilioAdapter(AdapterOptions(fields=FieldMap.from_mapping(fields), **options))


def read(text: str, twilio: TwilioAdapter | None = None, *, name: str = "input", **options: Any) -> list[Any]:
    return list((twilio or adapter(**options)).read(io.StringIO(text, newline=""), name=name))


def read_fixture(name: str, twilio: TwilioAdapter | None = None) -> list[Any]:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as stream:
        return list((twilio or adapter()).read(stream, name=name))


def records(results: list[Any]) -> list[Disposition]:
    errors = [str(r) for r in results if not isinstance(r, Disposition)]
    assert errors == []
    return results


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def event(event_type: str, sid: str = T1, **params: str) -> dict[str, str]:
    """A TaskRouter EventCallback (EventCallback parameter names per the TaskRouter event reference)."""
    body = {
        "EventType": event_type,
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "WorkspaceSid": "WS0123456789abcdef0123456789abcdef",
        "ResourceSid": sid,
        "TaskSid": sid,
        "Timestamp": "1764000690",
        "TaskAttributes": json.dumps({"conversations": {"outcome": "Resolved"}}),
        "TaskAssignmentStatus": "completed",
    }
    body.update(params)
    return body


def lines(*events: dict[str, str]) -> str:
    return "\n".join(urlencode(e) for e in events) + "\n"


WORKER = {
    "WorkerName": "asmith",
    "WorkerAttributes": json.dumps({"email": "asmith@example.com", "full_name": "Alex Smith"}),
}


# ------------------------------------------------------------------------------ lifecycle: wrap-up is not a disposition


def test_wrapup_events_without_an_outcome_are_skipped_and_counted() -> None:
    twilio = adapter()
    t3, t4 = records(read_fixture("taskrouter-lifecycle.txt", twilio))
    assert (t3.source_id, t3.code, t3.fields["event_type"]) == (T3, "Follow-up Required", "task.completed")
    # A wrap-up event whose attributes already hold an outcome (an auto-wrapup plugin wrote it) is one.
    assert (t4.source_id, t4.code, t4.fields["event_type"]) == (T4, "Automatically completed", "reservation.wrapup")
    assert twilio.skipped == {
        "event type task.wrapup without an outcome yet": 1,
        "event type reservation.wrapup without an outcome yet": 1,
        "reservation.completed events folded into their task's task.completed record": 1,
    }


def test_wrapup_event_as_payload_is_refused_as_not_a_disposition() -> None:
    wrapup = event("reservation.wrapup", TaskAttributes=json.dumps({"conversations": {}}), **WORKER)
    with pytest.raises(TwilioRecordError) as info:
        adapter().from_payload(wrapup)
    assert getattr(info.value, "skip_key", None) == "event type reservation.wrapup without an outcome yet"
    assert "Flex writes conversations.outcome when the agent completes the task" in info.value.message
    # The reason is no outcome for a task in wrap-up: only the attributes (or the field map's code) count.
    with pytest.raises(TwilioRecordError):
        adapter().from_payload(dict(wrapup, TaskCompletedReason="Task completed"))
    assert adapter().from_payload(event("task.wrapup")).code == "Resolved"


# ------------------------------------------------------------------------------ lifecycle: one task, one disposition


@pytest.mark.parametrize("order", ["reservation first", "task first"])
def test_reservation_and_task_completed_fold_into_one_record(order: str) -> None:
    reservation = event(
        "reservation.completed",
        TaskAttributes=json.dumps({"conversations": {"outcome": "Resolved (reservation)"}}),
        **WORKER,
    )
    task = event("task.completed", Timestamp="1764000691")
    pair = (reservation, task) if order == "reservation first" else (task, reservation)
    twilio = adapter()
    (d,) = records(read(lines(*pair), twilio))
    assert d.code == "Resolved", "the task.completed record wins"
    assert d.fields["event_type"] == "task.completed"
    assert (d.agent, d.fields["agent_name"]) == ("asmith@example.com", "Alex Smith"), "the reservation's worker"
    assert d.occurred_at == datetime.fromtimestamp(1764000691, UTC)
    assert d.fields["folded_events"] == "|".join(e["EventType"] for e in pair)
    assert twilio.skipped == {"reservation.completed events folded into their task's task.completed record": 1}


def test_folding_keeps_a_worker_the_task_event_names_and_other_tasks_apart() -> None:
    reservation = event("reservation.completed", **WORKER)
    task = event("task.completed", WorkerName="supervisor1")
    other = event("task.completed", sid="WT" + "2" * 32)
    folded, alone = records(read(lines(reservation, other, task)))
    assert (folded.source_id, folded.agent) == (T1, "supervisor1")
    assert "agent_name" not in folded.fields
    assert alone.source_id == "WT" + "2" * 32 and "folded_events" not in alone.fields


def test_folding_window_is_bounded_and_late_events_are_never_silent() -> None:
    fillers = [event("task.completed", sid=f"WT{n:032d}") for n in range(3)]
    twilio = TwilioAdapter(fold_window=2)
    # A reservation.completed after its task's record was emitted would not have won: counted.
    late_loser = read(lines(event("task.completed"), *fillers, event("reservation.completed", **WORKER)), twilio)
    assert [d.source_id for d in records(late_loser)] == [T1, *(f["TaskSid"] for f in fillers)]
    assert sum(n for key, n in twilio.skipped.items() if "already emitted" in key) == 1
    # A task.completed after its reservation's record was emitted would have won: an error naming the task.
    winner_first = lines(event("reservation.completed", **WORKER), *fillers, event("task.completed"))
    late_winner = read(winner_first, TwilioAdapter(fold_window=2), name="c")
    errors = [r for r in late_winner if isinstance(r, TwilioRecordError)]
    assert len(errors) == 1 and errors[0].field == "TaskSid"
    assert f"TaskSid {T1}" in errors[0].message and "2-record folding window" in errors[0].message
    assert errors[0].record.startswith("line 5")


def test_an_unreadable_event_holds_its_whole_task_back() -> None:
    broken = event("reservation.completed", TaskAttributes="{oops", **WORKER)
    (err,) = read(lines(event("task.completed"), broken), name="events.txt")
    assert isinstance(err, TwilioRecordError)
    assert (err.field, err.record) == ("TaskAttributes", f"line 2 (TaskSid {T1})")
    assert isinstance(err.raw, list) and len(err.raw) == 2, "both events kept, so a retry reads the task whole"


# ------------------------------------------------------------------------------ Task API resources


def test_task_api_only_completed_and_canceled_tasks_are_dispositions() -> None:
    twilio = adapter()
    results = read_fixture("task-list-page.json", twilio)
    assert twilio.skipped == {f"task assignment_status {s}": 1 for s in ("pending", "reserved", "assigned", "wrapping")}
    assert [type(r) for r in results] == [TwilioRecordError, TwilioRecordError]
    (fetched,) = records(read_fixture("task-fetch.json"))
    assert (fetched.code, fetched.fields["task_assignment_status"]) == ("Resolved", "completed")
    pending = dict(fixture_json("task-fetch.json"), assignment_status="pending")
    with pytest.raises(TwilioRecordError) as info:
        adapter().from_payload(pending)
    assert info.value.field == "assignment_status"
    canceled = dict(fixture_json("task-fetch.json"), assignment_status="canceled", reason="Caller hung up")
    canceled["attributes"] = "{}"
    assert adapter().from_payload(canceled).code == "Caller hung up"


def test_null_attributes_on_a_list_page_are_an_error_naming_the_task_never_the_reason() -> None:
    completed, canceled = read_fixture("task-list-page.json")
    sid = "WT2000000000000000000000000000a001"
    assert (completed.field, completed.record) == ("attributes", f"line 1 tasks[0] (TaskSid {sid})")
    assert (
        f"attributes are null on list pages; fetch the task (GET /Tasks/{sid}) to read its outcome" in completed.message
    )
    assert canceled.record.endswith("(TaskSid WT2000000000000000000000000000a006)")
    task = fixture_json("task-list-page.json")["tasks"][0]
    with pytest.raises(TwilioRecordError, match="attributes are null on list pages"):
        adapter().from_payload(task)


# ------------------------------------------------------------------------------ Event Streams


def test_event_streams_array_document_and_json_lines_of_arrays_read_the_same() -> None:
    twilio = adapter()
    as_document = records(read_fixture("event-streams-array.json", twilio))
    assert twilio.skipped["event type com.twilio.eventstreams.test-event"] == 1
    as_lines = records(read_fixture("event-streams-deliveries.jsonl"))
    assert as_document == as_lines
    task, canceled, call = as_document
    assert (task.source_id, task.code, task.agent, task.fields["agent_name"]) == (
        T1,
        "Resolved",
        "jdoe@example.com",
        "Jane Doe",
    )
    assert task.conversation_id == "c0ffee00-0000-4000-8000-000000000101"
    assert (canceled.code, canceled.fields["outcome_source"]) == ("Task TTL Exceeded", "TaskCanceledReason")
    assert (call.source_id, call.code, call.fields["sip_response_code"]) == (
        "CA1000000000000000000000000000d009",
        "no-answer",
        "487",
    )
    # the Voice CloudEvent's numbers, for correlation
    assert (call.fields["from"], call.fields["to"]) == ("+18005550199", "+14155550109")


def test_cloudevent_type_is_authoritative_and_the_inner_eventtype_is_ignored() -> None:
    docs = fixture_json("docs-example-cloudevent.json")
    assert docs["data"]["payload"]["eventtype"] == "reservation.created"
    (d,) = records(read_fixture("docs-example-cloudevent.json"))
    assert (d.fields["event_type"], d.code) == ("task.canceled", "Task TTL Exceeded")
    assert adapter().from_payload(docs) == d
    report = adapter().explain(io.StringIO(json.dumps(docs)), name="docs.json")
    assert any("CloudEvent type used; inner eventtype 'reservation.created' ignored" in n for n in report.notes)


def test_voice_status_cloudevent_reads_as_the_voice_status_format() -> None:
    cloud = fixture_json("event-streams-array.json")[4]
    params = cloud["data"]["request"]["parameters"]
    as_form = adapter(format="voice-status").from_payload(params)
    assert adapter().from_payload(cloud) == as_form
    # A webhook endpoint reading TaskRouter events gets Voice CloudEvents from the same sink.
    assert adapter(format="taskrouter").from_payload(cloud) == as_form
    ringing = json.loads(json.dumps(cloud).replace('"no-answer"', '"ringing"'))
    with pytest.raises(TwilioRecordError) as info:
        adapter().from_payload(ringing)
    assert info.value.field == "data.request.parameters.CallStatus"
    with pytest.raises(TwilioRecordError) as info:
        adapter(format="copilot").from_payload(cloud)
    assert info.value.field == "type"
    test_event = fixture_json("event-streams-array.json")[5]
    with pytest.raises(TwilioRecordError, match="carries no disposition"):
        adapter().from_payload(test_event)


# ------------------------------------------------------------------------------ Insights locale dates


def test_insights_locale_dates_with_declared_order_or_format_and_zone() -> None:
    by_order = records(read_fixture("insights-locale.csv", adapter(date_order="mdy", timezone="America/New_York")))
    fmt = adapter(time_format="%m/%d/%Y %I:%M %p", timezone="America/New_York")
    assert records(read_fixture("insights-locale.csv", fmt)) == by_order
    first, second, night = by_order
    assert first.occurred_at == datetime(2025, 11, 24, 19, 6, tzinfo=UTC)
    assert second.occurred_at == datetime(2025, 11, 24, 16, 45, tzinfo=UTC)
    # 1:30 AM on 2025-11-02 happened twice in New York: the first one, flagged.
    assert night.occurred_at == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)
    assert night.fields["timestamp_ambiguous"] == "true"
    assert "timestamp_ambiguous" not in first.fields


def test_insights_locale_dates_undeclared_or_in_the_dst_gap_are_errors() -> None:
    undeclared = read_fixture("insights-locale.csv")
    assert all(isinstance(r, TwilioRecordError) for r in undeclared)
    assert undeclared[0].field == "Date+Time"
    assert "--date-order" in undeclared[0].message
    gap = "Date,Time,Segment,Outcome\n3/9/2025,2:30 AM,WT1,Sale\n"
    (err,) = read(gap, date_order="mdy", timezone="America/New_York")
    assert isinstance(err, TwilioRecordError) and "does not exist" in err.message
    dmy = read("Date,Time,Segment,Outcome\n24/11/2025,14:06,WT1,Sale\n", date_order="dmy")
    assert dmy[0].occurred_at == datetime(2025, 11, 24, 14, 6, tzinfo=UTC)
    iso_still_reads = read("Date,Time,Segment,Outcome\n2025-11-24,14:06,WT1,Sale\n", date_order="mdy")
    assert iso_still_reads[0].occurred_at == datetime(2025, 11, 24, 14, 6, tzinfo=UTC)


# ------------------------------------------------------------------------------ field map


def test_field_map_insights_columns_and_a_joined_time() -> None:
    text = (
        "Day,Clock,Task,Disposition,Login,Full Name,Memo,Kind,Outcome\n"
        "11/24/2025,2:06 PM,WT9,Sale,jdoe,Jane Doe,Upgraded,Chat,ignored\n"
    )
    fields = {
        "code": "disposition",
        "source_id": "TASK",
        "agent": "Login",
        "agent_name": "Full Name",
        "notes": "Memo",
        "media": "Kind",
        "time": "Day+Clock",
    }
    (d,) = records(read(text, adapter(fields, date_order="mdy", timezone="Europe/London")))
    assert (d.code, d.source_id, d.agent, d.fields["agent_name"], d.notes) == (
        "Sale",
        "WT9",
        "jdoe",
        "Jane Doe",
        "Upgraded",
    )
    assert d.media is Media.MESSAGE
    assert d.occurred_at == datetime(2025, 11, 24, 14, 6, tzinfo=UTC)
    assert d.fields["outcome"] == "ignored" and "disposition" not in d.fields and "memo" not in d.fields
    (err,) = read(text, adapter({"code": "Wrapup Code"}))
    assert (err.record, err.field) == ("header", "Wrapup Code")


def test_field_map_taskrouter_parameters_json_parameters_and_attribute_paths() -> None:
    attrs = {"conversations": {"outcome": "Resolved", "conversation_attribute_3": "Sale", "memo": "note"}}
    body = event("task.completed", TaskAttributes=json.dumps(attrs), **WORKER)
    fields = {
        "code": "conversations.conversation_attribute_3",
        "agent": "WorkerName",
        "agent_name": "WorkerAttributes.full_name",
        "notes": "conversations.memo",
        "media": "task_channel",
    }
    d = adapter(fields).from_payload(dict(body, TaskChannel="email"))
    assert (d.code, d.fields["outcome_source"], d.agent, d.fields["agent_name"], d.notes) == (
        "Sale",
        "TaskAttributes.conversations.conversation_attribute_3",
        "asmith",
        "Alex Smith",
        "note",
    )
    assert d.media is Media.EMAIL
    blank = adapter({"code": "conversations.missing"}).from_payload(body)
    assert (blank.code, blank.fields["outcome_source"]) == ("", "none"), "a placed code replaces the default"
    with pytest.raises(TwilioRecordError) as info:
        adapter({"source_id": "conversations.case"}).from_payload(body)
    assert info.value.field == "conversations.case"


def test_field_map_task_attributes_voice_status_and_copilot() -> None:
    task = dict(fixture_json("task-fetch.json"))
    task["attributes"] = json.dumps({"conversations": {"outcome": "Resolved", "conversation_attribute_1": "Sale"}})
    d = adapter({"code": "conversations.conversation_attribute_1", "time": "date_created"}).from_payload(task)
    assert (d.code, d.occurred_at) == ("Sale", datetime(2025, 11, 24, 16, 0, tzinfo=UTC))
    status = {"CallSid": "CA1", "CallStatus": "failed", "SipResponseCode": "404", "DialerAgent": "jdoe"}
    v = adapter({"code": "SipResponseCode", "agent": "dialer_agent"}, format="voice-status").from_payload(status)
    assert (v.code, v.agent) == ("404", "jdoe")
    copilot = {"event_type": "note_updated", "codes": {}, "context": {"task_sid": "WT1", "worker": "jdoe@x.com"}}
    assert adapter({"agent": "context.worker"}).from_payload(copilot).agent == "jdoe@x.com"


def test_options_a_format_cannot_use_are_refused() -> None:
    with pytest.raises(AdapterOptionError, match="field 'media'"):
        adapter({"media": "Channel"}, format="voice-status")
    with pytest.raises(AdapterOptionError, match="--timezone"):
        adapter(format="taskrouter", timezone="Europe/London")
    with pytest.raises(AdapterOptionError, match="--region"):
        adapter(format="insights-csv", region="us")
    # Local-time settings serve a time the field map places, whatever the format.
    placed = adapter({"time": "conversations.local_end"}, format="task-attributes", timezone="Europe/Paris")
    task = {"sid": "WT1", "conversations": {"outcome": "x", "local_end": "2025-11-24 15:06"}}
    assert placed.from_payload(task).occurred_at == datetime(2025, 11, 24, 14, 6, tzinfo=UTC)
    # Detected per file: refused from read() before any record of that file.
    twilio = adapter(timezone="Europe/London")
    results = twilio.read(io.StringIO(lines(event("task.completed"))), name="events.txt")
    with pytest.raises(AdapterOptionError, match="taskrouter"):
        next(results)
    assert records(read("Segment,Outcome,Date\nWT1,Sale,2025-07-01 10:00\n", twilio))[0].occurred_at == datetime(
        2025, 7, 1, 9, 0, tzinfo=UTC
    )
    with pytest.raises(AdapterOptionError):
        twilio.from_payload(event("task.completed"))
    # The programmatic default zone is not an option and stays usable everywhere.
    assert TwilioAdapter(assume_timezone="America/New_York").from_payload(event("task.completed")).code == "Resolved"


# ------------------------------------------------------------------------------ agent names


def test_agent_is_the_login_or_email_and_agent_name_the_full_name() -> None:
    d = adapter().from_payload(event("reservation.completed", **WORKER))
    assert (d.agent, d.fields["agent_name"]) == ("asmith@example.com", "Alex Smith")
    row = records(read_fixture("insights-locale.csv", adapter(date_order="mdy")))[0]
    assert (row.agent, row.fields["agent_name"]) == ("jdoe@example.com", "Jane Doe")
    no_email = records(read_fixture("insights-locale.csv", adapter(date_order="mdy")))[2]
    assert (no_email.agent, no_email.fields["agent_name"]) == ("Maria Garcia", "Maria Garcia")


# ------------------------------------------------------------------------------ Insights columns: order never matters

INSIGHTS_HEADER = [
    "Date",
    "Time",
    "Segment",
    "Conversation ID",
    "Agent",
    "Agent Email",
    "Queue",
    "Queue Name",
    "Communication Channel",
    "Outcome",
    "Content",
    "Hang Up By",
    "Conversation Attribute 2",
    "Genesys Conversation ID",
]
INSIGHTS_ROWS = [
    ["11/24/2025", "2:06 PM", "WT1", "WTc1", "Jane Doe", "jdoe@example.com", "Support", "Billing", "Voice", "Resolved",
     "Reset", "Customer", "Flex|Voice", "c0ffee00-0000-4000-8000-000000000111"],
    ["11/24/2025", "2:13 PM", "", "WTc2", "Alex Smith", "", "Support", "", "Chat", "Not Resolved", "", "Agent", "", ""],
]  # fmt: skip


def insights_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def insights_read(header: list[str], rows: list[list[str]]) -> list[Any]:
    return read(insights_csv(header, rows), date_order="mdy", timezone="America/Chicago")


BASELINE = insights_read(INSIGHTS_HEADER, INSIGHTS_ROWS)
KNOWN_KEYS = {k for d in BASELINE for k in d.fields} | {"outcome", "content", "genesys_conversation_id"}


@given(
    order=st.permutations(range(len(INSIGHTS_HEADER))),
    extra=st.none()
    | st.tuples(
        st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8})?", fullmatch=True),
        st.integers(min_value=0, max_value=len(INSIGHTS_HEADER)),
        st.text(alphabet="abc xyz|-", max_size=8),
    ),
)
def test_column_order_never_matters_and_an_unknown_column_only_adds_a_field(
    order: list[int], extra: tuple[str, int, str] | None
) -> None:
    header = [INSIGHTS_HEADER[i] for i in order]
    rows = [[row[i] for i in order] for row in INSIGHTS_ROWS]
    expected = BASELINE
    if extra is not None:
        name, at, value = extra
        key = name.lower().replace(" ", "_")
        if key in KNOWN_KEYS or key in {"date_time", "datetime", "timestamp", "task_sid", "segment_id", "channel",
                                        "email", "worker", "worker_name", "agent_name", "agent_login", "task_channel",
                                        "worker_email", "task_queue", "time", "date"}:  # fmt: skip
            return
        header.insert(at, name)
        for row in rows:
            row.insert(at, value)
        expected = [d.model_copy(update={"fields": {**d.fields, key: value}}) if value.strip() else d for d in BASELINE]
    assert insights_read(header, rows) == expected


# ------------------------------------------------------------------------------ explain


def test_explain_event_streams_array() -> None:
    with (FIXTURES / "event-streams-array.json").open(encoding="utf-8") as stream:
        report = adapter().explain(stream, name="event-streams-array.json")
    assert (report.format, report.envelope) == ("taskrouter", "JSON array of CloudEvents (Event Streams)")
    assert "CloudEvent type 'com.twilio.taskrouter.reservation.wrapup'" in report.how
    assert len(report.records) == 3
    first = report.records[0].values
    assert first["code"] == ("Resolved", "data.payload.task_attributes.conversations.outcome")
    assert first["agent"][0] == "jdoe@example.com" and "reservation.completed" in first["agent"][1]
    assert "skipped 1: event type reservation.wrapup without an outcome yet" in report.notes
    assert "skipped 1: event type com.twilio.eventstreams.test-event" in report.notes
    assert report.records[2].values["source_id"] == (
        "CA1000000000000000000000000000d009",
        "data.request.parameters.CallSid",
    )
    assert "events of one task fold into one record within 1000 records" in report.settings
    assert "envelope: JSON array of CloudEvents (Event Streams)" in report.render()


def test_explain_other_envelopes_and_settings() -> None:
    def explain(name: str, twilio: TwilioAdapter | None = None) -> Any:
        with (FIXTURES / name).open(encoding="utf-8", newline="") as stream:
            return (twilio or adapter()).explain(stream, name=name)

    csv_report = explain(
        "insights-locale.csv", adapter({"agent": "Agent Email"}, date_order="mdy", timezone="America/New_York")
    )
    assert (csv_report.format, csv_report.envelope) == ("insights-csv", "Insights CSV, 14 columns")
    assert "times without an offset are local times in America/New_York (--timezone)" in csv_report.settings
    assert "date order: mdy" in csv_report.settings and "field agent: Agent Email" in csv_report.settings
    assert csv_report.records[0].values["occurred_at"] == ("2025-11-24T19:06:00Z", "Date+Time")
    assert csv_report.records[0].values["fields.agent_name"] == ("Jane Doe", "Agent")
    forms = explain("taskrouter-lifecycle.txt")
    assert forms.envelope == "TaskRouter EventCallback form bodies (URL-encoded, one per line)"
    assert "skipped 1: event type task.wrapup without an outcome yet" in forms.notes
    page = explain("task-list-page.json")
    assert page.envelope == "Task list page {tasks, meta} (Task API)"
    assert "attributes are null on list pages" in (page.records[0].error or "")
    lines_report = explain("event-streams-deliveries.jsonl")
    assert lines_report.envelope == "JSON lines, each a JSON array of CloudEvents (Event Streams webhook deliveries)"
    with pytest.raises(AdapterOptionError):
        explain("taskrouter-lifecycle.txt", adapter(timezone="UTC"))
