"""Shared pieces of the emulator tests: the demo org's ids, a controllable clock, and a small API session."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from tests.conftest import EXAMPLES
from wrapup_bridge import testing
from wrapup_bridge.emulator import Emulator, EmulatorConfig, Org, derive_id
from wrapup_bridge.testing import demo_conversation_id as cid

T = TypeVar("T")

DEMO_ORG = EXAMPLES / "demo-org.yaml"
HOME = "48ddf357-eb7e-4766-9706-7cc07753a7de"
EMEA = "2dbf91d3-04e9-424e-b2e0-536107a74330"
RESOLVED = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
NOT_RESOLVED = "f11fc8de-3eb4-49c8-8f8d-e0e973e1d036"
ESCALATED = "f99e6ae5-c3c7-4558-bad3-67d4ab3e1d35"
SALE = "0dd6a32c-c059-4534-97bf-c82d73d9c869"
OTHER = "0cab9e0c-7015-4b96-9819-e59f32cd0700"
BILLING = "e0284275-ec9b-4fde-a99c-648c9c1726bc"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"
SALES = "1fe52838-127f-42fd-bd21-e6ef4db35835"
JDOE = "ea96e66b-d684-474a-b09a-cdcde48041e6"
KCHEN = "32cfb2b5-711d-4766-a6d0-acfdb25fe574"
#: 2026-06-01T00:00:00Z: months after the demo conversations (March 2026).
JUNE_2026 = 1_780_272_000.0


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class FakeClock(testing.FakeClock):
    """Emulator time that moves only when a test moves it; every requested sleep is recorded, not slept (nor
    counted: injected latency does not move the org's time)."""

    def __init__(self, start: float = JUNE_2026) -> None:
        super().__init__(start, advance_on_sleep=False)


def make_emulator(org: Org, clock: FakeClock | None = None, **config: Any) -> Emulator:
    clock = clock or FakeClock()
    return Emulator(org, EmulatorConfig.model_validate(config), clock=clock, sleep=clock.sleep)


class Session(testing.EmulatorSession):
    """wrapup_bridge.testing's logged-in session, and the wrap-up path of a demo conversation's agent."""

    async def agent(self, n: int) -> tuple[str, str, str]:
        """(participant id, communication id, media array) of the agent who handled conversation n (the one that
        connected: the demo org, like real orgs, has agent legs whose alerts rang out), read from the API."""
        conversation = (await self.get(f"/api/v2/conversations/{cid(n)}")).json()
        agent = next(p for p in conversation["participants"] if p["purpose"] == "agent" and p.get("connectedTime"))
        for array in ("calls", "callbacks", "emails", "messages", "socialExpressions", "videos"):
            if agent[array]:
                return agent["id"], agent[array][0]["id"], array
        raise AssertionError(f"conversation {n}'s agent has no communication")

    async def wrapup(self, n: int, body: Any, media: str | None = None) -> httpx.Response:
        """POST a wrap-up for conversation n's agent (on its own media path unless ``media`` says otherwise)."""
        pid, comm, array = await self.agent(n)
        segment = media or {"calls": "calls", "messages": "messages", "emails": "emails"}[array]
        path = f"/api/v2/conversations/{segment}/{cid(n)}/participants/{pid}/communications/{comm}/wrapup"
        return await self.post(path, json=body)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is a Genesys ErrorBody with this status and code, tied to the correlation id."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    # messageParams (and messageWithParams) only come with messages that have parameters, as in real bodies.
    assert set(body) >= {"message", "code", "status", "contextId", "details", "errors"}
    assert ("messageWithParams" in body) <= ("messageParams" in body)
    assert body["contextId"] == response.headers["ININ-Correlation-Id"]
    return body


def agent_of(conversation: dict[str, Any]) -> dict[str, Any]:
    """The participant of the agent who handled a demo-org conversation, in the conversation document or in
    analytics details: the compact form's agent (the demo org, like real orgs, also has legs that rang out)."""
    conversation_id = conversation.get("id") or conversation.get("conversationId")
    agent_id = derive_id(str(conversation_id), "agent")
    return next(p for p in conversation["participants"] if (p.get("id") or p.get("participantId")) == agent_id)


#: A small org (codes, the Billing queue, two users) to which a test appends its own conversations.
HEAD_USERS = f"""\
divisions:
  - {{id: {HOME}, name: Home}}
wrapup_codes:
  - {{id: {RESOLVED}, name: Resolved}}
queues:
  - id: {BILLING}
    name: Billing
    wrapup_codes: [Resolved]
users:
  - {{id: {JDOE}, name: Jane Doe, email: jdoe@example.com, username: jdoe@example.com}}
  - {{id: {KCHEN}, name: Kevin Chen, email: kchen@example.com, username: kchen@example.com}}
oauth_clients:
  - client_id: demo-client
    client_secret: demo-secret
    permissions: [conversation:participant:wrapup, conversation:communication:view, routing:wrapupCode:view,
                  routing:queue:view, analytics:conversationDetail:view]
"""
