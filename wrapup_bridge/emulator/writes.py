"""Wrap-up writes: read the request body the way Genesys does, apply its rules, record what was accepted.

Bodies are strict, as Genesys's own deserializer is: an unknown field or a wrongly typed value is a 400 that
names the field. The rules that decide whether a well-formed wrap-up is accepted are UNSURE in public
sources, so each one follows a switch of ``EmulatorConfig`` and answers with its ``rejection_status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wrapup_bridge.core.outcome import is_system_code
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.runtime import WriteRecord
from wrapup_bridge.emulator.state import (
    AfterCallWorkState,
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
)

__all__ = [
    "ParticipantUpdate",
    "WrapupInput",
    "apply_call_control",
    "apply_wrapup",
    "parse_participant_update",
    "parse_wrapup_input",
    "refuse_on_ended",
]

_REJECTION_CODES = {400: "invalid.value", 409: "conflict", 422: "payload.or.params.invalid"}
_PARTICIPANT_STATES = frozenset({
    "alerting", "dialing", "contacting", "offering", "connected", "disconnected", "terminated", "converting",
    "uploading", "transmitting", "parked", "none",
})  # fmt: skip


@dataclass(frozen=True)
class WrapupInput:
    """A parsed WrapupInput body."""

    code: str | None = None
    name: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    duration_seconds: int | None = None
    end_time: datetime | None = None
    provisional: bool = False
    disable_end_time_updates: bool = False


@dataclass(frozen=True)
class ParticipantUpdate:
    """A parsed MediaParticipantRequest body (PATCH participant): every field Genesys takes, each acted on."""

    wrapup: WrapupInput | None
    wrapup_skipped: bool | None
    state: str | None
    recording: bool | None = None
    muted: bool | None = None
    confined: bool | None = None
    held: bool | None = None
    resume_time: datetime | None = None

    @property
    def call_control(self) -> list[str]:
        """The fields that act on the live communication rather than on the wrap-up."""
        fields = ("state", "recording", "muted", "confined", "held", "resumeTime")
        values = (self.state, self.recording, self.muted, self.confined, self.held, self.resume_time)
        return [name for name, value in zip(fields, values, strict=True) if value is not None]


def _expect(value: Any, kind: type | tuple[type, ...], model: str, field: str, described: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError.bad_request(
            f"Invalid value for {model}.{field}: expected {described}, got {json_type(value)}", field=field
        )
    return value


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _datetime(value: Any, model: str, field: str) -> datetime | None:
    text = _expect(value, str, model, field, "an ISO-8601 date-time string")
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(
            400, "invalid.date", f"Invalid value for {model}.{field}: {text!r} is not an ISO-8601 date-time with a zone"
        )
    return parsed


def _check_fields(body: Any, model: str, known: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError.bad_request(f"The {model} body must be a JSON object, not {json_type(body)}")
    for key in body:
        if key not in known:
            raise ApiError.bad_request(
                f'Unrecognized field "{key}" in {model}; known fields: {", ".join(known)}', field=str(key)
            )
    return body


_WRAPUP_FIELDS = ("code", "name", "notes", "tags", "durationSeconds", "endTime", "provisional", "disableEndTimeUpdates")
_PARTICIPANT_FIELDS = ("wrapup", "state", "recording", "muted", "confined", "held", "wrapupSkipped", "resumeTime")


def parse_wrapup_input(body: Any, model: str = "WrapupInput") -> WrapupInput:
    """A WrapupInput body; None (no body: the SDK marks it optional) reads as an empty one."""
    fields = _check_fields({} if body is None else body, model, _WRAPUP_FIELDS)
    tags = _expect(fields.get("tags"), list, model, "tags", "an array of strings")
    if tags is not None and not all(isinstance(t, str) for t in tags):
        raise ApiError.bad_request(f"Invalid value for {model}.tags: every tag must be a string", field="tags")
    duration = _expect(fields.get("durationSeconds"), int, model, "durationSeconds", "an integer")
    if duration is not None and duration < 0:
        raise ApiError.bad_request(f"{model}.durationSeconds cannot be negative", field="durationSeconds")
    return WrapupInput(
        code=_expect(fields.get("code"), str, model, "code", "a string (the wrap-up code id)"),
        name=_expect(fields.get("name"), str, model, "name", "a string"),
        notes=_expect(fields.get("notes"), str, model, "notes", "a string"),
        tags=tags,
        duration_seconds=duration,
        end_time=_datetime(fields.get("endTime"), model, "endTime"),
        provisional=bool(_expect(fields.get("provisional"), bool, model, "provisional", "a boolean")),
        disable_end_time_updates=bool(
            _expect(fields.get("disableEndTimeUpdates"), bool, model, "disableEndTimeUpdates", "a boolean")
        ),
    )


def parse_participant_update(body: Any) -> ParticipantUpdate:
    """A MediaParticipantRequest body; fields the emulator does not model are type-checked, then ignored."""
    model = "MediaParticipantRequest"
    fields = _check_fields({} if body is None else body, model, _PARTICIPANT_FIELDS)
    flags = {
        flag: _expect(fields.get(flag), bool, model, flag, "a boolean")
        for flag in ("recording", "muted", "confined", "held")
    }
    resume_time = _datetime(fields.get("resumeTime"), model, "resumeTime")
    state = _expect(fields.get("state"), str, model, "state", "a string")
    if state is not None and state not in _PARTICIPANT_STATES:
        raise ApiError(
            400,
            "invalid.value",
            f"Value [{state}] is not valid for field type [state]. Allowable values are: "
            + ", ".join(sorted(_PARTICIPANT_STATES)),
        )
    wrapup = fields.get("wrapup")
    return ParticipantUpdate(
        wrapup=None if wrapup is None else parse_wrapup_input(wrapup, f"{model}.wrapup"),
        wrapup_skipped=_expect(fields.get("wrapupSkipped"), bool, model, "wrapupSkipped", "a boolean"),
        state=state,
        recording=flags["recording"],
        muted=flags["muted"],
        confined=flags["confined"],
        held=flags["held"],
        resume_time=resume_time,
    )


def refuse_on_ended(
    call: Call, conversation: ConversationState, participant: ParticipantState, fields: list[str]
) -> None:
    """A PATCH that acts on the live call (state, hold, mute, recording...) of a participant whose
    communications are over: 403 ``not.authorized``, with ``messageWithParams``/``messageParams``, as Genesys
    answers when such a PATCH carries more than ``wrapup``."""
    if fields and participant.ended:
        raise ApiError.templated(
            403,
            "not.authorized",
            "Participant {participantId} of conversation {conversationId} is disconnected; {fields} cannot be "
            "changed. Send only wrapup (or wrapupSkipped) to a participant that has ended.",
            {"participantId": participant.id, "conversationId": conversation.id, "fields": ", ".join(fields)},
            entity_id=participant.id,
        )


def apply_call_control(call: Call, participant: ParticipantState, update: ParticipantUpdate) -> None:
    """Hold, mute, confine, record and resume act on the participant's live communications."""
    with call.runtime.lock:
        for comm in participant.communications:
            if comm.ended:
                continue
            if update.held is not None:
                comm.held = update.held
            if update.muted is not None:
                comm.muted = update.muted
            if update.confined is not None:
                comm.confined = update.confined
            if update.recording is not None:
                comm.recording = update.recording
            if update.state == "connected" and comm.state in ("alerting", "offering", "parked"):
                comm.state = "connected"
                if comm.connected_time is None:
                    comm.connected_time = call.runtime.now()
                    participant.connected_time = participant.connected_time or comm.connected_time


def reject(call: Call, message: str, *, field: str | None = None, entity_id: str | None = None) -> ApiError:
    """A wrap-up rule rejection, with the configured status."""
    status = call.runtime.config.rejection_status
    details = [{"errorCode": _REJECTION_CODES[status], "fieldName": field}] if field else None
    return ApiError(status, _REJECTION_CODES[status], message, details=details, entity_id=entity_id)


def require_agent(call: Call, participant: ParticipantState) -> None:
    if not participant.is_agent:
        raise reject(
            call,
            f"Participant {participant.id} has purpose '{participant.purpose}'"
            + ("" if participant.user_id else " and no user")
            + "; only an agent participant can be wrapped up",
            entity_id=participant.id,
        )


def _check_code(call: Call, participant: ParticipantState, wrapup: WrapupInput) -> tuple[str | None, str | None]:
    rt = call.runtime
    if wrapup.code is None:
        if wrapup.provisional:
            return None, None
        raise reject(call, "A wrap-up code is required: set code to the wrap-up code id", field="code")
    code = rt.directory.codes.by_id.get(wrapup.code.lower())
    if code is None:
        named = rt.directory.code_by_name(wrapup.code)
        why = (
            "that is a wrap-up code name; the code field takes the wrap-up code id"
            if named is not None
            else "no wrap-up code has this id"
        )
        raise reject(call, f"The wrap-up code [{wrapup.code}] is invalid: {why}", field="code")
    client = call.token.client
    if rt.config.division_access_enforced and not client.sees_division(code.division_id):
        division = rt.directory.divisions.by_id[code.division_id].name
        raise reject(
            call,
            f"The wrap-up code [{code.id}] is invalid for this client: it belongs to division [{division}], "
            "which the OAuth client is not granted",
            field="code",
            entity_id=code.id,
        )
    if rt.config.queue_codes_enforced and participant.queue_id is not None:
        queue = rt.directory.queues.by_id.get(participant.queue_id)
        if queue is not None and code.id not in queue.code_id_set:
            raise reject(
                call,
                f"The wrap-up code [{code.name}] ({code.id}) is not valid for queue [{queue.name}] ({queue.id}) "
                f"of participant {participant.id}",
                field="code",
                entity_id=code.id,
            )
    return code.id, code.name


def _check_time(call: Call, conversation: ConversationState, participant: ParticipantState) -> None:
    window = call.runtime.config.late_write_window_seconds
    if window is None or conversation.end_time is None:
        return
    ended = conversation.end_time
    if participant.end_acw_time is not None and participant.end_acw_time > ended:
        ended = participant.end_acw_time
    if call.runtime.now() > ended + timedelta(seconds=window):
        raise reject(
            call,
            f"Wrap-up can no longer be set for participant {participant.id}: the conversation ended at "
            f"{ended.isoformat()}, more than {window:g} seconds ago",
            entity_id=participant.id,
        )


def _check_overwrite(call: Call, participant: ParticipantState, code_id: str | None) -> None:
    existing = participant.wrapup
    if existing is None or existing.provisional:
        return
    if is_system_code(existing.code):
        if call.runtime.config.system_code_overwrite == "reject" and code_id != existing.code:
            raise reject(
                call,
                f"Participant {participant.id} carries the system wrap-up code [{existing.code}]; it cannot be "
                "replaced by another wrap-up",
                field="code",
                entity_id=participant.id,
            )
        return
    if call.runtime.config.overwrite != "reject":
        return
    if code_id is None or existing.code != code_id:
        shown = f"[{existing.name}] ({existing.code})" if existing.name else f"[{existing.code}]"
        raise reject(
            call,
            f"Participant {participant.id} already has wrap-up code {shown}; a different wrap-up cannot replace it",
            field="code",
            entity_id=participant.id,
        )


def apply_wrapup(
    call: Call,
    conversation: ConversationState,
    participant: ParticipantState,
    communication: CommunicationState,
    wrapup: WrapupInput,
    body: Any,
) -> None:
    """Check ``wrapup`` against every rule, then set it on the participant and communication and log it."""
    rt = call.runtime
    require_agent(call, participant)
    code_id, name = _check_code(call, participant, wrapup)
    _check_time(call, conversation, participant)
    _check_overwrite(call, participant, code_id)
    now = rt.now()
    end_time = wrapup.end_time
    previous = participant.wrapup
    if end_time is None and not wrapup.provisional:
        end_time = now
    if wrapup.disable_end_time_updates and previous is not None and previous.end_time is not None:
        end_time = previous.end_time
    state = WrapupState(
        code=code_id,
        name=name,
        notes=wrapup.notes,
        tags=list(wrapup.tags) if wrapup.tags is not None else None,
        duration_seconds=wrapup.duration_seconds,
        end_time=end_time,
        provisional=wrapup.provisional,
        applied_at=rt.time(),
    )
    with rt.lock:
        participant.wrapup = state
        communication.wrapup = state
        participant.wrapup_history.append(state)
        if not wrapup.provisional:
            participant.wrapup_skipped = None
            if communication.after_call_work is not None:
                communication.after_call_work.state = "complete"
            elif communication.state == "disconnected":
                communication.after_call_work = AfterCallWorkState("complete", communication.disconnected_time)
        _log(call, conversation, participant, communication, code_id, body)


def apply_skip(call: Call, conversation: ConversationState, participant: ParticipantState, body: Any) -> None:
    """wrapupSkipped=true: the agent skips wrap-up; analytics then shows acwSkipped."""
    require_agent(call, participant)
    _check_time(call, conversation, participant)
    communication = participant.communication()
    with call.runtime.lock:
        participant.wrapup_skipped = True
        if communication is not None and communication.after_call_work is not None:
            communication.after_call_work.state = "skipped"
        _log(call, conversation, participant, communication, None, body)


def disconnect(call: Call, participant: ParticipantState) -> None:
    """state=disconnected: end the participant's connected communications; ACW starts now."""
    now = call.runtime.now()
    with call.runtime.lock:
        for comm in participant.communications:
            if comm.state != "disconnected":
                comm.state = "disconnected"
                comm.disconnected_time = now
                comm.disconnect_type = "client"
                if participant.is_agent and comm.after_call_work is None:
                    comm.after_call_work = AfterCallWorkState("pending", now)
        if participant.end_time is None:
            participant.end_time = now
        if participant.is_agent and participant.start_acw_time is None:
            participant.start_acw_time = now


def _log(
    call: Call,
    conversation: ConversationState,
    participant: ParticipantState,
    communication: CommunicationState | None,
    code_id: str | None,
    body: Any,
) -> None:
    record = WriteRecord(
        time=call.runtime.now(),
        method=call.method,
        path=call.path,
        conversation_id=conversation.id,
        participant_id=participant.id,
        communication_id=communication.id if communication is not None else None,
        code_id=code_id,
        body=body,
        client_id=call.token.client.client_id,
    )
    call.runtime.write_log.append(record)
    call.runtime.journal_append(record)
    call.writes.append(record)
