"""Event Streams CloudEvents: which Twilio format a CloudEvent is, and where its fields are.

Event Streams delivers JSON arrays of CloudEvents, to files (Kinesis/S3 exports, captures) and to webhook sinks
alike ("the body of each webhook is a JSON array of CloudEvents", Twilio's Event Streams webhook guide). Each
CloudEvent is read on its own; its ``type`` says what it is and is authoritative:

- ``com.twilio.taskrouter.<event>`` (``...task.completed``, ``...reservation.completed``): the ``taskrouter``
  format, fields under ``data.payload`` (snake_case ``task_sid``, ``task_attributes`` as a JSON string, ...).
  Twilio's own documentation example (https://www.twilio.com/docs/events/event-types/taskrouter/task) carries a
  ``type`` of ``task.canceled`` with an inner ``data.payload.eventtype`` of ``reservation.created`` and a
  ``data.name`` of ``ReservationCreated``: the inner ones are ignored (and noted).
- ``com.twilio.voice.status-callback.call.<event>`` (``...call.completed``): the ``voice-status`` format, with
  the StatusCallback form parameters (``CallSid``, ``CallStatus``, ``Timestamp``, ``AnsweredBy``, ...) under
  ``data.request.parameters``.
- any other type (``com.twilio.eventstreams.test-event``, messaging, ...) is not a disposition: skipped in files,
  refused as a payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["TASKROUTER_PREFIX", "VOICE_PREFIX", "is_cloudevent", "product", "voice_parameters"]

TASKROUTER_PREFIX = "com.twilio.taskrouter."
VOICE_PREFIX = "com.twilio.voice.status-callback."


def is_cloudevent(record: Any) -> bool:
    """A CloudEvent: a ``type`` with ``specversion``, or a ``type`` in Twilio's ``com.twilio.`` namespace."""
    if not isinstance(record, Mapping):
        return False
    event_type = record.get("type")
    return isinstance(event_type, str) and ("specversion" in record or event_type.startswith("com.twilio."))


def product(record: Mapping[Any, Any]) -> Literal["taskrouter", "voice-status"] | None:
    """The format a CloudEvent's ``type`` belongs to; None for types that carry no disposition."""
    event_type = str(record.get("type", "")).strip()
    if event_type.startswith(TASKROUTER_PREFIX):
        return "taskrouter"
    if event_type.startswith(VOICE_PREFIX):
        return "voice-status"
    return None


def voice_parameters(record: Mapping[Any, Any]) -> tuple[Mapping[Any, Any] | None, str]:
    """The form parameters of a Voice status-callback CloudEvent and the path they sit under (None when absent)."""
    data = record.get("data")
    if not isinstance(data, Mapping):
        return None, "data"
    request = data.get("request")
    if isinstance(request, Mapping):
        parameters = request.get("parameters")
        if isinstance(parameters, Mapping):
            return parameters, "data.request.parameters."
        return None, "data.request.parameters"
    return None, "data.request.parameters"
