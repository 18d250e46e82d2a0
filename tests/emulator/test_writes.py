"""Wrap-up writes: the POST and PATCH endpoints, every UNSURE rule both ways, body validation, the write log."""

from __future__ import annotations

import asyncio
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.emulator.helpers import (
    BILLING,
    EMEA,
    ESCALATED,
    HOME,
    JDOE,
    OTHER,
    RESOLVED,
    SALE,
    FakeClock,
    Session,
    agent_of,
    assert_error,
    cid,
    make_emulator,
    run,
)
from wrapup_bridge.emulator import Emulator, Org, derive_id, parse_org

RENEWAL = "d9f0b7c0-e6f6-4abf-9c86-269bdefda9aa"


def _write(emu: Emulator, n: int, body: Any, media: str | None = None, client: tuple[str, str] | None = None) -> Any:
    async def go() -> Any:
        async with emu.async_client() as c:
            s = await Session.login(c, *(client or ("demo-client", "demo-secret")))
            return await s.wrapup(n, body, media)

    return run(go())


def _conversation(emu: Emulator, n: int) -> dict[str, Any]:
    async def go() -> dict[str, Any]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            return dict((await s.get(f"/api/v2/conversations/{cid(n)}")).json())

    return run(go())


def test_accepted_write_is_applied_and_logged(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    body = {"code": RESOLVED, "notes": "paid in full", "tags": ["vip"], "durationSeconds": 30}
    response = _write(emu, 1, body)
    assert response.status_code == 202 and response.content == b""
    assert "content-type" not in response.headers
    agent = agent_of(_conversation(emu, 1))
    expected = {
        "code": RESOLVED,
        "name": "Resolved",
        "notes": "paid in full",
        "tags": ["vip"],
        "durationSeconds": 30,
        "endTime": "2026-06-01T00:00:00Z",
    }
    assert agent["wrapup"] == expected and agent["calls"][0]["wrapup"] == expected
    assert agent["calls"][0]["afterCallWork"]["state"] == "complete"
    (record,) = emu.write_log
    assert (record.method, record.conversation_id, record.code_id) == ("POST", cid(1), RESOLVED)
    assert record.participant_id == derive_id(cid(1), "agent")
    assert record.communication_id == derive_id(cid(1), "agent", "voice")
    assert record.path.startswith(f"/api/v2/conversations/calls/{cid(1)}/participants/")
    assert record.body == body and record.client_id == "demo-client" and not record.dropped
    assert record.to_json()["time"] == "2026-06-01T00:00:00Z"


def test_messages_and_emails_use_their_own_media_path(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    assert _write(emu, 31, {"code": RESOLVED}).status_code == 202
    assert _write(emu, 45, {"code": RESOLVED}).status_code == 202
    assert_error(_write(emu, 32, {"code": RESOLVED}, media="calls"), 404, "not.found")
    body = assert_error(_write(emu, 1, {"code": RESOLVED}, media="messages"), 404, "not.found")
    assert "has no messages communication" in body["message"]
    assert len(emu.write_log) == 2


def test_a_communication_must_be_addressed_through_its_own_media() -> None:
    call_id, message_id = derive_id(cid(5), "call"), derive_id(cid(5), "message")
    org = parse_org(
        DIVISION_ORG.split("conversations:")[0]
        + textwrap.dedent(f"""\
        conversations:
          - id: {cid(5)}
            startTime: 2026-03-02T14:00:00Z
            participants:
              - id: {derive_id(cid(5), "agent")}
                purpose: agent
                userId: Jane Doe
                queueId: Billing
                calls: [{{id: {call_id}, state: disconnected}}]
                messages: [{{id: {message_id}, state: connected, type: webmessaging}}]
        """)
    )
    emu = make_emulator(org)
    base = f"/api/v2/conversations/{{media}}/{cid(5)}/participants/{derive_id(cid(5), 'agent')}/communications"

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c, "home-only", "s")
            wrong = await s.post(base.format(media="calls") + f"/{message_id}/wrapup", json={"code": RESOLVED})
            message = assert_error(wrong, 404, "not.found")["message"]
            assert message == f"Communication {message_id} is a messages communication, not one of calls"
            right = await s.post(base.format(media="messages") + f"/{message_id}/wrapup", json={"code": RESOLVED})
            assert right.status_code == 202

    run(go())
    assert [r.communication_id for r in emu.write_log] == [message_id]


def test_unknown_ids_are_404(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    pid, comm = derive_id(cid(1), "agent"), derive_id(cid(1), "agent", "voice")
    other = str(uuid.uuid4())
    paths = [
        f"/api/v2/conversations/calls/{other}/participants/{pid}/communications/{comm}/wrapup",
        f"/api/v2/conversations/calls/{cid(1)}/participants/{other}/communications/{comm}/wrapup",
        f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{other}/wrapup",
        # The customer's communication, addressed through the agent participant.
        f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/"
        f"{derive_id(cid(1), 'customer', 'voice')}/wrapup",
    ]

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            for path in paths:
                assert_error(await s.post(path, json={"code": RESOLVED}), 404, "not.found")

    run(go())
    assert emu.write_log == []


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("Resolved", "that is a wrap-up code name; the code field takes the wrap-up code id"),
        ("resolved", "that is a wrap-up code name"),
        (str(uuid.UUID(int=7)), "no wrap-up code has this id"),
        ("ININ-WRAP-UP-TIMEOUT", "no wrap-up code has this id"),
    ],
)
def test_invalid_codes_are_rejected(demo_org: Org, code: str, says: str) -> None:
    emu = make_emulator(demo_org)
    body = assert_error(_write(emu, 1, {"code": code}), 400, "invalid.value")
    assert f"The wrap-up code [{code}] is invalid" in body["message"] and says in body["message"]
    assert body["details"] == [{"errorCode": "invalid.value", "fieldName": "code"}]
    assert emu.write_log == []


def test_only_agent_participants_can_be_wrapped_up(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            for role in ("customer", "acd"):
                pid, comm = derive_id(cid(1), role), derive_id(cid(1), role, "voice")
                path = f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"
                body = assert_error(await s.post(path, json={"code": RESOLVED}), 400, "invalid.value")
                assert f"has purpose '{role}'" in body["message"] and "only an agent participant" in body["message"]

    run(go())


@pytest.mark.parametrize(
    ("body", "status", "code", "says"),
    [
        ({"code": RESOLVED, "colour": "red"}, 400, "bad.request", 'Unrecognized field "colour" in WrapupInput'),
        ({"code": 12}, 400, "bad.request", "WrapupInput.code: expected a string"),
        ({"code": RESOLVED, "tags": "vip"}, 400, "bad.request", "WrapupInput.tags: expected an array"),
        ({"code": RESOLVED, "durationSeconds": True}, 400, "bad.request", "durationSeconds: expected an integer"),
        ({"code": RESOLVED, "endTime": "yesterday"}, 400, "invalid.date", "WrapupInput.endTime"),
        ({"code": RESOLVED, "endTime": "2026-03-02T14:00:00"}, 400, "invalid.date", "with a zone"),
        (["not", "an", "object"], 400, "bad.request", "must be a JSON object"),
        ({}, 400, "invalid.value", "A wrap-up code is required"),
        (None, 400, "invalid.value", "A wrap-up code is required"),
    ],
)
def test_body_validation(demo_org: Org, body: Any, status: int, code: str, says: str) -> None:
    emu = make_emulator(demo_org)
    response = _write(emu, 1, body) if body is not None else _post_raw(emu, b"")
    assert says in assert_error(response, status, code)["message"]


def _post_raw(emu: Emulator, content: bytes) -> Any:
    async def go() -> Any:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, comm, _ = await s.agent(1)
            path = f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"
            return await c.post(path, content=content, headers={**s.headers, "content-type": "application/json"})

    return run(go())


def test_malformed_json_is_a_400(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    assert "malformed syntax" in assert_error(_post_raw(emu, b"{code:"), 400, "bad.request")["message"]


def test_provisional_wrapup_needs_no_code_and_is_hidden_by_default(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.wrapup(2, {"provisional": True, "notes": "draft"})).status_code == 202
            pid, _, _ = await s.agent(2)
            path = f"/api/v2/conversations/{cid(2)}/participants/{pid}/wrapup"
            assert (await s.get(path)).json() == {}
            assert (await s.get(path, params={"provisional": "true"})).json() == {"notes": "draft"}

    run(go())


@pytest.mark.parametrize("enforced", [True, False])
def test_queue_codes_enforced_switch(demo_org: Org, enforced: bool) -> None:
    emu = make_emulator(demo_org, queue_codes_enforced=enforced)
    response = _write(emu, 1, {"code": SALE})  # Sale is not assigned to Billing
    if enforced:
        message = assert_error(response, 400, "invalid.value")["message"]
        assert message.startswith(f"The wrap-up code [Sale] ({SALE}) is not valid for queue [Billing] ({BILLING})")
    else:
        assert response.status_code == 202


def test_late_write_window_switch(demo_org: Org) -> None:
    # Conversation 1 ended 2026-03-02T14:04:10Z.
    ended = 1_772_460_250.0
    assert _write(make_emulator(demo_org), 1, {"code": RESOLVED}).status_code == 202  # default: any time
    late = make_emulator(demo_org, late_write_window_seconds=3600)
    message = assert_error(_write(late, 1, {"code": RESOLVED}), 400, "invalid.value")["message"]
    assert "the conversation ended at 2026-03-02T14:04:10+00:00, more than 3600 seconds ago" in message
    in_time = make_emulator(demo_org, FakeClock(ended + 3599), late_write_window_seconds=3600)
    assert _write(in_time, 1, {"code": RESOLVED}).status_code == 202
    just_late = make_emulator(demo_org, FakeClock(ended + 3601), late_write_window_seconds=3600)
    assert _write(just_late, 1, {"code": RESOLVED}).status_code == 400


def test_overwrite_switch(demo_org: Org) -> None:
    allow = make_emulator(demo_org)
    assert _write(allow, 1, {"code": RESOLVED}).status_code == 202
    assert _write(allow, 1, {"code": ESCALATED}).status_code == 202
    assert agent_of(_conversation(allow, 1))["wrapup"]["code"] == ESCALATED
    assert _write(allow, 20, {"code": RENEWAL}).status_code == 202  # Sale -> Renewal

    reject = make_emulator(demo_org, overwrite="reject")
    assert _write(reject, 1, {"code": RESOLVED, "notes": "a"}).status_code == 202
    message = assert_error(_write(reject, 1, {"code": ESCALATED}), 400, "invalid.value")["message"]
    assert f"already has wrap-up code [Resolved] ({RESOLVED})" in message
    assert _write(reject, 1, {"code": RESOLVED, "notes": "b"}).status_code == 202  # the same code again is fine
    assert agent_of(_conversation(reject, 1))["wrapup"]["notes"] == "b"
    assert "[Sale]" in assert_error(_write(reject, 20, {"code": RENEWAL}), 400, "invalid.value")["message"]
    assert [r.code_id for r in reject.write_log] == [RESOLVED, RESOLVED]


@pytest.mark.parametrize(
    ("status", "code"), [(400, "invalid.value"), (409, "conflict"), (422, "payload.or.params.invalid")]
)
def test_rejection_status_switch(demo_org: Org, status: int, code: str) -> None:
    emu = make_emulator(demo_org, rejection_status=status, overwrite="reject")
    for body in ({"code": "Resolved"}, {"code": SALE}):
        assert_error(_write(emu, 1, body), status, code)
    assert_error(_write(emu, 20, {"code": RENEWAL}), status, code)
    # Malformed input stays a 400 whatever the rejection status.
    assert_error(_write(emu, 1, {"code": RESOLVED, "x": 1}), 400, "bad.request")


def test_client_credentials_may_wrapup_switch(demo_org: Org) -> None:
    emu = make_emulator(demo_org, client_credentials_may_wrapup=False)
    body = assert_error(_write(emu, 1, {"code": RESOLVED}), 403, "not.authorized")
    assert "client-credentials token" in body["message"]

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, _, _ = await s.agent(1)
            patch = await s.patch(
                f"/api/v2/conversations/{cid(1)}/participants/{pid}", json={"wrapup": {"code": RESOLVED}}
            )
            assert_error(patch, 403, "not.authorized")

    run(go())
    assert emu.write_log == []
    assert _write(make_emulator(demo_org), 1, {"code": RESOLVED}).status_code == 202


def test_missing_write_permission(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    response = _write(emu, 1, {"code": RESOLVED}, client=("readonly-client", "readonly-secret"))
    body = assert_error(response, 403, "missing.permissions")
    assert body["messageParams"] == {"permissions": "conversation:participant:wrapup"}


DIVISION_ORG = textwrap.dedent(f"""\
    divisions: [{{id: {HOME}, name: Home}}, {{id: {EMEA}, name: EMEA}}]
    wrapup_codes: [{{id: {RESOLVED}, name: Resolved}}, {{id: {OTHER}, name: Other, division: EMEA}}]
    queues: [{{id: {BILLING}, name: Billing, wrapup_codes: [Resolved, Other]}}]
    users: [{{id: {JDOE}, name: Jane Doe}}]
    oauth_clients:
      - client_id: home-only
        client_secret: s
        divisions: [Home]
        permissions: [conversation:participant:wrapup, conversation:communication:view, routing:wrapupCode:view]
    conversations:
      - {{id: {cid(1)}, media: voice, queue: Billing, agent: Jane Doe, start: 2026-03-02T14:00:00Z}}
    """)


@pytest.mark.parametrize("enforced", [True, False])
def test_division_access_switch(enforced: bool) -> None:
    emu = make_emulator(parse_org(DIVISION_ORG), division_access_enforced=enforced)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c, "home-only", "s")
            names = [e["name"] for e in (await s.get("/api/v2/routing/wrapupcodes")).json()["entities"]]
            one = await s.get(f"/api/v2/routing/wrapupcodes/{OTHER}")
            write = await s.wrapup(1, {"code": OTHER})
            if enforced:
                assert names == ["Resolved"]
                assert_error(one, 404, "not.found")
                assert "belongs to division [EMEA]" in assert_error(write, 400, "invalid.value")["message"]
            else:
                assert names == ["Other", "Resolved"] and one.status_code == 200 and write.status_code == 202

    run(go())


def test_patch_participant_sets_skips_and_disconnects(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, _comm, _ = await s.agent(2)
            base = f"/api/v2/conversations/{cid(2)}/participants/{pid}"
            response = await s.patch(base, json={"wrapup": {"code": RESOLVED, "notes": "via patch"}})
            assert response.status_code == 202 and response.content == b""
            assert (await s.get(f"{base}/wrapup")).json()["notes"] == "via patch"
            media = await s.patch(
                f"/api/v2/conversations/calls/{cid(2)}/participants/{pid}", json={"wrapup": {"code": RESOLVED}}
            )
            assert media.status_code == 202
            wrong = await s.patch(
                f"/api/v2/conversations/emails/{cid(2)}/participants/{pid}", json={"wrapup": {"code": RESOLVED}}
            )
            assert_error(wrong, 404, "not.found")
            nested = await s.patch(base, json={"wrapup": {"code": RESOLVED, "bogus": 1}})
            assert (
                'Unrecognized field "bogus" in MediaParticipantRequest.wrapup'
                in assert_error(nested, 400, "bad.request")["message"]
            )
            assert_error(await s.patch(base, json={"state": "exploded"}), 400, "invalid.value")
            assert_error(await s.patch(base, json={"muted": "yes"}), 400, "bad.request")

            pid3, _, _ = await s.agent(3)
            assert (
                await s.patch(f"/api/v2/conversations/{cid(3)}/participants/{pid3}", json={"wrapupSkipped": True})
            ).status_code == 202
            agent = agent_of((await s.get(f"/api/v2/conversations/{cid(3)}")).json())
            assert agent["wrapupSkipped"] is True and agent["calls"][0]["afterCallWork"]["state"] == "skipped"
            customer = derive_id(cid(3), "customer")
            skip_customer = await s.patch(
                f"/api/v2/conversations/{cid(3)}/participants/{customer}", json={"wrapupSkipped": True}
            )
            assert_error(skip_customer, 400, "invalid.value")
            return

    run(go())
    assert [(r.method, r.code_id) for r in emu.write_log] == [("PATCH", RESOLVED), ("PATCH", RESOLVED), ("PATCH", None)]
    assert emu.write_log[0].communication_id == derive_id(cid(2), "agent", "voice")


def test_disconnect_then_wrap_up_a_live_conversation() -> None:
    emu = make_emulator(parse_org(DIVISION_ORG))
    pid = derive_id(cid(1), "agent")

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c, "home-only", "s")
            live = (await s.get(f"/api/v2/conversations/{cid(1)}")).json()
            assert "endTime" not in live and agent_of(live)["calls"][0]["state"] == "connected"
            assert "afterCallWork" not in agent_of(live)["calls"][0]
            patch = await s.patch(f"/api/v2/conversations/{cid(1)}/participants/{pid}", json={"state": "disconnected"})
            assert patch.status_code == 202
            agent = agent_of((await s.get(f"/api/v2/conversations/{cid(1)}")).json())
            call = agent["calls"][0]
            assert call["state"] == "disconnected" and call["disconnectedTime"] == "2026-06-01T00:00:00Z"
            assert call["afterCallWork"] == {"startTime": "2026-06-01T00:00:00Z", "state": "pending"}
            assert agent["startAcwTime"] == "2026-06-01T00:00:00Z"
            assert (await s.wrapup(1, {"code": RESOLVED})).status_code == 202
            agent = agent_of((await s.get(f"/api/v2/conversations/{cid(1)}")).json())
            assert agent["calls"][0]["afterCallWork"]["state"] == "complete"

    run(go())


def test_disable_end_time_updates_keeps_the_first_end_time(demo_org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(demo_org, clock)
    assert _write(emu, 1, {"code": RESOLVED}).status_code == 202
    clock.advance(600)
    assert _write(emu, 1, {"code": ESCALATED, "disableEndTimeUpdates": True}).status_code == 202
    assert agent_of(_conversation(emu, 1))["wrapup"]["endTime"] == "2026-06-01T00:00:00Z"
    clock.advance(600)
    assert _write(emu, 1, {"code": RESOLVED, "endTime": "2026-03-02T14:10:00Z"}).status_code == 202
    assert agent_of(_conversation(emu, 1))["wrapup"]["endTime"] == "2026-03-02T14:10:00Z"


def test_write_log_control_endpoint_and_reset(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.wrapup(1, {"code": RESOLVED})).status_code == 202
            writes = (await c.get("/_emulator/writes")).json()["writes"]
            assert len(writes) == 1 and writes[0]["code_id"] == RESOLVED and writes[0]["conversation_id"] == cid(1)
            assert set(writes[0]) == {
                "time",
                "method",
                "path",
                "conversation_id",
                "participant_id",
                "communication_id",
                "code_id",
                "body",
                "client_id",
                "dropped",
            }
            stats = (await c.get("/_emulator/stats")).json()
            assert stats["requests"]["POST /oauth/token"] == 1 and stats["total"] >= 3
            assert (await c.post("/_emulator/reset")).json() == {"reset": True}
            assert (await c.get("/_emulator/writes")).json() == {"writes": []}
            # The org's initial state is back, and the token issued before the reset still works.
            pid, _, _ = await s.agent(1)
            assert (await s.get(f"/api/v2/conversations/{cid(1)}/participants/{pid}/wrapup")).json() == {}
            agent20 = agent_of((await s.get(f"/api/v2/conversations/{cid(20)}")).json())
            assert agent20["wrapup"]["code"] == SALE

    run(go())
    assert emu.write_log == []


def test_journal_keeps_accepted_wrapups_across_restarts(tmp_path: Path) -> None:
    """The demo's second run must see what the first applied: the emulator keeps writes in a journal file."""
    journal = tmp_path / "state.jsonl"
    first = Emulator.from_file(EXAMPLES / "demo-org.yaml", journal=journal)
    conversation = first.runtime.conversations["c0ffee00-0000-4000-8000-000000000001"]
    agent = next(p for p in conversation.participants if p.is_agent)
    comm = agent.communications[0]
    token = first.token_for("demo-client")

    async def write() -> int:
        async with first.async_client(headers={"Authorization": f"Bearer {token}"}) as http:
            response = await http.post(
                f"/api/v2/conversations/calls/{conversation.id}/participants/{agent.id}/communications/{comm.id}/wrapup",
                json={"code": "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41", "name": "Payment Taken"},
            )
            return response.status_code

    assert asyncio.run(write()) == 202
    second = Emulator.from_file(EXAMPLES / "demo-org.yaml", journal=journal)
    assert second.restored == 1
    restored = second.runtime.conversations[conversation.id].participant_by_id[agent.id]
    assert restored.wrapup is not None and restored.wrapup.code == "dd1c84e4-4fa9-40d7-81ac-e0d9a2729d41"
    assert second.write_log == []  # the log is this run's writes; the journal is the state
