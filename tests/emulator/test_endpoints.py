"""Read endpoints: JSON shapes, paging and filters, authentication, permissions, headers, unknown paths."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.emulator.helpers import (
    BILLING,
    EMEA,
    HOME,
    JDOE,
    OTHER,
    RESOLVED,
    SALE,
    SALES,
    SUPPORT,
    Session,
    agent_of,
    assert_error,
    cid,
    make_emulator,
    run,
)
from wrapup_bridge.emulator import Emulator, Org, derive_id, parse_org
from wrapup_bridge.emulator.org import Org as OrgType


@pytest.fixture
def emu(demo_org: Org) -> Emulator:
    return make_emulator(demo_org)


def test_token_endpoint(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            ok = await c.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
            )
            assert ok.status_code == 200
            body = ok.json()
            assert set(body) == {"access_token", "token_type", "expires_in"}
            assert body["token_type"] == "bearer" and body["expires_in"] == 86400
            uuid.UUID(ok.headers["ININ-Correlation-Id"])
            # The login host answers in OAuth's shape, as real SDK exceptions show it (not Genesys's ErrorBody).
            bad = await c.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "nope"))
            assert bad.status_code == 400 and bad.json() == {
                "error": "invalid_client",
                "description": "authentication failed",
                "error_description": "authentication failed",
            }
            unknown = await c.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("who", "x"))
            assert unknown.status_code == 400 and unknown.json()["description"] == "client not found"
            no_auth = await c.post("/oauth/token", data={"grant_type": "client_credentials"})
            assert no_auth.json()["error"] == "invalid_client"
            grant = await c.post("/oauth/token", data={"grant_type": "password"}, auth=("demo-client", "demo-secret"))
            assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"

    run(go())


def test_authentication_errors(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            missing = await c.get("/api/v2/routing/wrapupcodes")
            body = assert_error(missing, 401, "authentication.required")
            assert "bearer token" in body["message"]
            wrong = await c.get("/api/v2/routing/wrapupcodes", headers={"Authorization": "Bearer nope"})
            assert_error(wrong, 401, "bad.credentials")
            basic = await c.get("/api/v2/routing/wrapupcodes", headers={"Authorization": "Basic abc"})
            assert_error(basic, 401, "bad.credentials")

    run(go())


def test_wrapupcodes_listing_shape_and_paging(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            first = await s.get("/api/v2/routing/wrapupcodes", params={"pageSize": 10})
            assert first.status_code == 200
            page = first.json()
            assert page["total"] == 21 and page["pageCount"] == 3 and page["pageNumber"] == 1 and page["pageSize"] == 10
            assert page["nextUri"] == "/api/v2/routing/wrapupcodes?pageSize=10&pageNumber=2"
            assert "previousUri" not in page and page["lastUri"].endswith("pageNumber=3")
            names = [e["name"] for e in page["entities"]]
            assert names == sorted(names, key=str.casefold) and names[0] == "Answering Machine"
            resolved = (await s.get(f"/api/v2/routing/wrapupcodes/{RESOLVED}")).json()
            assert resolved == {
                "id": RESOLVED,
                "name": "Resolved",
                "division": {"id": HOME, "name": "Home", "selfUri": f"/api/v2/authorization/divisions/{HOME}"},
                "description": "The customer's issue was solved",
                "selfUri": f"/api/v2/routing/wrapupcodes/{RESOLVED}",
            }
            last = (await s.get("/api/v2/routing/wrapupcodes", params={"pageSize": 10, "pageNumber": 3})).json()
            assert len(last["entities"]) == 1 and "nextUri" not in last and last["previousUri"].endswith("pageNumber=2")
            default = (await s.get("/api/v2/routing/wrapupcodes")).json()
            assert default["pageSize"] == 25 and len(default["entities"]) == 21
            beyond = (await s.get("/api/v2/routing/wrapupcodes", params={"pageNumber": 9})).json()
            assert beyond["entities"] == [] and beyond["total"] == 21
            too_big = await s.get("/api/v2/routing/wrapupcodes", params={"pageSize": 501})
            assert_error(too_big, 400, "bad.request")
            not_int = await s.get("/api/v2/routing/wrapupcodes", params={"pageNumber": "two"})
            assert "pageNumber" in assert_error(not_int, 400, "bad.request")["message"]
            missing = await s.get(f"/api/v2/routing/wrapupcodes/{uuid.uuid4()}")
            assert_error(missing, 404, "not.found")

    run(go())


def test_wrapupcodes_filters(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)

            async def names(**params: str) -> list[str]:
                response = await s.get("/api/v2/routing/wrapupcodes", params=params)
                assert response.status_code == 200, response.text
                return [e["name"] for e in response.json()["entities"]]

            assert await names(name="resolved") == ["Resolved"]
            assert await names(name="Not*") == ["Not Interested", "Not Resolved"]
            assert await names(name="Not*", sortOrder="descending") == ["Not Resolved", "Not Interested"]
            assert (await names(name="*", sortBy="id"))[:3] == ["Callback Scheduled", "Other", "Sale"]
            # Without a name, sortBy is ignored (documented): the order stays by name.
            assert (await names(sortBy="id"))[:2] == ["Answering Machine", "Automatically Completed"]
            assert await names(id=f"{RESOLVED},{SALE}") == ["Resolved", "Sale"]
            response = await s.get("/api/v2/routing/wrapupcodes", params=[("id", RESOLVED), ("id", OTHER)])
            assert [e["name"] for e in response.json()["entities"]] == ["Other", "Resolved"]
            assert await names(divisionId=EMEA) == ["Other"]
            bad = await s.get("/api/v2/routing/wrapupcodes", params={"name": "x", "sortBy": "colour"})
            assert_error(bad, 400, "bad.request")

    run(go())


def test_queues_and_their_codes(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            listing = (await s.get("/api/v2/routing/queues")).json()
            assert [q["name"] for q in listing["entities"]] == ["Billing", "Retention", "Sales Outbound", "Support"]
            billing = (await s.get(f"/api/v2/routing/queues/{BILLING}")).json()
            assert billing["acwSettings"] == {"wrapupPrompt": "MANDATORY_TIMEOUT", "timeoutMs": 60000}
            assert billing["division"]["id"] == HOME and billing["selfUri"] == f"/api/v2/routing/queues/{BILLING}"
            support = (await s.get(f"/api/v2/routing/queues/{SUPPORT}")).json()
            assert support["acwSettings"] == {"wrapupPrompt": "OPTIONAL"}
            filtered = (await s.get("/api/v2/routing/queues", params={"name": "*out*"})).json()
            assert [q["id"] for q in filtered["entities"]] == [SALES]
            codes = (await s.get(f"/api/v2/routing/queues/{SALES}/wrapupcodes", params={"pageSize": 5})).json()
            assert codes["total"] == 12 and codes["pageCount"] == 3
            assert [e["name"] for e in codes["entities"]] == [
                "Answering Machine",
                "Busy",
                "Callback Scheduled",
                "Caller Abandoned",
                "Do Not Call",
            ]
            named = (await s.get(f"/api/v2/routing/queues/{SALES}/wrapupcodes", params={"name": "No*"})).json()
            assert [e["name"] for e in named["entities"]] == ["No Answer", "Not Interested"]
            assert_error(await s.get(f"/api/v2/routing/queues/{uuid.uuid4()}/wrapupcodes"), 404, "not.found")

    run(go())


def test_get_conversation_shape(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            conversation = (await s.get(f"/api/v2/conversations/{cid(31)}")).json()
            assert conversation["id"] == cid(31) and conversation["selfUri"] == f"/api/v2/conversations/{cid(31)}"
            # Whole seconds: Genesys leaves the milliseconds out.
            assert re.fullmatch(r"2026-03-03T\d\d:\d\d:\d\dZ", conversation["startTime"])
            assert conversation["divisions"][0]["division"]["id"] == HOME
            assert conversation["divisions"][0]["entities"] == [
                {"id": SUPPORT, "selfUri": f"/api/v2/routing/queues/{SUPPORT}"}
            ]
            customer, acd, *missed, agent = conversation["participants"]
            assert all(not leg.get("connectedTime") for leg in missed)
            assert customer["purpose"] == "customer" and acd["purpose"] == "acd" and acd["queueName"] == "Support"
            assert agent["id"] == derive_id(cid(31), "agent")
            assert agent["userId"] == "905ef80c-fff3-4212-bcec-78c850ab878d" and agent["queueId"] == SUPPORT
            assert agent["wrapupRequired"] is True and agent["wrapupPrompt"] == "optional"
            assert "wrapup" not in agent
            for array in ("calls", "callbacks", "emails", "socialExpressions", "videos", "chats"):
                assert agent[array] == []
            (message,) = agent["messages"]
            assert message["id"] == derive_id(cid(31), "agent", "message")
            assert message["type"] == "sms" and message["state"] == "disconnected"
            assert message["afterCallWork"]["state"] == "pending"
            wrapped = (await s.get(f"/api/v2/conversations/{cid(20)}")).json()
            agent20 = agent_of(wrapped)
            assert agent20["wrapup"] == {"code": SALE, "name": "Sale"}
            assert agent20["calls"][0]["wrapup"] == {"code": SALE, "name": "Sale"}
            assert agent20["calls"][0]["afterCallWork"]["state"] == "complete"
            abandoned = (await s.get(f"/api/v2/conversations/{cid(19)}")).json()
            # One alert rang out, one was declined: two agent legs, neither ever connected.
            assert [p["purpose"] for p in abandoned["participants"]] == ["customer", "acd", "agent", "agent"]
            rang_out, declined = abandoned["participants"][2:]
            assert "connectedTime" not in rang_out and "connectedTime" not in declined
            assert (
                rang_out["calls"][0]["disconnectType"] == "system"
                and declined["calls"][0]["disconnectType"] == "client"
            )
            assert rang_out["calls"][0]["segments"] == [
                {
                    "startTime": "2026-03-02T16:06:02.250Z",
                    "endTime": "2026-03-02T16:06:10.250Z",
                    "type": "Alert",
                    "howEnded": "Disconnect",
                    "disconnectType": "system",
                }
            ]
            email = agent_of((await s.get(f"/api/v2/conversations/{cid(45)}")).json())["emails"][0]
            assert email["subject"] == "Invoice question #1045"
            assert_error(await s.get(f"/api/v2/conversations/{uuid.uuid4()}"), 404, "not.found")

    run(go())


def test_participant_wrapup_reads(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, comm, _ = await s.agent(20)
            assert (await s.get(f"/api/v2/conversations/{cid(20)}/participants/{pid}/wrapup")).json() == {"code": SALE}
            media = await s.get(f"/api/v2/conversations/calls/{cid(20)}/participants/{pid}/wrapup")
            assert media.json() == {"code": SALE}
            on_comm = await s.get(
                f"/api/v2/conversations/calls/{cid(20)}/participants/{pid}/communications/{comm}/wrapup"
            )
            assert on_comm.json() == {"code": SALE}
            wrong_media = await s.get(f"/api/v2/conversations/emails/{cid(20)}/participants/{pid}/wrapup")
            assert_error(wrong_media, 404, "not.found")
            codes = (await s.get(f"/api/v2/conversations/{cid(20)}/participants/{pid}/wrapupcodes")).json()
            assert (
                isinstance(codes, list) and len(codes) == 12 and {"id", "name", "division", "selfUri"} <= set(codes[0])
            )
            customer = derive_id(cid(20), "customer")
            assert (await s.get(f"/api/v2/conversations/{cid(20)}/participants/{customer}/wrapupcodes")).json() == []
            unset, _, _ = await s.agent(1)
            assert (await s.get(f"/api/v2/conversations/{cid(1)}/participants/{unset}/wrapup")).json() == {}
            missing = await s.get(f"/api/v2/conversations/{cid(1)}/participants/{uuid.uuid4()}/wrapup")
            assert_error(missing, 404, "not.found")

    run(go())


def test_unset_wrapup_can_be_a_404(demo_org: OrgType) -> None:
    emu = make_emulator(demo_org, unset_wrapup_get="not_found")

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, _, _ = await s.agent(1)
            assert_error(await s.get(f"/api/v2/conversations/{cid(1)}/participants/{pid}/wrapup"), 404, "not.found")

    run(go())


def test_permissions_per_endpoint(demo_org: OrgType) -> None:
    text = (
        f"divisions: [{{id: {HOME}, name: Home}}]\n"
        f"wrapup_codes: [{{id: {RESOLVED}, name: Resolved}}]\n"
        f"queues: [{{id: {BILLING}, name: Billing, wrapup_codes: [Resolved]}}]\n"
        f"users: [{{id: {JDOE}, name: Jane Doe}}]\n"
        "oauth_clients:\n"
        "  - {client_id: none, client_secret: s}\n"
        "  - {client_id: wild, client_secret: s, permissions: ['routing:*:view', 'conversation:participant:wrapup']}\n"
        "  - {client_id: recorder, client_secret: s, permissions: ['conversation:call:record']}\n"
        f"conversations: [{{id: {cid(1)}, media: voice, queue: Billing, agent: {JDOE}, start: 2026-03-02T14:00:00Z,"
        " end: 2026-03-02T14:05:00Z}]\n"
    )
    org = parse_org(text)
    emu = make_emulator(org)
    pid = derive_id(cid(1), "agent")
    comm = derive_id(cid(1), "agent", "voice")
    post = f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"

    async def go() -> None:
        async with emu.async_client() as c:
            none = await Session.login(c, "none", "s")
            body = assert_error(await none.get("/api/v2/routing/wrapupcodes"), 403, "missing.permissions")
            assert body["message"].endswith("[routing:wrapupCode:view]")
            assert body["messageParams"] == {"permissions": "routing:wrapupCode:view"}
            assert_error(await none.get("/api/v2/routing/queues"), 403, "missing.permissions")
            assert_error(await none.get(f"/api/v2/conversations/{cid(1)}"), 403, "missing.permissions")
            body = assert_error(
                await none.get("/api/v2/analytics/conversations/details", params={"id": cid(1)}),
                403,
                "missing.any.permissions",
            )
            assert "analytics:conversationDetail:view" in body["message"]
            assert_error(await none.post(post, json={"code": RESOLVED}), 403, "missing.permissions")
            # The wrap-up GETs require no permission at all.
            assert (await none.get(f"/api/v2/conversations/{cid(1)}/participants/{pid}/wrapup")).status_code == 200
            wild = await Session.login(c, "wild", "s")
            assert (await wild.get("/api/v2/routing/wrapupcodes")).status_code == 200
            assert (await wild.get(f"/api/v2/routing/queues/{BILLING}")).status_code == 200
            assert (await wild.post(post, json={"code": RESOLVED})).status_code == 202
            # PATCH needs ANY of three permissions; conversation:call:record is one of them.
            recorder = await Session.login(c, "recorder", "s")
            patch = await recorder.patch(
                f"/api/v2/conversations/{cid(1)}/participants/{pid}", json={"wrapup": {"code": RESOLVED}}
            )
            assert patch.status_code == 202
            body = assert_error(
                await none.patch(f"/api/v2/conversations/{cid(1)}/participants/{pid}", json={}),
                403,
                "missing.any.permissions",
            )
            assert "conversation:communication:disconnect" in body["message"]

    run(go())


def test_headers_and_unknown_paths(emu: Emulator) -> None:
    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            ok = await s.get("/api/v2/routing/queues")
            assert ok.headers["inin-ratelimit-allowed"] == "300" and ok.headers["inin-ratelimit-count"] == "1"
            assert ok.headers["inin-ratelimit-reset"] == "60"
            assert ok.headers["content-type"] == "application/json"
            second = await s.get("/api/v2/routing/queues")
            assert second.headers["inin-ratelimit-count"] == "2"
            assert second.headers["ININ-Correlation-Id"] != ok.headers["ININ-Correlation-Id"]
            # A made-up endpoint (like the generic communication wrap-up, which Genesys does not have) is a 404.
            pid, comm, _ = await s.agent(1)
            generic = await s.post(
                f"/api/v2/conversations/{cid(1)}/participants/{pid}/communications/{comm}/wrapup",
                json={"code": RESOLVED},
            )
            assert_error(generic, 404, "not.found")
            assert_error(await s.get("/api/v2/interactions/x/wrapup"), 404, "not.found")
            assert_error(await s.client.delete("/api/v2/routing/queues", headers=s.headers), 405, "method.not.allowed")
            assert emu.requests["(no such endpoint)"] == 3

    run(go())
