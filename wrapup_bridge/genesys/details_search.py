"""Genesys conversations by time and filters, as analytics sends them: what correlation compares records with.

A legacy record carries no Genesys conversation id, so its candidates are found by asking analytics for the
conversations of an interval, narrowed by filters (the dialled number, the media type). Two APIs answer that
(docs/reference-analytics-details.md says what is VERIFIED and what is UNSURE about each):

- the synchronous details query, ``POST /api/v2/analytics/conversations/details/query``: pages of
  ``pageSize`` (default here 100: the largest public callers use; the real maximum is UNSURE) numbered from 1,
  ``order: asc`` by ``conversationStart``; paging stops at a page shorter than asked, or when ``totalHits``
  conversations have come. Its interval selects "conversations that started on a day touched by the interval"
  (SDK ``ConversationQuery.interval``), so callers slice by UTC day and filter by time themselves;
- the async details jobs, ``POST .../details/jobs`` -> ``{jobId}``; ``GET .../jobs/{jobId}`` until ``state`` is
  ``FULFILLED`` (polled with a growing wait on the client's clock, up to a deadline); then
  ``GET .../jobs/{jobId}/results?pageSize=&cursor=`` until an answer carries no ``cursor``. Only job results
  carry participant ``attributes`` (SDK ``AnalyticsParticipant`` vs ``AnalyticsParticipantWithoutAttributes``).
  A job that is given up (deadline, an error, the caller stopping early) is cancelled with
  ``DELETE .../jobs/{jobId}``, best effort.

Every call goes through the ``GenesysClient``: its rate limiter, retries, time budget and error explanations
apply; ``calls`` counts the calls this object made (``client.sent`` counts attempts, retries included).

The filter builders make the real predicate shape (SDK ``ConversationDetailQueryFilter`` /
``SegmentDetailQueryPredicate``; the request of MyPureCloud/developer-tools' analytics query builder)::

    {"type": "or", "predicates": [{"type": "dimension", "dimension": "dnis", "operator": "matches",
                                    "value": "tel:+18005550100"}]}

Phone numbers: analytics sessions carry ``ani``/``dnis`` as ``tel:+E164`` (VERIFIED, a real 2024 voice details
sample), and public code filters ``ani`` with the conversation API's participant ``ani`` (also ``tel:+...``).
Whether a filter value of ``+E164`` without ``tel:`` matches too is UNSURE (Genesys documents no normalisation):
``phone_filter`` sends the ``tel:`` form by default and can send both (``form="both"``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from wrapup_bridge.genesys.errors import (
    DetailsFormatError,
    DetailsJobError,
    DetailsJobFailed,
    DetailsJobTimeout,
    DetailsQueryRejected,
    GenesysAPIError,
    GenesysError,
    NotFound,
    Rejected,
)
from wrapup_bridge.genesys.http import GenesysClient

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "JOBS_PATH",
    "QUERY_PATH",
    "Api",
    "DetailsSearch",
    "JobPolling",
    "conversation_or",
    "iso_interval",
    "media_filter",
    "phone_filter",
    "predicate",
    "segment_and",
    "segment_or",
    "tel",
]

logger = logging.getLogger("wrapup_bridge.genesys.details_search")

QUERY_PATH = "/api/v2/analytics/conversations/details/query"
JOBS_PATH = "/api/v2/analytics/conversations/details/jobs"
#: Conversations per page of the sync query. The default is 25 (SDK ``ConversationQuery.paging`` docstring); the
#: largest accepted is UNSURE (public callers use 100; the emulator's switch ``analytics_query_max_page_size``).
DEFAULT_PAGE_SIZE = 100

Api = Literal["query", "jobs"]
PhoneForm = Literal["tel", "e164", "both"]

#: The job states that end a job without results (SDK ``AsyncQueryStatus.state`` allowed values, VERIFIED).
_FAILED_STATES = frozenset({"FAILED", "CANCELLED", "EXPIRED"})
#: Words in a 400's message that name a limit the request went past. Genesys documents neither limit nor its
#: message (UNSURE), so the match is loose and the advice says "likely".
_PAGE_SIZE_WORDS = re.compile(r"page ?size|paging", re.IGNORECASE)
_INTERVAL_WORDS = re.compile(r"\binterval\b", re.IGNORECASE)
_TOO_LONG_WORDS = re.compile(r"long|exceed|max|large|too|days|range|span|limit", re.IGNORECASE)


# -- filters -------------------------------------------------------------------------------------------------------
def predicate(dimension: str, value: str | None = None, *, operator: str = "matches") -> dict[str, Any]:
    """One dimension predicate: ``matches`` needs a value; ``exists``/``notExists`` take none."""
    if not dimension:
        raise ValueError("a predicate needs a dimension")
    if operator not in ("matches", "exists", "notExists"):
        raise ValueError(f"operator must be matches, exists or notExists, not {operator!r}")
    if (operator == "matches") != (value is not None):
        raise ValueError(f"operator {operator!r} {'needs' if operator == 'matches' else 'takes no'} value")
    out: dict[str, Any] = {"type": "dimension", "dimension": dimension, "operator": operator}
    if value is not None:
        out["value"] = value
    return out


def _values(dimension: str, values: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(values))
    if not unique:
        raise ValueError(f"a filter on {dimension!r} needs at least one value (an empty 'or' matches nothing)")
    return unique


def segment_or(dimension: str, values: Iterable[str]) -> dict[str, Any]:
    """A segment filter matching any of ``values`` on ``dimension`` (``ani``, ``dnis``, ``mediaType``,
    ``queueId``, ``userId``, ...: the SDK's ``SegmentDetailQueryPredicate.dimension``). Values go as given."""
    return {"type": "or", "predicates": [predicate(dimension, v) for v in _values(dimension, values)]}


def conversation_or(dimension: str, values: Iterable[str]) -> dict[str, Any]:
    """A conversation filter matching any of ``values`` (``conversationId``, ``externalTag``,
    ``originatingDirection``, ...: the SDK's ``ConversationDetailQueryPredicate.dimension``)."""
    return {"type": "or", "predicates": [predicate(dimension, v) for v in _values(dimension, values)]}


def segment_and(*predicates: Mapping[str, Any]) -> dict[str, Any]:
    """A segment filter whose ``predicates`` must all hold (on one segment, as Genesys evaluates them)."""
    if not predicates:
        raise ValueError("an 'and' filter needs at least one predicate")
    return {"type": "and", "predicates": [dict(p) for p in predicates]}


def media_filter(*media: str) -> dict[str, Any]:
    """A segment filter on the session's ``mediaType`` (``voice``, ``chat``, ``email``, ``message``,
    ``callback``, ...: SDK ``AnalyticsSession.media_type`` allowed values)."""
    return segment_or("mediaType", media)


_TEL = re.compile(r"^\+[1-9]\d{1,14}$")


def tel(number: str) -> str:
    """``+18005550100`` (or ``tel:+18005550100``) as analytics writes it: ``tel:+18005550100``."""
    bare = number.strip().removeprefix("tel:")
    if not _TEL.match(bare):
        raise ValueError(f"{number!r} is not an E.164 number (+ and 2 to 15 digits)")
    return f"tel:{bare}"


def phone_filter(dimension: str, numbers: Iterable[str], *, form: PhoneForm = "tel") -> dict[str, Any]:
    """A segment filter on ``ani``/``dnis`` matching any of ``numbers`` (E.164, with or without ``tel:``).

    ``form``: the value form sent. ``tel`` (default): ``tel:+E164``, as analytics writes the numbers; ``e164``:
    ``+E164``; ``both``: each number in both forms. Which forms Genesys matches is UNSURE (see the module doc)."""
    values: list[str] = []
    for number in numbers:
        with_tel = tel(number)
        if form in ("tel", "both"):
            values.append(with_tel)
        if form in ("e164", "both"):
            values.append(with_tel.removeprefix("tel:"))
    return segment_or(dimension, values)


# -- the search ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class JobPolling:
    """How an async job is waited for: the first wait, each next one ``factor`` times longer up to ``max_wait``,
    all within ``deadline`` seconds of its creation (on the client's clock). How long real jobs take is UNSURE;
    the defaults wait little at first and give a job 15 minutes."""

    first_wait: float = 1.0
    factor: float = 2.0
    max_wait: float = 15.0
    deadline: float = 900.0

    def __post_init__(self) -> None:
        if self.first_wait <= 0 or self.max_wait < self.first_wait or self.factor < 1 or self.deadline <= 0:
            raise ValueError(
                "JobPolling needs first_wait > 0, max_wait >= first_wait, factor >= 1 and deadline > 0; got "
                f"{self.first_wait!r}, {self.max_wait!r}, {self.factor!r}, {self.deadline!r}"
            )


def _iso(moment: datetime, name: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got {moment.isoformat()})")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_interval(start: datetime, end: datetime) -> str:
    """``start/end`` as ISO-8601 UTC with milliseconds (``2026-03-01T00:00:00.000Z/...``), end after start."""
    text = f"{_iso(start, 'interval_start')}/{_iso(end, 'interval_end')}"
    if end <= start:
        raise ValueError(f"interval_end must be after interval_start ({text})")
    return text


def _page_size(value: int | None, name: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return value


class DetailsSearch:
    """Analytics conversations of an interval, filtered, through one ``GenesysClient``.

    ``page_size``: conversations per page of the sync query (default 100); ``job_page_size``: per page of job
    results (None: Genesys's default); ``polling``: how jobs are waited for; ``budget``: each call's time budget
    (the client's when None). ``calls`` counts the calls made."""

    def __init__(
        self,
        client: GenesysClient,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        job_page_size: int | None = None,
        polling: JobPolling | None = None,
        budget: float | None = None,
    ) -> None:
        self.client = client
        self.page_size: int = _page_size(page_size, "page_size") or DEFAULT_PAGE_SIZE
        self.job_page_size = _page_size(job_page_size, "job_page_size")
        self.polling = polling or JobPolling()
        self.budget = budget
        #: Calls this object made (each query page, job creation, poll, results page and cancel is one).
        self.calls = 0
        #: Jobs cancelled with a DELETE that Genesys confirmed, and those whose cancel was not confirmed.
        self.jobs_cancelled = 0
        self.cancel_failures: list[str] = []

    async def conversations(
        self,
        interval_start: datetime,
        interval_end: datetime,
        *,
        segment_filters: Sequence[Mapping[str, Any]] | None = None,
        conversation_filters: Sequence[Mapping[str, Any]] | None = None,
        api: Api = "query",
        page_size: int | None = None,
        limit: int | None = None,
        start_of_day: bool = False,
        order: Literal["asc", "desc"] = "asc",
    ) -> AsyncGenerator[dict[str, Any], None]:
        """The conversations Genesys selects for the interval that pass the filters, as it sends them, oldest
        first (``order: asc`` by ``conversationStart``), or newest first with ``order="desc"`` (so a caller that
        needs only a day's last hour stops after a page or two; the SDK's ``ConversationQuery.order`` allowed
        values). Genesys's selection is wider than the interval: the sync query gives those that started on a UTC
        day it touches, a job those active during it; callers compare times themselves.

        ``api``: ``query`` (the sync query) or ``jobs`` (an async job; ``limit`` caps its results and
        ``start_of_day`` is ``startOfDayIntervalMatching``, both jobs only). ``page_size`` overrides this
        object's for this search. A caller that may stop early should close the iterator
        (``async with contextlib.aclosing(search.conversations(...)) as found:``), so a job is cancelled then."""
        text = iso_interval(interval_start, interval_end)
        if order not in ("asc", "desc"):
            raise ValueError(f"order must be 'asc' or 'desc', not {order!r}")
        body: dict[str, Any] = {"interval": text, "order": order, "orderBy": "conversationStart"}
        if segment_filters:
            body["segmentFilters"] = [dict(f) for f in segment_filters]
        if conversation_filters:
            body["conversationFilters"] = [dict(f) for f in conversation_filters]
        size = _page_size(page_size, "page_size")
        if api == "query":
            if limit is not None or start_of_day:
                raise ValueError("limit and start_of_day are options of the async jobs (api='jobs'), not the query")
            pages = self._query(body, size or self.page_size)
        elif api == "jobs":
            if _page_size(limit, "limit") is not None:
                body["limit"] = limit
            if start_of_day:
                body["startOfDayIntervalMatching"] = True
            pages = self._job(body, size or self.job_page_size)
        else:
            raise ValueError(f"api must be 'query' or 'jobs', not {api!r}")
        # Closed with this iterator, so a consumer leaving early reaches the job's cancel at once (an inner
        # generator left unclosed would only be finalised whenever the event loop gets to it).
        async with aclosing(pages):
            async for conversation in pages:
                yield conversation

    # -- the sync query ------------------------------------------------------------------------------------------
    async def _query(self, body: dict[str, Any], page_size: int) -> AsyncGenerator[dict[str, Any], None]:
        seen = 0
        page_number = 1
        while True:
            paged = {**body, "paging": {"pageSize": page_size, "pageNumber": page_number}}
            answer = await self._send("POST", QUERY_PATH, json=paged, page_size=page_size, interval=body["interval"])
            page = _conversations(answer, QUERY_PATH)
            total = _total_hits(answer)
            for conversation in page:
                yield conversation
            seen += len(page)
            if len(page) < page_size or (total is not None and seen >= total):
                return
            page_number += 1

    # -- the async jobs ------------------------------------------------------------------------------------------
    async def _job(self, body: dict[str, Any], page_size: int | None) -> AsyncGenerator[dict[str, Any], None]:
        created = await self._send("POST", JOBS_PATH, json=body, interval=body["interval"])
        job_id = created.get("jobId")
        if not isinstance(job_id, str) or not job_id:
            raise DetailsFormatError(f"no job id in {_shape(created)}", path=JOBS_PATH, field="jobId")
        settled = False  # the job needs no cancel: it ended on its own, was cancelled, or every result was read
        try:
            try:
                await self._wait(job_id)
            except DetailsJobError:
                settled = True
                raise
            cursor: str | None = None
            results_path = f"{JOBS_PATH}/{job_id}/results"
            while True:
                params: dict[str, Any] = {}
                if page_size is not None:
                    params["pageSize"] = page_size
                if cursor is not None:
                    params["cursor"] = cursor
                try:
                    answer = await self._results(job_id, params, page_size)
                except DetailsJobError:
                    settled = True
                    raise
                page = _conversations(answer, results_path)
                next_cursor = answer.get("cursor")
                if next_cursor is not None and (not isinstance(next_cursor, str) or next_cursor == cursor):
                    raise DetailsFormatError(
                        f"the cursor {next_cursor!r} does not move on from {cursor!r}",
                        path=results_path,
                        field="cursor",
                    )
                if next_cursor is None:
                    settled = True  # read to the end before the last page is handed out: stopping now leaves
                    # nothing running on the Genesys side
                for conversation in page:
                    yield conversation
                if next_cursor is None:
                    return
                cursor = next_cursor
        finally:
            if not settled:
                await self._cancel(job_id)

    async def _results(self, job_id: str, params: Mapping[str, Any], page_size: int | None) -> Mapping[str, Any]:
        """One page of results. A 400 or 404 may mean the job ended meanwhile (its results EXPIRED, someone
        cancelled it): its state is then looked at once, and an ended job is a ``DetailsJobFailed``."""
        try:
            return await self._send("GET", f"{JOBS_PATH}/{job_id}/results", params=params, page_size=page_size)
        except GenesysAPIError as exc:
            if isinstance(exc, DetailsQueryRejected) or exc.status not in (400, 404):
                raise
            try:
                status = await self._send("GET", f"{JOBS_PATH}/{job_id}")
            except GenesysError:
                raise exc from None
            state = status.get("state")
            if state not in _FAILED_STATES:
                raise
            message = status.get("errorMessage")
            raise DetailsJobFailed(
                job_id=job_id, state=str(state), error_message=message if isinstance(message, str) else None
            ) from exc

    async def _wait(self, job_id: str) -> None:
        """Poll the job until it is FULFILLED (returned) or ended otherwise (``DetailsJobFailed``); past the
        deadline, cancel it and raise ``DetailsJobTimeout``."""
        clock = self.client.clock
        polling = self.polling
        path = f"{JOBS_PATH}/{job_id}"
        started = clock.monotonic()
        wait = polling.first_wait
        state: str | None = None
        while True:
            remaining = polling.deadline - (clock.monotonic() - started)
            if remaining <= 0:
                cancelled = await self._cancel(job_id)
                raise DetailsJobTimeout(job_id=job_id, state=state, deadline=polling.deadline, cancelled=cancelled)
            await clock.sleep(min(wait, remaining))
            wait = min(wait * polling.factor, polling.max_wait)
            status = await self._send("GET", path)
            raw = status.get("state")
            if not isinstance(raw, str):
                raise DetailsFormatError(f"no state in {_shape(status)}", path=path, field="state")
            state = raw
            if state == "FULFILLED":
                return
            if state in _FAILED_STATES:
                message = status.get("errorMessage")
                raise DetailsJobFailed(
                    job_id=job_id, state=state, error_message=message if isinstance(message, str) else None
                )
            logger.debug("analytics details job %s is %s; next look in %.1f s", job_id, state, wait)

    async def _cancel(self, job_id: str) -> bool:
        """DELETE the job, best effort: True when Genesys confirmed it; a refusal is logged, never raised (the
        job then expires on its own)."""
        path = f"{JOBS_PATH}/{job_id}"
        self.calls += 1
        try:
            await self.client.request("DELETE", path, budget=self.budget)
        except NotFound:
            logger.info("analytics details job %s was already gone when cancelled", job_id)
            self.cancel_failures.append(f"{job_id}: not found (already gone)")
            return False
        except GenesysError as exc:
            logger.warning("could not cancel analytics details job %s: %s", job_id, exc)
            self.cancel_failures.append(f"{job_id}: {exc}")
            return False
        self.jobs_cancelled += 1
        return True

    # -- one call ------------------------------------------------------------------------------------------------
    async def _send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        interval: str | None = None,
    ) -> Mapping[str, Any]:
        """One call (a read: retried like a GET even when it is a POST); a 400 naming a limit comes back as a
        ``DetailsQueryRejected`` that says which and how to ask for less."""
        self.calls += 1
        try:
            response = await self.client.request(
                method, path, json=json, params=params, idempotent=True, budget=self.budget
            )
        except Rejected as exc:
            limited = _limit_error(exc, page_size, interval)
            if limited is None:
                raise
            raise limited from exc
        body = response.json
        if not isinstance(body, Mapping):
            raise DetailsFormatError(f"the answer is {_shape(body)}, not a JSON object", path=path, field="(body)")
        return body


def _limit_error(error: GenesysAPIError, page_size: int | None, interval: str | None) -> DetailsQueryRejected | None:
    if error.status != 400:
        return None
    text = " ".join([error.message, *error.message_params.values()])
    if page_size is not None and _PAGE_SIZE_WORDS.search(text):
        return DetailsQueryRejected.from_rejected(error, limit="page_size", page_size=page_size)
    if interval is not None and _INTERVAL_WORDS.search(text) and _TOO_LONG_WORDS.search(text):
        return DetailsQueryRejected.from_rejected(error, limit="interval", interval=interval)
    return None


def _conversations(answer: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    """The answer's ``conversations`` (none: an answer with no match has no such key, as the emulator does)."""
    raw = answer.get("conversations")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise DetailsFormatError(f"expected a list, got {_shape(raw)}", path=path, field="conversations")
    for index, conversation in enumerate(raw):
        if not isinstance(conversation, dict) or not isinstance(conversation.get("conversationId"), str):
            raise DetailsFormatError(
                f"expected a conversation with a conversationId, got {_shape(conversation)}",
                path=path,
                field=f"conversations[{index}]",
            )
    return raw


def _total_hits(answer: Mapping[str, Any]) -> int | None:
    total = answer.get("totalHits")
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def _shape(value: Any) -> str:
    if isinstance(value, Mapping):
        keys = ", ".join(sorted(map(str, value))[:8])
        return f"an object with keys [{keys}]" if keys else "an empty object"
    return f"{type(value).__name__} {str(value)[:60]!r}" if value is not None else "nothing"
