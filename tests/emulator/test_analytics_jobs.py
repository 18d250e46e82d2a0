"""The async details jobs' lifecycle (QUEUED, PENDING, FULFILLED, FAILED, CANCELLED, EXPIRED, as the SDK's
AsyncQueryStatus names them), DELETE, the data lake's availability date, and the participant attributes that
only job results carry (AnalyticsConversation vs the query's AnalyticsConversationWithoutAttributes)."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.emulator.helpers import (
    HEAD_USERS,
    JDOE,
    FakeClock,
    Session,
    assert_error,
    cid,
    make_emulator,
    run,
)
from tests.emulator.sdk_shapes import deserialize, sdk, sdk_problems
from wrapup_bridge.emulator import Emulator, Org, derive_id, parse_org
from wrapup_bridge.emulator.analytics_jobs import FAILED_MESSAGE

#: The tests that import Genesys's SDK share one worker (``make test`` runs with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("genesys-sdk")

JOBS = "/api/v2/analytics/conversations/details/jobs"
QUERY = "/api/v2/analytics/conversations/details/query"
WEEK = "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z"

ORG = (
    HEAD_USERS
    + "conversations:\n"
    + textwrap.indent(
        textwrap.dedent(
            f"""\
        - {{id: {cid(1)}, media: voice, queue: Billing, agent: jdoe, customer: 'tel:+13175550101',
           dnis: 'tel:+18005550100', start: 2026-03-02T09:00:00Z, end: 2026-03-02T09:05:00Z, missed_alerts: 0,
           external_tag: legacy-0001, attributes: {{legacyCallId: L-0001, campaign: spring}}}}
        - {{id: {cid(2)}, media: voice, queue: Billing, agent: kchen, customer: 'tel:+13175550102',
           start: 2026-03-02T10:00:00Z, end: 2026-03-02T10:05:00Z, missed_alerts: 0}}
        - id: {cid(3)}
          startTime: 2026-03-03T08:00:00Z
          endTime: 2026-03-03T08:10:00Z
          externalTag: legacy-0003
          participants:
            - purpose: customer
              attributes: {{legacyCallId: L-0003}}
              calls: [{{state: disconnected, direction: inbound}}]
            - purpose: agent
              userId: jdoe
              queueId: Billing
              attributes: {{screenPop: shown}}
              calls: [{{state: disconnected}}]
        """
        ),
        "  ",
    )
)


@pytest.fixture(scope="module")
def org() -> Org:
    return parse_org(ORG)


def _when(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def _create(s: Session, **body: Any) -> str:
    created = await s.post(JOBS, json={"interval": WEEK, **body})
    assert created.status_code == 202, created.text
    return str(deserialize(created.json(), "AsyncQueryResponse").job_id)


async def _status(s: Session, job: str) -> dict[str, Any]:
    response = await s.get(f"{JOBS}/{job}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert sdk_problems(body, "AsyncQueryStatus") == []
    return body


def test_a_job_is_queued_then_pending_then_fulfilled_then_expires(org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(
        org, clock, analytics_job_queued_seconds=2, analytics_job_seconds=3, analytics_job_lifetime_seconds=100
    )
    submitted = clock.time()

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            job = await _create(s)
            queued = await _status(s, job)
            assert queued["state"] == "QUEUED" and _when(queued["submissionDate"]) == submitted
            assert "completionDate" not in queued and "expirationDate" not in queued
            assert_error(await s.get(f"{JOBS}/{job}/results"), 400, "bad.request")
            clock.advance(2)
            assert (await _status(s, job))["state"] == "PENDING"
            clock.advance(3)
            done = await _status(s, job)
            typed = deserialize(done, "AsyncQueryStatus")
            assert typed.state == "FULFILLED" and typed.error_message is None
            assert _when(done["completionDate"]) == submitted + 5
            assert _when(done["expirationDate"]) == submitted + 5 + 100
            assert (await s.get(f"{JOBS}/{job}/results")).status_code == 200
            clock.advance(99.5)
            assert (await _status(s, job))["state"] == "FULFILLED"
            clock.advance(0.5)
            expired = await _status(s, job)
            assert expired["state"] == "EXPIRED" and expired["expirationDate"] == done["expirationDate"]
            message = assert_error(await s.get(f"{JOBS}/{job}/results"), 400, "bad.request")["message"]
            assert "EXPIRED" in message

    run(go())


def test_expired_results_can_be_a_404_and_jobs_can_live_forever(org: Org) -> None:
    clock = FakeClock()
    gone = make_emulator(org, clock, analytics_job_lifetime_seconds=10, analytics_job_expired_status=404)
    forever = make_emulator(org, clock, analytics_job_lifetime_seconds=None)

    async def go() -> None:
        async with gone.async_client() as c1, forever.async_client() as c2:
            s1, s2 = await Session.login(c1), await Session.login(c2)
            job1, job2 = await _create(s1), await _create(s2)
            clock.advance(20_000)  # within the tokens' day
            assert (await _status(s1, job1))["state"] == "EXPIRED"
            assert_error(await s1.get(f"{JOBS}/{job1}/results"), 404, "not.found")
            kept = await _status(s2, job2)
            assert kept["state"] == "FULFILLED" and "expirationDate" not in kept
            assert (await s2.get(f"{JOBS}/{job2}/results")).status_code == 200

    run(go())


def test_delete_cancels_a_job_which_then_says_cancelled_or_is_gone(org: Org) -> None:
    clock = FakeClock()
    cancelled = make_emulator(org, clock, analytics_job_seconds=60)
    removed = make_emulator(org, clock, analytics_job_deleted="not_found", analytics_job_delete_status=200)

    async def go() -> None:
        async with cancelled.async_client() as c1, removed.async_client() as c2:
            s1, s2 = await Session.login(c1), await Session.login(c2)
            job = await _create(s1)
            deleted = await c1.delete(f"{JOBS}/{job}", headers=s1.headers)
            assert deleted.status_code == 204 and deleted.content == b""
            status = await _status(s1, job)
            assert status["state"] == "CANCELLED" and "completionDate" not in status
            clock.advance(120)  # cancelled stays cancelled when it would have been done
            assert (await _status(s1, job))["state"] == "CANCELLED"
            assert "CANCELLED" in assert_error(await s1.get(f"{JOBS}/{job}/results"), 400, "bad.request")["message"]
            assert (await c1.delete(f"{JOBS}/{job}", headers=s1.headers)).status_code == 204
            assert_error(await c1.delete(f"{JOBS}/{cid(99)}", headers=s1.headers), 404, "not.found")

            done = await _create(s2)  # fulfilled at once: deleting it removes its results
            assert (await c2.delete(f"{JOBS}/{done}", headers=s2.headers)).status_code == 200
            assert_error(await s2.get(f"{JOBS}/{done}"), 404, "not.found")
            assert_error(await s2.get(f"{JOBS}/{done}/results"), 404, "not.found")
            assert_error(await c2.delete(f"{JOBS}/{done}", headers=s2.headers), 404, "not.found")
            assert (await _create(s2)) != done  # ids are never reused

    run(go())


def test_the_failure_fault_ends_jobs_failed_with_an_error_message(org: Org) -> None:
    clock = FakeClock()
    always = make_emulator(org, clock, analytics_job_seconds=5, faults={"analytics_job_failure_ratio": 1.0})

    async def go(emu: Emulator, clock: FakeClock, jobs: int) -> list[str]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            ids = [await _create(s) for _ in range(jobs)]
            if emu is always:
                assert (await _status(s, ids[0]))["state"] == "PENDING"  # it fails when it would have completed
            clock.advance(5)
            states = []
            for job in ids:
                status = await _status(s, job)
                states.append(status["state"])
                if status["state"] == "FAILED":
                    assert status["errorMessage"] == FAILED_MESSAGE and "expirationDate" not in status
                    assert _when(status["completionDate"]) == _when(status["submissionDate"]) + 5
                    assert_error(await s.get(f"{JOBS}/{job}/results"), 400, "bad.request")
            return states

    assert run(go(always, clock, 1)) == ["FAILED"]
    # Half of the jobs, drawn from the seed and the job id: the same seed, the same jobs fail.
    halves = [
        run(go(make_emulator(org, fresh, analytics_job_seconds=5, faults=faults), fresh, 12))
        for fresh, faults in zip(
            (FakeClock(), FakeClock(), FakeClock()),
            ({"analytics_job_failure_ratio": 0.5, "seed": 3},) * 2 + ({"analytics_job_failure_ratio": 0.5, "seed": 4},),
            strict=True,
        )
    ]
    assert halves[0] == halves[1] and set(halves[0]) == {"FAILED", "FULFILLED"}
    assert halves[0] != halves[2]


def test_availability_is_the_data_lakes_date(org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(org, clock, analytics_data_availability_lag_seconds=3600)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            response = await s.get(f"{JOBS}/availability")
            assert response.status_code == 200 and sdk_problems(response.json(), "DataAvailabilityResponse") == []
            available = deserialize(response.json(), "DataAvailabilityResponse").data_availability_date
            assert available == datetime.fromtimestamp(clock.time() - 3600, UTC)
            job = await _create(s)
            clock.advance(600)
            results = (await s.get(f"{JOBS}/{job}/results")).json()
            # The results say what the data lake held when the job was submitted.
            assert results["dataAvailabilityDate"] == response.json()["dataAvailabilityDate"]

    run(go())


def test_job_results_carry_participant_attributes_and_the_query_does_not(org: Org) -> None:
    emu = make_emulator(org)

    async def go() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            job = await _create(s, order="asc")
            results = (await s.get(f"{JOBS}/{job}/results")).json()
            query = (await s.post(QUERY, json={"interval": WEEK, "order": "asc"})).json()
            by_id = (await s.get("/api/v2/analytics/conversations/details", params={"id": cid(1)})).json()
            return results, query, by_id

    results, query, by_id = run(go())
    assert sdk_problems(results, "AnalyticsConversationAsyncQueryResponse") == []
    # Every key of the query's and the by-id answers is declared by the models WithoutAttributes.
    assert sdk_problems(query, "AnalyticsConversationQueryResponse") == []
    assert sdk_problems(by_id, "AnalyticsConversationWithoutAttributesMultiGetResponse") == []
    typed = deserialize(results, "AnalyticsConversationAsyncQueryResponse").conversations
    assert [x.conversation_id for x in typed] == [cid(1), cid(2), cid(3)]
    attributes = {(x.conversation_id, p.purpose): p.attributes for x in typed for p in x.participants if p.attributes}
    # Compact conversations' attributes are the customer participant's; full ones are per participant.
    assert attributes == {
        (cid(1), "customer"): {"legacyCallId": "L-0001", "campaign": "spring"},
        (cid(3), "customer"): {"legacyCallId": "L-0003"},
        (cid(3), "agent"): {"screenPop": "shown"},
    }
    agent = next(p for p in typed[2].participants if p.purpose == "agent")
    assert agent.user_id == JDOE and agent.participant_id == derive_id(cid(3), "participant", 1)
    for answer in (query, by_id):
        assert all("attributes" not in p for x in answer["conversations"] for p in x["participants"])
    # externalTag is a conversation field of both models.
    tags = {x.conversation_id: x.external_tag for x in typed}
    assert tags == {cid(1): "legacy-0001", cid(2): None, cid(3): "legacy-0003"}
    assert {x["conversationId"]: x.get("externalTag") for x in query["conversations"]} == tags


def test_the_sdk_runs_a_job_cancels_one_and_reads_availability(org: Org) -> None:
    emu = Emulator(org)
    with emu.serve() as base_url:
        api_client = sdk().ApiClient(host=base_url)
        api_client.get_client_credentials_token("demo-client", "demo-secret")
        analytics = sdk().AnalyticsApi(api_client)
        query = sdk().AsyncConversationQuery()
        query.interval = WEEK
        job = analytics.post_analytics_conversations_details_jobs(query).job_id
        assert analytics.get_analytics_conversations_details_job(job).state == "FULFILLED"
        page = analytics.get_analytics_conversations_details_job_results(job, page_size=2)
        rest = analytics.get_analytics_conversations_details_job_results(job, cursor=page.cursor, page_size=2)
        assert len(page.conversations) == 2 and len(rest.conversations) == 1 and rest.cursor is None
        assert page.conversations[0].participants[0].attributes == {"legacyCallId": "L-0001", "campaign": "spring"}
        assert analytics.delete_analytics_conversations_details_job(job) is None
        assert analytics.get_analytics_conversations_details_job(job).state == "CANCELLED"
        assert analytics.get_analytics_conversations_details_jobs_availability().data_availability_date is not None
