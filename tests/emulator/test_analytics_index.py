"""The start index and the kept selections behind the details query (issue 13's scale): an interval selects what a
scan of every conversation would, a day's page renders that page only, paging with a segment filter evaluates
it once, and a write between two pages is seen by the next."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from tests.emulator.helpers import FakeClock, Session, make_emulator, run
from tests.emulator.week_org import FIRST_DAY, RESOLVED, conversation_id, make_week_org, week_org_dict
from wrapup_bridge.emulator import Org, build_org
from wrapup_bridge.emulator import analytics_query as analytics_query_module
from wrapup_bridge.emulator.analytics_index import StartIndex
from wrapup_bridge.emulator.orgfile import OrgSpec
from wrapup_bridge.emulator.state import ConversationState

QUERY = "/api/v2/analytics/conversations/details/query"


def _odd_org() -> Org:
    """A small week org where some conversations are still active and one lasted two days."""
    data = week_org_dict(300, days=3)
    for n, conversation in enumerate(data["conversations"], start=1):
        if n % 37 == 0:
            conversation["end"] = None
    data["conversations"][10]["end"] = (FIRST_DAY + timedelta(days=2, hours=5)).isoformat()
    return build_org(OrgSpec.model_validate(data))


def test_the_index_selects_what_a_scan_of_every_conversation_selects() -> None:
    org = _odd_org()
    conversations = list(org.conversations.values())
    index = StartIndex(org.conversations)
    ordered = sorted(conversations, key=lambda c: (c.start_time, c.id))
    assert index.ordered == ordered

    def ids(found: list[ConversationState]) -> list[str]:
        return [c.id for c in found]

    for first in range(-1, 4):
        for days in range(3):
            day = (FIRST_DAY + timedelta(days=first)).date()
            last = day + timedelta(days=days)
            expected = [c for c in ordered if day <= c.start_time.date() <= last]
            assert ids(index.started_on(day, last)) == ids(expected), (day, last)
    draw = random.Random(13)
    for _ in range(200):
        start = FIRST_DAY + timedelta(seconds=draw.uniform(-86_400, 4 * 86_400))
        end = start + timedelta(seconds=draw.choice([1, 60, 3600, 86_400, 3 * 86_400]))
        expected = [c for c in ordered if c.start_time < end and (c.end_time is None or c.end_time >= start)]
        assert ids(index.active_during(start, end)) == ids(expected), (start, end)
    # The long one and the open ones are found from the other end of the org.
    late = FIRST_DAY + timedelta(days=2, hours=4)
    found = ids(index.active_during(late, late + timedelta(minutes=1)))
    assert conversation_id(11) in found and conversation_id(37) in found


@pytest.fixture(scope="module")
def week() -> Org:
    return make_week_org(1400)  # 200 a day


def _day(n: int) -> str:
    first = FIRST_DAY + timedelta(days=n)
    return f"{first.isoformat()}/{(first + timedelta(days=1)).isoformat()}"


def _renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The conversations the details query renders from now on, in order."""
    seen: list[str] = []
    real = analytics_query_module.analytics_conversation

    def counting(rt: Any, conversation: ConversationState, **kwargs: Any) -> dict[str, Any]:
        seen.append(conversation.id)
        return real(rt, conversation, **kwargs)

    monkeypatch.setattr(analytics_query_module, "analytics_conversation", counting)
    return seen


def test_a_days_page_renders_that_page_and_paging_a_filter_evaluates_it_once(
    week: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = make_emulator(week, FakeClock())
    renders = _renders(monkeypatch)
    coded = {"type": "dimension", "dimension": "wrapUpCode", "operator": "exists"}
    narrowed = {"interval": _day(3), "segmentFilters": [{"type": "and", "predicates": [coded]}]}

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            page = (await s.post(QUERY, json={"interval": _day(3), "paging": {"pageSize": 100}})).json()
            assert page["totalHits"] == 200 and len(page["conversations"]) == 100
            assert len(renders) == 100  # the page, not the week nor the day
            assert all(x["conversationStart"].startswith("2026-03-05") for x in page["conversations"])

            renders.clear()
            first = (await s.post(QUERY, json={**narrowed, "paging": {"pageSize": 10, "pageNumber": 1}})).json()
            hits = first["totalHits"]
            assert 20 < hits < 200 and len(renders) == 200 + 10  # the day's conversations evaluated once
            renders.clear()
            second = (await s.post(QUERY, json={**narrowed, "paging": {"pageSize": 10, "pageNumber": 2}})).json()
            assert second["totalHits"] == hits and len(renders) == 10  # the kept selection, the page rendered

            # A write between two pages: the next page sees it (the kept selection is dropped).
            uncoded = await _uncoded_agent(s, page["conversations"])
            written = await s.post(uncoded, json={"code": RESOLVED})
            assert written.status_code == 202, written.text
            renders.clear()
            third = (await s.post(QUERY, json={**narrowed, "paging": {"pageSize": 10, "pageNumber": 3}})).json()
            assert third["totalHits"] == hits + 1 and len(renders) == 200 + 10

    run(go())


async def _uncoded_agent(s: Session, conversations: list[dict[str, Any]]) -> str:
    """The wrap-up path of the agent of a voice conversation that shows no wrap-up code."""
    for details in conversations:
        codes = [g for p in details["participants"] for x in p["sessions"] for g in x["segments"] if "wrapUpCode" in g]
        if codes or details["participants"][0]["sessions"][0]["mediaType"] != "voice":
            continue
        conversation = (await s.get(f"/api/v2/conversations/{details['conversationId']}")).json()
        agent = next(p for p in conversation["participants"] if p["purpose"] == "agent" and p.get("connectedTime"))
        return (
            f"/api/v2/conversations/calls/{conversation['id']}/participants/{agent['id']}"
            f"/communications/{agent['calls'][0]['id']}/wrapup"
        )
    raise AssertionError("no voice conversation without a code on the page")


def test_interval_days_are_utc_days_and_the_end_is_exclusive(week: Org) -> None:
    emu = make_emulator(week, FakeClock())

    async def ask(interval: str) -> set[str]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            body = {"interval": interval, "paging": {"pageSize": 100}}
            days: set[str] = set()
            while True:
                found = (await s.post(QUERY, json=body)).json().get("conversations", [])
                days |= {x["conversationStart"][:10] for x in found}
                if len(found) < 100:
                    return days
                body["paging"] = {"pageSize": 100, "pageNumber": body["paging"].get("pageNumber", 1) + 1}

    assert run(ask("2026-03-04T00:00:00Z/2026-03-05T00:00:00Z")) == {"2026-03-04"}
    assert run(ask("2026-03-04T00:00:00Z/2026-03-05T00:00:00.001Z")) == {"2026-03-04", "2026-03-05"}
    # 22:00 UTC on the 3rd to 10:00 UTC on the 4th, written at +02:00.
    assert run(ask("2026-03-04T00:00:00+02:00/2026-03-04T12:00:00+02:00")) == {"2026-03-03", "2026-03-04"}
