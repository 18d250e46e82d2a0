"""The details query as correlation uses it (issue 13): a real request against the emulator, each dimension,
interval selection, paging and order, and the 400s for what the emulator does not implement."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from tests.emulator.details_samples import ADDRESS_TO_QUERY, ANI, ANI_VOICE_QUERY, DNIS, VOICE_RESPONSE
from tests.emulator.helpers import (
    BILLING,
    HEAD_USERS,
    JDOE,
    KCHEN,
    FakeClock,
    Session,
    assert_error,
    cid,
    make_emulator,
    run,
)
from wrapup_bridge.emulator import Emulator, Org, parse_org

QUERY = "/api/v2/analytics/conversations/details/query"
WEEK = "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z"
OTHER_ANI = "tel:+13175550999"

ORG = (
    HEAD_USERS
    + "conversations:\n"
    + textwrap.indent(
        textwrap.dedent(
            f"""\
        - {{id: {cid(1)}, media: voice, queue: Billing, agent: jdoe, customer: '{ANI}', dnis: '{DNIS}',
           start: 2026-03-02T09:00:00Z, end: 2026-03-02T09:05:00Z, missed_alerts: 0, acw: pending,
           external_tag: legacy-0001}}
        - {{id: {cid(2)}, media: voice, queue: Billing, agent: kchen, customer: '{OTHER_ANI}', dnis: '{DNIS}',
           start: 2026-03-02T10:00:00Z, end: 2026-03-02T10:05:00Z, missed_alerts: 0, acw: pending}}
        - {{id: {cid(3)}, media: voice, queue: Billing, agent: jdoe, customer: '{ANI}', direction: outbound,
           ani: '{DNIS}', start: 2026-03-03T08:00:00Z, end: 2026-03-03T08:02:00Z, missed_alerts: 0, acw: pending}}
        - {{id: {cid(4)}, media: email, queue: Billing, agent: kchen, customer: someone@example.net,
           start: 2026-03-03T23:50:00Z, end: 2026-03-04T00:20:00Z, missed_alerts: 0, acw: pending}}
        - {{id: {cid(5)}, media: voice, queue: Billing, agent: jdoe, customer: '{ANI}', dnis: '{DNIS}',
           start: 2026-03-05T12:00:00Z, end: 2026-03-05T12:01:00Z, missed_alerts: 0, acw: pending}}
        """
        ),
        "  ",
    )
)


@pytest.fixture(scope="module")
def org() -> Org:
    return parse_org(ORG)


def _ask(emu: Emulator, *bodies: dict[str, Any]) -> list[Any]:
    async def go() -> list[Any]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            return [await s.post(QUERY, json=body) for body in bodies]

    return run(go())


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["conversationId"] for c in response.json().get("conversations", [])]


def _segment(dimension: str, value: Any, operator: str = "matches") -> dict[str, Any]:
    predicate = {"type": "dimension", "dimension": dimension, "operator": operator}
    if operator == "matches":
        predicate["value"] = value
    return {"interval": WEEK, "segmentFilters": [{"type": "and", "predicates": [predicate]}]}


def _conversation(dimension: str, value: Any) -> dict[str, Any]:
    predicate = {"type": "dimension", "dimension": dimension, "operator": "matches", "value": value}
    return {"interval": WEEK, "conversationFilters": [{"type": "and", "predicates": [predicate]}]}


def test_the_real_request_answers_in_the_real_responses_shape(org: Org) -> None:
    from PureCloudPlatformClientV2 import ApiClient  # type: ignore[import-untyped]

    (response,) = _ask(make_emulator(org), ANI_VOICE_QUERY)
    # cid(3) calls ANI (outbound): ANI is its dnis, not its ani. order: desc by conversationStart.
    assert _ids(response) == [cid(5), cid(1)]
    body = response.json()
    assert body["totalHits"] == 2
    api_client = ApiClient(host="http://unused.invalid")
    ours = api_client._ApiClient__deserialize(body, "AnalyticsConversationQueryResponse")
    theirs = api_client._ApiClient__deserialize(VOICE_RESPONSE, "AnalyticsConversationQueryResponse")
    # Where the real answer has ani/dnis/direction/mediaType (every voice session), ours has them too.
    for answer in (ours, theirs):
        for participant in answer.conversations[-1].participants:
            for session in participant.sessions:
                assert session.ani and session.dnis and session.direction and session.media_type == "voice"
    inbound = next(c for c in ours.conversations if c.conversation_id == cid(1))
    assert {s.ani for p in inbound.participants for s in p.sessions} == {ANI}
    assert {s.dnis for p in inbound.participants for s in p.sessions} == {DNIS}
    assert json.dumps(body)  # plain JSON


def test_each_dimension_filters(org: Org) -> None:
    emu = make_emulator(org)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        (_conversation("conversationId", cid(2)), [cid(2)]),
        (_conversation("externalTag", "legacy-0001"), [cid(1)]),
        (_conversation("originatingDirection", "outbound"), [cid(3)]),
        (_segment("ani", ANI), [cid(1), cid(5)]),  # inbound: the customer calls
        (_segment("ani", DNIS), [cid(3)]),  # outbound: the org's number calls the customer
        (_segment("dnis", DNIS), [cid(1), cid(2), cid(5)]),
        (_segment("dnis", ANI), [cid(3)]),
        (_segment("direction", "outbound"), [cid(3)]),
        (_segment("mediaType", "email"), [cid(4)]),
        (_segment("queueId", BILLING), [cid(n) for n in range(1, 6)]),
        (_segment("userId", KCHEN), [cid(2), cid(4)]),
        (_segment("userId", JDOE), [cid(1), cid(3), cid(5)]),
        (_segment("purpose", "agent"), [cid(n) for n in range(1, 6)]),
        (_segment("segmentType", "wrapup"), []),
        (_segment("ani", None, "exists"), [cid(1), cid(2), cid(3), cid(5)]),
        (_segment("ani", None, "notExists"), [cid(4)]),  # only the email has a segment without ani
    ]
    responses = _ask(emu, *(body for body, _ in cases))
    for (body, expected), response in zip(cases, responses, strict=True):
        assert _ids(response) == expected, body
        assert response.json()["totalHits"] == len(expected)


def test_filter_types_and_clauses(org: Org) -> None:
    ani = {"type": "dimension", "dimension": "ani", "operator": "matches", "value": ANI}
    kchen = {"type": "dimension", "dimension": "userId", "operator": "matches", "value": KCHEN}
    either = {"interval": WEEK, "segmentFilters": [{"type": "or", "predicates": [ani, kchen]}]}
    # Segment predicates of one "and" hold on one segment: no agent segment of kchen has the inbound ani ANI.
    both = {"interval": WEEK, "segmentFilters": [{"type": "and", "predicates": [ani, kchen]}]}
    two_filters = {
        "interval": WEEK,
        "segmentFilters": [{"type": "and", "predicates": [ani]}, {"type": "and", "predicates": [kchen]}],
    }
    a, b, c = _ask(make_emulator(org), either, both, two_filters)
    assert _ids(a) == [cid(n) for n in (1, 2, 4, 5)]
    assert _ids(b) == []
    assert _ids(c) == []


def test_interval_paging_and_order(org: Org) -> None:
    day3 = {"interval": "2026-03-03T12:00:00Z/2026-03-03T13:00:00Z"}
    page = {"interval": WEEK, "paging": {"pageSize": 2, "pageNumber": 2}, "order": "asc"}
    last = {"interval": WEEK, "paging": {"pageSize": 2, "pageNumber": 3}, "order": "desc"}
    beyond = {"interval": WEEK, "paging": {"pageSize": 2, "pageNumber": 4}}
    started, paged, tail, empty = _ask(make_emulator(org), day3, page, last, beyond)
    # start_day (default): conversations that started on a day the interval touches, whatever the hour.
    assert _ids(started) == [cid(3), cid(4)]
    assert _ids(paged) == [cid(3), cid(4)] and paged.json()["totalHits"] == 5
    assert _ids(tail) == [cid(1)]
    assert empty.json() == {"totalHits": 5}
    # overlap: conversations active during the interval; cid(4) runs over midnight into the 4th.
    midnight = {"interval": "2026-03-04T00:00:00Z/2026-03-04T00:10:00Z"}
    (over,) = _ask(make_emulator(org, analytics_interval_match="overlap"), midnight)
    assert _ids(over) == [cid(4)]
    (by_day,) = _ask(make_emulator(org), midnight)
    assert _ids(by_day) == []


def test_what_the_emulator_does_not_implement_is_a_400(org: Org) -> None:
    emu = make_emulator(org, analytics_query_max_interval_days=8)
    too_long = {"interval": "2026-03-01T00:00:00Z/2026-03-10T00:00:00Z"}
    responses = _ask(
        emu,
        ADDRESS_TO_QUERY,  # a real query on a dimension the emulator does not evaluate
        _conversation("conversationInitiator", "customer"),
        {
            **_segment("ani", ANI),
            "segmentFilters": [
                {"type": "and", "predicates": [{"dimension": "ani", "operator": "startsWith", "value": "tel"}]}
            ],
        },
        too_long,
        {"interval": WEEK, "paging": {"pageSize": 101}},
        {"interval": WEEK, "orderBy": "segmentStart"},
        {"interval": WEEK, "segmentFilters": [{"type": "xor", "predicates": [{"dimension": "ani", "value": ANI}]}]},
    )
    messages = [assert_error(r, 400, r.json()["code"])["message"] for r in responses]
    assert "addressTo" in messages[0]
    assert "conversationInitiator" in messages[1]
    assert "startsWith" in messages[2]
    assert "8 days" in messages[3]
    assert "1..100" in messages[4]
    assert "segmentStart" in messages[5]
    assert "xor" in messages[6]
    assert [r.json()["code"] for r in responses] == [
        "bad.request", "bad.request", "invalid.value", "bad.request", "bad.request", "bad.request", "invalid.value",
    ]  # fmt: skip
    (larger,) = _ask(
        make_emulator(org, analytics_query_max_page_size=500), {"interval": WEEK, "paging": {"pageSize": 500}}
    )
    assert larger.status_code == 200


JOBS = "/api/v2/analytics/conversations/details/jobs"


def test_async_details_job_create_poll_and_page_with_a_cursor(org: Org) -> None:
    from PureCloudPlatformClientV2 import ApiClient  # type: ignore[import-untyped]

    clock = FakeClock()
    emu = make_emulator(org, clock, analytics_job_seconds=5)
    api_client = ApiClient(host="http://unused.invalid")

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            created = await s.post(
                JOBS,
                json={
                    "interval": WEEK,
                    "order": "asc",
                    "segmentFilters": _segment("purpose", "agent")["segmentFilters"],
                },
            )
            assert created.status_code == 202, created.text
            job = api_client._ApiClient__deserialize(created.json(), "AsyncQueryResponse").job_id
            status = await s.get(f"{JOBS}/{job}")
            assert api_client._ApiClient__deserialize(status.json(), "AsyncQueryStatus").state == "PENDING"
            assert_error(await s.get(f"{JOBS}/{job}/results"), 400, "bad.request")
            clock.advance(5)
            assert (await s.get(f"{JOBS}/{job}")).json()["state"] == "FULFILLED"
            seen: list[str] = []
            cursor = None
            for _ in range(5):
                params = {"pageSize": "2", **({"cursor": cursor} if cursor else {})}
                page = await s.get(f"{JOBS}/{job}/results", params=params)
                assert page.status_code == 200, page.text
                typed = api_client._ApiClient__deserialize(page.json(), "AnalyticsConversationAsyncQueryResponse")
                seen += [x.conversation_id for x in typed.conversations]
                cursor = typed.cursor
                if cursor is None:
                    break
            assert seen == [cid(n) for n in range(1, 6)]
            limited = await s.post(JOBS, json={"interval": WEEK, "limit": 2, "order": "desc"})
            job2 = limited.json()["jobId"]
            clock.advance(5)
            assert _ids(await s.get(f"{JOBS}/{job2}/results")) == [cid(5), cid(4)]
            # The async interval selects conversations active during it (cid(4) ran over midnight into the 4th).
            midnight = await s.post(JOBS, json={"interval": "2026-03-04T00:00:00Z/2026-03-04T00:10:00Z"})
            started = await s.post(
                JOBS,
                json={"interval": "2026-03-04T00:00:00Z/2026-03-04T00:10:00Z", "startOfDayIntervalMatching": True},
            )
            clock.advance(5)
            assert _ids(await s.get(f"{JOBS}/{midnight.json()['jobId']}/results")) == [cid(4)]
            assert _ids(await s.get(f"{JOBS}/{started.json()['jobId']}/results")) == []
            assert_error(await s.post(JOBS, json={"interval": WEEK, "paging": {"pageSize": 5}}), 400, "bad.request")
            assert_error(await s.get(f"{JOBS}/{job}/results", params={"cursor": "nonsense"}), 400, "bad.request")
            assert_error(await s.get(f"{JOBS}/{job}/results", params={"pageSize": "1001"}), 400, "bad.request")
            assert_error(await s.get(f"{JOBS}/{cid(99)}"), 404, "not.found")

    run(go())
