"""Analytics conversation details: wrap-up segments reflect writes, and the two UNSURE analytics switches."""

from __future__ import annotations

from typing import Any

from tests.emulator.helpers import (
    BILLING,
    ESCALATED,
    HOME,
    JDOE,
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
from wrapup_bridge.emulator import Emulator, Org, derive_id


async def _details(s: Session, *ns: int) -> Any:
    response = await s.get("/api/v2/analytics/conversations/details", params={"id": ",".join(cid(n) for n in ns)})
    assert response.status_code == 200, response.text
    return response.json()


def _wrapup_segments(conversation: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        segment
        for participant in conversation["participants"]
        for session in participant["sessions"]
        for segment in session["segments"]
        if segment["segmentType"] == "wrapup"
    ]


def test_details_shape_and_wrapup_segment(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            before = await _details(s, 1, 20)
            one, twenty = before["conversations"]
            # Genesys drops zero milliseconds: the whole-second start reads without them.
            assert one["conversationId"] == cid(1) and one["conversationStart"] == "2026-03-02T14:00:00Z"
            assert one["divisionIds"] == [HOME] and one["originatingDirection"] == "inbound"
            assert [p["purpose"] for p in one["participants"]] == ["customer", "acd", "agent"]
            agent = agent_of(one)
            # Agents (and the acd) carry no participantName in real details; the customer does.
            assert agent["userId"] == JDOE and "participantName" not in agent
            assert "participantName" in one["participants"][0] and "participantName" not in one["participants"][1]
            (session,) = agent["sessions"]
            assert session["mediaType"] == "voice" and session["sessionId"] == derive_id(cid(1), "agent", "voice")
            # The agent's session peers with the customer's; it was alerted, then interacted.
            assert session["peerId"] == derive_id(cid(1), "customer", "voice")
            assert [seg["segmentType"] for seg in session["segments"]] == ["alert", "interact"]
            alert, interact = session["segments"]
            assert alert["segmentEnd"] == interact["segmentStart"] == "2026-03-02T14:00:20.500Z"
            assert "disconnectType" not in alert and interact["disconnectType"] == "peer"
            assert _wrapup_segments(one) == []
            assert [s["wrapUpCode"] for s in _wrapup_segments(twenty)] == [SALE]
            assert twenty["originatingDirection"] == "outbound"

            assert (await s.wrapup(1, {"code": RESOLVED, "notes": "done", "tags": ["t1"]})).status_code == 202
            (segment,) = _wrapup_segments((await _details(s, 1))["conversations"][0])
            assert segment == {
                "segmentStart": "2026-03-02T14:04:10Z",
                "segmentEnd": "2026-06-01T00:00:00Z",
                "segmentType": "wrapup",
                "queueId": BILLING,
                "wrapUpCode": RESOLVED,
                "wrapUpNote": "done",
                "wrapUpTags": ["t1"],
            }
            # The SDK sends the ids comma-joined in one parameter; repeated parameters work too; unknown ids are
            # left out.
            repeated = await s.get("/api/v2/analytics/conversations/details", params=[("id", cid(2)), ("id", cid(3))])
            assert [c["conversationId"] for c in repeated.json()["conversations"]] == [cid(2), cid(3)]
            assert (await _details(s, 99)) == {}
            single = (await s.get(f"/api/v2/analytics/conversations/{cid(45)}/details")).json()
            assert agent_of(single)["sessions"][0]["mediaType"] == "email"
            message = agent_of((await _details(s, 31))["conversations"][0])["sessions"][0]
            assert message["mediaType"] == "message" and message["messageType"] == "sms"
            assert_error(await s.get("/api/v2/analytics/conversations/details"), 400, "bad.request")

    run(go())


def test_session_id_switch(demo_org: Org) -> None:
    for same in (True, False):
        emu = make_emulator(demo_org, analytics_session_is_communication=same)

        async def go(emu: Emulator = emu) -> str:
            async with emu.async_client() as c:
                s = await Session.login(c)
                conversation = (await _details(s, 1))["conversations"][0]
                return str(agent_of(conversation)["sessions"][0]["sessionId"])

        session_id = run(go())
        assert (session_id == derive_id(cid(1), "agent", "voice")) is same


def test_analytics_lag_switch(demo_org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(demo_org, clock, analytics_lag_seconds=90)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.wrapup(1, {"code": RESOLVED})).status_code == 202
            assert _wrapup_segments((await _details(s, 1))["conversations"][0]) == []
            clock.advance(90)
            assert [x["wrapUpCode"] for x in _wrapup_segments((await _details(s, 1))["conversations"][0])] == [RESOLVED]
            assert (await s.wrapup(1, {"code": ESCALATED})).status_code == 202
            # Until the new write shows, analytics still has the previous one.
            assert [x["wrapUpCode"] for x in _wrapup_segments((await _details(s, 1))["conversations"][0])] == [RESOLVED]
            clock.advance(91)
            assert [x["wrapUpCode"] for x in _wrapup_segments((await _details(s, 1))["conversations"][0])] == [
                ESCALATED
            ]

    run(go())


def test_skipped_wrapup_shows_acw_skipped(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, _, _ = await s.agent(2)
            assert (
                await s.patch(f"/api/v2/conversations/{cid(2)}/participants/{pid}", json={"wrapupSkipped": True})
            ).status_code == 202
            session = agent_of((await _details(s, 2))["conversations"][0])["sessions"][0]
            assert session["acwSkipped"] is True

    run(go())


def test_max_ids_switch(demo_org: Org) -> None:
    emu = make_emulator(demo_org, analytics_max_ids=3)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert len((await _details(s, 1, 2, 3))["conversations"]) == 3
            too_many = await s.get(
                "/api/v2/analytics/conversations/details", params={"id": ",".join(cid(n) for n in range(1, 5))}
            )
            assert "at most 3" in assert_error(too_many, 400, "bad.request")["message"]

    run(go())


def test_details_query(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def query(s: Session, body: dict[str, Any]) -> Any:
        return await s.post("/api/v2/analytics/conversations/details/query", json=body)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.wrapup(5, {"code": RESOLVED})).status_code == 202
            week = "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z"
            wrapped = {
                "interval": week,
                "segmentFilters": [
                    {
                        "type": "and",
                        "predicates": [
                            {"dimension": "segmentType", "value": "wrapup"},
                            {"dimension": "wrapUpCode", "operator": "exists"},
                        ],
                    }
                ],
            }
            found = (await query(s, wrapped)).json()
            # Conversations 5 and 20 carry agents' codes; the others Genesys's own (ACW timeouts, legs that rang out).
            stamped = sorted(
                c.id
                for c in demo_org.conversations.values()
                if c.start_time.day <= 7 and any(p.wrapup_history for p in c.participants)
            )
            expected = sorted({cid(5), cid(20), *stamped})
            assert found["totalHits"] == len(expected) > 2
            assert [x["conversationId"] for x in found["conversations"]] == expected[:25]
            by_id = {
                "interval": week,
                "paging": {"pageSize": 100, "pageNumber": 1},
                "conversationFilters": [
                    {
                        "type": "or",
                        "predicates": [
                            {"dimension": "conversationId", "value": cid(7)},
                            {"dimension": "conversationId", "value": cid(8)},
                        ],
                    }
                ],
            }
            assert [x["conversationId"] for x in (await query(s, by_id)).json()["conversations"]] == [cid(7), cid(8)]
            code = {
                "interval": week,
                "segmentFilters": [{"type": "and", "predicates": [{"dimension": "wrapUpCode", "value": SALE}]}],
            }
            assert [x["conversationId"] for x in (await query(s, code)).json()["conversations"]] == [cid(20)]
            # Segment predicates hold on one segment: no single segment is both "interact" and carries a code.
            mixed = {
                "interval": week,
                "segmentFilters": [
                    {
                        "type": "and",
                        "predicates": [
                            {"dimension": "segmentType", "value": "interact"},
                            {"dimension": "wrapUpCode", "operator": "exists"},
                        ],
                    }
                ],
            }
            assert (await query(s, mixed)).json() == {"totalHits": 0}
            paged = (
                await query(s, {"interval": week, "paging": {"pageSize": 20, "pageNumber": 3}, "order": "desc"})
            ).json()
            # 63 conversations that week: 01-50, and 51-63 of the Five9 history without conversation ids.
            assert paged["totalHits"] == len(demo_org.conversations) == 63 and len(paged["conversations"]) == 20
            last = (
                await query(s, {"interval": week, "paging": {"pageSize": 20, "pageNumber": 4}, "order": "desc"})
            ).json()
            assert [x["conversationId"] for x in last["conversations"]] == [cid(3), cid(2), cid(1)]
            assert (await query(s, {"interval": "2026-04-01T00:00:00Z/2026-04-02T00:00:00Z"})).json() == {
                "totalHits": 0
            }
            assert_error(await query(s, {}), 400, "bad.request")
            assert_error(await query(s, {"interval": "2026-04-02T00:00:00Z/2026-04-01T00:00:00Z"}), 400, "invalid.date")
            bad = {"interval": week, "segmentFilters": [{"type": "and", "predicates": [{"dimension": "colour"}]}]}
            assert_error(await query(s, bad), 400, "bad.request")

    run(go())
