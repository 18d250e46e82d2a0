"""The Twilio adapter against the shapes Twilio really produces (reference/twilio.md section 8) and the
shipped example exports, every error path, and fuzzing that proves bad input ends as a record error."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EXAMPLES
from wrapup_bridge.adapters import AdapterOptions, TwilioRecordError, get_adapter
from wrapup_bridge.adapters.twilio import FORMATS, TwilioAdapter
from wrapup_bridge.core.disposition import Disposition, Media

TASK_SID = "WT0123456789abcdef0123456789abcdef"
CALL_SID = "CA89ab0123456789abcdef0123456789"
GENESYS_ID = "c0ffee00-0000-4000-8000-000000000021"
TWILIO_EXAMPLES = EXAMPLES / "twilio"

# reference/twilio.md section 8 A: final task attributes of an FPT-dispositioned voice task.
ATTRIBUTES_A: dict[str, Any] = {
    "from": "+14155550100",
    "to": "+18005550199",
    "direction": "inbound",
    "call_sid": "CA0123456789abcdef0123456789abcdef",
    "caller": "+14155550100",
    "account_sid": "AC0123456789abcdef0123456789abcdef",
    "type": "inbound",
    "conference": {"sid": "CF0123456789abcdef0123456789abcdef", "participants": {"customer": "CA01", "worker": "CA45"}},
    "conversations": {
        "conversation_id": TASK_SID,
        "outcome": "Follow-up Required",
        "content": "Customer wants a callback after the invoice is re-issued",
        "case": "INC-20931",
        "conversation_attribute_2": "Flex|Voice",
        "conversation_attribute_4": "Yes",
        "hang_up_by": "Customer",
    },
}

# reference/twilio.md section 8 B: a task.completed EventCallback, decoded.
EVENT_B: dict[str, str] = {
    "EventType": "task.completed",
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "WorkspaceSid": "WS0123456789abcdef0123456789abcdef",
    "WorkspaceName": "Flex Task Assignment",
    "EventDescription": f"Task {TASK_SID} completed",
    "ResourceType": "task",
    "ResourceSid": TASK_SID,
    "Timestamp": "1764081600",
    "TaskSid": TASK_SID,
    "TaskAttributes": json.dumps(
        {
            "call_sid": "CA0123",
            "direction": "inbound",
            "conversations": {"outcome": "Resolved", "content": "Reset password"},
        }
    ),
    "TaskAge": "412",
    "TaskPriority": "0",
    "TaskAssignmentStatus": "completed",
    "TaskCompletedReason": "Task completed",
    "TaskQueueSid": "WQ0123456789abcdef0123456789abcdef",
    "WorkflowSid": "WW0123456789abcdef0123456789abcdef",
}

# reference/twilio.md section 8 C: outbound call StatusCallback with AMD.
STATUS_C: dict[str, str] = {
    "CallSid": CALL_SID,
    "AccountSid": "AC0123456789abcdef0123456789abcdef",
    "From": "+18005550199",
    "To": "+14155550100",
    "Direction": "outbound-api",
    "ApiVersion": "2010-04-01",
    "CallStatus": "completed",
    "CallDuration": "27",
    "Duration": "1",
    "SipResponseCode": "200",
    "Timestamp": "Tue, 25 Nov 2025 14:00:27 +0000",
    "CallbackSource": "call-progress-events",
    "SequenceNumber": "3",
    "AnsweredBy": "machine_end_beep",
}

# twilio.com/docs/flex/developer/copilot-webhooks (note_updated), with the documented " topic_path" typo.
COPILOT_UPDATED: dict[str, Any] = {
    "sid": "KQ0123456789abcdef0123456789abcdef",
    "event_type": "note_updated",
    "type": "wrapup",
    "version": 1,
    "interaction_sid": "KD0123456789abcdef0123456789abcdef",
    "channel_sid": "UO0123456789abcdef0123456789abcdef",
    "summary": "Customer returned a shoe; label sent.",
    "sentiment": "Neutral",
    "disposition_code_sid": "DC0123456789abcdef0123456789abcdef",
    "generated_summary": "The customer requested a return for a shoe.",
    "detected_language": "en-US",
    "generated_sentiment": "neutral",
    "generated_disposition_code_sid": "DC0123456789abcdef0123456789abcdef",
    "codes": {
        "generated": [{"disposition_code": "Return", "topic_path": "Orders|Returns"}],
        "selected": [
            {"disposition_code": "Return Approved", " topic_path": "Orders|Returns"},
            {"disposition_code": "Label Sent", " topic_path": "Orders|Shipping"},
            {"disposition_code": "Upsell Declined", " topic_path": "Sales"},
        ],
    },
    "context": {"task_sid": TASK_SID},
}


def adapter(**options: Any) -> TwilioAdapter:
    return TwilioAdapter(AdapterOptions(**options))


def read(text: str, *, name: str = "input", twilio: TwilioAdapter | None = None, **options: Any) -> list[Any]:
    return list((twilio or adapter(**options)).read(io.StringIO(text, newline=""), name=name))


def only(results: list[Any]) -> Any:
    assert len(results) == 1, results
    return results[0]


def form_line(params: Mapping[str, str]) -> str:
    return urlencode(params)


def error_of(call: Any) -> TwilioRecordError:
    with pytest.raises(TwilioRecordError) as info:
        call()
    return info.value


# ---------------------------------------------------------------------------------------------- task-attributes


def test_task_attributes_reference_example() -> None:
    d = adapter().from_payload(ATTRIBUTES_A)
    assert d.source == "twilio"
    assert d.source_id == TASK_SID
    assert d.code == "Follow-up Required"
    assert d.notes == "Customer wants a callback after the invoice is re-issued"
    assert d.fields["case"] == "INC-20931"
    assert d.fields["conversation_attribute_2"] == "Flex|Voice"
    assert d.fields["conversation_attribute_4"] == "Yes"
    assert d.fields["hang_up_by"] == "Customer"
    assert d.fields["conversation_id"] == TASK_SID
    assert d.fields["outcome_source"] == "conversations.outcome"
    assert d.fields["task_direction"] == "inbound"
    assert d.fields["task_call_sid"] == "CA0123456789abcdef0123456789abcdef"
    assert d.fields["task_from"] == "+14155550100"
    assert d.fields["task_type"] == "inbound"
    assert not any(key.startswith("task_conference") for key in d.fields), "nested objects are left out"
    assert "outcome" not in d.fields and "content" not in d.fields
    assert d.media is Media.VOICE
    assert d.conversation_id is None
    assert d.occurred_at is None


def test_task_api_wrapper_with_json_string_attributes_and_reason_fallback() -> None:
    attrs = {"channelType": "sms", "conversations": {"case": "INC-1"}, "genesys_conversation_id": GENESYS_ID}
    task = {
        "sid": TASK_SID,
        "assignment_status": "canceled",
        "reason": "Opted to request a callback",
        "task_queue_friendly_name": "Billing",
        "task_channel_unique_name": "chat",
        "date_updated": "2025-11-25T14:05:00Z",
        "attributes": json.dumps(attrs),
    }
    d = adapter().from_payload(task)
    assert d.source_id == TASK_SID
    assert d.code == "Opted to request a callback"
    assert d.fields["outcome_source"] == "reason"
    assert d.fields["task_reason"] == "Opted to request a callback"
    assert d.fields["queue"] == "Billing"
    assert d.fields["task_channel"] == "chat"
    assert d.fields["task_assignment_status"] == "canceled"
    assert d.fields["case"] == "INC-1"
    assert d.media is Media.MESSAGE
    assert d.conversation_id == GENESYS_ID
    assert d.occurred_at == datetime(2025, 11, 25, 14, 5, tzinfo=UTC)


def test_outcome_wins_over_reason_and_blank_outcome_counts_as_absent() -> None:
    task = {"sid": TASK_SID, "reason": "Task completed", "attributes": {"conversations": {"outcome": "Sale"}}}
    assert adapter().from_payload(task).code == "Sale"
    blank = {"sid": TASK_SID, "reason": "Task completed", "attributes": {"conversations": {"outcome": "  "}}}
    assert adapter().from_payload(blank).code == "Task completed"
    nothing = {"task_sid": TASK_SID, "conversations": {}}
    d = adapter().from_payload(nothing)
    assert (d.code, d.fields["outcome_source"]) == ("", "none")


@pytest.mark.parametrize("value", ["resolved ", "Couldn\u2019t Resolve", "RESOLVED", "  Spoke to manager"])
def test_code_is_kept_exactly_as_written(value: str) -> None:
    d = adapter().from_payload({"sid": TASK_SID, "conversations": {"outcome": value}})
    assert d.code == value


def test_keys_become_snake_case_and_arrays_are_pipe_joined() -> None:
    attrs = {
        "taskSid": TASK_SID,
        "channelType": "whatsapp",
        "skills": ["billing", "es"],
        "conversations": {"hangUpBy": "Agent", "conversation_attribute_3": ["Flex", "Voice"], "measure": 12.5},
    }
    d = adapter().from_payload(attrs)
    assert d.source_id == TASK_SID
    assert d.fields["hang_up_by"] == "Agent"
    assert d.fields["conversation_attribute_3"] == "Flex|Voice"
    assert d.fields["measure"] == "12.5"
    assert d.fields["task_channel_type"] == "whatsapp"
    assert d.fields["task_skills"] == "billing|es"
    assert d.media is Media.MESSAGE


@pytest.mark.parametrize(
    ("record", "source_id"),
    [
        ({"sid": "WT1", "task_sid": "WT2", "conversations": {"conversation_id": "WT3"}}, "WT1"),
        ({"task_sid": "WT2", "conversations": {"conversation_id": "WT3"}}, "WT2"),
        ({"call_sid": "CA9", "conversations": {"conversation_id": "WT3"}}, "WT3"),
        ({"call_sid": "CA9", "conversations": {"conversation_id": "CH1", "outcome": "x"}}, "CA9"),
        ({"attributes": {"taskSid": "WT4"}}, "WT4"),
    ],
)
def test_source_id_order(record: dict[str, Any], source_id: str) -> None:
    assert adapter().from_payload(record).source_id == source_id


def test_missing_sid_names_the_field() -> None:
    err = error_of(lambda: adapter().from_payload({"conversations": {"outcome": "Resolved"}}, ref="webhook 7"))
    assert err.field == "sid"
    assert err.record == "webhook 7"
    assert "TaskSid" in err.message
    assert err.raw == {"conversations": {"outcome": "Resolved"}}


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"sid": TASK_SID, "conversations": {"outcome": {"label": "Resolved"}}}, "conversations.outcome"),
        ({"sid": TASK_SID, "conversations": ["Resolved"]}, "conversations"),
        ({"sid": TASK_SID, "attributes": "{not json"}, "attributes"),
        ({"sid": TASK_SID, "attributes": "[1, 2]"}, "attributes"),
        (
            {"sid": TASK_SID, "attributes": {"conversations": {"outcome": [{"a": 1}]}}},
            "attributes.conversations.outcome",
        ),
        ({"sid": {"nested": True}, "conversations": {}}, "sid"),
        ({"sid": TASK_SID, "attributes": "{}", "date_updated": "yesterday"}, "date_updated"),
    ],
)
def test_task_attribute_errors_name_the_field(record: dict[str, Any], field: str) -> None:
    err = error_of(lambda: adapter(format="task-attributes").from_payload(record))
    assert err.field == field


def test_conversation_id_default_places_and_option() -> None:
    upper = GENESYS_ID.upper()
    d = adapter().from_payload({"sid": TASK_SID, "conversations": {"genesys_conversation_id": upper}})
    assert d.conversation_id == GENESYS_ID
    custom = {
        "sid": TASK_SID,
        "conversations": {"conversation_attribute_9": GENESYS_ID},
        "genesys_conversation_id": "x",
    }
    d = adapter(conversation_id_field="conversations.conversation_attribute_9").from_payload(custom)
    assert d.conversation_id == GENESYS_ID
    wrapped = {"sid": TASK_SID, "attributes": json.dumps({"gid": GENESYS_ID})}
    assert adapter(conversation_id_field="gid").from_payload(wrapped).conversation_id == GENESYS_ID


@pytest.mark.parametrize(
    ("record", "options", "field"),
    [
        ({"sid": TASK_SID, "genesys_conversation_id": "1234"}, {}, "genesys_conversation_id"),
        (
            {"sid": TASK_SID, "attributes": {"genesys_conversation_id": "nope"}},
            {},
            "attributes.genesys_conversation_id",
        ),
        (
            {"sid": TASK_SID, "conversations": {"gid": "c0ffee00"}},
            {"conversation_id_field": "conversations.gid"},
            "conversations.gid",
        ),
    ],
)
def test_malformed_conversation_id_names_the_field(record: dict[str, Any], options: dict[str, Any], field: str) -> None:
    err = error_of(lambda: adapter(**options).from_payload(record))
    assert err.field == field
    assert "not a Genesys conversation id" in err.message


def test_task_attributes_file_shapes_and_positions() -> None:
    good = {"sid": TASK_SID, "conversations": {"outcome": "Resolved"}}
    assert only(read(json.dumps(good))).code == "Resolved"
    as_array = read(json.dumps([good, {"conversations": {"outcome": "x"}}]))
    assert isinstance(as_array[0], Disposition)
    assert isinstance(as_array[1], TwilioRecordError) and as_array[1].record == "item 2"
    lines = "\n".join([json.dumps(good), "{broken", "", json.dumps({"call_sid": "CA1", "conversations": {}})])
    results = read(lines, name="tasks.jsonl")
    assert [type(r).__name__ for r in results] == ["Disposition", "TwilioRecordError", "Disposition"]
    err = results[1]
    assert (err.input_name, err.record, err.raw) == ("tasks.jsonl", "line 2", "{broken")
    assert "not valid JSON" in err.message
    assert "tasks.jsonl:line 2" in str(err)


def test_task_api_list_page_is_opened() -> None:
    page = {"tasks": [{"sid": "WT1", "attributes": "{}"}, {"attributes": "{}"}], "meta": {"page": 0}}
    results = read(json.dumps(page))
    assert results[0].source_id == "WT1"
    assert isinstance(results[1], TwilioRecordError) and results[1].record == "line 1 tasks[1]"


def test_error_record_names_the_task_once_known() -> None:
    err = error_of(lambda: adapter().from_payload({"sid": TASK_SID, "conversations": {"outcome": {"x": 1}}}))
    assert err.record == f"payload (TaskSid {TASK_SID})"
    assert err.to_json_dict()["raw"]["sid"] == TASK_SID


# ---------------------------------------------------------------------------------------------- taskrouter


def test_taskrouter_reference_event_as_payload_and_file_line() -> None:
    d = adapter().from_payload(EVENT_B)
    assert d.source_id == TASK_SID
    assert d.code == "Resolved"
    assert d.notes == "Reset password"
    assert d.fields["event_type"] == "task.completed"
    assert d.fields["outcome_source"] == "conversations.outcome"
    assert d.fields["task_reason"] == "Task completed"
    assert d.fields["task_assignment_status"] == "completed"
    assert d.fields["task_direction"] == "inbound"
    assert d.occurred_at == datetime.fromtimestamp(1764081600, UTC)
    assert d.agent is None
    assert only(read(form_line(EVENT_B) + "\n")) == d


def test_taskrouter_reason_is_the_code_when_outcome_is_absent() -> None:
    canceled = dict(
        EVENT_B,
        EventType="task.canceled",
        TaskAssignmentStatus="canceled",
        TaskCanceledReason="Task TTL Exceeded",
        TaskAttributes=json.dumps({"conversations": {"abandoned": "Yes"}}),
    )
    d = adapter().from_payload(canceled)
    assert d.code == "Task TTL Exceeded"
    assert d.fields["outcome_source"] == "TaskCanceledReason"
    assert d.fields["abandoned"] == "Yes"
    completed = dict(EVENT_B, TaskAttributes="{}")
    d = adapter().from_payload(completed)
    assert (d.code, d.fields["outcome_source"]) == ("Task completed", "TaskCompletedReason")
    bare = {k: v for k, v in completed.items() if k != "TaskCompletedReason"}
    d = adapter().from_payload(bare)
    assert (d.code, d.fields["outcome_source"]) == ("", "none")


def test_taskrouter_skips_non_disposition_events_in_files_and_refuses_them_as_payloads() -> None:
    created = dict(EVENT_B, EventType="task.created")
    twilio = adapter()
    text = "\n".join(form_line(e) for e in (created, EVENT_B, dict(EVENT_B, EventType="worker.activity.update")))
    results = read(text, twilio=twilio)
    assert [r.code for r in results] == ["Resolved"]
    assert twilio.skipped == {"event type task.created": 1, "event type worker.activity.update": 1}
    err = error_of(lambda: adapter().from_payload(created))
    assert isinstance(err, TwilioRecordError)
    assert "event type 'task.created' carries no disposition" in err.message
    assert err.field == "EventType"


@pytest.mark.parametrize(
    "event_type", ["task.completed", "task.canceled", "task.wrapup", "reservation.wrapup", "reservation.completed"]
)
def test_taskrouter_disposition_event_types(event_type: str) -> None:
    assert adapter().from_payload(dict(EVENT_B, EventType=event_type)).fields["event_type"] == event_type


def test_taskrouter_broken_task_attributes_names_field_and_line() -> None:
    # Another task than line 1's: events of one task fold into one record (see the lifecycle tests).
    other = "WT" + "f" * 32
    broken = form_line(dict(EVENT_B, TaskSid=other, ResourceSid=other, TaskAttributes='{"conversations": {'))
    results = read(form_line(EVENT_B) + "\n" + broken + "\n", name="events.txt")
    assert isinstance(results[0], Disposition)
    err = results[1]
    assert isinstance(err, TwilioRecordError)
    assert (err.field, err.record, err.input_name) == ("TaskAttributes", f"line 2 (TaskSid {other})", "events.txt")
    assert err.raw == broken


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({k: v for k, v in EVENT_B.items() if k not in ("TaskSid", "ResourceSid")}, "TaskSid"),
        (dict(EVENT_B, TaskAttributes='"just text"'), "TaskAttributes"),
        (dict(EVENT_B, WorkerAttributes="{oops"), "WorkerAttributes"),
        (dict(EVENT_B, Timestamp="not a time"), "Timestamp"),
        (dict(EVENT_B, TimestampMs="9" * 40), "TimestampMs"),
        (dict(EVENT_B, GenesysConversationId="42"), "GenesysConversationId"),
    ],
)
def test_taskrouter_errors_name_the_field(params: dict[str, str], field: str) -> None:
    assert error_of(lambda: adapter().from_payload(params)).field == field


def test_taskrouter_missing_event_type_when_format_is_forced() -> None:
    params = {k: v for k, v in EVENT_B.items() if k != "EventType"}
    err = error_of(lambda: adapter(format="taskrouter").from_payload(params))
    assert err.field == "EventType"


def test_taskrouter_agent_queue_channel_and_timestamps() -> None:
    worker = dict(
        EVENT_B,
        EventType="reservation.completed",
        WorkerName="jdoe",
        WorkerAttributes=json.dumps({"email": "jdoe@example.com", "contact_uri": "client:jdoe"}),
        TaskQueueName="Support",
        TaskChannelUniqueName="email",
        TimestampMs="1764081600517",
    )
    d = adapter().from_payload(worker)
    assert d.agent == "jdoe@example.com"
    assert d.fields["queue"] == "Support"
    assert d.fields["task_channel"] == "email"
    assert d.media is Media.EMAIL
    assert d.occurred_at == datetime(2025, 11, 25, 14, 40, 0, 517000, tzinfo=UTC)
    assert adapter().from_payload(dict(worker, WorkerAttributes="{}")).agent == "jdoe"
    no_name = {k: v for k, v in worker.items() if k != "WorkerName"}
    assert (
        adapter().from_payload(dict(no_name, WorkerAttributes='{"contact_uri": "client:jdoe"}')).agent == "client:jdoe"
    )
    iso = dict(EVENT_B, Timestamp="2025-11-25T14:40:00.123456789+01:00")
    assert adapter().from_payload(iso).occurred_at == datetime(2025, 11, 25, 13, 40, 0, 123456, tzinfo=UTC)
    ms_in_timestamp = dict(EVENT_B, Timestamp="1764081600000")
    assert adapter().from_payload(ms_in_timestamp).occurred_at == datetime.fromtimestamp(1764081600, UTC)


@pytest.mark.parametrize(
    ("channel", "media"),
    [
        ("voice", Media.VOICE),
        ("chat", Media.MESSAGE),
        ("sms", Media.MESSAGE),
        ("messaging", Media.MESSAGE),
        ("WhatsApp", Media.MESSAGE),
        ("email", Media.EMAIL),
        ("video", Media.VIDEO),
        ("default", Media.VOICE),
        ("custom-channel", Media.VOICE),
    ],
)
def test_taskrouter_channel_to_media(channel: str, media: Media) -> None:
    assert adapter().from_payload(dict(EVENT_B, TaskChannelUniqueName=channel)).media is media


def test_taskrouter_queue_falls_back_to_attributes() -> None:
    params = dict(EVENT_B, TaskAttributes=json.dumps({"conversations": {"queue": "Retention", "outcome": "x"}}))
    assert adapter().from_payload(params).fields["queue"] == "Retention"
    assert adapter().from_payload(dict(params, TaskQueueName="Support")).fields["queue"] == "Support"


def test_taskrouter_conversation_id_param_option_and_attribute_path() -> None:
    assert adapter().from_payload(dict(EVENT_B, GenesysConversationId=GENESYS_ID)).conversation_id == GENESYS_ID
    assert (
        adapter(conversation_id_field="GcId").from_payload(dict(EVENT_B, GcId=GENESYS_ID)).conversation_id == GENESYS_ID
    )
    in_attrs = dict(EVENT_B, TaskAttributes=json.dumps({"conversations": {"conversation_label_9": GENESYS_ID}}))
    opt = adapter(conversation_id_field="conversations.conversation_label_9")
    assert opt.from_payload(in_attrs).conversation_id == GENESYS_ID
    default_attr = dict(EVENT_B, TaskAttributes=json.dumps({"genesys_conversation_id": GENESYS_ID}))
    assert adapter().from_payload(default_attr).conversation_id == GENESYS_ID
    bad = dict(EVENT_B, TaskAttributes=json.dumps({"genesys_conversation_id": "xyz"}))
    assert error_of(lambda: adapter().from_payload(bad)).field == "TaskAttributes.genesys_conversation_id"


def test_taskrouter_event_streams_and_events_api_variants() -> None:
    snake = {
        "eventtype": "task.completed",
        "task_sid": TASK_SID,
        "task_attributes": json.dumps({"conversations": {"outcome": "Renewal"}}),
        "task_queue_name": "Sales",
        "task_channel_unique_name": "voice",
        "worker_name": "asmith",
        "timestamp": 1764081600000,
    }
    d = only(read(json.dumps(snake) + "\n"))
    assert (d.code, d.source_id, d.fields["queue"], d.agent) == ("Renewal", TASK_SID, "Sales", "asmith")
    assert d.occurred_at == datetime.fromtimestamp(1764081600, UTC)
    cloud = {
        "specversion": "1.0",
        "type": "com.twilio.taskrouter.task.canceled",
        "time": "2025-11-25T14:40:00Z",
        "data": {
            "payload": {"task_sid": TASK_SID, "task_canceled_reason": "Task TTL Exceeded", "task_attributes": "{}"}
        },
    }
    d = adapter().from_payload(cloud)
    assert (d.code, d.fields["event_type"]) == ("Task TTL Exceeded", "task.canceled")
    assert d.occurred_at == datetime(2025, 11, 25, 14, 40, tzinfo=UTC)
    row = {
        "sid": "EV0123",
        "event_type": "task.completed",
        "event_date": "2025-11-25T14:40:00Z",
        "event_data": {"task_sid": TASK_SID, "task_attributes": "{oops"},
    }
    err = error_of(lambda: adapter().from_payload(row))
    assert err.field == "event_data.task_attributes"
    page = {"events": [dict(row, event_data={"task_sid": TASK_SID, "task_completed_reason": "done"})], "meta": {}}
    d = only(read(json.dumps(page)))
    assert (d.code, d.occurred_at) == ("done", datetime(2025, 11, 25, 14, 40, tzinfo=UTC))


def test_taskrouter_payload_from_parse_qs_lists() -> None:
    listed = {k: [v] for k, v in EVENT_B.items()}
    assert adapter().from_payload(listed).code == "Resolved"


# ---------------------------------------------------------------------------------------------- voice-status


def test_voice_status_reference_callback() -> None:
    d = adapter().from_payload(STATUS_C)
    assert d.source_id == CALL_SID
    assert d.code == "machine_end_beep"
    assert d.fields == {
        "outcome_kind": "system",
        "outcome_source": "AnsweredBy",
        "call_status": "completed",
        "answered_by": "machine_end_beep",
        "sip_response_code": "200",
        "direction": "outbound-api",
        "call_duration": "27",
        "from": "+18005550199",
        "to": "+14155550100",
    }
    assert d.occurred_at == datetime(2025, 11, 25, 14, 0, 27, tzinfo=UTC)
    assert d.media is Media.VOICE
    assert only(read(form_line(STATUS_C))) == d


@pytest.mark.parametrize(
    ("status", "answered_by", "code"),
    [
        ("busy", None, "busy"),
        ("no-answer", None, "no-answer"),
        ("failed", None, "failed"),
        ("canceled", None, "canceled"),
        ("completed", "human", "completed"),
        ("completed", "fax", "fax"),
        ("completed", "unknown", "unknown"),
        ("in-progress", "machine_start", "machine_start"),
    ],
)
def test_voice_status_codes(status: str, answered_by: str | None, code: str) -> None:
    params = {k: v for k, v in STATUS_C.items() if k != "AnsweredBy"}
    params["CallStatus"] = status
    if answered_by:
        params["AnsweredBy"] = answered_by
    d = adapter().from_payload(params)
    assert d.code == code
    assert d.fields["call_status"] == status


def test_voice_status_keeps_the_numbers_and_their_older_names() -> None:
    # An inbound call's callback, with the older Caller / Called beside From / To (reference/twilio.md section 3).
    params = {k: v for k, v in STATUS_C.items() if k != "AnsweredBy"} | {
        "From": "+14155550100",
        "To": "+18005550199",
        "Caller": "+14155550100",
        "Called": "+18005550199",
        "Direction": "inbound",
    }
    d = adapter().from_payload(params)
    numbers = {k: d.fields[k] for k in ("from", "to", "caller", "called", "direction")}
    assert numbers == {
        "from": "+14155550100",
        "to": "+18005550199",
        "caller": "+14155550100",
        "called": "+18005550199",
        "direction": "inbound",
    }
    # snake_case spellings (warehouse rows) read the same
    row = {"call_sid": CALL_SID, "call_status": "busy", "from": "+14155550100", "to": "+18005550199"}
    assert {k: adapter().from_payload(row).fields[k] for k in ("from", "to")} == {k: numbers[k] for k in ("from", "to")}
    # a client identity is kept as written (correlation reads it as no number)
    assert adapter().from_payload(dict(params, From="client:agent42")).fields["from"] == "client:agent42"
    # a blank number is left out
    assert "to" not in adapter().from_payload(dict(params, To="")).fields


def test_voice_status_failed_keeps_sip_code() -> None:
    params = dict(STATUS_C, CallStatus="failed", SipResponseCode="404", CallDuration="0")
    del params["AnsweredBy"]
    d = adapter().from_payload(params)
    assert (d.code, d.fields["sip_response_code"]) == ("failed", "404")


def test_voice_status_async_amd_callback() -> None:
    amd = {"CallSid": CALL_SID, "AccountSid": "AC01", "AnsweredBy": "machine_start", "MachineDetectionDuration": "2100"}
    d = adapter().from_payload(amd)
    assert (d.code, d.fields["machine_detection_duration"]) == ("machine_start", "2100")
    human = dict(amd, AnsweredBy="human")
    assert "agent's disposition applies" in error_of(lambda: adapter().from_payload(human)).message


def test_voice_status_non_terminal_skipped_in_files_refused_as_payload() -> None:
    twilio = adapter()
    ringing = {k: v for k, v in STATUS_C.items() if k != "AnsweredBy"} | {"CallStatus": "ringing"}
    lines = [
        form_line(ringing),
        form_line(dict(ringing, CallStatus="in-progress")),
        form_line(dict(ringing, CallStatus="busy")),
    ]
    results = read("\n".join(lines), twilio=twilio)
    assert [r.code for r in results] == ["busy"]
    assert twilio.skipped == {"CallStatus ringing": 1, "CallStatus in-progress": 1}
    err = error_of(lambda: adapter().from_payload(ringing))
    assert err.field == "CallStatus"
    assert "not a final call outcome" in err.message


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"CallStatus": "busy"}, "CallSid"),
        ({"CallSid": CALL_SID, "From": "+1"}, "CallStatus"),
        (dict(STATUS_C, Timestamp="25/11/2025"), "Timestamp"),
        (dict(STATUS_C, GenesysConversationId="not-a-uuid"), "GenesysConversationId"),
    ],
)
def test_voice_status_errors_name_the_field(params: dict[str, str], field: str) -> None:
    assert error_of(lambda: adapter(format="voice-status").from_payload(params)).field == field


def test_voice_status_conversation_id_and_unencoded_plus() -> None:
    params = dict(STATUS_C, GenesysConversationId=GENESYS_ID)
    assert adapter().from_payload(params).conversation_id == GENESYS_ID
    assert (
        adapter(conversation_id_field="gcid").from_payload(dict(STATUS_C, gcid=GENESYS_ID)).conversation_id
        == GENESYS_ID
    )
    pasted = "CallSid=CA1&CallStatus=busy&Timestamp=Tue, 25 Nov 2025 14:00:27 +0000"
    assert only(read(pasted)).occurred_at == datetime(2025, 11, 25, 14, 0, 27, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------- insights-csv

INSIGHTS_CSV = (
    "Date,Time,Segment,Conversation ID,Agent,Queue,Communication Channel,OUTCOME,Content,hang up by,"
    "Conversation Attribute 2,Customer Tier,Genesys Conversation ID\n"
    f"2025-11-24,14:06:00,{TASK_SID},WTconv1,Jane Doe,Support,Voice,Resolved ,Reset password,Customer,Flex|Voice,Gold,"
    f"{GENESYS_ID}\n"
    '2025-11-24,14:13:00,,WTconv2,Alex Smith,Support,Chat,Not Resolved,"Two\nlines",Agent,,,\n'
    "2025-11-24,14:20:00,WT3,WTconv3,,Support,Voice,,,,,,\n"
)


def test_insights_csv_rows() -> None:
    first, second, third = read(INSIGHTS_CSV, name="export.csv")
    assert first.source_id == TASK_SID
    assert first.code == "Resolved "
    assert first.notes == "Reset password"
    assert first.agent == "Jane Doe"
    assert first.conversation_id == GENESYS_ID
    assert first.occurred_at == datetime(2025, 11, 24, 14, 6, tzinfo=UTC)
    assert first.fields["hang_up_by"] == "Customer"
    assert first.fields["conversation_attribute_2"] == "Flex|Voice"
    assert first.fields["customer_tier"] == "Gold"
    assert first.fields["queue"] == "Support"
    assert first.fields["conversation_id"] == "WTconv1"
    assert "outcome" not in first.fields and "content" not in first.fields
    assert "genesys_conversation_id" not in first.fields
    assert second.source_id == "WTconv2", "blank Segment falls back to Conversation ID"
    assert second.notes == "Two\nlines"
    assert second.media is Media.MESSAGE
    assert second.conversation_id is None
    assert "conversation_attribute_2" not in second.fields, "blank cells are left out"
    assert (third.code, third.notes, third.agent) == ("", None, None)


def test_insights_csv_bom_and_crlf_read_the_same() -> None:
    plain = read(INSIGHTS_CSV)
    crlf = "\ufeff" + INSIGHTS_CSV.replace("\n", "\r\n")
    assert read(crlf) == [
        d.model_copy(update={"notes": "Two\r\nlines"}) if d.source_id == "WTconv2" else d for d in plain
    ]


def test_insights_csv_errors_name_line_and_column() -> None:
    text = (
        "Segment,Conversation ID,Outcome,Date Time,Genesys Conversation ID\n"
        "WT1,,Resolved,2025-11-24T14:00:00Z,\n"
        '"",,"Multi\nline",,\n'
        "WT3,,Resolved,11/24/2025 2:00 PM,\n"
        "WT4,,Resolved,,12345\n"
    )
    ok, no_id, bad_date, bad_gid = read(text, name="export.csv")
    assert isinstance(ok, Disposition) and ok.occurred_at == datetime(2025, 11, 24, 14, tzinfo=UTC)
    assert (no_id.record, no_id.field) == ("line 3", "Segment")
    assert (bad_date.record, bad_date.field) == ("line 5 (Segment WT3)", "Date Time")
    assert (bad_gid.record, bad_gid.field) == ("line 6 (Segment WT4)", "Genesys Conversation ID")
    assert bad_gid.raw["Genesys Conversation ID"] == "12345"
    assert str(bad_date).startswith("export.csv:line 5 (Segment WT3): field 'Date Time'")


@pytest.mark.parametrize(
    ("header", "options", "column"),
    [
        ("Segment,Content", {}, "Outcome"),
        ("Outcome,Agent", {}, "Segment"),
        ("Segment,Outcome", {"conversation_id_field": "GC ID"}, "GC ID"),
    ],
)
def test_insights_csv_header_problems_are_reported_once(header: str, options: dict[str, Any], column: str) -> None:
    err = only(read(f"{header}\nWT1,x\nWT2,y\n", format="insights-csv", **options))
    assert isinstance(err, TwilioRecordError)
    assert (err.record, err.field) == ("header", column)


def test_insights_csv_conversation_id_option_and_timezone() -> None:
    text = "Task Sid,Outcome,gc_id,Date,Time\nWT1,Sale,c0ffee00-0000-4000-8000-000000000021,2025-11-24,09:00\n"
    twilio = TwilioAdapter(AdapterOptions(conversation_id_field="GC ID"), assume_timezone="America/New_York")
    d = only(read(text, twilio=twilio))
    assert (d.source_id, d.conversation_id) == ("WT1", GENESYS_ID)
    assert d.occurred_at == datetime(2025, 11, 24, 14, 0, tzinfo=UTC)


def test_insights_csv_as_payload() -> None:
    d = adapter(format="insights-csv").from_payload({"Segment": "WT1", "Outcome": "Sale", "Queue Name": "Billing"})
    assert (d.code, d.fields["queue"]) == ("Sale", "Billing")
    err = error_of(lambda: adapter(format="insights-csv").from_payload({"Segment": "WT1"}))
    assert err.field == "Outcome"


# ---------------------------------------------------------------------------------------------- copilot


def test_copilot_note_updated() -> None:
    d = adapter().from_payload(COPILOT_UPDATED)
    assert d.source_id == TASK_SID
    assert d.code == "Return Approved"
    assert d.fields["code_origin"] == "selected"
    assert d.fields["topic_path"] == "Orders|Returns"
    assert d.fields["secondary_codes"] == "Label Sent|Upsell Declined"
    assert d.fields["sentiment"] == "Neutral"
    assert d.fields["detected_language"] == "en-US"
    assert d.fields["event_type"] == "note_updated"
    assert d.notes == "Customer returned a shoe; label sent."


def test_copilot_falls_back_to_generated_code_and_summary() -> None:
    created = dict(COPILOT_UPDATED, event_type="note_created", summary=None, sentiment=None)
    created["codes"] = {"generated": COPILOT_UPDATED["codes"]["generated"], "selected": []}
    d = adapter().from_payload(created)
    assert (d.code, d.fields["code_origin"], d.fields["topic_path"]) == ("Return", "generated", "Orders|Returns")
    assert d.notes == "The customer requested a return for a shoe."
    assert d.fields["sentiment"] == "neutral"
    assert "secondary_codes" not in d.fields
    empty = dict(created, codes={})
    d = adapter().from_payload(empty)
    assert (d.code, d.fields["code_origin"]) == ("", "none")
    assert "topic_path" not in d.fields


def test_copilot_source_id_fallback_and_conversation_id() -> None:
    no_task = {k: v for k, v in COPILOT_UPDATED.items() if k != "context"}
    assert adapter().from_payload(no_task).source_id == COPILOT_UPDATED["interaction_sid"]
    with_gid = dict(COPILOT_UPDATED, context={"task_sid": TASK_SID, "genesys_conversation_id": GENESYS_ID})
    assert adapter().from_payload(with_gid).conversation_id == GENESYS_ID
    opt = adapter(conversation_id_field="context.gid")
    assert (
        opt.from_payload(dict(COPILOT_UPDATED, context={"task_sid": TASK_SID, "gid": GENESYS_ID})).conversation_id
        == GENESYS_ID
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"context": None, "interaction_sid": None}, "context.task_sid"),
        ({"context": "WT1"}, "context"),
        ({"codes": ["Return"]}, "codes"),
        ({"codes": {"selected": "Return"}}, "codes.selected"),
        ({"codes": {"selected": ["Return"]}}, "codes.selected[0]"),
        ({"codes": {"selected": [{"disposition_code": {"name": "x"}}]}}, "codes.selected[0].disposition_code"),
        ({"genesys_conversation_id": "abc"}, "genesys_conversation_id"),
    ],
)
def test_copilot_errors_name_the_field(changes: dict[str, Any], field: str) -> None:
    payload = dict(COPILOT_UPDATED, **changes)
    assert error_of(lambda: adapter(format="copilot").from_payload(payload)).field == field


# ---------------------------------------------------------------------------------------------- detection, registry


def test_registry_and_options() -> None:
    twilio = get_adapter("twilio", AdapterOptions(format="copilot"))
    assert isinstance(twilio, TwilioAdapter)
    assert twilio.source == "twilio"
    assert (
        TwilioAdapter.formats == FORMATS == ("task-attributes", "taskrouter", "voice-status", "insights-csv", "copilot")
    )
    with pytest.raises(ValueError, match="unknown Twilio format"):
        adapter(format="csv")
    with pytest.raises(ValueError, match="unknown time zone"):
        TwilioAdapter(assume_timezone="Mars/Olympus")


@pytest.mark.parametrize(
    ("payload", "marker"),
    [
        (ATTRIBUTES_A, ("outcome_source", "conversations.outcome")),
        (EVENT_B, ("event_type", "task.completed")),
        (STATUS_C, ("outcome_kind", "system")),
        (COPILOT_UPDATED, ("code_origin", "selected")),
    ],
)
def test_from_payload_detects_the_format(payload: dict[str, Any], marker: tuple[str, str]) -> None:
    key, value = marker
    assert adapter().from_payload(payload).fields[key] == value


def test_from_payload_refuses_a_non_mapping() -> None:
    err = error_of(lambda: adapter().from_payload(["not", "a", "dict"]))  # type: ignore[arg-type]
    assert "expected a JSON object" in err.message


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        (json.dumps(ATTRIBUTES_A), "outcome_source"),
        (form_line(EVENT_B), "event_type"),
        (form_line(STATUS_C), "outcome_kind"),
        (json.dumps([COPILOT_UPDATED]), "code_origin"),
        (INSIGHTS_CSV, "customer_tier"),
        ("\n\n" + form_line(EVENT_B) + "\n", "event_type"),
    ],
)
def test_read_detects_the_format_per_file(text: str, marker: str) -> None:
    first = read(text)[0]
    assert isinstance(first, Disposition)
    assert marker in first.fields


def test_empty_input_yields_nothing() -> None:
    assert read("") == []
    assert read("\n  \n") == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_forced_format_on_the_wrong_input_yields_errors_not_exceptions(fmt: str) -> None:
    inputs = [json.dumps(ATTRIBUTES_A), form_line(EVENT_B), INSIGHTS_CSV, "just some words\n"]
    for text in inputs:
        for result in read(text, format=fmt):
            assert isinstance(result, Disposition | TwilioRecordError)


def test_input_that_is_not_text_is_reported() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"Segment,Outcome\nWT1,\xff\xfe bad\n"), encoding="utf-8")
    results = list(adapter().read(stream, name="latin1.csv"))
    assert isinstance(results[-1], TwilioRecordError)
    assert results[-1].input_name == "latin1.csv"


# ---------------------------------------------------------------------------------------------- shipped examples

EXPECTED_EXAMPLE_CODES = {
    "flex-task-attributes.jsonl": [
        "Resolved",
        "Not Resolved",
        "Follow-up Required",
        "Escalation",
        "Wrong Department",
        "Promotional Sale",
        "Renewal",
        "Automatically completed",
        "Completed by supervisor",
        "resolved ",
        "Couldn\u2019t Resolve",
        "Spoke to manager",
    ],
    "taskrouter-events.txt": [
        "Follow\u2010up  Required",
        "Resolved",
        "ESCALATION",
        "Task completed",
        "Task TTL Exceeded",
        "Not Resolved",
    ],
    "insights-export.csv": [
        "Resolved",
        "Not Resolved",
        "Follow-up Required",
        "Escalation",
        "Wrong Department",
        "Promotional Sale",
        "Renewal",
        "Automatically completed",
    ],
    "copilot-wrapup.json": ["Resolved", "Resolved"],
    "voice-status-callbacks.txt": ["busy", "no-answer", "machine_end_beep", "fax", "completed", "failed"],
}
DEMO_IDS = {f"c0ffee00-0000-4000-8000-0000000000{n:02d}" for n in range(21, 41)}


def read_example(name: str, twilio: TwilioAdapter | None = None) -> list[Any]:
    with (TWILIO_EXAMPLES / name).open(encoding="utf-8", newline="") as stream:
        return list((twilio or adapter()).read(stream, name=name))


@pytest.mark.parametrize("name", sorted(EXPECTED_EXAMPLE_CODES))
def test_examples_read_cleanly(name: str) -> None:
    results = read_example(name)
    errors = [str(r) for r in results if isinstance(r, TwilioRecordError)]
    assert errors == []
    assert [d.code for d in results] == EXPECTED_EXAMPLE_CODES[name]
    assert all(d.conversation_id is None or d.conversation_id in DEMO_IDS for d in results)
    assert all(d.occurred_at is None or d.occurred_at.tzinfo is UTC for d in results)


def test_example_specifics() -> None:
    tasks = read_example("flex-task-attributes.jsonl")
    assert sum(d.conversation_id is None for d in tasks) == 1
    twilio = adapter()
    events = read_example("taskrouter-events.txt", twilio)
    assert twilio.skipped == {"event type task.created": 1}
    assert {d.fields["event_type"] for d in events} >= {"task.completed", "task.canceled"}
    statuses = read_example("voice-status-callbacks.txt")
    assert any(d.fields.get("sip_response_code") == "404" and d.code == "failed" for d in statuses)
    # The Insights export describes the same tasks as the attributes file, with the same outcomes.
    by_sid = {d.source_id: d.code for d in tasks}
    for row in read_example("insights-export.csv"):
        assert by_sid[row.source_id] == row.code


# ---------------------------------------------------------------------------------------------- fuzzing

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
maybe_text = st.none() | st.text(max_size=40) | st.sampled_from(["", " ", GENESYS_ID, TASK_SID, "1764081600", "WTx"])
tricky_text = st.sampled_from(
    [
        TASK_SID,
        GENESYS_ID,
        "busy",
        "ringing",
        "human",
        "machine_start",
        "task.completed",
        "task.created",
        "{",
        "[]",
        "{}",
    ]
) | st.text(max_size=20)
SNAKE_KEY = re.compile(r"^[^\sA-Z]+$")


def check(results: Iterable[Any]) -> None:
    for result in results:
        assert isinstance(result, Disposition | TwilioRecordError), result
        if isinstance(result, Disposition):
            assert result.source == "twilio" and result.source_id.strip()
            assert result.occurred_at is None or result.occurred_at.utcoffset() is not None
            assert all(SNAKE_KEY.match(key) for key in result.fields), result.fields


def payload_result(twilio: TwilioAdapter, payload: Any) -> Any:
    try:
        return twilio.from_payload(payload)
    except TwilioRecordError as exc:
        return exc


FORMAT_CHOICES = st.sampled_from([None, *FORMATS])


@given(fmt=FORMAT_CHOICES, payload=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_fuzz_arbitrary_dicts(fmt: str | None, payload: dict[str, Any]) -> None:
    check([payload_result(adapter(format=fmt), payload)])


@given(
    conversations=st.dictionaries(
        st.sampled_from(["outcome", "content", "conversation_id", "genesys_conversation_id", "case"]),
        json_values | maybe_text,
    ),
    top=st.dictionaries(
        st.sampled_from(["sid", "task_sid", "call_sid", "channelType", "reason", "date_updated"]),
        json_values | maybe_text,
    ),
    wrap=st.sampled_from(["bare", "dict", "string", "broken"]),
)
def test_fuzz_task_attributes(conversations: dict[str, Any], top: dict[str, Any], wrap: str) -> None:
    attrs = {"conversations": conversations, **top}
    if wrap == "bare":
        record: dict[str, Any] = attrs
    else:
        inner: Any = {"dict": attrs, "string": json.dumps(attrs), "broken": json.dumps(attrs)[:-1]}[wrap]
        record = {"sid": top.get("sid"), "reason": top.get("reason"), "attributes": inner}
    check([payload_result(adapter(), record)])
    check(read(json.dumps(record) + "\n" + json.dumps(record)))


@given(
    event=st.sampled_from(["task.completed", "task.canceled", "reservation.wrapup", "task.created", "", "x"]),
    params=st.dictionaries(
        st.sampled_from(
            [
                "TaskSid",
                "ResourceSid",
                "TaskAttributes",
                "WorkerAttributes",
                "WorkerName",
                "Timestamp",
                "TimestampMs",
                "TaskCompletedReason",
                "TaskCanceledReason",
                "TaskChannelUniqueName",
                "GenesysConversationId",
            ]
        ),
        tricky_text | st.builds(json.dumps, json_values),
    ),
    junk=st.text(max_size=30),
)
def test_fuzz_taskrouter_form_bodies(event: str, params: dict[str, str], junk: str) -> None:
    body = {"EventType": event, **params}
    check([payload_result(adapter(format="taskrouter"), body)])
    check(read(urlencode(body) + "\n" + junk + "\n" + urlencode(body), format="taskrouter"))
    check(read(urlencode(body) + "\n" + junk))


@given(
    params=st.dictionaries(
        st.sampled_from(
            ["CallSid", "CallStatus", "AnsweredBy", "Timestamp", "SipResponseCode", "GenesysConversationId"]
        ),
        tricky_text,
    ),
    junk=st.text(max_size=30),
)
def test_fuzz_voice_status_form_bodies(params: dict[str, str], junk: str) -> None:
    check([payload_result(adapter(format="voice-status"), params)])
    check(read(urlencode(params) + "\n" + junk, format="voice-status"))
    check(read("CallSid=CA1&CallStatus=busy\n" + urlencode(params) + "\n" + junk))


@given(text=st.text(max_size=200), fmt=FORMAT_CHOICES)
def test_fuzz_arbitrary_text(text: str, fmt: str | None) -> None:
    check(read(text, format=fmt))


@given(
    header=st.lists(
        st.sampled_from(
            [
                "Outcome",
                "Content",
                "Segment",
                "Conversation ID",
                "Date",
                "Time",
                "Date Time",
                "Agent",
                "Channel",
                "Genesys Conversation ID",
                "Queue",
            ]
        )
        | st.text(max_size=10),
        min_size=1,
        max_size=8,
    ),
    rows=st.lists(
        st.lists(tricky_text | st.sampled_from(["2025-11-24", "14:00", "2025-11-24T14:00:00Z"]), max_size=9), max_size=4
    ),
    bom=st.booleans(),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_fuzz_insights_csv(header: list[str], rows: list[list[str]], bom: bool, newline: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    check(read(text, format="insights-csv"))
    for row in rows:
        check([payload_result(adapter(format="insights-csv"), dict(zip(header, row, strict=False)))])


@given(
    selected=json_values
    | st.lists(
        st.dictionaries(st.sampled_from(["disposition_code", " topic_path", "topic_path"]), json_values | tricky_text),
        max_size=3,
    ),
    generated=json_values,
    context=json_values | st.fixed_dictionaries({"task_sid": tricky_text}),
    extra=st.dictionaries(
        st.sampled_from(["summary", "sentiment", "date_updated", "genesys_conversation_id"]), json_values | tricky_text
    ),
)
def test_fuzz_copilot(selected: Any, generated: Any, context: Any, extra: dict[str, Any]) -> None:
    payload = {
        "event_type": "note_updated",
        "codes": {"selected": selected, "generated": generated},
        "context": context,
        **extra,
    }
    check([payload_result(adapter(), payload)])
    check(read(json.dumps([payload, payload])))
