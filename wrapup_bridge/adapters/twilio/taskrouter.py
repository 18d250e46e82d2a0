"""Format ``taskrouter``: TaskRouter EventCallback form bodies, and the same events as Event Streams JSON.

Captured callbacks are how most Flex customers keep history (the Task API deletes a task 5 minutes after it
ends, the Events API keeps 30 days), so this is the main replay input. Files hold one URL-encoded body per
line; a live payload is the dict of decoded form parameters. Parameter names are matched without case or
underscores, so the Event Streams / warehouse snake_case variant (``eventtype``, ``task_sid``,
``task_attributes``, ``task_completed_reason``) reads the same, as do CloudEvents envelopes
(``{"type": "com.twilio.taskrouter.task.completed", "data": {"payload": {...}}}``) and Events API rows
(``{"event_type": ..., "event_date": ..., "event_data": {...}}``).

Only ``task.completed``, ``task.canceled``, ``task.wrapup``, ``reservation.wrapup`` and
``reservation.completed`` carry a disposition; other events are skipped (counted by the adapter) in files
and refused as payloads.

- ``TaskAttributes`` (a JSON string) is read exactly as the ``task-attributes`` format reads attributes: same
  field keys, same ``code``/``notes``. When ``conversations.outcome`` is absent the code is
  ``TaskCompletedReason`` / ``TaskCanceledReason`` (the canceled reason first for ``task.canceled``), as Flex
  Insights does; ``fields["outcome_source"]`` names what was used (``conversations.outcome``,
  ``TaskCompletedReason``, ``TaskCanceledReason`` or ``none``) and ``fields["task_reason"]`` keeps the reason.
- ``source_id`` = ``TaskSid`` (else a ``WT`` ``ResourceSid``, else the attributes' own sids).
- ``occurred_at`` = ``TimestampMs`` (ms), else ``Timestamp``, else the Events API ``event_date_ms`` /
  ``event_date``; epoch seconds, milliseconds and ISO 8601 are all accepted.
- ``agent`` = the ``email`` in ``WorkerAttributes``, else ``WorkerName``, else ``contact_uri`` in
  ``WorkerAttributes``; ``task.*`` events carry no worker, so their agent is None.
- ``fields``: ``event_type``, ``queue`` (``TaskQueueName``, else ``conversations.queue``), ``task_channel``
  (``TaskChannelUniqueName``, which also sets the media), ``task_assignment_status``.
- Genesys conversation id: ``options.conversation_id_field`` as a parameter name, else as a path into
  ``TaskAttributes``; by default the ``GenesysConversationId`` parameter, then the attribute defaults of the
  ``task-attributes`` format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wrapup_bridge.adapters.twilio._record import (
    RecordContext,
    Settings,
    build,
    canonical,
    conversation_id,
    media_for_channel,
    scalar_text,
)
from wrapup_bridge.adapters.twilio.task_attributes import read_attributes
from wrapup_bridge.core.disposition import Disposition

__all__ = ["DISPOSITION_EVENTS", "looks_like", "parse"]

DISPOSITION_EVENTS = frozenset(
    {"task.completed", "task.canceled", "task.wrapup", "reservation.wrapup", "reservation.completed"}
)
_CLOUDEVENT_PREFIX = "com.twilio.taskrouter."
_DEFAULT_CONVERSATION_ID_PARAM = "GenesysConversationId"


def looks_like(record: Mapping[Any, Any]) -> bool:
    canon, _ = canonical(record)
    event_type = record.get("type")
    return "eventtype" in canon or (isinstance(event_type, str) and event_type.startswith(_CLOUDEVENT_PREFIX))


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One TaskRouter event (decoded form parameters or an Event Streams record) -> Disposition."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected TaskRouter event parameters, got {type(record).__name__}")
    params, spelled = _flatten(record)

    def name(key: str, default: str) -> str:
        return spelled.get(key, default)

    def text(key: str, default: str) -> str | None:
        return scalar_text(params.get(key), name(key, default), rec)

    task_sid = text("tasksid", "TaskSid")
    if task_sid is None:
        resource = text("resourcesid", "ResourceSid")
        task_sid = resource if resource is not None and resource.strip().startswith("WT") else None
    if task_sid is not None:
        rec.ident = f"TaskSid {task_sid.strip()}"

    event = text("eventtype", "EventType")
    if event is None:
        raise rec.error("no EventType: not a TaskRouter event", name("eventtype", "EventType"))
    event_key = event.strip().lower()
    if event_key not in DISPOSITION_EVENTS:
        raise rec.skip(
            f"event type {event.strip()!r} carries no disposition (expected one of: "
            f"{', '.join(sorted(DISPOSITION_EVENTS))})",
            skip_key=f"event type {event.strip()}",
            field=name("eventtype", "EventType"),
        )

    attrs_name = name("taskattributes", "TaskAttributes")
    view = read_attributes(
        _decode_json(params.get("taskattributes"), attrs_name, rec), rec, settings, prefix=f"{attrs_name}."
    )
    source_id = task_sid or view.task_sid
    if source_id is None:
        raise rec.error("no TaskSid in this event", name("tasksid", "TaskSid"))
    rec.ident = f"TaskSid {source_id.strip()}"

    fields = view.fields
    completed = text("taskcompletedreason", "TaskCompletedReason")
    canceled = text("taskcanceledreason", "TaskCanceledReason")
    reasons = [("TaskCompletedReason", completed), ("TaskCanceledReason", canceled)]
    if event_key == "task.canceled":
        reasons.reverse()
    code, fields["outcome_source"] = "", "none"
    if view.outcome is not None:
        code, fields["outcome_source"] = view.outcome, "conversations.outcome"
    else:
        for reason_name, reason in reasons:
            if reason is not None:
                code, fields["outcome_source"] = reason, reason_name
                break
    reason_text = next((r for _, r in reasons if r is not None), None)
    if reason_text is not None:
        fields["task_reason"] = reason_text
    fields["event_type"] = event.strip()
    for key, default, target in (
        ("taskqueuename", "TaskQueueName", "queue"),
        ("taskchanneluniquename", "TaskChannelUniqueName", "task_channel"),
        ("taskassignmentstatus", "TaskAssignmentStatus", "task_assignment_status"),
    ):
        value = text(key, default)
        if value is not None:
            fields[target] = value

    cid, cid_field = _conversation_id(params, spelled, view.conversation_id, view.conversation_id_field, rec, settings)
    return build(
        rec,
        source_id=source_id.strip(),
        code=code,
        fields=fields,
        notes=view.content,
        agent=_agent(params, spelled, rec),
        media=media_for_channel(fields.get("task_channel", view.channel)),
        occurred_at=_occurred_at(params, spelled, rec, settings),
        conversation_id=cid,
        origins={"source_id": name("tasksid", "TaskSid"), "conversation_id": cid_field or ""},
    )


def _flatten(record: Mapping[Any, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Event parameters under canonical names, whichever envelope carried them."""
    event_type = record.get("type")
    data = record.get("data")
    if isinstance(event_type, str) and event_type.startswith(_CLOUDEVENT_PREFIX) and isinstance(data, Mapping):
        payload = data.get("payload")
        params, spelled = canonical(payload if isinstance(payload, Mapping) else data)
        prefix = "data.payload." if isinstance(payload, Mapping) else "data."
        spelled = {k: prefix + v for k, v in spelled.items()}
        if "eventtype" not in params:
            params["eventtype"], spelled["eventtype"] = event_type[len(_CLOUDEVENT_PREFIX) :], "type"
        if "timestamp" not in params and "time" in record:
            params["timestamp"], spelled["timestamp"] = record["time"], "time"
        return params, spelled
    params, spelled = canonical(record)
    inner = params.get("eventdata")
    if isinstance(inner, Mapping):
        inner_params, inner_spelled = canonical(inner)
        for key, value in inner_params.items():
            if key not in params:
                params[key], spelled[key] = value, f"{spelled['eventdata']}.{inner_spelled[key]}"
    return params, spelled


def _decode_json(value: Any, field: str, rec: RecordContext) -> Any:
    """A JSON-string parameter (``TaskAttributes``, ``WorkerAttributes``); absent or blank reads as ``{}``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise rec.error(f"not valid JSON: {exc}", field) from None
    if isinstance(value, Mapping):
        return value
    raise rec.error(f"expected a JSON object (or a JSON string of one), got {type(value).__name__}", field)


def _agent(params: Mapping[str, Any], spelled: Mapping[str, str], rec: RecordContext) -> str | None:
    attrs_name = spelled.get("workerattributes", "WorkerAttributes")
    attrs = _decode_json(params.get("workerattributes"), attrs_name, rec)
    if not isinstance(attrs, Mapping):
        raise rec.error(f"expected a JSON object, got {type(attrs).__name__}", attrs_name)
    email = scalar_text(attrs.get("email"), f"{attrs_name}.email", rec)
    worker_name = scalar_text(params.get("workername"), spelled.get("workername", "WorkerName"), rec)
    contact_uri = scalar_text(attrs.get("contact_uri"), f"{attrs_name}.contact_uri", rec)
    agent = email or worker_name or contact_uri
    return agent.strip() if agent is not None else None


def _occurred_at(
    params: Mapping[str, Any], spelled: Mapping[str, str], rec: RecordContext, settings: Settings
) -> datetime | None:
    for key, default, ms in (
        ("timestampms", "TimestampMs", True),
        ("timestamp", "Timestamp", False),
        ("eventdatems", "event_date_ms", True),
        ("eventdate", "event_date", False),
    ):
        when = rec.time(params.get(key), spelled.get(key, default), settings, ms=ms)
        if when is not None:
            return when
    return None


def _conversation_id(
    params: Mapping[str, Any],
    spelled: Mapping[str, str],
    from_attrs: str | None,
    attrs_field: str | None,
    rec: RecordContext,
    settings: Settings,
) -> tuple[str | None, str | None]:
    """The Genesys conversation id: a form parameter first, then the task attributes."""
    param = settings.conversation_id_field or _DEFAULT_CONVERSATION_ID_PARAM
    key = re.sub(r"[_\-\s]", "", param).lower()
    if params.get(key) is not None:
        field = spelled.get(key, param)
        value = conversation_id(params[key], field, rec)
        if value is not None:
            return value, field
    return from_attrs, attrs_field
