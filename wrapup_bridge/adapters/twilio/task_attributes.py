"""Format ``task-attributes``: Flex task attributes JSON, bare or wrapped the way the Task API returns them.

A Flex "disposition" is free text the wrap-up UI wrote into ``attributes.conversations`` (FPT dispositions,
the plugin library, supervisor/auto completion): Flex Insights reads the same keys, so they are the contract.

Field scheme (shared with the ``taskrouter`` format, whose ``TaskAttributes`` are read by this module):

- ``code`` = ``conversations.outcome`` exactly as written; ``notes`` = ``conversations.content``.
- every other ``conversations.<key>`` -> ``fields[<key>]`` (``case``, ``conversation_attribute_2``,
  ``hang_up_by``, ``initiative``, ``queue``, ...). Multi-select answers stay pipe-joined (``"Flex|Voice"``);
  a JSON array of scalars is pipe-joined the same way; a nested object is kept as compact JSON.
- every top-level scalar attribute -> ``fields["task_<key>"]`` (``task_direction``, ``task_type``,
  ``task_call_sid``, ``task_from``, ``task_to``, ``task_channel_type``); nested objects (``conference``,
  ``customers``) are left out. The prefix keeps task-level values apart from the Insights vocabulary above.
- Keys are lower snake case whatever the input spelled (``hangUpBy`` -> ``hang_up_by``).
- Task API wrapper (``{"sid": "WT..", "attributes": "<json>", ...}``): when ``conversations.outcome`` is absent
  the task's ``reason`` is the code (as Flex Insights does); ``fields["outcome_source"]`` says which one was
  used (``conversations.outcome``, ``reason`` or ``none``). ``task_queue_friendly_name`` -> ``queue``,
  ``task_channel_unique_name`` -> ``task_channel`` (and the media), ``assignment_status`` ->
  ``task_assignment_status``, ``reason`` -> ``task_reason``, ``date_updated`` -> ``occurred_at``.

- Task API lifecycle (``assignment_status``, values per twilio-taskrouter.js ``Task.status``): only
  ``completed`` and ``canceled`` tasks carry a disposition; ``pending``, ``reserved``, ``assigned`` and
  ``wrapping`` (and any other status) are skipped in files (counted) and refused as payloads.
- ``"attributes": null`` is how the Task *list* API returns every task (twilio-go ``TaskrouterV1Task.md``: the
  attributes are only displayed by a fetch of one task), so the outcome is unknown: the record is an error
  naming the sid ("fetch the task"), never silently read as the ``reason``.
- Saved list pages (``{"tasks": [...], "meta": {...}}``) are opened into their tasks by the adapter.

``source_id`` is the TaskSid: ``sid``, ``task_sid`` or ``taskSid`` (on the wrapper, then in the attributes),
else ``conversations.conversation_id`` when it is a ``WT`` sid, else ``call_sid``; none of them is an error
naming ``sid``. The Genesys conversation id is read from ``options.conversation_id_field`` (a dotted path into
the attributes) or by default from ``genesys_conversation_id`` then ``conversations.genesys_conversation_id``.
Field map places are dotted paths into the attributes, then (for a Task resource) into the resource itself
(``fields.time: date_created``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wrapup_bridge.adapters._common import get_path
from wrapup_bridge.adapters.twilio._record import (
    Parts,
    RecordContext,
    Settings,
    conversation_id,
    field_text,
    finish,
    first_text,
    media_for_channel,
    scalar_text,
    snake_key,
)
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.core.limits import loads_json

__all__ = [
    "DEFAULT_CONVERSATION_ID_PATHS",
    "FINAL_STATUSES",
    "TaskAttributes",
    "looks_like",
    "parse",
    "read_attributes",
]

DEFAULT_CONVERSATION_ID_PATHS = ("genesys_conversation_id", "conversations.genesys_conversation_id")
_CHANNEL_KEYS = ("channelType", "channel_type", "channel")
_SID_KEYS = ("sid", "task_sid", "taskSid")
#: Task ``assignment_status`` values that end a task with a disposition.
FINAL_STATUSES = frozenset({"completed", "canceled"})


@dataclass
class TaskAttributes:
    """What the attributes of one task say about its disposition."""

    outcome: str | None
    content: str | None
    fields: dict[str, str] = field(default_factory=dict)
    channel: str | None = None
    conversation_id: str | None = None
    conversation_id_field: str | None = None
    task_sid: str | None = None  # conversations.conversation_id, when it is a WT sid
    call_sid: str | None = None


def looks_like(record: Mapping[str, Any]) -> bool:
    """Task attributes have no marker of their own; anything with ``conversations`` or ``attributes`` fits."""
    return "conversations" in record or "attributes" in record


def read_attributes(attrs: Any, rec: RecordContext, settings: Settings, *, prefix: str) -> TaskAttributes:
    """Read parsed task attributes; ``prefix`` (``TaskAttributes.``) makes error field names point into them."""
    if not isinstance(attrs, Mapping):
        raise rec.error(
            f"task attributes must be a JSON object, got {type(attrs).__name__}", prefix.rstrip(".") or None
        )
    conversations = attrs.get("conversations")
    if conversations is None:
        conversations = {}
    elif not isinstance(conversations, Mapping):
        raise rec.error("expected a JSON object", f"{prefix}conversations")
    view = TaskAttributes(
        outcome=scalar_text(conversations.get("outcome"), f"{prefix}conversations.outcome", rec),
        content=field_text(conversations.get("content"), f"{prefix}conversations.content", rec),
    )
    if view.outcome is not None:
        rec.put("code", f"{prefix}conversations.outcome")
    if view.content is not None:
        rec.put("notes", f"{prefix}conversations.content")
    for key, value in conversations.items():
        if key in ("outcome", "content"):
            continue
        name = snake_key(key)
        text = field_text(value, f"{prefix}conversations.{key}", rec)
        if name and text is not None and name not in view.fields:
            view.fields[name] = text
            rec.put(f"fields.{name}", f"{prefix}conversations.{key}")
    for key, value in attrs.items():
        if key == "conversations" or isinstance(value, Mapping):
            continue
        if isinstance(value, list | tuple) and not all(isinstance(v, str | int | float) for v in value):
            continue
        name = snake_key(key)
        text = scalar_text(value, f"{prefix}{key}", rec)
        if name and text is not None and f"task_{name}" not in view.fields:
            view.fields[f"task_{name}"] = text
            rec.put(f"fields.task_{name}", f"{prefix}{key}")
    _, view.channel = first_text(attrs, _CHANNEL_KEYS, rec, prefix=prefix)
    wt = scalar_text(conversations.get("conversation_id"), f"{prefix}conversations.conversation_id", rec)
    if wt is not None and wt.strip().startswith("WT"):
        view.task_sid = wt.strip()
    _, view.call_sid = first_text(attrs, ("call_sid",), rec, prefix=prefix)
    paths = (settings.conversation_id_field,) if settings.conversation_id_field else DEFAULT_CONVERSATION_ID_PATHS
    for path in paths:
        value = get_path(attrs, path)
        if value is not None:
            view.conversation_id = conversation_id(value, prefix + path, rec)
            view.conversation_id_field = prefix + path
            rec.put("conversation_id", prefix + path)
            break
    return view


def parse(record: Any, rec: RecordContext, settings: Settings) -> Disposition:
    """One task (bare attributes or a Task API object) -> Disposition."""
    if not isinstance(record, Mapping):
        raise rec.error(f"expected a JSON object holding task attributes, got {type(record).__name__}")
    wrapper: Mapping[str, Any] = {}
    attrs: Any = record
    prefix = ""
    if "attributes" in record and "conversations" not in record:
        wrapper, prefix = record, "attributes."
    # The sid first, so that every later error can name the task it is about.
    sid_key, sid = first_text(record, _SID_KEYS, rec)
    if sid is not None:
        rec.ident = f"TaskSid {sid.strip()}"
    if wrapper:
        status = scalar_text(wrapper.get("assignment_status"), "assignment_status", rec)
        if status is not None and status.strip().lower() not in FINAL_STATUSES:
            raise rec.skip(
                f"assignment_status {status.strip()!r}: the task has not ended, so it has no disposition yet "
                f"(only {' and '.join(sorted(FINAL_STATUSES))} tasks do)",
                skip_key=f"task assignment_status {status.strip()}",
                field="assignment_status",
            )
        if wrapper["attributes"] is None:
            shown = sid.strip() if sid is not None else "{sid}"
            raise rec.error(
                "the outcome of this task is unknown: attributes are null on list pages; fetch the task "
                f"(GET /Tasks/{shown}) to read its outcome",
                "attributes",
            )
        attrs = _decode_attributes(record["attributes"], rec)
        if sid is None and isinstance(attrs, Mapping):
            sid_key, sid = first_text(attrs, _SID_KEYS[1:], rec, prefix=prefix)
    view = read_attributes(attrs, rec, settings, prefix=prefix)
    if sid is None and view.task_sid is not None:
        sid_key, sid = "conversations.conversation_id", view.task_sid
    if sid is not None:
        rec.ident = f"TaskSid {sid.strip()}"
    elif view.call_sid is not None:
        sid_key, sid = "call_sid", view.call_sid
        rec.ident = f"CallSid {sid.strip()}"
    rec.put("source_id", sid_key if sid is not None else None)

    fields = view.fields
    reason = scalar_text(wrapper.get("reason"), "reason", rec) if wrapper else None
    if view.outcome is not None:
        code, fields["outcome_source"] = view.outcome, "conversations.outcome"
    elif reason is not None:
        code, fields["outcome_source"] = reason, "reason"
        rec.put("code", "reason")
    else:
        code, fields["outcome_source"] = "", "none"
    channel = view.channel
    if wrapper:
        for key, target in (
            ("task_queue_friendly_name", "queue"),
            ("task_channel_unique_name", "task_channel"),
            ("assignment_status", "task_assignment_status"),
            ("reason", "task_reason"),
        ):
            text = scalar_text(wrapper.get(key), key, rec)
            if text is not None:
                fields[target] = text
                rec.put(f"fields.{target}", key)
        channel = fields.get("task_channel", channel)
    occurred_at = rec.time(wrapper.get("date_updated"), "date_updated", settings) if wrapper else None
    rec.put("occurred_at", "date_updated" if occurred_at is not None else None)

    def lookup(place: str) -> tuple[Any, str] | None:
        value = get_path(attrs, place) if isinstance(attrs, Mapping) else None
        if value is not None:
            return value, prefix + place
        value = get_path(wrapper, place) if wrapper else None
        return (value, place) if value is not None else None

    parts = Parts(
        source_id=sid,
        code=code,
        fields=fields,
        notes=view.content,
        media=media_for_channel(channel),
        occurred_at=occurred_at,
        conversation_id=view.conversation_id,
    )
    return finish(
        rec,
        parts,
        settings,
        lookup,
        missing_sid=(
            "no TaskSid: none of sid, task_sid, taskSid, conversations.conversation_id (a WT sid) or call_sid is set",
            "sid",
        ),
    )


def _decode_attributes(value: Any, rec: RecordContext) -> Any:
    """The Task API sends ``attributes`` as a JSON string; exports sometimes keep it parsed."""
    if value is None:
        return {}
    if isinstance(value, str):
        if not value.strip():
            return {}
        try:
            return loads_json(value)
        except ValueError as exc:
            raise rec.error(f"not valid JSON: {exc}", "attributes") from None
    return value
