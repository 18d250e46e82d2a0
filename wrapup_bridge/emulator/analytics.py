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

__all__ = [
    "analytics_conversation",
    "get_conversation_details",
    "get_details",
    "get_details_job",
    "get_details_job_results",
    "post_details_job",
    "post_details_query",
]

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
#: Segment-level dimensions evaluated (names as the SDK's SegmentDetailQueryPredicate enum spells them); ``ani``,
#: ``dnis``, ``direction`` and ``mediaType`` are read from the session, ``purpose`` and ``userId`` from the participant.
_SEGMENT_DIMENSIONS = (
    "segmentType", "wrapUpCode", "wrapUpNote", "queueId", "userId", "purpose", "mediaType", "disconnectType",
    "direction", "ani", "dnis",
)  # fmt: skip


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
    out["mediaType"] = _MEDIA_TYPES[comm.media]
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


def _originating_direction(conversation: ConversationState) -> str | None:
    return next(
        (c.direction for p in conversation.participants if p.purpose == "customer" for c in p.communications),
        None,
    )


#: Purposes analytics names (participantName); agents and the acd get none, as in real details.
_NAMED_PURPOSES = frozenset({"customer", "external", "ivr", "workflow", "botflow", "voicemail", "fax"})


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
    longest = call.runtime.config.analytics_query_max_interval_days
    if longest is not None and (end - start).total_seconds() > longest * 86400:
        raise ApiError.bad_request(
            f"interval {raw!r} is longer than the emulator's maximum of {longest:g} days "
            "(analytics_query_max_interval_days; the real limit is UNSURE)",
            field="interval",
        )
    return start, end


_FILTER_KEYS = frozenset({"type", "clauses", "predicates"})
_CLAUSE_KEYS = frozenset({"type", "predicates"})
_PREDICATE_KEYS = frozenset({"type", "dimension", "operator", "value"})
#: Predicate keys Genesys has and the emulator does not evaluate: a query using them is refused, never answered
#: as if they were not there (a read-back would then "verify" what it did not check).
_UNSUPPORTED_PREDICATE_KEYS = frozenset({"propertyType", "property", "metric", "range"})


def _unsupported(what: str) -> ApiError:
    return ApiError.bad_request(
        f"The emulator does not evaluate {what}; it answers 400 rather than ignore part of a filter", field=what
    )


def _check_predicate(predicate: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(predicate, dict):
        raise ApiError.bad_request("Each predicate must be a JSON object", field="predicates")
    for key in predicate:
        if key in _UNSUPPORTED_PREDICATE_KEYS:
            raise _unsupported(f"predicate {key}")
        if key not in _PREDICATE_KEYS:
            raise ApiError.bad_request(f'Unrecognized field "{key}" in a predicate', field=str(key))
    if predicate.get("type", "dimension") != "dimension":
        raise _unsupported(f"predicate type {predicate.get('type')!r}")
    if predicate.get("dimension") not in allowed:
        raise ApiError.bad_request(
            f"Unsupported dimension {predicate.get('dimension')!r} (the emulator supports {', '.join(allowed)})",
            field="dimension",
        )
    operator = predicate.get("operator", "matches")
    if operator not in ("matches", "exists", "notExists"):
        raise ApiError(
            400,
            "invalid.value",
            f"Value [{operator}] is not valid for field type [operator]. Allowable values are: matches, exists, notExists",
        )
    if operator == "matches" and "value" not in predicate:
        raise ApiError.bad_request("A predicate with operator matches needs a value", field="value")
    return predicate


def _combine(kind: Any) -> Callable[[Any], bool]:
    if kind not in (None, "and", "or"):
        raise ApiError(
            400, "invalid.value", f"Value [{kind}] is not valid for field type [type]. Allowable values are: and, or"
        )
    return any if kind == "or" else all


def _predicate_matches(predicate: dict[str, Any], values: list[str | None]) -> bool:
    operator = predicate.get("operator", "matches")
    present = [v for v in values if v is not None]
    if operator == "exists":
        return bool(present)
    if operator == "notExists":
        return not present
    return predicate.get("value") in present


Values = Callable[[str], list[str | None]]
_Test = Callable[[Values], bool]


def _compile_filter(query_filter: Any, allowed: tuple[str, ...]) -> _Test:
    """A filter as a test on one candidate: its predicates and clauses combined by its ``type``, each clause's
    predicates by the clause's own ``type`` (``segmentFilters: [{type: or, clauses: [{type: and, ...}]}]``)."""
    if not isinstance(query_filter, dict):
        raise ApiError.bad_request("Each filter must be a JSON object")
    for key in query_filter:
        if key not in _FILTER_KEYS:
            raise ApiError.bad_request(f'Unrecognized field "{key}" in a filter', field=str(key))
    combine = _combine(query_filter.get("type"))
    predicates = [_check_predicate(p, allowed) for p in query_filter.get("predicates") or []]
    clauses: list[tuple[Callable[[Any], bool], list[dict[str, Any]]]] = []
    for clause in query_filter.get("clauses") or []:
        if not isinstance(clause, dict):
            raise ApiError.bad_request("Each clause must be a JSON object", field="clauses")
        for key in clause:
            if key not in _CLAUSE_KEYS:
                raise ApiError.bad_request(f'Unrecognized field "{key}" in a clause', field=str(key))
        clause_predicates = [_check_predicate(p, allowed) for p in clause.get("predicates") or []]
        if not clause_predicates:
            raise ApiError.bad_request("A clause needs at least one predicate", field="predicates")
        clauses.append((_combine(clause.get("type")), clause_predicates))
    if not predicates and not clauses:
        raise ApiError.bad_request("A filter needs predicates or clauses", field="predicates")

    def test(values: Values) -> bool:
        parts = [_predicate_matches(p, values(p["dimension"])) for p in predicates]
        parts += [inner(_predicate_matches(p, values(p["dimension"])) for p in ps) for inner, ps in clauses]
        return combine(parts)

    return test


#: ConversationQuery fields the emulator evaluates, and those it has no implementation for (refused with 400).
_QUERY_KEYS = frozenset({"interval", "order", "orderBy", "paging", "conversationFilters", "segmentFilters"})
_UNSUPPORTED_QUERY_KEYS = frozenset({"evaluationFilters", "surveyFilters", "resolutionFilters", "aggregations"})


def _compile_filters(filters: Any, allowed: tuple[str, ...]) -> list[_Test]:
    if filters is None:
        return []
    if not isinstance(filters, list):
        raise ApiError.bad_request("Filters must be a JSON array")
    return [_compile_filter(f, allowed) for f in filters]


def _check_keys(body: Any, allowed: frozenset[str], model: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError.bad_request(f"The {model} body must be a JSON object")
    for key in body:
        if key in _UNSUPPORTED_QUERY_KEYS:
            raise _unsupported(key)
        if key not in allowed:
            raise ApiError.bad_request(f'Unrecognized field "{key}" in {model}', field=str(key))
    return body


def _select(
    call: Call, body: dict[str, Any], match: str, start_of_day: bool = False
) -> list[tuple[datetime, str, dict[str, Any]]]:
    """The conversations a query's interval and filters select, ordered as it asks: (start, id, rendered).

    ``match``: ``start_day`` (started on a day the interval touches) or ``overlap`` (active during it);
    ``start_of_day`` (the async ``startOfDayIntervalMatching``) also drops those started before the interval's
    first day."""
    rt = call.runtime
    start, end = _interval(call, body)
    order = body.get("order", "asc")
    if order not in ("asc", "desc", "unordered"):
        raise ApiError(400, "invalid.value", f"Value [{order}] is not valid for field type [order]")
    if body.get("orderBy", "conversationStart") != "conversationStart":
        raise _unsupported(f"orderBy {body.get('orderBy')!r}")
    conversation_tests = _compile_filters(body.get("conversationFilters"), _CONVERSATION_DIMENSIONS)
    segment_tests = _compile_filters(body.get("segmentFilters"), _SEGMENT_DIMENSIONS)
    matched = []
    for conversation in rt.conversations.values():
        if match == "overlap":
            # Active during the interval: started before its end, not ended before its start.
            if conversation.start_time >= end or (conversation.end_time is not None and conversation.end_time < start):
                continue
            if start_of_day and conversation.start_time.date() < start.date():
                continue
        elif not start.date() <= conversation.start_time.date() <= end.date():
            # "Results will only include conversations that started on a day touched by the interval."
            continue
        # Conversation filters need no rendering; most queries (by conversationId) stop here.
        values = _conversation_values(conversation)
        if not all(test(values) for test in conversation_tests):
            continue
        rendered = analytics_conversation(rt, conversation)
        if segment_tests:
            candidates = _segment_candidates(rendered)
            if not all(any(test(v) for v in candidates) for test in segment_tests):
                continue
        matched.append((conversation.start_time, conversation.id, rendered))
    matched.sort(key=lambda m: (m[0], m[1]), reverse=order == "desc")
    return matched


async def post_details_query(call: Call) -> tuple[int, Any]:
    """POST /api/v2/analytics/conversations/details/query (ConversationQuery), a supported subset.

    Every filter, clause and predicate is evaluated or the query is refused (400): a read-back that silently
    ignored part of its filter would report success it did not check."""
    rt = call.runtime
    body = _check_keys(await call.json_body(), _QUERY_KEYS, "ConversationQuery")
    paging = body.get("paging") or {}
    # Default page size 25: the SDK's ConversationQuery.paging doc. The maximum is UNSURE (a switch).
    page_size = paging.get("pageSize", 25) if isinstance(paging, dict) else 25
    page_number = paging.get("pageNumber", 1) if isinstance(paging, dict) else 1
    most = rt.config.analytics_query_max_page_size
    if (
        not isinstance(page_size, int)
        or not 1 <= page_size <= most
        or not isinstance(page_number, int)
        or page_number < 1
    ):
        raise ApiError.bad_request(
            f"paging.pageSize must be 1..{most} and paging.pageNumber at least 1", field="paging"
        )
    matched = _select(call, body, rt.config.analytics_interval_match)
    first = (page_number - 1) * page_size
    page = [rendered for _, _, rendered in matched[first : first + page_size]]
    out: dict[str, Any] = {"totalHits": len(matched)}
    if page:
        out["conversations"] = page
    return 200, out


#: AsyncConversationQuery's fields (SDK attribute_map): no paging; ``limit`` caps the results.
_JOB_KEYS = frozenset(
    {"interval", "order", "orderBy", "conversationFilters", "segmentFilters", "limit", "startOfDayIntervalMatching"}
)


async def post_details_job(call: Call) -> tuple[int, Any]:
    """POST /api/v2/analytics/conversations/details/jobs (AsyncConversationQuery) -> 202 ``{jobId}``.

    The selection is made when the job is created ("all conversations that had activity during the interval",
    the SDK's AsyncConversationQuery.interval doc); the results render the conversations when they are read."""
    rt = call.runtime
    body = _check_keys(await call.json_body(), _JOB_KEYS, "AsyncConversationQuery")
    limit = body.get("limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ApiError.bad_request("limit must be a positive integer", field="limit")
    start_of_day = body.get("startOfDayIntervalMatching", False)
    if not isinstance(start_of_day, bool):
        raise ApiError.bad_request("startOfDayIntervalMatching must be a boolean", field="startOfDayIntervalMatching")
    matched = _select(call, body, "overlap", start_of_day)
    ids = [cid for _, cid, _ in matched][:limit]
    with rt.lock:
        job_id = derive_id("analytics-details-job", len(rt.analytics_jobs), repr(rt.time()))
        rt.analytics_jobs[job_id] = {"ids": ids, "created": rt.time(), "available": iso(rt.now())}
    return 202, {"jobId": job_id}


def _job(call: Call) -> tuple[str, dict[str, Any]]:
    job_id = call.params["jobId"]
    job = call.runtime.analytics_jobs.get(job_id.lower())
    if job is None:
        raise ApiError.not_found(f"Analytics details job {job_id}", job_id)
    return job_id, job


def _job_state(call: Call, job: dict[str, Any]) -> str:
    ready = job["created"] + call.runtime.config.analytics_job_seconds <= call.runtime.time()
    return "FULFILLED" if ready else "PENDING"


async def get_details_job(call: Call) -> tuple[int, Any]:
    """GET .../details/jobs/{jobId} -> AsyncQueryStatus: PENDING until ``analytics_job_seconds`` pass, then FULFILLED."""
    _, job = _job(call)
    return 200, {"state": _job_state(call, job)}


async def get_details_job_results(call: Call) -> tuple[int, Any]:
    """GET .../details/jobs/{jobId}/results?cursor=&pageSize= -> AnalyticsConversationAsyncQueryResponse.

    The cursor is the emulator's own opaque text; the last page carries none."""
    rt = call.runtime
    job_id, job = _job(call)
    if _job_state(call, job) != "FULFILLED":
        raise ApiError.bad_request(f"Analytics details job {job_id} is not FULFILLED yet", field="jobId")
    query = call.request.query_params
    raw_size = query.get("pageSize")
    most = rt.config.analytics_job_max_page_size
    try:
        page_size = int(raw_size) if raw_size is not None else rt.config.analytics_job_default_page_size
    except ValueError:
        page_size = 0
    if not 1 <= page_size <= most:
        raise ApiError.bad_request(f"pageSize must be 1..{most}", field="pageSize")
    cursor = query.get("cursor")
    first = 0
    if cursor is not None:
        prefix = f"{job_id.lower()}:"
        if not cursor.startswith(prefix) or not cursor[len(prefix) :].isdigit():
            raise ApiError.bad_request(f"Unknown cursor {cursor!r}", field="cursor")
        first = int(cursor[len(prefix) :])
    ids = job["ids"][first : first + page_size]
    conversations = [analytics_conversation(rt, c) for c in (rt.conversations.get(i) for i in ids) if c is not None]
    out: dict[str, Any] = {}
    if conversations:
        out["conversations"] = conversations
    if first + page_size < len(job["ids"]):
        out["cursor"] = f"{job_id.lower()}:{first + page_size}"
    out["dataAvailabilityDate"] = job["available"]
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
                    d: [segment.get(d)]
                    for d in ("segmentType", "wrapUpCode", "wrapUpNote", "queueId", "disconnectType")
                }
                values["purpose"] = [participant.get("purpose")]
                values["userId"] = [participant.get("userId")]
                for d in ("mediaType", "direction", "ani", "dnis"):
                    values[d] = [session.get(d)]
                candidates.append(values.__getitem__)
    return candidates
