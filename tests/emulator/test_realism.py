"""The emulator produces the shapes real orgs produce (see tests/genesys/real_shapes.py for their sources):
missed and declined alerts, re-alerts, callbacks nobody answered, ACW timeouts stamped ININ-WRAP-UP-TIMEOUT,
timestamps without milliseconds, agents without participantName in analytics, error bodies as Genesys sends
them, the media views, users, and a PATCH that acts on every field it gets."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from tests.emulator.helpers import (
    HEAD_USERS,
    JDOE,
    KCHEN,
    RESOLVED,
    Session,
    agent_of,
    assert_error,
    cid,
    make_emulator,
    run,
)
from wrapup_bridge.core.disposition import Disposition, Media
from wrapup_bridge.core.outcome import WrapupTarget
from wrapup_bridge.emulator import Emulator, Org, OrgFileError, derive_id, parse_org
from wrapup_bridge.emulator.analytics import analytics_conversation
from wrapup_bridge.emulator.render import conversation_json, iso
from wrapup_bridge.genesys.details import conversation_from_analytics
from wrapup_bridge.genesys.target import AgentStatus, UserInfo, choose_target, classify

ORG = HEAD_USERS


def org(conversations: str, extra: str = "") -> Org:
    return parse_org(ORG + extra + "conversations:\n" + textwrap.indent(textwrap.dedent(conversations), "  "))


def agents(o: Org, n: int) -> list[Any]:
    return [p for p in o.conversations[cid(n)].participants if p.purpose == "agent"]


# --- the org file can state each shape -------------------------------------------------------------------------
def test_missed_alerts_stated_as_a_number_or_a_list() -> None:
    o = org(f"""\
        - {{id: {cid(1)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z,
           end: 2026-03-02T14:05:00Z, missed_alerts: 2}}
        - id: {cid(2)}
          media: voice
          queue: Billing
          agent: kchen
          start: 2026-03-02T15:00:00Z
          end: 2026-03-02T15:05:00Z
          missed_alerts:
            - {{agent: jdoe, ended: client, seconds: 2}}
            - {{agent: jdoe, wrapup: ININ-WRAP-UP-TIMEOUT}}
        """)
    re_alerts = agents(o, 1)
    assert [(a.user_id, a.ever_connected) for a in re_alerts] == [(JDOE, False), (JDOE, False), (JDOE, True)]
    assert [a.communications[0].disconnect_type for a in re_alerts[:2]] == ["system", "system"]
    declined, timed_out, answered = agents(o, 2)
    assert declined.communications[0].disconnect_type == "client" and answered.user_id == KCHEN
    assert declined.end_time is not None and declined.wrapup is None
    # The system code of a leg that rang out is only in its history (analytics shows it), never on the participant.
    assert timed_out.wrapup is None and [w.code for w in timed_out.wrapup_history] == ["ININ-WRAP-UP-TIMEOUT"]


def test_agent_states_alerting_missed_and_acw_timeout() -> None:
    o = org(f"""\
        - {{id: {cid(1)}, media: callback, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z, end: null,
           agent_state: alerting, missed_alerts: 4}}
        - {{id: {cid(2)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z,
           end: 2026-03-02T14:01:00Z, agent_state: missed, missed_alerts: 0}}
        - {{id: {cid(3)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z,
           end: 2026-03-02T14:05:00Z, acw: timeout, missed_alerts: 0}}
        - {{id: {cid(4)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z,
           end: 2026-03-02T14:05:00Z, acw: pending, missed_alerts: 0}}
        """)
    callback = [classify(p).status for p in _doc(o, 1)["participants"] if p["purpose"] == "agent"]
    assert callback == [AgentStatus.MISSED] * 4 + [AgentStatus.ALERTING]
    assert [classify(p).status for p in _doc(o, 2)["participants"] if p["purpose"] == "agent"] == [AgentStatus.MISSED]
    timed_out = agent_of(_doc(o, 3))
    assert timed_out["wrapup"] == {"code": "ININ-WRAP-UP-TIMEOUT", "endTime": "2026-03-02T14:06:00Z"}
    assert timed_out["calls"][0]["afterCallWork"]["state"] == "complete"
    pending = agent_of(_doc(o, 4))
    assert "wrapup" not in pending and pending["calls"][0]["afterCallWork"]["state"] == "pending"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("agent: jdoe, end: 2026-03-02T14:05:00Z, agent_state: alerting", "agent_state alerting is for an active"),
        ("agent: jdoe, end: 2026-03-02T14:05:00Z, missed_alerts: [{wrapup: Resolved}]", "a system code (ININ-...)"),
        ("agent: jdoe, end: 2026-03-02T14:05:00Z, acw: timeout, wrapup: Resolved", "acw is for an ended"),
        ("agent: null, end: 2026-03-02T14:05:00Z, missed_alerts: 2", "needs the agent they rang for"),
        ("agent: jdoe, end: null, agent_state: alerting, wrapup: Resolved", "never connected carries no wrap-up"),
    ],
)
def test_impossible_shapes_are_refused_with_their_line(line: str, message: str) -> None:
    with pytest.raises(OrgFileError) as caught:
        org(f"- {{id: {cid(1)}, media: voice, queue: Billing, start: 2026-03-02T14:00:00Z, {line}}}\n")
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


def test_realism_by_default_and_off_on_request(demo_org: Org) -> None:
    conversations = list(demo_org.conversations.values())
    missed = [c for c in conversations if any(not p.ever_connected for p in c.participants if p.purpose == "agent")]
    timeouts = [
        c for c in conversations for p in c.participants if p.wrapup is not None and p.wrapup.code.startswith("ININ-")
    ]
    assert len(missed) >= 10 and len(timeouts) >= 5  # the demo meets both, every run (deterministic per id)
    text = "".join(
        f"  - {{id: {cid(n)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z, "
        "end: 2026-03-02T14:05:00Z}\n"
        for n in range(1, 41)
    )
    plain = parse_org(ORG + "realism: false\nconversations:\n" + text)
    assert all(len(c.participants) == 3 for c in plain.conversations.values())
    assert all(p.wrapup is None for c in plain.conversations.values() for p in c.participants)
    realistic = parse_org(ORG + "conversations:\n" + text)
    assert any(len(c.participants) > 3 for c in realistic.conversations.values())
    again = parse_org(ORG + "conversations:\n" + text)
    assert conversation_json(realistic.conversations[cid(7)], realistic.directory) == conversation_json(
        again.conversations[cid(7)], again.directory
    )


def test_timestamps_drop_zero_milliseconds_as_genesys_does(demo_org: Org) -> None:
    from datetime import UTC, datetime

    assert iso(datetime(2022, 7, 4, 11, 0, 0, tzinfo=UTC)) == "2022-07-04T11:00:00Z"
    assert iso(datetime(2022, 7, 4, 11, 0, 1, 92_000, tzinfo=UTC)) == "2022-07-04T11:00:01.092Z"
    agent = agent_of(conversation_json(demo_org.conversations[cid(1)], demo_org.directory))
    assert agent["endTime"] == "2026-03-02T14:04:10Z" and agent["connectedTime"] == "2026-03-02T14:00:20.500Z"


# --- analytics --------------------------------------------------------------------------------------------------
def test_analytics_of_missed_legs(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    details = analytics_conversation(emu.runtime, demo_org.conversations[cid(19)])
    customer = details["participants"][0]
    legs = [p for p in details["participants"] if p["purpose"] == "agent"]
    assert len(legs) == 2 and all("participantName" not in p for p in legs)
    for leg, how in zip(legs, ("system", "client"), strict=True):
        (session,) = leg["sessions"]
        assert [s["segmentType"] for s in session["segments"]] == ["alert"]
        assert session["segments"][0]["disconnectType"] == how
        assert session["peerId"] == customer["sessions"][0]["sessionId"]
    stamped = next(
        c
        for c in demo_org.conversations.values()
        for p in c.participants
        if p.purpose == "agent" and not p.ever_connected and p.wrapup_history
    )
    leg = next(
        p
        for p in analytics_conversation(emu.runtime, stamped)["participants"]
        if p["purpose"] == "agent"
        and p["sessions"][0]["segments"][0]["segmentType"] == "alert"
        and len(p["sessions"][0]["segments"]) == 2
    )
    assert [s["segmentType"] for s in leg["sessions"][0]["segments"]] == ["alert", "wrapup"]
    assert leg["sessions"][0]["segments"][1]["wrapUpCode"] == "ININ-WRAP-UP-TIMEOUT"


@pytest.mark.parametrize("same_ids", [True, False])
def test_conversation_and_analytics_give_the_same_target_for_every_demo_conversation(
    demo_org: Org, same_ids: bool
) -> None:
    emu = make_emulator(demo_org, analytics_session_is_communication=same_ids)
    users = {u.id: UserInfo(u.id, u.name, u.email, u.username) for u in demo_org.directory.users.by_id.values()}
    logins = {u.id: u.email for u in demo_org.directory.users.by_id.values()}
    for conversation in demo_org.conversations.values():
        document = conversation_json(conversation, demo_org.directory)
        shaped = conversation_from_analytics(analytics_conversation(emu.runtime, conversation))
        media = conversation.participants[0].communications[0].media
        handled = next((p for p in conversation.participants if p.purpose == "agent" and p.ever_connected), None)
        for agent in (None, logins[handled.user_id] if handled else None, "somebody else"):
            disposition = Disposition(
                source="five9", source_id="1", conversation_id=conversation.id, code="x", media=media, agent=agent
            )
            by_doc = choose_target(document, disposition, users=users).result
            by_analytics = choose_target(shaped, disposition, users=users).result
            assert type(by_doc) is type(by_analytics), (conversation.id, agent, by_doc, by_analytics)
            if isinstance(by_doc, WrapupTarget):
                assert isinstance(by_analytics, WrapupTarget)
                assert by_doc.participant_id == by_analytics.participant_id == derive_id(conversation.id, "agent")
                assert by_doc.current_code == by_analytics.current_code
                assert (by_doc.communication_id == by_analytics.communication_id) is same_ids
                assert by_doc.missed_legs == by_analytics.missed_legs


def test_details_query_evaluates_clauses_and_refuses_what_it_does_not_implement(demo_org: Org) -> None:
    emu = make_emulator(demo_org)
    week = "2026-03-01T00:00:00Z/2026-03-08T00:00:00Z"

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)

            async def query(body: dict[str, Any]) -> Any:
                return await s.post("/api/v2/analytics/conversations/details/query", json={"interval": week, **body})

            declined = {"type": "and", "predicates": [{"dimension": "segmentType", "value": "alert"},
                                                      {"dimension": "disconnectType", "value": "client"}]}  # fmt: skip
            rang_out = {"type": "and", "predicates": [{"dimension": "segmentType", "value": "alert"},
                                                      {"dimension": "disconnectType", "value": "system"}]}  # fmt: skip
            either = (await query({"segmentFilters": [{"type": "or", "clauses": [declined, rang_out]}]})).json()
            only_declined = (await query({"segmentFilters": [{"type": "or", "clauses": [declined]}]})).json()
            assert either["totalHits"] > only_declined["totalHits"] > 0
            assert cid(19) in {x["conversationId"] for x in only_declined["conversations"]}
            for refused, code in (
                ({"segmentFilters": [{"type": "and", "predicates": [{"type": "metric", "metric": "tAlert"}]}]},
                 "bad.request"),
                ({"segmentFilters": [{"type": "and", "predicates": [{"type": "property", "property": "x"}]}]},
                 "bad.request"),
                ({"segmentFilters": [{"type": "and", "predicates": [{"dimension": "queueId", "range": {}}]}]},
                 "bad.request"),
                ({"segmentFilters": [{"type": "and", "predicates": [{"dimension": "addressTo", "value": "1"}]}]},
                 "bad.request"),
                ({"segmentFilters": [{"type": "and", "filters": []}]}, "bad.request"),
                ({"evaluationFilters": [{"type": "and", "predicates": []}]}, "bad.request"),
                ({"orderBy": "segmentStart"}, "bad.request"),
                ({"segmentFilters": [{"type": "xor", "predicates": [{"dimension": "queueId", "value": "1"}]}]},
                 "invalid.value"),
            ):  # fmt: skip
                assert_error(await query(refused), 400, code)

    run(go())


# --- writes, errors, media views, users ------------------------------------------------------------------------
def test_system_code_overwrite_switch(demo_org: Org) -> None:
    timed_out = _timed_out_conversation(demo_org)
    for setting, status in (("allow", 202), ("reject", 409)):
        emu = make_emulator(demo_org, system_code_overwrite=setting, rejection_status=409)

        async def go(emu: Emulator = emu) -> Any:
            async with emu.async_client() as c:
                s = await Session.login(c)
                return await s.wrapup(timed_out, {"code": RESOLVED})

        response = run(go())
        assert response.status_code == status, response.text
        if status != 202:
            assert "system wrap-up code [ININ-WRAP-UP-TIMEOUT]" in response.json()["message"]


def test_a_body_that_is_not_json_is_415(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, comm, _ = await s.agent(1)
            path = f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"
            form = await c.post(path, content=b"code=x", headers={**s.headers, "Content-Type": "text/plain"})
            body = assert_error(form, 415, "unsupported.media.type")
            assert "Content-Type" in body["message"] and "messageParams" not in body
            charset = await c.post(
                path,
                content=b'{"code": "%s"}' % RESOLVED.encode(),
                headers={**s.headers, "Content-Type": "application/json; charset=UTF-8"},
            )
            assert charset.status_code == 202

    run(go())


def test_patch_acts_on_every_field_and_refuses_call_control_on_an_ended_participant(demo_org: Org) -> None:
    o = org(f"""\
        - {{id: {cid(1)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z, end: null,
           missed_alerts: 0}}
        - {{id: {cid(2)}, media: voice, queue: Billing, agent: jdoe, start: 2026-03-02T14:00:00Z,
           end: 2026-03-02T14:05:00Z, missed_alerts: 0, acw: pending}}
        """)
    emu = make_emulator(o)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            live = derive_id(cid(1), "agent")
            base = f"/api/v2/conversations/{cid(1)}/participants/{live}"
            assert (await s.patch(base, json={"held": True, "muted": True, "recording": False})).status_code == 202
            call = agent_of((await s.get(f"/api/v2/conversations/{cid(1)}")).json())["calls"][0]
            assert call["held"] is True and call["muted"] is True and call["recording"] is False
            ended = derive_id(cid(2), "agent")
            base = f"/api/v2/conversations/{cid(2)}/participants/{ended}"
            refused = await s.patch(base, json={"state": "disconnected", "wrapup": {"code": RESOLVED}})
            body = assert_error(refused, 403, "not.authorized")
            assert body["messageWithParams"].startswith("Participant {participantId} of conversation {conversationId}")
            assert body["messageParams"] == {"participantId": ended, "conversationId": cid(2), "fields": "state"}
            assert emu.write_log == []  # refused as a whole: the wrap-up in the same body was not applied
            assert (await s.patch(base, json={"wrapup": {"code": RESOLVED}})).status_code == 202

    run(go())


def test_errors_have_messageParams_only_when_the_message_has_parameters(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            bad = assert_error(await s.wrapup(1, {"code": RESOLVED, "colour": "red"}), 400, "bad.request")
            assert set(bad) == {"message", "code", "status", "contextId", "details", "errors"}
            readonly = await Session.login(c, "readonly-client", "readonly-secret")
            denied = assert_error(await readonly.wrapup(1, {"code": RESOLVED}), 403, "missing.permissions")
            assert denied["messageParams"] == {"permissions": "conversation:participant:wrapup"}

    run(go())


def test_media_views_are_flat_with_user_and_queue_references(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            view = (await s.get(f"/api/v2/conversations/calls/{cid(19)}")).json()
            assert view["selfUri"] == f"/api/v2/conversations/calls/{cid(19)}" and view["recordingState"] == "none"
            legs = [p for p in view["participants"] if p["purpose"] == "agent"]
            assert [(p["state"], p["disconnectType"]) for p in legs] == [("disconnected", "system"),
                                                                         ("disconnected", "client")]  # fmt: skip
            assert all("connectedTime" not in p and p["user"]["selfUri"].startswith("/api/v2/users/") for p in legs)
            assert all("calls" not in p and "segments" not in p for p in view["participants"])
            assert_error(await s.get(f"/api/v2/conversations/messages/{cid(19)}"), 404, "not.found")
            message = (await s.get(f"/api/v2/conversations/messages/{cid(31)}")).json()
            assert agent_of({"id": cid(31), **message})["type"] == "sms"

    run(go())


def test_users_by_id_in_bulk(demo_org: Org) -> None:
    emu = make_emulator(demo_org)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            unknown = "00000000-0000-4000-8000-000000000000"
            listing = (await s.get("/api/v2/users", params={"id": f"{KCHEN},{JDOE},{unknown}"})).json()
            assert [u["name"] for u in listing["entities"]] == ["Jane Doe", "Kevin Chen"]
            assert listing["entities"][0]["username"] == "jdoe@example.com" and listing["total"] == 2
            assert (await s.get(f"/api/v2/users/{JDOE}")).json()["email"] == "jdoe@example.com"
            assert_error(await s.get(f"/api/v2/users/{unknown}"), 404, "not.found")

    run(go())


def test_token_error_status_switch(demo_org: Org) -> None:
    for status in (400, 401):
        emu = make_emulator(demo_org, token_error_status=status)

        async def go(emu: Emulator = emu) -> Any:
            async with emu.async_client() as c:
                return await c.post(
                    "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "x")
                )

        response = run(go())
        assert response.status_code == status and response.json()["error"] == "invalid_client"


def _doc(o: Org, n: int) -> dict[str, Any]:
    return conversation_json(o.conversations[cid(n)], o.directory)


def _timed_out_conversation(o: Org) -> int:
    for n in range(1, 51):
        agent = next((p for p in o.conversations[cid(n)].participants if p.id == derive_id(cid(n), "agent")), None)
        stamped = agent is not None and agent.wrapup is not None and agent.wrapup.code == "ININ-WRAP-UP-TIMEOUT"
        if stamped and agent is not None and agent.communications[0].media is Media.VOICE:
            return n
    raise AssertionError("the demo org has no ACW timeout")
