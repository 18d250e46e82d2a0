"""Format ``taskrouter``: TaskRouter EventCallback form bodies, and the same events as Event Streams JSON.

Captured callbacks are how most Flex customers keep history (the Task API deletes a task 5 minutes after it
ends, the Events API keeps 30 days), so this is the main replay input. Files hold one URL-encoded body per
line; a live payload is the dict of decoded form parameters. Parameter names are matched without case or
underscores, so the Event Streams / warehouse snake_case variant (``eventtype``, ``task_sid``,
``task_attributes``, ``task_completed_reason``) reads the same, as do CloudEvents
(``{"type": "com.twilio.taskrouter.task.completed", "data": {"payload": {...}}}``: the ``type`` is
authoritative, an inner ``data.payload.eventtype`` that disagrees is ignored and noted, see ``cloudevents``) and
Events API rows (``{"event_type": ..., "event_date": ..., "event_data": {...}}``).

Lifecycle: one task is one disposition.

- ``task.completed``, ``task.canceled`` and ``reservation.completed`` carry one.
- ``task.wrapup`` and ``reservation.wrapup`` do not yet: Flex writes ``conversations.outcome`` when the agent
  completes the task, after wrap-up began. They are skipped (counted) unless their attributes already hold an
  outcome (or the field map's ``code`` place has a value); refused as payloads.
- any other event (``task.created``, ``reservation.accepted``, ``worker.*``) is skipped in files, refused as a
  payload.
- In a file, the events of one task fold into one record (``adapter``): the ``task.completed`` /
  ``task.canceled`` one wins over ``reservation.completed``, which wins over a wrap-up event; a task event,
  which names no worker, takes the agent of the task's reservation event. See ``RANK``.

Fields:

- ``TaskAttributes`` (a JSON string) is read exactly as the ``task-attributes`` format reads attributes: same
  field keys, same ``code``/``notes``. When ``conversations.outcome`` is absent the code of a completed or
  canceled task is ``TaskCompletedReason`` / ``TaskCanceledReason`` (the canceled reason first for
  ``task.canceled``), as Flex Insights does; ``fields["outcome_source"]`` names what was used
  (``conversations.outcome``, ``TaskCompletedReason``, ``TaskCanceledReason`` or ``none``) and
  ``fields["task_reason"]`` keeps the reason.
- ``source_id`` = ``TaskSid`` (else a ``WT`` ``ResourceSid``, else the attributes' own sids).
- ``occurred_at`` = ``TimestampMs`` (ms), else ``Timestamp``, else the Events API ``event_date_ms`` /
  ``event_date``, else the CloudEvent ``time``; epoch seconds, milliseconds and ISO 8601 are all accepted.
- ``agent`` = the ``email`` in ``WorkerAttributes``, else ``WorkerName`` (the worker's friendly name, in Flex
  usually the login), else ``contact_uri`` in ``WorkerAttributes``; ``fields["agent_name"]`` = the worker's
  ``full_name`` attribute when present (the Genesys target choice matches users by name or e-mail).
- ``fields``: ``event_type``, ``queue`` (``TaskQueueName``, else ``conversations.queue``), ``task_channel``
  (``TaskChannelUniqueName``, which also sets the media), ``task_assignment_status``.
- Genesys conversation id: ``options.conversation_id_field`` as a parameter name, else as a path into
  ``TaskAttributes``; by default the ``GenesysConversationId`` parameter, then the attribute defaults of the
  ``task-attributes`` format.
- Field map places: a parameter name (``WorkerName``, ``task_queue_name``), a parameter holding JSON followed by
  a path (``WorkerAttributes.full_name``), else a dotted path into ``TaskAttributes``
  (``conversations.conversation_attribute_3``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from wrapup_bridge.adapters._common import get_path
from wrapup_bridge.adapters.twilio._record import (
    Parts,
    RecordContext,
    Settings,
    canonical,
    canonical_key,
    conversation_id,
    finish,
    media_for_channel,
    scalar_text,
)
from wrapup_bridge.adapters.twilio.cloudevents import TASKROUTER_PREFIX, is_cloudevent
from wrapup_bridge.adapters.twilio.task_attributes import read_attributes
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.limits import loads_json

__all__ = ["DISPOSITION_EVENTS", "RANK", "WRAPUP_EVENTS", "looks_like", "parse"]

#: Events that end a task with its disposition.
DISPOSITION_EVENTS = frozenset({"task.completed", "task.canceled", "reservation.completed"})
#: Events of a task in wrap-up: a disposition only when the attributes already hold an outcome.
WRAPUP_EVENTS = frozenset({"task.wrapup", "reservation.wrapup"})
#: Which event's record wins when a file holds several for one task (higher wins; equal: the later one).
RANK: dict[str, int] = {
    "task.completed": 3,
    "task.canceled": 3,
    "reservation.completed": 2,
    "task.wrapup": 1,
    "reservation.wrapup": 1,
}
_DEFAULT_CONVERSATION_ID_PARAM = "GenesysConversationId"


def looks_like(record: Mapping[Any, Any]) -> bool:
    canon, _ = canonical(record)
    event_type = record.get("type")
    return "eventtype" in canon or (isinstance(event_type, str) and event_type.startswith(TASKROUTER_PREFIX))


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One TaskRouter event (decoded form parameters, an Event Streams CloudEvent or an Events API row) ->
    Disposition; ``NoDisposition`` for events that carry none (a wrap-up event's carries what it said)."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected TaskRouter event parameters, got {type(record).__name__}")
    params, spelled = _flatten(record, rec)

    def name(key: str, default: str) -> str:
        return spelled.get(key, default)

    def text(key: str, default: str) -> str | None:
        return scalar_text(params.get(key), name(key, default), rec)

    task_sid = text("tasksid", "TaskSid")
    sid_field = name("tasksid", "TaskSid")
    if task_sid is None:
        resource = text("resourcesid", "ResourceSid")
        if resource is not None and resource.strip().startswith("WT"):
            task_sid, sid_field = resource, name("resourcesid", "ResourceSid")
    if task_sid is not None:
        rec.ident, rec.task_sid = f"TaskSid {task_sid.strip()}", task_sid.strip()

    event = text("eventtype", "EventType")
    if event is None:
        raise rec.error("no EventType: not a TaskRouter event", name("eventtype", "EventType"))
    event_key = event.strip().lower()
    if event_key not in DISPOSITION_EVENTS and event_key not in WRAPUP_EVENTS:
        raise rec.skip(
            f"event type {event.strip()!r} carries no disposition (expected one of: "
            f"{', '.join(sorted(DISPOSITION_EVENTS | WRAPUP_EVENTS))})",
            skip_key=f"event type {event.strip()}",
            field=name("eventtype", "EventType"),
        )

    attrs_name = name("taskattributes", "TaskAttributes")
    attrs = _decode_json(params.get("taskattributes"), attrs_name, rec)
    view = read_attributes(attrs, rec, settings, prefix=f"{attrs_name}.")
    source_id = task_sid
    if source_id is None and view.task_sid is not None:
        source_id, sid_field = view.task_sid, f"{attrs_name}.conversations.conversation_id"
    if source_id is None and "source_id" not in settings.fields.places:
        raise rec.error("no TaskSid in this event", name("tasksid", "TaskSid"))
    if source_id is not None:
        rec.ident, rec.task_sid = f"TaskSid {source_id.strip()}", source_id.strip()
        rec.put("source_id", sid_field)

    fields = view.fields
    completed = text("taskcompletedreason", "TaskCompletedReason")
    canceled = text("taskcanceledreason", "TaskCanceledReason")
    reasons = [
        ("taskcompletedreason", "TaskCompletedReason", completed),
        ("taskcanceledreason", "TaskCanceledReason", canceled),
    ]
    if event_key == "task.canceled":
        reasons.reverse()
    code, fields["outcome_source"] = "", "none"
    if view.outcome is not None:
        code, fields["outcome_source"] = view.outcome, "conversations.outcome"
    elif event_key in DISPOSITION_EVENTS:
        for key, reason_name, reason in reasons:
            if reason is not None:
                code, fields["outcome_source"] = reason, reason_name
                rec.put("code", name(key, reason_name))
                break
    reason_key, reason_name, reason_text = next(((k, n, r) for k, n, r in reasons if r is not None), ("", "", None))
    if reason_text is not None:
        fields["task_reason"] = reason_text
        rec.put("fields.task_reason", name(reason_key, reason_name))
    fields["event_type"] = event.strip()
    rec.put("fields.event_type", name("eventtype", "EventType"))
    for key, default, target in (
        ("taskqueuename", "TaskQueueName", "queue"),
        ("taskchanneluniquename", "TaskChannelUniqueName", "task_channel"),
        ("taskassignmentstatus", "TaskAssignmentStatus", "task_assignment_status"),
    ):
        value = text(key, default)
        if value is not None:
            fields[target] = value
            rec.put(f"fields.{target}", name(key, default))
    if "taskchanneluniquename" in params:
        rec.put("media", name("taskchanneluniquename", "TaskChannelUniqueName"))

    cid, cid_field = _conversation_id(params, spelled, view.conversation_id, view.conversation_id_field, rec, settings)
    rec.put("conversation_id", cid_field)
    agent, agent_name = _agent(params, spelled, rec)
    when = _occurred_at(params, spelled, rec, settings)

    def lookup(place: str) -> tuple[Any, str] | None:
        return _lookup(place, params, spelled, attrs, attrs_name, rec)

    parts = Parts(
        source_id=source_id,
        code=code,
        fields=fields,
        notes=view.content,
        agent=agent,
        agent_name=agent_name,
        media=media_for_channel(fields.get("task_channel", view.channel)),
        occurred_at=when,
        conversation_id=cid,
    )
    disposition = finish(rec, parts, settings, lookup, missing_sid=("no TaskSid in this event", "TaskSid"))
    if event_key in WRAPUP_EVENTS and not disposition.code.strip():
        place = "|".join(settings.fields.get("code")) or f"{attrs_name}.conversations.outcome"
        raise rec.skip(
            f"event type {event.strip()!r} without an outcome yet: Flex writes conversations.outcome when the "
            "agent completes the task, so the task's completed event carries its disposition",
            skip_key=f"event type {event.strip()} without an outcome yet",
            field=place,
            partial=disposition,
        )
    return disposition


def _flatten(record: Mapping[Any, Any], rec: RecordContext) -> tuple[dict[str, Any], dict[str, str]]:
    """Event parameters under canonical names, whichever envelope carried them."""
    if is_cloudevent(record):
        event_type = str(record.get("type", "")).strip()
        data = record.get("data")
        payload = data.get("payload") if isinstance(data, Mapping) else None
        inner = payload if isinstance(payload, Mapping) else data if isinstance(data, Mapping) else {}
        params, spelled = canonical(inner)
        prefix = "data.payload." if isinstance(payload, Mapping) else "data."
        spelled = {k: prefix + v for k, v in spelled.items()}
        outer = event_type.removeprefix(TASKROUTER_PREFIX)
        declared = params.get("eventtype")
        if isinstance(declared, str) and declared.strip() and declared.strip().lower() != outer.lower():
            rec.note(f"CloudEvent type used; inner eventtype {declared.strip()!r} ignored")
        # The CloudEvent type is authoritative (the documentation example contradicts itself inside).
        params["eventtype"], spelled["eventtype"] = outer, "type"
        if "timestamp" not in params and isinstance(data, Mapping) and "timestamp" in data:
            params["timestamp"], spelled["timestamp"] = data["timestamp"], "data.timestamp"
        if "timestamp" not in params and "time" in record:
            params["timestamp"], spelled["timestamp"] = record["time"], "time"
        return params, spelled
    params, spelled = canonical(record)
    inner_data = params.get("eventdata")
    if isinstance(inner_data, Mapping):
        inner_params, inner_spelled = canonical(inner_data)
        for key, value in inner_params.items():
            if key not in params:
                params[key], spelled[key] = value, f"{spelled['eventdata']}.{inner_spelled[key]}"
    return params, spelled


def _lookup(
    place: str, params: Mapping[str, Any], spelled: Mapping[str, str], attrs: Any, attrs_name: str, rec: RecordContext
) -> tuple[Any, str] | None:
    """A field-map place: a parameter, a JSON parameter then a path, else a path into ``TaskAttributes``."""
    key = canonical_key(place)
    if key in params:
        return params[key], spelled.get(key, place)
    head, dot, rest = place.partition(".")
    if dot and canonical_key(head) in params:
        where = spelled.get(canonical_key(head), head)
        value = get_path(_decode_json(params[canonical_key(head)], where, rec), rest)
        return (value, f"{where}.{rest}") if value is not None else None
    value = get_path(attrs, place) if isinstance(attrs, Mapping) else None
    return (value, f"{attrs_name}.{place}") if value is not None else None


def _decode_json(value: Any, field: str, rec: RecordContext) -> Any:
    """A JSON-string parameter (``TaskAttributes``, ``WorkerAttributes``); absent or blank reads as ``{}``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            return loads_json(value)
        except ValueError as exc:
            raise rec.error(f"not valid JSON: {exc}", field) from None
    if isinstance(value, Mapping):
        return value
    raise rec.error(f"expected a JSON object (or a JSON string of one), got {type(value).__name__}", field)


def _agent(params: Mapping[str, Any], spelled: Mapping[str, str], rec: RecordContext) -> tuple[str | None, str | None]:
    """``(agent, agent_name)``: the worker's e-mail, name or contact URI, and its full name when known."""
    attrs_name = spelled.get("workerattributes", "WorkerAttributes")
    attrs = _decode_json(params.get("workerattributes"), attrs_name, rec)
    if not isinstance(attrs, Mapping):
        raise rec.error(f"expected a JSON object, got {type(attrs).__name__}", attrs_name)
    worker_field = spelled.get("workername", "WorkerName")
    candidates = (
        (scalar_text(attrs.get("email"), f"{attrs_name}.email", rec), f"{attrs_name}.email"),
        (scalar_text(params.get("workername"), worker_field, rec), worker_field),
        (scalar_text(attrs.get("contact_uri"), f"{attrs_name}.contact_uri", rec), f"{attrs_name}.contact_uri"),
    )
    agent, where = next(((v.strip(), w) for v, w in candidates if v is not None), (None, None))
    rec.put("agent", where)
    full_name = scalar_text(attrs.get("full_name"), f"{attrs_name}.full_name", rec)
    if full_name is not None:
        rec.put("fields.agent_name", f"{attrs_name}.full_name")
        return agent, full_name.strip()
    return agent, None


def _occurred_at(
    params: Mapping[str, Any], spelled: Mapping[str, str], rec: RecordContext, settings: Settings
) -> datetime | None:
    for key, default, ms in (
        ("timestampms", "TimestampMs", True),
        ("timestamp", "Timestamp", False),
        ("eventdatems", "event_date_ms", True),
        ("eventdate", "event_date", False),
    ):
        where = spelled.get(key, default)
        when = rec.time(params.get(key), where, settings, ms=ms)
        if when is not None:
            rec.put("occurred_at", where)
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
    key = canonical_key(param)
    if params.get(key) is not None:
        field = spelled.get(key, param)
        value = conversation_id(params[key], field, rec)
        if value is not None:
            return value, field
    return from_attrs, attrs_field
