"""Fidelity against a client we did not write: Genesys's official Python SDK, PureCloudPlatformClientV2 269.0.0.

The SDK talks to the emulator over a real socket, exactly as it would to Genesys (its login URL is the host
with "//api." replaced by "//login."; a loopback base URL has no "//api.", so login and API both land on the
emulator without any override). A second test checks that every key the emulator emits is one the SDK's models
declare, with a compatible JSON type and an allowed enum value, so the emulator invents no field names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulator.helpers import (
    BILLING,
    JDOE,
    KCHEN,
    RESOLVED,
    SALE,
    Session,
    cid,
    make_emulator,
    run,
)
from tests.emulator.sdk_shapes import outdated_enums, sdk, undeclared
from wrapup_bridge.emulator import Burst429, Emulator, EmulatorConfig, FaultConfig, Org

#: The tests of Genesys's SDK share one worker (``make test`` runs with --dist loadgroup): only that one imports it.
pytestmark = pytest.mark.xdist_group("genesys-sdk")


@pytest.fixture(scope="module")
def served(demo_org: Org) -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(demo_org)
    with emu.serve() as base_url:
        yield emu, base_url


def _sdk_client(base_url: str, client_id: str = "demo-client", secret: str = "demo-secret") -> Any:
    api_client = sdk().ApiClient(host=base_url)
    api_client.get_client_credentials_token(client_id, secret)
    assert api_client.access_token
    return api_client


def test_sdk_reads_writes_and_reads_back(served: tuple[Emulator, str]) -> None:
    emu, base_url = served
    api_client = _sdk_client(base_url)
    routing = sdk().RoutingApi(api_client)
    conversations = sdk().ConversationsApi(api_client)

    listing = routing.get_routing_wrapupcodes(page_size=100)
    assert listing.total == 21 and listing.page_count == 1
    by_id = {code.id: code for code in listing.entities}
    assert by_id[RESOLVED].name == "Resolved"
    assert by_id[RESOLVED].division.name == "Home"
    assert by_id["0cab9e0c-7015-4b96-9819-e59f32cd0700"].division.name == "EMEA"

    conversation = conversations.get_conversation(cid(1))
    assert conversation.id == cid(1)
    assert [p.purpose for p in conversation.participants] == ["customer", "acd", "agent"]
    agent = conversation.participants[2]
    assert agent.user_id == JDOE and agent.queue_id == BILLING and agent.queue_name == "Billing"
    assert agent.wrapup_required is True and agent.wrapup_prompt == "timeout"
    assert len(agent.calls) == 1 and agent.calls[0].state == "disconnected"
    assert agent.calls[0].after_call_work.state == "pending"
    assert conversation.start_time.year == 2026

    body = sdk().WrapupInput()
    body.code = RESOLVED
    body.notes = "applied through the official SDK"
    before = len(emu.write_log)
    result = conversations.post_conversations_call_participant_communication_wrapup(
        cid(1), agent.id, agent.calls[0].id, body=body
    )
    assert result is None
    assert api_client.last_response.status == 202

    assigned = conversations.get_conversation_participant_wrapup(cid(1), agent.id)
    assert assigned.code == RESOLVED and assigned.notes == "applied through the official SDK"

    record = emu.write_log[before]
    assert record.conversation_id == cid(1) and record.participant_id == agent.id
    assert record.communication_id == agent.calls[0].id and record.code_id == RESOLVED
    assert record.body == {"code": RESOLVED, "notes": "applied through the official SDK"}

    # A rejection reaches the SDK as ApiException carrying the Genesys error envelope.
    wrong = sdk().WrapupInput()
    wrong.code = SALE  # not assigned to Billing
    with pytest.raises(sdk().rest.ApiException) as caught:
        conversations.post_conversations_call_participant_communication_wrapup(
            cid(1), agent.id, agent.calls[0].id, body=wrong
        )
    assert caught.value.status == 400
    error = json.loads(caught.value.body)
    assert error["code"] == "invalid.value" and "not valid for queue [Billing]" in error["message"]
    assert caught.value.headers["ININ-Correlation-Id"] == error["contextId"]


def test_sdk_retries_injected_429s_that_carry_retry_after(demo_org: Org) -> None:
    config = EmulatorConfig(faults=FaultConfig(burst_429=Burst429(every=1, length=1, retry_after_seconds=0)))
    emu = Emulator(demo_org, config)
    with emu.serve() as base_url:
        routing = sdk().RoutingApi(_sdk_client(base_url))
        first = routing.get_routing_wrapupcodes(page_size=5)  # call 1 passes, call 2 gets the burst's 429
        second = routing.get_routing_wrapupcodes(page_size=5, page_number=2)
    assert first.total == second.total == 21 and second.page_number == 2
    statuses = emu.stats()["statuses"]["GET /api/v2/routing/wrapupcodes"]
    assert statuses == {"200": 2, "429": 1}


def test_sdk_login_with_a_wrong_secret_is_refused(served: tuple[Emulator, str]) -> None:
    _, base_url = served
    api_client = sdk().ApiClient(host=base_url)
    with pytest.raises(sdk().rest.ApiException) as caught:
        api_client.get_client_credentials_token("demo-client", "not-the-secret")
    # What real SDK exceptions show from the login host: OAuth's error shape (the status is a switch: UNSURE).
    assert caught.value.status == 400
    assert json.loads(caught.value.body) == {
        "error": "invalid_client",
        "description": "authentication failed",
        "error_description": "authentication failed",
    }


# --- every emitted key is declared by the SDK's models -----------------------------------------------------


async def _collect(emu: Emulator) -> list[tuple[str, str, Any]]:
    """(what, SDK type, JSON) for every kind of answer the emulator gives, after some writes."""
    samples: list[tuple[str, str, Any]] = []
    async with emu.async_client() as client:
        s = await Session.login(client)

        async def take(what: str, sdk_type: str, response: Any) -> Any:
            samples.append((what, sdk_type, response.json()))
            return response.json()

        # Some state worth rendering: wrap-ups on a call, a message and an email, a skipped one, a provisional one.
        assert (
            await s.wrapup(1, {"code": RESOLVED, "notes": "n", "tags": ["a"], "durationSeconds": 12})
        ).status_code == 202
        assert (await s.wrapup(31, {"code": RESOLVED})).status_code == 202
        assert (await s.wrapup(45, {"code": RESOLVED, "endTime": "2026-03-04T17:00:00.000Z"})).status_code == 202
        assert (await s.wrapup(22, {"provisional": True, "notes": "draft"})).status_code == 202
        pid, _, _ = await s.agent(23)
        assert (
            await s.patch(f"/api/v2/conversations/{cid(23)}/participants/{pid}", json={"wrapupSkipped": True})
        ).status_code == 202

        await take(
            "codes",
            "WrapupCodeEntityListing",
            await s.get("/api/v2/routing/wrapupcodes", params={"pageSize": 10, "pageNumber": 2}),
        )
        await take("code", "WrapupCode", await s.get(f"/api/v2/routing/wrapupcodes/{RESOLVED}"))
        await take("queues", "QueueEntityListing", await s.get("/api/v2/routing/queues"))
        await take("queue", "Queue", await s.get(f"/api/v2/routing/queues/{BILLING}"))
        await take(
            "queue codes", "WrapupCodeEntityListing", await s.get(f"/api/v2/routing/queues/{BILLING}/wrapupcodes")
        )
        for n in range(1, 51):
            conversation = await take(
                f"conversation {n}", "Conversation", await s.get(f"/api/v2/conversations/{cid(n)}")
            )
            for participant in conversation["participants"]:
                base = f"/api/v2/conversations/{cid(n)}/participants/{participant['id']}"
                if participant["purpose"] == "agent":
                    await take(
                        "wrapup", "AssignedWrapupCode", await s.get(f"{base}/wrapup", params={"provisional": "true"})
                    )
                    await take("wrapupcodes", "list[WrapupCode]", await s.get(f"{base}/wrapupcodes"))
        pid, comm, _ = await s.agent(1)
        await take(
            "communication wrapup",
            "AssignedWrapupCode",
            await s.get(f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"),
        )
        for first in (1, 26):
            ids = ",".join(cid(n) for n in range(first, first + 25))
            await take(
                "analytics",
                "AnalyticsConversationWithoutAttributesMultiGetResponse",
                await s.get("/api/v2/analytics/conversations/details", params={"id": ids}),
            )
        await take(
            "analytics one",
            "AnalyticsConversationWithoutAttributes",
            await s.get(f"/api/v2/analytics/conversations/{cid(1)}/details"),
        )
        query = {
            "interval": "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z",
            "paging": {"pageSize": 100, "pageNumber": 1},
            "segmentFilters": [{"type": "and", "predicates": [{"dimension": "wrapUpCode", "operator": "exists"}]}],
        }
        await take(
            "analytics query",
            "AnalyticsConversationQueryResponse",
            await s.post("/api/v2/analytics/conversations/details/query", json=query),
        )
        clauses = {
            "interval": "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z",
            "segmentFilters": [
                {
                    "type": "or",
                    "clauses": [
                        {
                            "type": "and",
                            "predicates": [{"type": "dimension", "dimension": "segmentType", "value": "alert"}],
                        }
                    ],
                }
            ],
        }
        await take(
            "analytics query with clauses",
            "AnalyticsConversationQueryResponse",
            await s.post("/api/v2/analytics/conversations/details/query", json=clauses),
        )
        jobs = "/api/v2/analytics/conversations/details/jobs"
        job = await take(
            "analytics job", "AsyncQueryResponse", await s.post(jobs, json={"interval": clauses["interval"]})
        )
        await take("analytics job status", "AsyncQueryStatus", await s.get(f"{jobs}/{job['jobId']}"))
        await take(
            "analytics job results",
            "AnalyticsConversationAsyncQueryResponse",
            await s.get(f"{jobs}/{job['jobId']}/results", params={"pageSize": "20"}),
        )
        await take("analytics availability", "DataAvailabilityResponse", await s.get(f"{jobs}/availability"))
        for n, view, sdk_type in ((2, "calls", "CallConversation"), (31, "messages", "MessageConversation"),
                                  (45, "emails", "EmailConversation"), (19, "calls", "CallConversation")):  # fmt: skip
            await take(f"{view} view {n}", sdk_type, await s.get(f"/api/v2/conversations/{view}/{cid(n)}"))
        await take("users", "UserEntityListing", await s.get("/api/v2/users", params={"id": f"{JDOE},{KCHEN}"}))
        await take("user", "User", await s.get(f"/api/v2/users/{JDOE}"))
        pid2, _, _ = await s.agent(2)
        await take(
            "403 not.authorized",
            "ErrorBody",
            await s.patch(f"/api/v2/conversations/{cid(2)}/participants/{pid2}", json={"state": "disconnected"}),
        )
        await take(
            "415",
            "ErrorBody",
            await client.post(
                f"/api/v2/conversations/calls/{cid(2)}/participants/{pid2}/communications/x/wrapup",
                content=b"code=1",
                headers={**s.headers, "Content-Type": "application/x-www-form-urlencoded"},
            ),
        )
        await take("404", "ErrorBody", await s.get(f"/api/v2/conversations/{cid(99)}"))
        await take("400", "ErrorBody", await s.wrapup(1, {"code": "Resolved"}))
        await take("401", "ErrorBody", await client.get("/api/v2/routing/queues"))
        readonly = await Session.login(client, "readonly-client", "readonly-secret")
        await take("403", "ErrorBody", await readonly.wrapup(2, {"code": RESOLVED}))
    return samples


def test_every_emitted_key_and_enum_is_declared_by_the_sdk(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    samples = run(_collect(emu))
    assert len(samples) > 100
    api_client = sdk().ApiClient(host="http://unused.invalid")
    problems: list[str] = []
    for what, sdk_type, payload in samples:
        undeclared(payload, sdk_type, what, problems)
        outdated_enums(api_client._ApiClient__deserialize(payload, sdk_type), what, problems)
    assert problems == []
    # The walk above is only as good as its coverage: the rendered samples do hold the interesting parts.
    text = json.dumps([payload for _, _, payload in samples])
    for key in (
        "afterCallWork",
        "wrapUpCode",
        "wrapUpNote",
        "acwSkipped",
        "socialExpressions",
        "messagesSent",
        "wrapupPrompt",
        "acwSettings",
        "nextUri",
        "messageParams",
        "messageWithParams",
        "provisional",
        "startAlertingTime",
        "peerId",
        "alertingTimeoutMs",
        "howEnded",
        "ININ-WRAP-UP-TIMEOUT",
        "unsupported.media.type",
        "not.authorized",
        "username",
        "expirationDate",
        "dataAvailabilityDate",
    ):
        assert f'"{key}"' in text, key
