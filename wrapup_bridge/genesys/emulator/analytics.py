"""Analytics conversation details: the read-back a replay uses to verify what Genesys recorded.

Each participant becomes sessions (one per communication) made of segments; a wrap-up shows as a segment
with ``segmentType: wrapup`` carrying ``wrapUpCode``/``wrapUpNote``/``wrapUpTags``. Two UNSURE facts are
switches: whether ``sessionId`` equals the conversation API's communication id, and how long a write takes
to show up here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from wrapup_bridge.core.disposition import Media
from wrapup_bridge.genesys.emulator.errors import ApiError
from wrapup_bridge.genesys.emulator.gateway import Call
from wrapup_bridge.genesys.emulator.paging import list_param
from wrapup_bridge.genesys.emulator.render import iso
from wrapup_bridge.genesys.emulator.runtime import Runtime
from wrapup_bridge.genesys.emulator.state import (
    CommunicationState,
    ConversationState,
    ParticipantState,
    WrapupState,
    derive_id,
)

__all__ = ["analytics_conversation", "get_conversation_details", "get_details", "post_details_query"]

_MEDIA_TYPES = {
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

_CONVERSATION_DIMENSIONS = ("conversationId", "divisionId", "externalTag", "originatingDirection")
_SEGMENT_DIMENSIONS = ("segmentType", "wrapUpCode", "wrapUpNote", "queueId", "userId", "purpose", "mediaType")


def _visible_wrapup(rt: Runtime, participant: ParticipantState) -> WrapupState | None:
    """The latest wrap-up analytics has caught up with (writes show after ``analytics_lag_seconds``)."""
    now = rt.clock()
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
) -> dict[str, Any]:
    session_id = comm.id if rt.config.analytics_session_is_communication else derive_id(comm.id, "analytics-session")
    out: dict[str, Any] = {}
    if participant.wrapup_skipped:
        out["acwSkipped"] = True
    if participant.ani:
        out["ani"] = participant.ani
    if comm.direction:
        out["direction"] = comm.direction
    if participant.dnis:
        out["dnis"] = participant.dnis
    out["mediaType"] = _MEDIA_TYPES[comm.media]
    if comm.message_type:
        out["messageType"] = comm.message_type
    out["sessionId"] = session_id
    start = comm.connected_time or participant.start_time or conversation.start_time
    segments = [_segment("interact", start, comm.disconnected_time, participant.queue_id, comm.disconnect_type)]
    if wrapup is not None:
        wrap_start = comm.disconnected_time or participant.start_acw_time or conversation.end_time
        wrap_end = wrapup.end_time or participant.end_acw_time
        segment = _segment("wrapup", wrap_start, wrap_end, participant.queue_id, None)
        segment["wrapUpCode"] = wrapup.code
        if wrapup.notes is not None:
            segment["wrapUpNote"] = wrapup.notes
        if wrapup.tags:
            segment["wrapUpTags"] = list(wrapup.tags)
        segments.append(segment)
    out["segments"] = segments
    return out


def _originating_direction(conversation: ConversationState) -> str | None:
    return next(
        (c.direction for p in conversation.participants if p.purpose == "customer" for c in p.communications),
        None,
    )


def analytics_conversation(rt: Runtime, conversation: ConversationState) -> dict[str, Any]:
    """AnalyticsConversationWithoutAttributes for one conversation."""
    out: dict[str, Any] = {}
    if conversation.end_time is not None:
        out["conversationEnd"] = iso(conversation.end_time)
    out["conversationId"] = conversation.id
    out["conversationStart"] = iso(conversation.start_time)
    out["divisionIds"] = list(conversation.division_ids)
    if conversation.external_tag is not None:
        out["externalTag"] = conversation.external_tag
    direction = _originating_direction(conversation)
    if direction is not None:
        out["originatingDirection"] = direction
    participants = []
    for participant in conversation.participants:
        wrapup = _visible_wrapup(rt, participant) if participant.is_agent else None
        sessions = []
        for index, comm in enumerate(participant.communications):
            # The wrap-up goes on the communication it was written to, or on the latest one.
            carries = comm.wrapup is not None or index == len(participant.communications) - 1
            sessions.append(_session(rt, conversation, participant, comm, wrapup if carries else None))
            if carries:
                wrapup = None
        p: dict[str, Any] = {"participantId": participant.id}
        if participant.name is not None:
            p["participantName"] = participant.name
        p["purpose"] = participant.purpose
        if participant.user_id is not None:
            p["userId"] = participant.user_id
        p["sessions"] = sessions
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


def _interval(call: Call, body: dict[str, Any]) -> tuple[datetime, datetime]:
    raw = body.get("interval")
    if not isinstance(raw, str) or "/" not in raw:
        raise ApiError.bad_request("interval is required, as ISO-8601 start/end", field="interval")
    start_text, _, end_text = raw.partition("/")
    try:
        start = datetime.fromisoformat(start_text.replace("Z", "+00:00"))
        end = datetime.fromisoformat(end_text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid.date", f"interval {raw!r} is not ISO-8601 start/end") from None
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ApiError(400, "invalid.date", f"interval {raw!r} needs zoned times with end after start")
    return start, end


def _predicate_matches(predicate: Any, values: list[str | None]) -> bool:
    if not isinstance(predicate, dict):
        raise ApiError.bad_request("Each predicate must be a JSON object", field="predicates")
    operator = predicate.get("operator", "matches")
    present = [v for v in values if v is not None]
    if operator == "exists":
        return bool(present)
    if operator == "notExists":
        return not present
    if operator != "matches":
        raise ApiError.bad_request(f"Unsupported predicate operator {operator!r}", field="operator")
    return predicate.get("value") in present


Values = Callable[[str], list[str | None]]


def _filters_match(filters: Any, candidates: list[Values], allowed: tuple[str, ...]) -> bool:
    """Filters are ANDed; each filter ANDs or ORs its predicates by its ``type`` and must hold for one candidate.

    A conversation filter has one candidate (the conversation); a segment filter holds when one segment
    satisfies it, as Genesys evaluates segment predicates segment by segment.
    """
    if filters is None:
        return True
    if not isinstance(filters, list):
        raise ApiError.bad_request("Filters must be a JSON array")
    for query_filter in filters:
        if not isinstance(query_filter, dict):
            raise ApiError.bad_request("Each filter must be a JSON object")
        predicates = query_filter.get("predicates") or []
        for predicate in predicates:
            dimension = predicate.get("dimension") if isinstance(predicate, dict) else None
            if dimension not in allowed:
                raise ApiError.bad_request(
                    f"Unsupported dimension {dimension!r} (the emulator supports {', '.join(allowed)})",
                    field="dimension",
                )
        if not predicates:
            continue
        combine = any if query_filter.get("type") == "or" else all
        if not any(combine(_predicate_matches(p, values(p["dimension"])) for p in predicates) for values in candidates):
            return False
    return True


async def post_details_query(call: Call) -> tuple[int, Any]:
    """POST /api/v2/analytics/conversations/details/query (ConversationQuery), a supported subset."""
    rt = call.runtime
    body = await call.json_body()
    if not isinstance(body, dict):
        raise ApiError.bad_request("The ConversationQuery body must be a JSON object")
    start, end = _interval(call, body)
    paging = body.get("paging") or {}
    page_size = paging.get("pageSize", 25) if isinstance(paging, dict) else 25
    page_number = paging.get("pageNumber", 1) if isinstance(paging, dict) else 1
    if (
        not isinstance(page_size, int)
        or not 1 <= page_size <= 100
        or not isinstance(page_number, int)
        or page_number < 1
    ):
        raise ApiError.bad_request("paging.pageSize must be 1..100 and paging.pageNumber at least 1", field="paging")
    matched = []
    for conversation in rt.conversations.values():
        day = conversation.start_time.date()
        if not start.date() <= day <= end.date():
            continue
        # Conversation filters need no rendering; most queries (by conversationId) stop here.
        if not _filters_match(
            body.get("conversationFilters"), [_conversation_values(conversation)], _CONVERSATION_DIMENSIONS
        ):
            continue
        rendered = analytics_conversation(rt, conversation)
        if not _filters_match(body.get("segmentFilters"), _segment_candidates(rendered), _SEGMENT_DIMENSIONS):
            continue
        matched.append(rendered)
    descending = body.get("order") == "desc"
    matched.sort(key=lambda r: r["conversationStart"], reverse=descending)
    first = (page_number - 1) * page_size
    page = matched[first : first + page_size]
    out: dict[str, Any] = {"totalHits": len(matched)}
    if page:
        out["conversations"] = page
    return 200, out


def _conversation_values(conversation: ConversationState) -> Values:
    values: dict[str, list[str | None]] = {
        "conversationId": [conversation.id],
        "divisionId": list(conversation.division_ids),
        "externalTag": [conversation.external_tag],
        "originatingDirection": [_originating_direction(conversation)],
    }
    return values.__getitem__


def _segment_candidates(rendered: dict[str, Any]) -> list[Values]:
    candidates: list[Values] = []
    for participant in rendered["participants"]:
        for session in participant["sessions"]:
            for segment in session["segments"]:
                values: dict[str, list[str | None]] = {
                    d: [segment.get(d)] for d in ("segmentType", "wrapUpCode", "wrapUpNote", "queueId")
                }
                values["purpose"] = [participant.get("purpose")]
                values["userId"] = [participant.get("userId")]
                values["mediaType"] = [session.get("mediaType")]
                candidates.append(values.__getitem__)
    return candidates
