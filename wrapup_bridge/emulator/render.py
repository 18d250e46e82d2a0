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
from wrapup_bridge.emulator.directory import Directory, Queue, WrapupCode
from wrapup_bridge.emulator.orgfile import MEDIA_ARRAYS
from wrapup_bridge.emulator.state import (
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
    "disconnectedTime", "provider", "afterCallWork", "afterCallWorkRequired", "wrapup", "startAlertingTime",
    "peerId",
})  # fmt: skip

#: Keys only the Call model declares.
_CALL_ONLY = frozenset({"recording", "muted", "confined"})

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
    """Genesys's timestamp form: UTC, ``Z``, milliseconds only when there are some.

    Real payloads drop zero milliseconds (``"2022-07-04T11:00:00Z"`` beside ``"...:01.092Z"``), which is what
    makes comparing Genesys times as text wrong; the emulator does the same so clients meet both forms."""
    value = value.astimezone(UTC)
    millis = value.microsecond // 1000
    whole = value.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{whole}.{millis:03d}Z" if millis else f"{whole}Z"


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


def communication_segments(comm: CommunicationState) -> list[dict[str, Any]]:
    """The conversation API's segments of a communication, PascalCase as Genesys writes them: an ``Alert``
    (ended by ``Interact`` when answered, else by ``Disconnect`` with its disconnectType), then an
    ``Interact`` ending with the communication's disconnect."""
    segments: list[dict[str, Any]] = []
    if comm.start_alerting_time is not None:
        alert: dict[str, Any] = {}
        _put(alert, "startTime", comm.start_alerting_time)
        alert_end = comm.connected_time or comm.disconnected_time
        _put(alert, "endTime", alert_end)
        alert["type"] = "Alert"
        if comm.connected_time is not None:
            alert["howEnded"] = "Interact"
        elif comm.disconnected_time is not None:
            alert["howEnded"] = "Disconnect"
            _put(alert, "disconnectType", comm.disconnect_type)
        segments.append(alert)
    if comm.connected_time is not None:
        interact: dict[str, Any] = {}
        _put(interact, "startTime", comm.connected_time)
        _put(interact, "endTime", comm.disconnected_time)
        interact["type"] = "Interact"
        if comm.disconnected_time is not None:
            interact["howEnded"] = "Disconnect"
            _put(interact, "disconnectType", comm.disconnect_type)
        segments.append(interact)
    return segments


def _communication_json(comm: CommunicationState) -> dict[str, Any]:
    out: dict[str, Any] = {"state": comm.state}
    _put(out, "initialState", comm.initial_state)
    out["id"] = comm.id
    _put(out, "direction", comm.direction)
    out["held"] = comm.held
    segments = communication_segments(comm)
    if segments:
        out["segments"] = segments
    _put(out, "disconnectType", comm.disconnect_type)
    _put(out, "startAlertingTime", comm.start_alerting_time)
    _put(out, "connectedTime", comm.connected_time)
    _put(out, "disconnectedTime", comm.disconnected_time)
    _put(out, "provider", comm.provider)
    _put(out, "peerId", comm.peer_id)
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
    if comm.media is Media.VOICE:
        _put(out, "recording", comm.recording)
        _put(out, "muted", comm.muted)
        _put(out, "confined", comm.confined)
    allowed = _COMMUNICATION_KEYS[comm.media] | (_CALL_ONLY if comm.media is Media.VOICE else frozenset())
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
    _put(out, "alertingTimeoutMs", p.alerting_timeout_ms)
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


#: Keys of the media view participants (GET /api/v2/conversations/{calls|...}/{id}) beyond the common ones.
MEDIA_VIEW_KEYS: dict[Media, frozenset[str]] = {
    Media.VOICE: frozenset({"ani", "dnis", "muted", "confined", "recording"}),
    Media.CALLBACK: frozenset(),
    Media.EMAIL: frozenset({"subject", "messagesSent"}),
    Media.MESSAGE: frozenset({"type"}),
}


def _ref(kind: str, entity_id: str | None) -> dict[str, Any] | None:
    return None if entity_id is None else {"id": entity_id, "selfUri": f"/api/v2/{kind}/{entity_id}"}


def media_participant_json(p: ParticipantState, comm: CommunicationState) -> dict[str, Any]:
    """A ``CallMediaParticipant`` (or Callback/Email/Message): flat, the communication's state on the participant,
    ``user``/``queue`` as references, ``peer`` instead of ``peerId``, no communication id and no segments."""
    out: dict[str, Any] = {"id": p.id}
    _put(out, "name", p.name)
    _put(out, "address", p.address)
    _put(out, "startTime", p.start_time)
    _put(out, "startAlertingTime", comm.start_alerting_time)
    _put(out, "connectedTime", comm.connected_time or p.connected_time)
    _put(out, "endTime", p.end_time)
    out["purpose"] = p.purpose
    out["state"] = comm.state
    _put(out, "direction", comm.direction)
    _put(out, "disconnectType", comm.disconnect_type)
    out["held"] = comm.held
    _put(out, "wrapupRequired", p.wrapup_required)
    _put(out, "wrapupPrompt", p.wrapup_prompt)
    _put(out, "user", _ref("users", p.user_id))
    _put(out, "queue", _ref("routing/queues", p.queue_id))
    out["attributes"] = dict(p.attributes)
    _put(out, "wrapupTimeoutMs", p.wrapup_timeout_ms)
    _put(out, "wrapupSkipped", p.wrapup_skipped)
    _put(out, "alertingTimeoutMs", p.alerting_timeout_ms)
    _put(out, "provider", comm.provider)
    if p.wrapup is not None:
        out["wrapup"] = wrapup_json(p.wrapup)
    _put(out, "peer", comm.peer_id)
    _put(out, "startAcwTime", p.start_acw_time)
    _put(out, "endAcwTime", p.end_acw_time)
    extra: dict[str, Any] = {}
    _put(extra, "ani", p.ani)
    _put(extra, "dnis", p.dnis)
    _put(extra, "muted", comm.muted)
    _put(extra, "confined", comm.confined)
    _put(extra, "recording", comm.recording)
    _put(extra, "subject", comm.subject)
    if comm.media is Media.EMAIL:
        extra["messagesSent"] = 1
    _put(extra, "type", comm.message_type)
    out.update({k: v for k, v in extra.items() if k in MEDIA_VIEW_KEYS[comm.media]})
    return out


def media_conversation_json(conv: ConversationState, directory: Directory, media: Media) -> dict[str, Any]:
    """``CallConversation`` (or Callback/Email/Message) of GET /api/v2/conversations/{calls|...}/{id}."""
    participants = []
    for p in conv.participants:
        comm = p.communication(media)
        if comm is not None:
            participants.append(media_participant_json(p, comm))
    full = conversation_json(conv, directory)
    out: dict[str, Any] = {"id": conv.id, "participants": participants, "otherMediaUris": []}
    out["divisions"] = full["divisions"]
    if media is Media.VOICE:
        out["recordingState"] = "none"
        out["maxParticipants"] = full["maxParticipants"]
    segment = {Media.VOICE: "calls", Media.CALLBACK: "callbacks", Media.EMAIL: "emails", Media.MESSAGE: "messages"}
    out["selfUri"] = f"/api/v2/conversations/{segment[media]}/{conv.id}"
    return out
