"""Handlers for the conversation endpoints: read a conversation, read and write a participant's wrap-up."""

from __future__ import annotations

from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.render import (
    assigned_wrapup_json,
    conversation_json,
    media_conversation_json,
    wrapupcode_json,
)
from wrapup_bridge.emulator.state import CommunicationState, ConversationState, ParticipantState, WrapupState
from wrapup_bridge.emulator.writes import (
    apply_call_control,
    apply_skip,
    apply_wrapup,
    disconnect,
    parse_participant_update,
    parse_wrapup_input,
    refuse_on_ended,
)

__all__ = [
    "MEDIA_BY_SEGMENT",
    "MEDIA_SEGMENTS",
    "get_communication_wrapup",
    "get_conversation",
    "get_media_conversation",
    "get_participant_wrapup",
    "get_participant_wrapupcodes",
    "patch_participant",
    "post_communication_wrapup",
]

#: Media -> its path segment in /api/v2/conversations/{segment}/{id}/... (the emulator's own table of the API it
#: emulates, written from Genesys's documentation, not shared with the client's).
MEDIA_SEGMENTS: dict[Media, str] = {
    Media.VOICE: "calls",
    Media.CALLBACK: "callbacks",
    Media.EMAIL: "emails",
    Media.MESSAGE: "messages",
    Media.SOCIAL: "socials",
    Media.VIDEO: "videos",
}
#: Path segment (calls, callbacks, ...) -> media.
MEDIA_BY_SEGMENT: dict[str, Media] = {segment: media for media, segment in MEDIA_SEGMENTS.items()}


def _conversation(call: Call, write: bool = False) -> ConversationState:
    """The path's conversation; ``write``: one the handler will change (a generated one is kept from now on)."""
    conversation_id = call.params["conversationId"]
    conversations = call.runtime.conversations
    key = conversation_id.lower()
    conversation = conversations.for_write(key) if write else conversations.get(key)
    if conversation is None:
        raise ApiError.not_found(f"Conversation {conversation_id}", conversation_id)
    return conversation


def _participant(call: Call, conversation: ConversationState) -> ParticipantState:
    participant_id = call.params["participantId"]
    participant = conversation.participant_by_id.get(participant_id.lower())
    if participant is None:
        raise ApiError.not_found(f"Participant {participant_id} of conversation {conversation.id}", participant_id)
    return participant


def _media(call: Call) -> Media | None:
    segment = call.params.get("media")
    return None if segment is None else MEDIA_BY_SEGMENT[segment]


def _locate(call: Call, write: bool = False) -> tuple[ConversationState, ParticipantState]:
    """Conversation and participant of the path; a media path needs a communication of that media."""
    conversation = _conversation(call, write)
    participant = _participant(call, conversation)
    media = _media(call)
    if media is not None and participant.communication(media) is None:
        raise ApiError(
            404,
            "not.found",
            f"Participant {participant.id} has no {call.params['media']} communication in conversation "
            f"{conversation.id}",
            entity_id=participant.id,
        )
    return conversation, participant


def _communication(call: Call, conversation: ConversationState, participant: ParticipantState) -> CommunicationState:
    communication_id = call.params["communicationId"]
    found = conversation.communication_by_id.get(communication_id.lower())
    if found is None or found[0] is not participant:
        raise ApiError.not_found(f"Communication {communication_id} of participant {participant.id}", communication_id)
    communication = found[1]
    media = _media(call)
    if media is not None and communication.media is not media:
        raise ApiError(
            404,
            "not.found",
            f"Communication {communication.id} is a {MEDIA_SEGMENTS[communication.media]} communication, "
            f"not one of {call.params['media']}",
            entity_id=communication.id,
        )
    return communication


def _wrapup_answer(call: Call, wrapup: WrapupState | None, what: str) -> tuple[int, Any]:
    provisional = call.request.query_params.get("provisional", "false").lower() == "true"
    if wrapup is not None and (provisional or not wrapup.provisional):
        return 200, assigned_wrapup_json(wrapup)
    if call.runtime.config.unset_wrapup_get == "not_found":
        raise ApiError.not_found(f"Wrap-up of {what}")
    return 200, {}


async def get_conversation(call: Call) -> tuple[int, Any]:
    """GET /api/v2/conversations/{conversationId}."""
    conversation = _conversation(call)
    return 200, conversation_json(conversation, call.runtime.directory)


async def get_media_conversation(call: Call) -> tuple[int, Any]:
    """GET /api/v2/conversations/{calls|callbacks|emails|messages}/{conversationId}: the media view integrators
    use (flat participants with ``user``/``queue`` references, no communication ids)."""
    conversation = _conversation(call)
    media = _media(call)
    assert media is not None
    if not any(p.communication(media) is not None for p in conversation.participants):
        raise ApiError.not_found(f"A {call.params['media']} conversation {conversation.id}", conversation.id)
    return 200, media_conversation_json(conversation, call.runtime.directory, media)


async def get_participant_wrapup(call: Call) -> tuple[int, Any]:
    """GET /api/v2/conversations[/{media}]/{conversationId}/participants/{participantId}/wrapup."""
    _, participant = _locate(call)
    return _wrapup_answer(call, participant.wrapup, f"participant {participant.id}")


async def get_participant_wrapupcodes(call: Call) -> tuple[int, Any]:
    """GET .../participants/{participantId}/wrapupcodes: the codes of the participant's queue, by name."""
    _, participant = _locate(call)
    directory = call.runtime.directory
    queue = directory.queues.by_id.get(participant.queue_id) if participant.queue_id else None
    if queue is None:
        return 200, []
    codes = sorted((directory.codes.by_id[c] for c in queue.code_ids), key=lambda c: (c.name.casefold(), c.id))
    return 200, [wrapupcode_json(code, directory) for code in codes]


async def get_communication_wrapup(call: Call) -> tuple[int, Any]:
    """GET /api/v2/conversations/{media}/{cid}/participants/{pid}/communications/{commId}/wrapup."""
    conversation, participant = _locate(call)
    communication = _communication(call, conversation, participant)
    return _wrapup_answer(call, communication.wrapup, f"communication {communication.id}")


def _writes_allowed(call: Call) -> None:
    if not call.runtime.config.client_credentials_may_wrapup:
        raise ApiError(
            403,
            "not.authorized",
            "A client-credentials token acts as no user and cannot set wrap-up for an agent's participant",
        )


async def post_communication_wrapup(call: Call) -> tuple[int, Any]:
    """POST /api/v2/conversations/{media}/{cid}/participants/{pid}/communications/{commId}/wrapup: 202, no body."""
    _writes_allowed(call)
    body = await call.json_body()
    wrapup = parse_wrapup_input(body)
    call.runtime.analytics.changed()
    conversation, participant = _locate(call, write=True)
    communication = _communication(call, conversation, participant)
    apply_wrapup(call, conversation, participant, communication, wrapup, body)
    return 202, None


async def patch_participant(call: Call) -> tuple[int, Any]:
    """PATCH /api/v2/conversations[/{media}]/{cid}/participants/{pid} with a MediaParticipantRequest: 202."""
    body = await call.json_body()
    update = parse_participant_update(body)
    if update.wrapup is not None or update.wrapup_skipped:
        _writes_allowed(call)
    conversation, participant = _locate(call, write=True)
    call.runtime.analytics.changed()
    refuse_on_ended(call, conversation, participant, update.call_control)
    if update.state == "disconnected":
        disconnect(call, participant)
    apply_call_control(call, participant, update)
    if update.wrapup is not None:
        communication = participant.communication(_media(call))
        if communication is None:
            raise ApiError.not_found(f"A communication of participant {participant.id}", participant.id)
        apply_wrapup(call, conversation, participant, communication, update.wrapup, body)
    elif update.wrapup_skipped:
        apply_skip(call, conversation, participant, body)
    return 202, None
