"""DetailsSearch against the emulator through the real client: the sync query paged in order with its filters,
the 400s for a page size or interval too large explained, the async jobs polled on a fake clock, cancelled when
given up or left early; and a scripted Genesys for the job states the emulator never reaches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr

from tests.emulator.details_samples import ADDRESS_TO_QUERY
from wrapup_bridge import testing
from wrapup_bridge.emulator import Emulator
from wrapup_bridge.genesys.details_search import (
    JOBS_PATH,
    QUERY_PATH,
    DetailsSearch,
    JobPolling,
    conversation_or,
    iso_interval,
    media_filter,
    phone_filter,
    predicate,
    segment_and,
    segment_or,
    tel,
)
from wrapup_bridge.genesys.errors import (
    DetailsFormatError,
    DetailsJobFailed,
    DetailsJobTimeout,
    DetailsQueryRejected,
    Rejected,
)
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings

from .fakes import FakeClock, FakeGenesys, answer, error, make_client

T = TypeVar("T")

#: The demo org's 50 conversations started on 2026-03-02 (20), 03-03 (20) and 03-04 (10); its later ones on 03-05
#: and after. The interval ends a second before 03-05: the sync query selects whole UTC days the interval touches.
START = datetime(2026, 3, 2, tzinfo=UTC)
END = datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)
INTERVAL = "2026-03-02T00:00:00.000Z/2026-03-04T23:59:59.000Z"
SUPPORT_LINE = "+18005550200"  # the demo org's Support number (dnis of its inbound Support calls)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    status: int


class Recording(httpx.AsyncBaseTransport):
    """The emulator's transport, keeping each API request (never the token request) and its answer's status."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.startswith("/api/"):
            body = json.loads(request.content) if request.content else None
            self.sent.append(
                Sent(request.method, request.url.path, dict(request.url.params), body, response.status_code)
            )
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def to(self, method: str, prefix: str = "") -> list[Sent]:
        return [s for s in self.sent if s.method == method and s.path.startswith(prefix)]


def client_for(emu: Emulator, recording: Recording, clock: testing.FakeClock | None = None) -> GenesysClient:
    settings = GenesysSettings(
        client_id=testing.DEMO_CLIENT,
        client_secret=SecretStr(testing.DEMO_SECRET),
        region=resolve_region("http://emulator.invalid"),
        rate_per_minute=100_000,
        budget=5.0,
    )
    return GenesysClient(settings, transport=recording, clock=clock)


async def collect(found: AsyncIterator[dict[str, Any]]) -> list[dict[str, Any]]:
    return [conversation async for conversation in found]


def search_on(
    emu: Emulator, clock: testing.FakeClock | None = None, **options: Any
) -> tuple[Recording, GenesysClient, DetailsSearch]:
    recording = Recording(emu.transport())
    client = client_for(emu, recording, clock)
    return recording, client, DetailsSearch(client, **options)


def waits(clock: testing.FakeClock) -> list[float]:
    """The job's waits on the clock (the rate limiter's sub-millisecond spacing at 100,000 a minute aside)."""
    return [s for s in clock.sleeps if s >= 0.5]


def starts(conversations: list[dict[str, Any]]) -> list[str]:
    return [c["conversationStart"] for c in conversations]


# -- the sync query ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("page_size", "pages"), [(7, 8), (10, 5), (100, 1)])
def test_the_query_pages_in_order_and_stops_at_a_short_page_or_the_total(page_size: int, pages: int) -> None:
    """50 conversations: 7 a page is 7 full pages and a short one; 10 a page stops at totalHits after 5 pages,
    without asking for an empty sixth."""
    recording, client, search = search_on(testing.emulator(), page_size=page_size)

    async def go() -> list[dict[str, Any]]:
        async with client:
            return await collect(search.conversations(START, END))

    found = run(go())
    assert len(found) == 50 == len({c["conversationId"] for c in found})
    assert starts(found) == sorted(starts(found))  # oldest first
    posts = recording.to("POST", QUERY_PATH)
    assert [p.body["paging"] for p in posts] == [{"pageSize": page_size, "pageNumber": n} for n in range(1, pages + 1)]
    assert posts[0].body == {
        "interval": INTERVAL,
        "order": "asc",
        "orderBy": "conversationStart",
        "paging": {"pageSize": page_size, "pageNumber": 1},
    }
    assert search.calls == pages == len(recording.sent)


def test_newest_first_pages_back_from_the_end_and_a_reader_that_stops_spends_one_call() -> None:
    """``order="desc"``: the same 50 conversations newest first; a reader that needs only the last few stops
    after the first page (the window reads the end of the day before a record just after midnight so)."""
    recording, client, search = search_on(testing.emulator(), page_size=10)

    async def go() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with client:
            every = await collect(search.conversations(START, END, order="desc"))
            first: list[dict[str, Any]] = []
            async with aclosing(search.conversations(START, END, order="desc")) as newest:
                async for conversation in newest:
                    first.append(conversation)
                    if len(first) == 3:
                        break
            return every, first

    every, first = run(go())
    assert len(every) == 50 and starts(every) == sorted(starts(every), reverse=True)
    assert first == every[:3]
    posts = recording.to("POST", QUERY_PATH)
    assert {p.body["order"] for p in posts} == {"desc"}
    assert search.calls == 5 + 1
    with pytest.raises(ValueError, match="order must be 'asc' or 'desc'"):
        run(collect(search.conversations(START, END, order="up")))  # type: ignore[arg-type]


def test_the_filters_go_as_given_and_the_emulator_honours_them() -> None:
    recording, client, search = search_on(testing.emulator())
    support = phone_filter("dnis", [SUPPORT_LINE])
    voice = media_filter("voice")

    async def go() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        async with client:
            everything = await collect(search.conversations(START, END))
            dialled = await collect(search.conversations(START, END, segment_filters=[support, voice]))
            two = [everything[3]["conversationId"], everything[9]["conversationId"]]
            by_id = await collect(
                search.conversations(START, END, conversation_filters=[conversation_or("conversationId", two)])
            )
            return everything, dialled, by_id

    everything, dialled, by_id = run(go())
    expected = [
        c["conversationId"]
        for c in everything
        if any(s.get("dnis") == "tel:" + SUPPORT_LINE for p in c["participants"] for s in p["sessions"])
    ]
    assert expected and len(expected) < len(everything)
    assert [c["conversationId"] for c in dialled] == expected
    sent = recording.to("POST", QUERY_PATH)
    assert sent[1].body["segmentFilters"] == [support, voice]
    assert support == {
        "type": "or",
        "predicates": [{"type": "dimension", "dimension": "dnis", "operator": "matches", "value": "tel:+18005550200"}],
    }
    assert [c["conversationId"] for c in by_id] == [everything[3]["conversationId"], everything[9]["conversationId"]]
    assert "segmentFilters" not in sent[2].body and sent[2].body["conversationFilters"][0]["type"] == "or"


def test_a_page_size_too_large_is_explained() -> None:
    _, client, search = search_on(testing.emulator(analytics_query_max_page_size=100), page_size=150)

    async def go() -> None:
        async with client:
            await collect(search.conversations(START, END))

    with pytest.raises(DetailsQueryRejected) as caught:
        run(go())
    err = caught.value
    assert isinstance(err, Rejected) and err.status == 400 and (err.limit, err.page_size) == ("page_size", 150)
    assert "page size 150" in err.explain() and "Lower the page size (--page-size)" in err.explain()
    assert err.to_dict()["pageSize"] == 150 and err.correlation_id
    assert search.calls == 1


def test_an_interval_too_long_is_explained() -> None:
    _, client, search = search_on(testing.emulator(analytics_query_max_interval_days=1))

    async def go() -> None:
        async with client:
            await collect(search.conversations(START, END))

    with pytest.raises(DetailsQueryRejected) as caught:
        run(go())
    err = caught.value
    assert err.limit == "interval" and err.interval == INTERVAL
    assert "likely longer than the org allows" in err.explain() and "shorter intervals" in err.explain()


def test_another_400_stays_what_genesys_said() -> None:
    _, client, search = search_on(testing.emulator())

    async def go() -> None:
        async with client:
            await collect(search.conversations(START, END, segment_filters=[segment_or("nonsense", ["x"])]))

    with pytest.raises(Rejected) as caught:
        run(go())
    assert type(caught.value) is Rejected and "nonsense" in str(caught.value)


# -- the async jobs ------------------------------------------------------------------------------------------------
def test_a_job_is_polled_on_the_clock_then_read_by_cursor() -> None:
    """The job takes 30 s of the org's time: polled after 1, 2, 4, 8 and 15 s of fake time (no real waiting),
    then its 50 results read 20 at a time, in the query's order."""
    clock = testing.FakeClock()
    emu = testing.emulator(clock=clock, analytics_job_seconds=30)
    recording, client, search = search_on(emu, clock, job_page_size=20)

    async def go() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with client:
            by_job = await collect(search.conversations(START, END, api="jobs"))
            by_query = await collect(search.conversations(START, END))
            return by_job, by_query

    by_job, by_query = run(go())
    assert [c["conversationId"] for c in by_job] == [c["conversationId"] for c in by_query]
    assert waits(clock) == [1.0, 2.0, 4.0, 8.0, 15.0]
    (created,) = recording.to("POST", JOBS_PATH)
    assert created.status == 202 and created.body == {
        "interval": INTERVAL,
        "order": "asc",
        "orderBy": "conversationStart",
    }
    results = [s for s in recording.to("GET", JOBS_PATH) if s.path.endswith("/results")]
    assert [r.params.get("pageSize") for r in results] == ["20", "20", "20"]
    assert "cursor" not in results[0].params and results[1].params["cursor"] and results[2].params["cursor"]
    assert not recording.to("DELETE")  # read to the end: nothing to cancel
    assert search.calls == 1 + 5 + 3 + 1 == len(recording.sent)


def test_a_job_takes_limit_and_start_of_day() -> None:
    clock = testing.FakeClock()
    recording, client, search = search_on(testing.emulator(clock=clock), clock)

    async def go() -> list[dict[str, Any]]:
        async with client:
            return await collect(
                search.conversations(
                    START, END, api="jobs", limit=5, start_of_day=True, segment_filters=[media_filter("voice")]
                )
            )

    assert len(run(go())) == 5
    body = recording.to("POST", JOBS_PATH)[0].body
    assert body["limit"] == 5 and body["startOfDayIntervalMatching"] is True
    assert body["segmentFilters"] == [media_filter("voice")] and "paging" not in body


def test_a_job_past_its_deadline_is_cancelled() -> None:
    clock = testing.FakeClock()
    emu = testing.emulator(clock=clock, analytics_job_seconds=10_000)
    recording, client, search = search_on(emu, clock, polling=JobPolling(deadline=60))

    async def go() -> None:
        async with client:
            await collect(search.conversations(START, END, api="jobs"))

    with pytest.raises(DetailsJobTimeout) as caught:
        run(go())
    err = caught.value
    assert waits(clock) == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]  # the last wait ends at the deadline
    assert (err.state, err.deadline, err.retryable) == ("PENDING", 60, True)
    (delete,) = recording.to("DELETE")
    assert delete.path == f"{JOBS_PATH}/{err.job_id}"
    # The emulator may not know DELETE (405: cancel not confirmed, logged) or may cancel the job.
    assert err.cancelled is (delete.status < 300)
    assert ("it was cancelled" in err.explain()) is err.cancelled
    assert search.calls == 1 + 7 + 1 == len(recording.sent)


@pytest.mark.parametrize("how", ["aclose", "aclosing"])
def test_leaving_a_job_early_cancels_it(how: str) -> None:
    clock = testing.FakeClock()
    recording, client, search = search_on(testing.emulator(clock=clock), clock, job_page_size=5)

    async def go() -> list[str]:
        taken: list[str] = []
        async with client:
            if how == "aclose":
                found = search.conversations(START, END, api="jobs")
                async for conversation in found:
                    taken.append(conversation["conversationId"])
                    if len(taken) == 7:
                        break
                await found.aclose()
            else:
                async with aclosing(search.conversations(START, END, api="jobs")) as found:
                    async for conversation in found:
                        taken.append(conversation["conversationId"])
                        if len(taken) == 3:
                            break
        return taken

    taken = run(go())
    assert len(recording.to("POST", JOBS_PATH)) == 1
    (delete,) = recording.to("DELETE")
    results = [s for s in recording.to("GET", JOBS_PATH) if s.path.endswith("/results")]
    assert len(results) == (2 if how == "aclose" else 1) and len(taken) in (3, 7)
    assert delete.path.startswith(JOBS_PATH + "/") and delete.path == results[0].path.removesuffix("/results")
    assert search.calls == len(recording.sent)


def test_leaving_during_the_last_page_cancels_nothing() -> None:
    clock = testing.FakeClock()
    recording, client, search = search_on(testing.emulator(clock=clock), clock, job_page_size=100)

    async def go() -> None:
        async with client, aclosing(search.conversations(START, END, api="jobs")) as found:
            async for _ in found:
                break

    run(go())
    assert not recording.to("DELETE")


# -- job states and answers the emulator does not give: a scripted Genesys ------------------------------------------
def scripted(
    *status_answers: httpx.Response, delete: httpx.Response | None = None
) -> tuple[FakeGenesys, DetailsSearch]:
    fake = FakeGenesys(clock=FakeClock())
    fake.script("POST", JOBS_PATH, answer(202, {"jobId": "job-1"}))
    fake.script("GET", f"{JOBS_PATH}/job-1", *status_answers)
    if delete is not None:
        fake.script("DELETE", f"{JOBS_PATH}/job-1", delete)
    return fake, DetailsSearch(make_client(fake, budget=5.0), polling=JobPolling(deadline=30))


async def search_jobs(search: DetailsSearch) -> list[dict[str, Any]]:
    async with search.client:
        return await collect(search.conversations(START, END, api="jobs"))


@pytest.mark.parametrize(
    ("state", "advice"),
    [
        ("FAILED", "narrow the interval or the filters"),
        ("CANCELLED", "was cancelled before it finished"),
        ("EXPIRED", "expired before they were read"),
    ],
)
def test_a_job_genesys_ends_is_a_typed_error_with_its_message(state: str, advice: str) -> None:
    fake, search = scripted(
        answer(200, {"state": "QUEUED"}),
        answer(200, {"state": "PENDING"}),
        answer(200, {"state": state, "errorMessage": "Query exceeded resource limits"}),
    )
    with pytest.raises(DetailsJobFailed) as caught:
        run(search_jobs(search))
    err = caught.value
    assert (err.job_id, err.state, err.error_message) == ("job-1", state, "Query exceeded resource limits")
    assert advice in err.explain() and "Query exceeded resource limits" in err.explain()
    assert err.to_dict()["jobId"] == "job-1" and err.to_dict()["state"] == state
    assert not fake.calls("DELETE")  # an ended job needs no cancel
    assert search.calls == 1 + 3


@pytest.mark.parametrize(
    ("delete", "cancelled"),
    [
        (answer(204), True),
        (error(404, "not.found", "The requested resource was not found."), False),
        (error(405, "method.not.allowed", "HTTP DELETE is not supported by this path"), False),
    ],
)
def test_a_cancel_is_best_effort(delete: httpx.Response, cancelled: bool) -> None:
    fake, search = scripted(answer(200, {"state": "PENDING"}), delete=delete)
    with pytest.raises(DetailsJobTimeout) as caught:
        run(search_jobs(search))
    assert caught.value.cancelled is cancelled
    assert len(fake.calls("DELETE", f"{JOBS_PATH}/job-1")) == 1
    assert search.jobs_cancelled == int(cancelled) and len(search.cancel_failures) == int(not cancelled)


def test_an_error_while_reading_results_cancels_the_job() -> None:
    fake, search = scripted(answer(200, {"state": "FULFILLED"}), delete=answer(204))
    fake.script("GET", f"{JOBS_PATH}/job-1/results", answer(200, {"conversations": "nope"}))
    with pytest.raises(DetailsFormatError, match=r"field 'conversations'"):
        run(search_jobs(search))
    assert len(fake.calls("DELETE")) == 1 and search.jobs_cancelled == 1


def test_results_refused_because_the_job_expired_meanwhile_say_so() -> None:
    fake, search = scripted(answer(200, {"state": "FULFILLED"}), answer(200, {"state": "EXPIRED"}))
    fake.script(
        "GET", f"{JOBS_PATH}/job-1/results", error(400, "bad.request", "Analytics details job job-1 is not FULFILLED")
    )
    with pytest.raises(DetailsJobFailed) as caught:
        run(search_jobs(search))
    assert caught.value.state == "EXPIRED" and isinstance(caught.value.__cause__, Rejected)
    assert not fake.calls("DELETE") and search.calls == 1 + 1 + 1 + 1


def test_results_refused_for_another_reason_stay_that_refusal() -> None:
    fake, search = scripted(answer(200, {"state": "FULFILLED"}), delete=answer(204))
    fake.script("GET", f"{JOBS_PATH}/job-1/results", error(400, "bad.request", "Unknown cursor"))
    with pytest.raises(Rejected, match="Unknown cursor"):
        run(search_jobs(search))
    assert len(fake.calls("GET", f"{JOBS_PATH}/job-1")) == 2  # the state looked at again: still FULFILLED
    assert len(fake.calls("DELETE")) == 1


def test_a_cursor_that_does_not_move_is_refused() -> None:
    fake, search = scripted(answer(200, {"state": "FULFILLED"}), delete=answer(204))
    fake.script("GET", f"{JOBS_PATH}/job-1/results", answer(200, {"conversations": [], "cursor": "same"}))
    with pytest.raises(DetailsFormatError, match="does not move on"):
        run(search_jobs(search))
    assert len(fake.calls("GET", f"{JOBS_PATH}/job-1/results")) == 2


def test_a_job_answer_without_an_id_or_state_names_the_field() -> None:
    fake, search = scripted(answer(200, {"status": "PENDING"}))
    with pytest.raises(DetailsFormatError, match=r"field 'state'") as caught:
        run(search_jobs(search))
    assert "GENESYSCLOUD_REGION" in caught.value.explain()
    fake.script("POST", JOBS_PATH, answer(202, {"id": "job-1"}))
    with pytest.raises(DetailsFormatError, match=r"field 'jobId'"):
        run(search_jobs(DetailsSearch(make_client(fake))))


# -- the builders and arguments ------------------------------------------------------------------------------------
def test_the_builders_make_the_real_predicate_shape() -> None:
    real = ADDRESS_TO_QUERY["segmentFilters"][0]["clauses"][0]["predicates"][0]
    ours = segment_or("addressTo", ["2323"])["predicates"][0]
    assert ours == real
    assert predicate("ani", operator="exists") == {"type": "dimension", "dimension": "ani", "operator": "exists"}
    assert segment_and(predicate("mediaType", "voice"), predicate("queueId", "q")) == {
        "type": "and",
        "predicates": [predicate("mediaType", "voice"), predicate("queueId", "q")],
    }
    assert segment_or("dnis", ["a", "b", "a"])["predicates"] == [predicate("dnis", "a"), predicate("dnis", "b")]
    assert [p["value"] for p in phone_filter("ani", ["tel:+12025550101"], form="both")["predicates"]] == [
        "tel:+12025550101",
        "+12025550101",
    ]
    assert phone_filter("ani", ["+12025550101"], form="e164")["predicates"][0]["value"] == "+12025550101"
    assert tel(" +442079460000 ") == "tel:+442079460000"


@pytest.mark.parametrize(
    "bad",
    [
        lambda: segment_or("dnis", []),
        segment_and,
        lambda: predicate("ani"),
        lambda: predicate("ani", "x", operator="exists"),
        lambda: predicate("ani", "x", operator="contains"),
        lambda: tel("(904) 555-0101"),
        lambda: iso_interval(datetime(2026, 3, 2), END),  # naive on purpose
        lambda: iso_interval(END, START),
        lambda: JobPolling(first_wait=0),
        lambda: DetailsSearch(None, page_size=0),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_value_errors(bad: Any) -> None:
    with pytest.raises(ValueError):
        bad()


def test_query_only_and_jobs_only_options_are_not_mixed() -> None:
    search = DetailsSearch(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="async jobs"):
        run(collect(search.conversations(START, END, limit=5)))
    with pytest.raises(ValueError, match="api must be"):
        run(collect(search.conversations(START, END, api="both")))  # type: ignore[arg-type]
    assert search.calls == 0


def test_the_interval_is_utc_with_milliseconds() -> None:
    eastern = timezone(timedelta(hours=-5))
    start = datetime(2026, 3, 1, 19, 0, 1, 500_000, tzinfo=eastern)
    assert iso_interval(start, END) == "2026-03-02T00:00:01.500Z/2026-03-04T23:59:59.000Z"


@pytest.mark.xdist_group("genesys-sdk")
def test_every_body_and_filter_key_is_one_the_sdk_declares() -> None:
    import PureCloudPlatformClientV2 as sdk  # type: ignore[import-untyped]

    def declared(model: str) -> set[str]:
        return set(getattr(sdk, model)().attribute_map.values())

    clock = testing.FakeClock()
    recording, client, search = search_on(testing.emulator(clock=clock), clock)
    filters = [phone_filter("dnis", [SUPPORT_LINE]), segment_and(predicate("mediaType", "voice"))]
    conversation_filters = [conversation_or("originatingDirection", ["inbound"])]

    async def go() -> None:
        async with client:
            both = {"segment_filters": filters, "conversation_filters": conversation_filters}
            await collect(search.conversations(START, END, **both))  # type: ignore[arg-type]
            await collect(
                search.conversations(START, END, api="jobs", limit=10, start_of_day=True, **both)  # type: ignore[arg-type]
            )

    run(go())
    query, job = recording.to("POST", QUERY_PATH)[0].body, recording.to("POST", JOBS_PATH)[0].body
    assert set(query) <= declared("ConversationQuery") and set(query["paging"]) <= declared("PagingSpec")
    assert set(job) <= declared("AsyncConversationQuery")
    for body in (query, job):
        for f in body["segmentFilters"]:
            assert set(f) <= declared("SegmentDetailQueryFilter")
            assert all(set(p) <= declared("SegmentDetailQueryPredicate") for p in f["predicates"])
        for f in body["conversationFilters"]:
            assert set(f) <= declared("ConversationDetailQueryFilter")
            assert all(set(p) <= declared("ConversationDetailQueryPredicate") for p in f["predicates"])
    # The SDK's setters refuse a value outside the allowed ones (ValueError).
    sync, async_ = sdk.ConversationQuery(), sdk.AsyncConversationQuery()
    sync.order, sync.order_by = query["order"], query["orderBy"]
    async_.order, async_.order_by = job["order"], job["orderBy"]
    assert (sync.order, async_.order_by) == ("asc", "conversationStart")
