"""The conversation details query (``POST .../details/query``) and the selection it shares with the async jobs.

A query's interval picks conversations through the start index (emulator.analytics_index), so a day's query on
a week's org looks at that day's conversations only; conversation filters need no rendering, segment filters
are evaluated on the rendered details; only the asked page is rendered for the answer. A selection is kept for
the pages that follow (until a write changes a conversation), so paging through a day with a segment filter
evaluates it once, not once per page.

Every filter, clause and predicate is evaluated or the query is refused (400): a read-back that silently
ignored part of its filter would report success it did not check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from wrapup_bridge.emulator.analytics import MEDIA_TYPES, analytics_conversation, originating_direction
from wrapup_bridge.emulator.errors import ApiError
from wrapup_bridge.emulator.gateway import Call
from wrapup_bridge.emulator.generate import Outline
from wrapup_bridge.emulator.picked import Picked
from wrapup_bridge.emulator.runtime import Runtime
from wrapup_bridge.emulator.state import ConversationState
from wrapup_bridge.emulator.store import Ref

__all__ = ["check_keys", "post_details_query", "select"]

_CONVERSATION_DIMENSIONS = ("conversationId", "divisionId", "externalTag", "originatingDirection")
#: Segment-level dimensions evaluated (names as the SDK's SegmentDetailQueryPredicate enum spells them); ``ani``,
#: ``dnis``, ``direction`` and ``mediaType`` are read from the session, ``purpose`` and ``userId`` from the participant.
_SEGMENT_DIMENSIONS = (
    "segmentType", "wrapUpCode", "wrapUpNote", "queueId", "userId", "purpose", "mediaType", "disconnectType",
    "direction", "ani", "dnis",
)  # fmt: skip


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
    return start.astimezone(UTC), end.astimezone(UTC)


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


def _combine(kind: Any) -> Callable[[Iterable[bool | None]], bool | None]:
    if kind not in (None, "and", "or"):
        raise ApiError(
            400, "invalid.value", f"Value [{kind}] is not valid for field type [type]. Allowable values are: and, or"
        )
    return _any if kind == "or" else _all


# Filters are evaluated in three-valued (Kleene) logic: None is "not known". With every value known the result is
# a bool; with some unknown (a generated conversation judged by its outline), False means false whatever they are.
def _all(parts: Iterable[bool | None]) -> bool | None:
    result: bool | None = True
    for part in parts:
        if part is False:
            return False
        if part is None:
            result = None
    return result


def _any(parts: Iterable[bool | None]) -> bool | None:
    result: bool | None = False
    for part in parts:
        if part is True:
            return True
        if part is None:
            result = None
    return result


def _predicate_matches(predicate: dict[str, Any], values: list[str | None] | None) -> bool | None:
    if values is None:
        return None
    operator = predicate.get("operator", "matches")
    present = [v for v in values if v is not None]
    if operator == "exists":
        return bool(present)
    if operator == "notExists":
        return not present
    return predicate.get("value") in present


#: A candidate's values of a dimension; None when they are not known (see ``_outline_values``).
Values = Callable[[str], list[str | None] | None]
_Test = Callable[[Values], bool | None]


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
    clauses: list[tuple[Callable[[Iterable[bool | None]], bool | None], list[dict[str, Any]]]] = []
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

    def test(values: Values) -> bool | None:
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


def check_keys(body: Any, allowed: frozenset[str], model: str) -> dict[str, Any]:
    """``body`` as a JSON object with only ``allowed`` keys (400 for another key or one the emulator lacks)."""
    if not isinstance(body, dict):
        raise ApiError.bad_request(f"The {model} body must be a JSON object")
    for key in body:
        if key in _UNSUPPORTED_QUERY_KEYS:
            raise _unsupported(key)
        if key not in allowed:
            raise ApiError.bad_request(f'Unrecognized field "{key}" in {model}', field=str(key))
    return body


def _candidates(rt: Runtime, start: datetime, end: datetime, match: str, start_of_day: bool) -> Picked:
    """The conversations the interval selects, in (start, id) order.

    ``start_day``: started on a UTC day the interval touches ("Results will only include conversations that
    started on a day touched by the interval", the SDK's ConversationQuery.interval); the end is exclusive, as
    ISO-8601 intervals are, so ``D/D+1`` touches the day D only. ``overlap``: active during the interval;
    ``start_of_day`` (the async ``startOfDayIntervalMatching``) also drops those started before its first day."""
    index = rt.analytics.index(rt.conversations)
    if match == "overlap":
        first_day = datetime.combine(start.date(), time(), tzinfo=UTC) if start_of_day else None
        return index.active_during(start, end, not_before=first_day)
    return index.started_on(start.date(), (end - timedelta(microseconds=1)).date())


def select(call: Call, body: dict[str, Any], match: str, start_of_day: bool = False) -> Picked:
    """The conversations a query's interval and filters select, ordered as it asks (looked up when read)."""
    rt = call.runtime
    start, end = _interval(call, body)
    order = body.get("order", "asc")
    if order not in ("asc", "desc", "unordered"):
        raise ApiError(400, "invalid.value", f"Value [{order}] is not valid for field type [order]")
    if body.get("orderBy", "conversationStart") != "conversationStart":
        raise _unsupported(f"orderBy {body.get('orderBy')!r}")
    conversation_tests = _compile_filters(body.get("conversationFilters"), _CONVERSATION_DIMENSIONS)
    segment_tests = _compile_filters(body.get("segmentFilters"), _SEGMENT_DIMENSIONS)
    matched = _candidates(rt, start, end, match, start_of_day)
    if not conversation_tests and not segment_tests:
        return matched.reversed() if order == "desc" else matched
    conversations = rt.conversations

    def passes(ref: Ref) -> bool:
        if isinstance(ref, int) and ref not in conversations.written and conversations.generator is not None:
            # A generated conversation nobody wrote to: its outline settles the conversation filters, and a segment
            # filter it already fails, without expanding it.
            outline = conversations.generator.outline(ref)
            if not all(test(_outline_values(outline)) for test in conversation_tests):
                return False
            if not segment_tests:
                return True
            if any(test(_outline_values(outline, segments=True)) is False for test in segment_tests):
                return False
        conversation = conversations.resolve(ref)
        # Conversation filters need no rendering; most queries (by conversationId) stop here.
        if conversation_tests:
            values = _conversation_values(conversation)
            if not all(test(values) for test in conversation_tests):
                return False
        if segment_tests:
            candidates = _segment_candidates(analytics_conversation(rt, conversation))
            if not all(any(test(v) for v in candidates) for test in segment_tests):
                return False
        return True

    matched = matched.where(passes)
    return matched.reversed() if order == "desc" else matched


def _selection(call: Call, body: dict[str, Any], first_page: bool) -> Picked:
    """``select`` for the details query, reusing the selection of an earlier page of the same query while no
    write came in between (and analytics shows writes at once: with a lag, what is visible moves with time)."""
    rt = call.runtime
    reusable = not first_page and rt.config.analytics_lag_seconds == 0
    key = json.dumps({k: v for k, v in body.items() if k != "paging"}, sort_keys=True, default=str)
    kept = rt.analytics.recall(key) if reusable else None
    if kept is not None:
        return kept
    matched = select(call, body, rt.config.analytics_interval_match)
    rt.analytics.remember(key, matched)
    return matched


async def post_details_query(call: Call) -> tuple[int, Any]:
    """POST /api/v2/analytics/conversations/details/query (ConversationQuery), a supported subset."""
    rt = call.runtime
    body = check_keys(await call.json_body(), _QUERY_KEYS, "ConversationQuery")
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
    matched = _selection(call, body, page_number == 1)
    first = (page_number - 1) * page_size
    # The sync query answers AnalyticsConversationWithoutAttributes: no participant attributes.
    page = [analytics_conversation(rt, c) for c in matched.page(first, page_size)]
    out: dict[str, Any] = {"totalHits": len(matched)}
    if page:
        out["conversations"] = page
    return 200, out


def _outline_values(outline: Outline, segments: bool = False) -> Values:
    """What a generated conversation's outline says of the dimensions: the conversation's own exactly; with
    ``segments``, the segment dimensions every one of its sessions shares (a compact conversation has one medium,
    one direction and the customer's numbers on every voice session; emulator.analytics), the others not known."""
    if segments:
        known: dict[str, list[str | None]] = {
            "mediaType": [MEDIA_TYPES[outline.media]],
            "direction": [outline.direction],
            "ani": [outline.ani],
            "dnis": [outline.dnis],
        }
        return known.get
    values: dict[str, list[str | None]] = {
        "conversationId": [outline.id],
        "divisionId": [outline.division_id],
        "externalTag": [outline.external_tag],
        "originatingDirection": [outline.direction],
    }
    return values.__getitem__


def _conversation_values(conversation: ConversationState) -> Values:
    values: dict[str, list[str | None]] = {
        "conversationId": [conversation.id],
        "divisionId": list(conversation.division_ids),
        "externalTag": [conversation.external_tag],
        "originatingDirection": [originating_direction(conversation)],
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
