"""The JSON Genesys answers with, built from the emulator's state.

Field names are exactly the SDK models' ``attribute_map`` values (camelCase), and each communication array
gets only the keys its own model declares (a SocialExpression has no ``direction``, a Video no ``segments``);
a fidelity test walks the official SDK's models to keep it that way. Absent values are left out rather than
sent as null, as Genesys does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.genesys.emulator.directory import Directory, Queue, WrapupCode
from wrapup_bridge.genesys.emulator.orgfile import MEDIA_ARRAYS
from wrapup_bridge.genesys.emulator.state import (
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
)

__all__ = [
    "assigned_wrapup_json",
    "conversation_json",
    "iso",
    "queue_json",
    "wrapup_json",
    "wrapupcode_json",
]

#: The arrays every Participant carries in GET /api/v2/conversations/{id}, empty when unused.
_PARTICIPANT_ARRAYS = (
    "calls", "callbacks", "chats", "cobrowsesessions", "emails", "messages", "screenshares", "socialExpressions",
    "videos",
)  # fmt: skip

_COMMON_KEYS = frozenset({
    "state", "initialState", "id", "direction", "held", "segments", "disconnectType", "connectedTime",
    "disconnectedTime", "provider", "afterCallWork", "afterCallWorkRequired", "wrapup",
})  # fmt: skip

#: Keys each communication model declares, among those the emulator can fill.
_COMMUNICATION_KEYS: dict[Media, frozenset[str]] = {
    Media.VOICE: _COMMON_KEYS,
    Media.CALLBACK: _COMMON_KEYS,
    Media.EMAIL: _COMMON_KEYS | {"subject", "messagesSent"},
    Media.MESSAGE: _COMMON_KEYS | {"type"},
    Media.SOCIAL: _COMMON_KEYS - {"initialState", "direction"},
    Media.VIDEO: _COMMON_KEYS - {"direction", "held", "segments"},
}


def iso(value: datetime) -> str:
    """Genesys's timestamp form: UTC, milliseconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = iso(value) if isinstance(value, datetime) else value


def _division_ref(directory: Directory, division_id: str) -> dict[str, Any]:
    division = directory.divisions.by_id.get(division_id)
    ref: dict[str, Any] = {"id": division_id}
    if division is not None:
        ref["name"] = division.name
    ref["selfUri"] = f"/api/v2/authorization/divisions/{division_id}"
    return ref


def wrapupcode_json(code: WrapupCode, directory: Directory) -> dict[str, Any]:
    """A WrapupCode entity."""
    out: dict[str, Any] = {"id": code.id, "name": code.name, "division": _division_ref(directory, code.division_id)}
    _put(out, "description", code.description)
    _put(out, "dateCreated", code.date_created)
    out["selfUri"] = f"/api/v2/routing/wrapupcodes/{code.id}"
    return out


def queue_json(queue: Queue, directory: Directory) -> dict[str, Any]:
    """A Queue entity (the fields an export of the wrap-up setup needs)."""
    out: dict[str, Any] = {"id": queue.id, "name": queue.name, "division": _division_ref(directory, queue.division_id)}
    _put(out, "description", queue.description)
    acw: dict[str, Any] = {"wrapupPrompt": queue.acw_prompt}
    _put(acw, "timeoutMs", queue.acw_timeout_ms)
    out["acwSettings"] = acw
    out["selfUri"] = f"/api/v2/routing/queues/{queue.id}"
    return out


def wrapup_json(wrapup: WrapupState) -> dict[str, Any]:
    """The Wrapup model carried by a participant and a communication."""
    out: dict[str, Any] = {}
    _put(out, "code", wrapup.code)
    _put(out, "name", wrapup.name)
    _put(out, "notes", wrapup.notes)
    _put(out, "tags", list(wrapup.tags) if wrapup.tags is not None else None)
    _put(out, "durationSeconds", wrapup.duration_seconds)
    _put(out, "endTime", wrapup.end_time)
    if wrapup.provisional:
        out["provisional"] = True
    return out


def assigned_wrapup_json(wrapup: WrapupState) -> dict[str, Any]:
    """AssignedWrapupCode, the answer of GET .../wrapup: the Wrapup fields without ``name``/``provisional``."""
    out = wrapup_json(wrapup)
    out.pop("name", None)
    out.pop("provisional", None)
    return out


def _communication_json(comm: CommunicationState) -> dict[str, Any]:
    out: dict[str, Any] = {"state": comm.state}
    _put(out, "initialState", comm.initial_state)
    out["id"] = comm.id
    _put(out, "direction", comm.direction)
    out["held"] = False
    if comm.connected_time is not None:
        segment: dict[str, Any] = {"type": "Interact"}
        _put(segment, "startTime", comm.connected_time)
        _put(segment, "endTime", comm.disconnected_time)
        if comm.disconnected_time is not None and comm.disconnect_type is not None:
            segment["howEnded"] = comm.disconnect_type
        out["segments"] = [segment]
    _put(out, "disconnectType", comm.disconnect_type)
    _put(out, "connectedTime", comm.connected_time)
    _put(out, "disconnectedTime", comm.disconnected_time)
    _put(out, "provider", comm.provider)
    if comm.after_call_work is not None:
        acw: dict[str, Any] = {}
        _put(acw, "startTime", comm.after_call_work.start_time)
        _put(acw, "endTime", comm.after_call_work.end_time)
        acw["state"] = comm.after_call_work.state
        out["afterCallWork"] = acw
    _put(out, "afterCallWorkRequired", comm.after_call_work_required)
    if comm.wrapup is not None:
        out["wrapup"] = wrapup_json(comm.wrapup)
    _put(out, "subject", comm.subject)
    if comm.media is Media.EMAIL:
        out["messagesSent"] = 1
    _put(out, "type", comm.message_type)
    allowed = _COMMUNICATION_KEYS[comm.media]
    return {key: value for key, value in out.items() if key in allowed}


def participant_json(participant: ParticipantState) -> dict[str, Any]:
    """A Participant of GET /api/v2/conversations/{id}, with its communication arrays."""
    p = participant
    out: dict[str, Any] = {"id": p.id}
    _put(out, "startTime", p.start_time)
    _put(out, "endTime", p.end_time)
    _put(out, "connectedTime", p.connected_time)
    _put(out, "name", p.name)
    if p.user_id is not None:
        out["userUri"] = f"/api/v2/users/{p.user_id}"
        out["userId"] = p.user_id
    _put(out, "queueId", p.queue_id)
    _put(out, "queueName", p.queue_name)
    out["purpose"] = p.purpose
    _put(out, "address", p.address)
    _put(out, "ani", p.ani)
    _put(out, "dnis", p.dnis)
    _put(out, "wrapupRequired", p.wrapup_required)
    _put(out, "wrapupPrompt", p.wrapup_prompt)
    _put(out, "wrapupTimeoutMs", p.wrapup_timeout_ms)
    _put(out, "wrapupSkipped", p.wrapup_skipped)
    if p.wrapup is not None:
        out["wrapup"] = wrapup_json(p.wrapup)
    out["attributes"] = dict(p.attributes)
    arrays: dict[str, list[dict[str, Any]]] = {name: [] for name in _PARTICIPANT_ARRAYS}
    for comm in p.communications:
        arrays[MEDIA_ARRAYS[comm.media]].append(_communication_json(comm))
    out.update(arrays)
    _put(out, "startAcwTime", p.start_acw_time)
    _put(out, "endAcwTime", p.end_acw_time)
    return out


def conversation_json(conv: ConversationState, directory: Directory) -> dict[str, Any]:
    """The Conversation of GET /api/v2/conversations/{id}."""
    out: dict[str, Any] = {"id": conv.id}
    _put(out, "externalTag", conv.external_tag)
    _put(out, "startTime", conv.start_time)
    _put(out, "endTime", conv.end_time)
    _put(out, "address", conv.address)
    out["participants"] = [participant_json(p) for p in conv.participants]
    out["conversationIds"] = [conv.id]
    out["maxParticipants"] = max(10, len(conv.participants))
    out["recordingState"] = "NONE"
    queue_ids = [p.queue_id for p in conv.participants if p.queue_id is not None]
    memberships = []
    for division_id in conv.division_ids:
        entities = [
            {"id": qid, "selfUri": f"/api/v2/routing/queues/{qid}"}
            for qid in dict.fromkeys(queue_ids)
            if (queue := directory.queues.by_id.get(qid)) is not None and queue.division_id == division_id
        ]
        memberships.append({"division": _division_ref(directory, division_id), "entities": entities})
    out["divisions"] = memberships
    out["selfUri"] = f"/api/v2/conversations/{conv.id}"
    return out
