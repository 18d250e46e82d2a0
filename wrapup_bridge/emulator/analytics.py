"""Analytics conversation details: the read-back a replay uses to verify what Genesys recorded.

Each participant becomes sessions (one per communication) made of segments; a wrap-up shows as a segment
with ``segmentType: wrapup`` carrying ``wrapUpCode``/``wrapUpNote``/``wrapUpTags``. Two UNSURE facts are
switches: whether ``sessionId`` equals the conversation API's communication id, and how long a write takes
to show up here. This module renders a conversation and serves the by-id reads; the details query is
emulator.analytics_query, the async jobs emulator.analytics_jobs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.paging import list_param
from wrapup_bridge.emulator.render import iso
from wrapup_bridge.emulator.runtime import Runtime
from wrapup_bridge.emulator.state import (
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
    derive_id,
)

__all__ = ["MEDIA_TYPES", "analytics_conversation", "get_conversation_details", "get_details", "originating_direction"]

#: Media -> analytics mediaType.
MEDIA_TYPES = {
    Media.VOICE: "voice",
    Media.CALLBACK: "callback",
    Media.EMAIL: "email",
    Media.MESSAGE: "message",
    Media.SOCIAL: "unknown",
    Media.VIDEO: "video",
}

#: Conversation API disconnectType -> analytics disconnectType.
_DISCONNECT_TYPES = {
    "endpoint": "endpoint", "client": "client", "system": "system", "timeout": "timeout", "transfer": "transfer",
    "transfer.conference": "conferenceTransfer", "transfer.consult": "consultTransfer",
    "transfer.donotdisturb": "dndTransfer", "endpoint.donotdisturb": "dndEndpoint",
    "transfer.forward": "forwardTransfer", "transfer.noanswer": "noAnswerTransfer",
    "transfer.notavailable": "notAvailableTransfer", "transport.failure": "transportFailure", "error": "error",
    "peer": "peer", "other": "other", "spam": "spam", "uncallable": "uncallable", "inactivity": "inactivity",
    "session.expired": "sessionExpired", "takeover": "takeover",
}  # fmt: skip


def _visible_wrapup(rt: Runtime, participant: ParticipantState) -> WrapupState | None:
    """The latest wrap-up analytics has caught up with (writes show after ``analytics_lag_seconds``)."""
    now = rt.time()
    lag = rt.config.analytics_lag_seconds
    for wrapup in reversed(participant.wrapup_history):
        if wrapup.applied_at is None or wrapup.applied_at + lag <= now:
            return None if wrapup.provisional else wrapup
    return None


def _segment(
    kind: str, start: datetime | None, end: datetime | None, queue_id: str | None, disconnect: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if start is not None:
        out["segmentStart"] = iso(start)
    if end is not None and (start is None or end >= start):
        out["segmentEnd"] = iso(end)
    out["segmentType"] = kind
    if queue_id is not None:
        out["queueId"] = queue_id
    if disconnect is not None and end is not None:
        out["disconnectType"] = _DISCONNECT_TYPES.get(disconnect, "other")
    return out


def _session(
    rt: Runtime,
    conversation: ConversationState,
    participant: ParticipantState,
    comm: CommunicationState,
    wrapup: WrapupState | None,
    peers: dict[str, str],
    numbers: tuple[str | None, str | None],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if participant.wrapup_skipped:
        out["acwSkipped"] = True
    # Every voice session of a conversation carries the caller's ani and the dialled dnis, the agent's too
    # (a real 2024 inbound voice details sample: customer, ivr, acd and agent sessions; tests/emulator/details_samples.py).
    voice = comm.media is Media.VOICE
    ani = participant.ani or (numbers[0] if voice else None)
    dnis = participant.dnis or (numbers[1] if voice else None)
    if ani:
        out["ani"] = ani
    if comm.direction:
        out["direction"] = comm.direction
    if dnis:
        out["dnis"] = dnis
    out["mediaType"] = MEDIA_TYPES[comm.media]
    if comm.message_type:
        out["messageType"] = comm.message_type
    if comm.peer_id is not None:
        # An agent session's peerId is the customer's sessionId (seen in real details).
        out["peerId"] = peers.get(comm.peer_id, comm.peer_id)
    out["sessionId"] = peers[comm.id]
    queue_id = participant.queue_id
    segments = []
    if comm.start_alerting_time is not None:
        # An alert ends when it is answered (no disconnectType) or when it rang out / was declined.
        answered = comm.connected_time is not None
        alert_end = comm.connected_time or comm.disconnected_time
        segments.append(
            _segment("alert", comm.start_alerting_time, alert_end, queue_id, None if answered else comm.disconnect_type)
        )
    if comm.connected_time is not None or comm.start_alerting_time is None:
        start = comm.connected_time or participant.start_time or conversation.start_time
        segments.append(_segment("interact", start, comm.disconnected_time, queue_id, comm.disconnect_type))
    if wrapup is not None:
        wrap_start = comm.disconnected_time or participant.start_acw_time or conversation.end_time
        wrap_end = wrapup.end_time or participant.end_acw_time or wrap_start
        segment = _segment("wrapup", wrap_start, wrap_end, queue_id, None)
        segment["wrapUpCode"] = wrapup.code
        if wrapup.notes is not None:
            segment["wrapUpNote"] = wrapup.notes
        if wrapup.tags:
            segment["wrapUpTags"] = list(wrapup.tags)
        segments.append(segment)
    out["segments"] = segments
    return out


def _voice_numbers(conversation: ConversationState) -> tuple[str | None, str | None]:
    """The conversation's (ani, dnis): the customer's, as the org file gives them."""
    customers = [p for p in conversation.participants if p.purpose == "customer"]
    return (
        next((p.ani for p in customers if p.ani), None),
        next((p.dnis for p in customers if p.dnis), None),
    )


def originating_direction(conversation: ConversationState) -> str | None:
    return next(
        (c.direction for p in conversation.participants if p.purpose == "customer" for c in p.communications),
        None,
    )


#: Purposes analytics names (participantName); agents and the acd get none, as in real details.
_NAMED_PURPOSES = frozenset({"customer", "external", "ivr", "workflow", "botflow", "voicemail", "fax"})


def analytics_conversation(rt: Runtime, conversation: ConversationState, *, attributes: bool = False) -> dict[str, Any]:
    """AnalyticsConversationWithoutAttributes for one conversation, or with ``attributes`` an AnalyticsConversation:
    the same with each participant's ``attributes`` (SDK AnalyticsParticipant.attributes, "List of attributes
    associated to this participant"; the async jobs' results are AnalyticsConversation, the query's and the by-id
    reads' ...WithoutAttributes). A participant without attributes has none rendered."""
    out: dict[str, Any] = {}
    if conversation.end_time is not None:
        out["conversationEnd"] = iso(conversation.end_time)
    out["conversationId"] = conversation.id
    out["conversationStart"] = iso(conversation.start_time)
    out["divisionIds"] = list(conversation.division_ids)
    if conversation.external_tag is not None:
        out["externalTag"] = conversation.external_tag
    direction = originating_direction(conversation)
    if direction is not None:
        out["originatingDirection"] = direction
    same = rt.config.analytics_session_is_communication
    peers = {
        c.id: c.id if same else derive_id(c.id, "analytics-session")
        for p in conversation.participants
        for c in p.communications
    }
    numbers = _voice_numbers(conversation)
    participants = []
    for participant in conversation.participants:
        wrapup = _visible_wrapup(rt, participant) if participant.is_agent else None
        sessions = []
        for index, comm in enumerate(participant.communications):
            # The wrap-up goes on the communication it was written to, or on the latest one.
            carries = comm.wrapup is not None or index == len(participant.communications) - 1
            sessions.append(_session(rt, conversation, participant, comm, wrapup if carries else None, peers, numbers))
            if carries:
                wrapup = None
        p: dict[str, Any] = {"participantId": participant.id}
        if participant.purpose in _NAMED_PURPOSES:
            name = (
                participant.name or participant.address or ("Customer" if participant.purpose == "customer" else None)
            )
            if name:
                p["participantName"] = name
        p["purpose"] = participant.purpose
        if participant.user_id is not None:
            p["userId"] = participant.user_id
        p["sessions"] = sessions
        if attributes and participant.attributes:
            p["attributes"] = dict(participant.attributes)
        participants.append(p)
    out["participants"] = participants
    return out


def _permitted_ids(call: Call) -> list[str]:
    ids = list_param(call.request.query_params, "id")
    if not ids:
        raise ApiError.bad_request("The id query parameter is required: comma-separated conversation ids", field="id")
    limit = call.runtime.config.analytics_max_ids
    if limit is not None and len(ids) > limit:
        raise ApiError.bad_request(f"Too many conversation ids: {len(ids)} given, at most {limit} allowed", field="id")
    return ids


async def get_details(call: Call) -> tuple[int, Any]:
    """GET /api/v2/analytics/conversations/details?id=a,b: the conversations found (unknown ids are left out)."""
    rt = call.runtime
    found = [rt.conversations.get(i.lower()) for i in dict.fromkeys(_permitted_ids(call))]
    conversations = [analytics_conversation(rt, c) for c in found if c is not None]
    return 200, ({"conversations": conversations} if conversations else {})


async def get_conversation_details(call: Call) -> tuple[int, Any]:
    """GET /api/v2/analytics/conversations/{conversationId}/details."""
    rt = call.runtime
    conversation_id = call.params["conversationId"]
    conversation = rt.conversations.get(conversation_id.lower())
    if conversation is None:
        raise ApiError.not_found(f"Conversation {conversation_id}", conversation_id)
    return 200, analytics_conversation(rt, conversation)
