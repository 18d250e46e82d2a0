"""Generated conversations (the org file's ``generate:`` block): the same block gives the same conversations byte for
byte (in another process too), ids are unique and name their ``n``, a UTC day is exactly the conversations that
started on it (across daylight-saving switches), what is active during an interval is what a scan finds, a write
to a generated conversation is kept and seen by every read (analytics too) until a reset, listed and generated
conversations live side by side, they render exactly as the same conversation listed in the file (and as the
SDK's models declare), the block's shares show, its errors name file, line and key, and a million of them start
without being expanded."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.emulator.generated_org import PREFIX, generated_id, generated_org_dict, generated_org_text
from tests.emulator.helpers import DEMO_ORG, FakeClock, Session, make_emulator, run
from tests.emulator.sdk_shapes import sdk_problems
from tests.emulator.week_org import BILLING, RESOLVED, conversation_id
from wrapup_bridge.cli import main
from wrapup_bridge.core.disposition import Media
from wrapup_bridge.emulator import Emulator, Org, OrgFileError, build_org, parse_org
from wrapup_bridge.emulator.analytics import MEDIA_TYPES, analytics_conversation
from wrapup_bridge.emulator.analytics_index import StartIndex
from wrapup_bridge.emulator.generate import Generator
from wrapup_bridge.emulator.orgfile import OrgSpec
from wrapup_bridge.emulator.render import conversation_json
from wrapup_bridge.emulator.state import ConversationState

QUERY = "/api/v2/analytics/conversations/details/query"
JOBS = "/api/v2/analytics/conversations/details/jobs"
SUPPORT = "32f46174-fc86-4b1c-a519-6bd0bcde15a0"


def _org(count: int, listed: int = 0, **overrides: Any) -> Org:
    return parse_org(generated_org_text(count, listed, **overrides), source="generated.yaml")


@pytest.fixture(scope="module")
def month() -> Org:
    """3,000 calls in March 2026 (New York time), with 300 listed conversations in its first week."""
    return _org(3000, listed=300)


def _rendered(org: Org, conversation: ConversationState) -> str:
    emu = make_emulator(org, FakeClock())
    both = [conversation_json(conversation, org.directory), analytics_conversation(emu.runtime, conversation)]
    return json.dumps(both, sort_keys=True)


def _all_generated(org: Org) -> list[ConversationState]:
    generator = org.generator
    assert generator is not None
    return [generator.expand(n) for n in range(1, generator.count + 1)]


# --- determinism and ids ---------------------------------------------------------------------------------------

_RENDER_IN_A_PROCESS = """
import json, sys
sys.path.insert(0, {root!r})
from tests.emulator.generated_org import generated_org_text, generated_id
from wrapup_bridge.emulator import parse_org
from wrapup_bridge.emulator.render import conversation_json
org = parse_org(generated_org_text(3000, 300))
print(json.dumps([conversation_json(org.conversations[generated_id(n)], org.directory) for n in {ns!r}], sort_keys=True))
"""


def test_the_same_block_gives_the_same_conversations_byte_for_byte(month: Org) -> None:
    again = _org(3000, listed=300)
    sample = [1, 2, 17, 1234, 2999, 3000]
    for n in sample:
        first, second = month.conversations[generated_id(n)], again.conversations[generated_id(n)]
        assert first is not second and _rendered(month, first) == _rendered(again, second)
    # Another interpreter, with another string-hash seed, renders the same bytes.
    script = _RENDER_IN_A_PROCESS.format(root=str(ROOT), ns=sample)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    here = [conversation_json(month.conversations[generated_id(n)], month.directory) for n in sample]
    assert out.stdout.strip() == json.dumps(here, sort_keys=True)
    # Another seed, other conversations (same ids).
    other = _org(3000, listed=300, seed=15)
    assert other.conversations[generated_id(17)].start_time != month.conversations[generated_id(17)].start_time


def test_ids_are_unique_name_their_n_and_sort_as_n(month: Org) -> None:
    generator = month.generator
    assert generator is not None and len(month.conversations) == 3300
    ids = [generator.id_of(n) for n in range(1, 3001)]
    assert len(set(ids)) == 3000 and ids == sorted(ids) and ids[0] == f"{PREFIX}-000000000001"
    assert all(generator.index_of(cid) == n for n, cid in enumerate(ids, start=1))
    for wrong in (f"{PREFIX}-000000000000", f"{PREFIX}-000000003001", f"{PREFIX}-00000000001x", f"{PREFIX}-0000000000١٢",
                  f"{PREFIX.upper()}-000000000001", "6e0e0000-0000-4000-8001-000000000001", conversation_id(1)):  # fmt: skip
        assert generator.index_of(wrong) is None and (wrong in month.conversations) == (wrong == conversation_id(1))
    inner = [pid for c in _all_generated(month) for pid in [*c.participant_by_id, *c.communication_by_id]]
    assert len(inner) == len(set(inner)) and not set(inner) & set(ids)
    # Iterating the org walks every id, listed first.
    assert list(month.conversations)[299:301] == [conversation_id(300), generated_id(1)]


def test_starts_never_decrease_with_n_and_stay_in_the_period(month: Org) -> None:
    conversations = _all_generated(month)
    keys = [(c.start_time, c.id) for c in conversations]
    assert keys == sorted(keys)
    assert datetime(2026, 3, 1, 5, tzinfo=UTC) <= keys[0][0] and keys[-1][0] < datetime(2026, 4, 1, 4, tzinfo=UTC)
    assert all(c.end_time is not None and timedelta(seconds=20) <= c.end_time - c.start_time <= timedelta(hours=1)
               for c in conversations)  # fmt: skip


# --- selection by interval ---------------------------------------------------------------------------------------


def _everything(org: Org) -> list[ConversationState]:
    return sorted([*org.conversations.listed.values(), *_all_generated(org)], key=lambda c: (c.start_time, c.id))


def test_utc_days_are_exactly_the_conversations_that_started_on_them(month: Org) -> None:
    everything = _everything(month)
    index = StartIndex(month.conversations)
    first = datetime(2026, 2, 28, tzinfo=UTC).date()
    for day in (first + timedelta(days=i) for i in range(34)):
        expected = [c.id for c in everything if c.start_time.date() == day]
        assert [c.id for c in index.started_on(day, day)] == expected, day
    # Through the API, with the interval in local time across the switch to daylight time (UTC-5 -> UTC-4): it
    # touches the UTC days 2026-03-08 and 2026-03-09, and pages cover them in order.
    emu = make_emulator(month, FakeClock())
    interval = "2026-03-08T00:00:00-05:00/2026-03-09T00:00:00-04:00"
    touched = {datetime(2026, 3, 8).date(), datetime(2026, 3, 9).date()}
    expected = [c.id for c in everything if c.start_time.date() in touched]

    async def pages(order: str) -> list[str]:
        async with emu.async_client() as client:
            s = await Session.login(client)
            found: list[str] = []
            for number in range(1, 100):
                body = {"interval": interval, "order": order, "paging": {"pageSize": 25, "pageNumber": number}}
                answer = (await s.post(QUERY, json=body)).json()
                assert answer["totalHits"] == len(expected)
                found += [c["conversationId"] for c in answer.get("conversations", [])]
                if len(answer.get("conversations", [])) < 25:
                    return found
            raise AssertionError("too many pages")

    assert len(expected) > 60 and run(pages("asc")) == expected and run(pages("desc")) == expected[::-1]


def test_what_is_active_during_an_interval_is_what_a_scan_finds() -> None:
    org = _org(600, listed=40, period={"start": "2026-03-01T00:00:00Z", "end": "2026-03-04T00:00:00Z"},
               duration={"min_seconds": 60, "mean_seconds": 3600, "max_seconds": 6 * 3600})  # fmt: skip
    everything = _everything(org)
    index = StartIndex(org.conversations)
    draw = random.Random(3)
    for _ in range(150):
        start = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=draw.uniform(-3600, 4 * 86_400))
        end = start + timedelta(seconds=draw.choice([0.0005, 1, 60, 3600, 86_400]))
        floor = datetime.combine(start.date(), datetime.min.time(), tzinfo=UTC) if draw.random() < 0.3 else None
        expected = [c.id for c in everything if c.start_time < end and c.end_time is not None
                    and c.end_time >= start and (floor is None or c.start_time >= floor)]  # fmt: skip
        assert [c.id for c in index.active_during(start, end, floor)] == expected, (start, end, floor)


def test_a_job_hands_out_generated_conversations_page_by_page(month: Org) -> None:
    emu = make_emulator(month, FakeClock())
    interval = "2026-03-10T12:00:00Z/2026-03-10T18:00:00Z"
    start, end = datetime(2026, 3, 10, 12, tzinfo=UTC), datetime(2026, 3, 10, 18, tzinfo=UTC)
    expected = [c.id for c in _everything(month) if c.start_time < end and c.end_time and c.end_time >= start]

    async def go() -> list[dict[str, Any]]:
        async with emu.async_client() as client:
            s = await Session.login(client)
            job = (await s.post(JOBS, json={"interval": interval})).json()["jobId"]
            found: list[dict[str, Any]] = []
            cursor = None
            while True:
                params = {"pageSize": "7", **({"cursor": cursor} if cursor else {})}
                page = (await s.get(f"{JOBS}/{job}/results", params=params)).json()
                found += page.get("conversations", [])
                cursor = page.get("cursor")
                if cursor is None:
                    return found

    found = run(go())
    assert len(expected) > 20 and [c["conversationId"] for c in found] == expected
    tagged = [c for c in found if c["participants"][0].get("attributes")]
    assert tagged and all(c["participants"][0]["attributes"]["legacyCallId"].startswith("L") for c in tagged)


# --- writes ------------------------------------------------------------------------------------------------------


async def _wrapup_path(s: Session, conversation_id: str) -> str:
    conversation = (await s.get(f"/api/v2/conversations/{conversation_id}")).json()
    agent = next(p for p in conversation["participants"] if p["purpose"] == "agent" and p.get("connectedTime"))
    media, array = next((m, a) for m, a in (("calls", "calls"), ("emails", "emails"), ("messages", "messages"))
                        if agent[a])  # fmt: skip
    return f"/api/v2/conversations/{media}/{conversation_id}/participants/{agent['id']}/communications/{agent[array][0]['id']}/wrapup"


def _unwrapped_answered(org: Org, day: int) -> str:
    for conversation in _all_generated(org):
        agents = [p for p in conversation.participants if p.is_agent and p.ever_connected]
        if conversation.start_time.day == day and agents and agents[0].wrapup is None:
            return conversation.id
    raise AssertionError("no answered conversation without a wrap-up that day")


def test_a_write_is_kept_and_seen_by_every_read_until_a_reset(month: Org, tmp_path: Path) -> None:
    target = _unwrapped_answered(month, 12)
    journal = tmp_path / "state.jsonl"
    emu = Emulator(month, make_emulator(month).config, journal=journal)
    coded = {"type": "and", "predicates": [{"dimension": "wrapUpCode", "value": RESOLVED}]}
    day = {"interval": "2026-03-12T00:00:00Z/2026-03-13T00:00:00Z", "segmentFilters": [coded],
           "paging": {"pageSize": 100}}  # fmt: skip

    async def coded_that_day(s: Session) -> list[str]:
        return [c["conversationId"] for c in (await s.post(QUERY, json=day)).json().get("conversations", [])]

    async def go() -> None:
        async with emu.async_client() as client:
            s = await Session.login(client)
            before = await coded_that_day(s)
            assert target not in before
            await s.get(f"/api/v2/conversations/{generated_id(5)}")  # a read keeps nothing
            assert emu.runtime.conversations.written == {}
            path = await _wrapup_path(s, target)
            assert (await s.post(path, json={"code": RESOLVED, "notes": "generated"})).status_code == 202
            assert list(emu.runtime.conversations.written) == [month.generator.index_of(target)]  # type: ignore[union-attr]
            read = (await s.get(path.removesuffix("/wrapup").rsplit("/communications/", 1)[0] + "/wrapup")).json()
            assert read["code"] == RESOLVED and read["notes"] == "generated"
            details = (await s.get(f"/api/v2/analytics/conversations/{target}/details")).json()
            codes = [g["wrapUpCode"] for p in details["participants"] for x in p["sessions"] for g in x["segments"]
                     if "wrapUpCode" in g]  # fmt: skip
            assert RESOLVED in codes
            by_ids = (await s.get("/api/v2/analytics/conversations/details", params={"id": target})).json()
            assert by_ids["conversations"][0] == details
            assert sorted([*before, target]) == sorted(await coded_that_day(s))
            emu.reset()
            # The journal restores the write after a reset (as after a restart); without it, it would be gone.
            assert (await s.get(path.removesuffix("/wrapup").rsplit("/communications/", 1)[0] + "/wrapup")).json()[
                "code"] == RESOLVED  # fmt: skip
            journal.unlink()
            emu.reset()
            assert target not in await coded_that_day(s) and emu.runtime.conversations.written == {}

    run(go())


# --- listed and generated together, rendering ---------------------------------------------------------------------


def test_listed_and_generated_conversations_live_side_by_side(month: Org) -> None:
    emu = make_emulator(month, FakeClock())

    async def go() -> None:
        async with emu.async_client() as client:
            s = await Session.login(client)
            listed = await s.get(f"/api/v2/conversations/{conversation_id(7)}")
            generated = await s.get(f"/api/v2/conversations/{generated_id(7)}")
            assert listed.json()["id"] == conversation_id(7) and generated.json()["id"] == generated_id(7)
            missing = await s.get(f"/api/v2/conversations/{generated_id(3001)}")
            assert missing.status_code == 404
            ids = ",".join([conversation_id(7), generated_id(7), generated_id(3001)])
            found = (await s.get("/api/v2/analytics/conversations/details", params={"id": ids})).json()
            assert [c["conversationId"] for c in found["conversations"]] == [conversation_id(7), generated_id(7)]
            # The listed ones (the first week) and the generated ones interleave in one order.
            week = {"interval": "2026-03-02T00:00:00Z/2026-03-09T00:00:00Z", "paging": {"pageSize": 100}}
            page = (await s.post(QUERY, json=week)).json()
            starts = [(c["conversationStart"], c["conversationId"]) for c in page["conversations"]]
            assert page["totalHits"] > 300 and starts == sorted(starts)
            assert {c[1][:23] for c in starts} == {conversation_id(1)[:23], PREFIX}

    run(go())


def test_a_listed_id_that_is_also_generated_is_refused() -> None:
    data = generated_org_dict(100, listed=3)
    data["conversations"][1]["id"] = generated_id(50)
    with pytest.raises(OrgFileError) as caught:
        build_org(OrgSpec.model_validate(data), source="both.yaml")
    assert [str(p) for p in caught.value.problems] == [
        f"conversations[1].id: conversation id {generated_id(50)} is also generated conversation 50 "
        "(generate.id_prefix)"
    ]


def test_a_generated_conversation_renders_as_the_same_conversation_listed(month: Org) -> None:
    generator = month.generator
    assert generator is not None
    sample = range(1, 400, 7)
    data = generated_org_dict(1)
    del data["generate"]
    data["conversations"] = [generator.compact(n).model_dump(mode="json", exclude_defaults=True) for n in sample]
    listed = build_org(OrgSpec.model_validate(data))  # what the generator states passes the file's own checks
    for n in sample:
        assert _rendered(month, month.conversations[generated_id(n)]) == _rendered(
            listed, listed.conversations[generated_id(n)]
        )


def _listed_twin(org: Org) -> Org:
    """The same org with every generated conversation written out in conversations: (no generate: block)."""
    generator = org.generator
    assert generator is not None
    data = generated_org_dict(1)
    del data["generate"]
    data["conversations"] = [
        generator.compact(n).model_dump(mode="json", exclude_defaults=True) for n in range(1, generator.count + 1)
    ]
    return build_org(OrgSpec.model_validate(data))


_FILTERS: list[dict[str, Any]] = [
    {"segmentFilters": [{"type": "and", "predicates": [{"dimension": "dnis", "value": "tel:+18005550100"}]}]},
    {"segmentFilters": [{"type": "and", "predicates": [{"dimension": "mediaType", "value": "voice"},
                                                       {"dimension": "purpose", "value": "agent"},
                                                       {"dimension": "segmentType", "value": "alert"}]}]},
    {"segmentFilters": [{"type": "or", "clauses": [
        {"type": "and", "predicates": [{"dimension": "direction", "value": "outbound"},
                                       {"dimension": "queueId", "value": SUPPORT}]},
        {"type": "and", "predicates": [{"dimension": "mediaType", "value": "email"}]}]}]},
    {"segmentFilters": [{"type": "and", "predicates": [{"dimension": "ani", "operator": "notExists"}]},
                        {"type": "or", "predicates": [{"dimension": "wrapUpCode", "operator": "exists"}]}]},
    {"segmentFilters": [{"type": "or", "predicates": [{"dimension": "dnis", "value": "tel:+18005550200"},
                                                      {"dimension": "wrapUpCode", "value": RESOLVED}]}]},
    {"conversationFilters": [{"type": "or", "predicates": [{"dimension": "externalTag", "operator": "exists"}]}],
     "segmentFilters": [{"type": "and", "predicates": [{"dimension": "direction", "value": "inbound"}]}]},
    {"conversationFilters": [{"type": "or", "predicates": [
        {"dimension": "conversationId", "value": generated_id(n)} for n in (3, 160, 161, 599)]}]},
    {"conversationFilters": [{"type": "and", "predicates": [
        {"dimension": "originatingDirection", "value": "outbound"},
        {"dimension": "divisionId", "value": "48ddf357-eb7e-4766-9706-7cc07753a7de"}]}]},
]  # fmt: skip


def test_filtered_queries_and_jobs_select_what_they_select_on_the_same_conversations_listed() -> None:
    """The outline settles filters without expanding (emulator.analytics_query): the answers are those of the same
    conversations written out in the file, after a write too."""
    generated = _org(600, period={"start": "2026-03-01T00:00:00Z", "end": "2026-03-05T00:00:00Z"})
    listed = _listed_twin(generated)
    target = _unwrapped_answered(generated, 2)

    async def answers(org: Org) -> list[Any]:
        emu = make_emulator(org, FakeClock())
        found: list[Any] = []
        async with emu.async_client() as client:
            s = await Session.login(client)
            path = await _wrapup_path(s, target)
            assert (await s.post(path, json={"code": RESOLVED})).status_code == 202
            for body in _FILTERS:
                for day in ("2026-03-01", "2026-03-02", "2026-03-04"):
                    query = {"interval": f"{day}T00:00:00Z/{day}T23:00:00Z", "paging": {"pageSize": 100}, **body}
                    page = (await s.post(QUERY, json=query)).json()
                    found.append((page["totalHits"], [c["conversationId"] for c in page.get("conversations", [])]))
                job = await s.post(JOBS, json={"interval": "2026-03-02T00:00:00Z/2026-03-03T00:00:00Z", **body})
                results = (await s.get(f"{JOBS}/{job.json()['jobId']}/results", params={"pageSize": "1000"})).json()
                found.append([c["conversationId"] for c in results.get("conversations", [])])
        return found

    mine, twins = run(answers(generated)), run(answers(listed))
    assert mine == twins
    assert all(mine[i] for i in range(3, len(mine), 4))  # every job found some
    assert target in mine[19]  # the write, seen by a filter on its code


def test_a_filter_on_numbers_expands_only_the_conversations_it_selects(
    month: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = make_emulator(month, FakeClock())
    expanded: list[int] = []
    real = Generator.expand
    monkeypatch.setattr(Generator, "expand", lambda self, n: expanded.append(n) or real(self, n))
    day = "2026-03-10T00:00:00Z/2026-03-11T00:00:00Z"
    billing = {"dimension": "dnis", "value": "tel:+18005550100"}
    body = {"interval": day, "paging": {"pageSize": 100}, "segmentFilters": [{"type": "and", "predicates": [billing]}]}

    async def go() -> tuple[int, int]:
        async with emu.async_client() as client:
            s = await Session.login(client)
            every = (await s.post(QUERY, json={"interval": day, "paging": {"pageSize": 1}})).json()["totalHits"]
            expanded.clear()
            return every, (await s.post(QUERY, json=body)).json()["totalHits"]

    every, hits = run(go())
    assert 0 < hits < every / 2 and len(expanded) == hits + min(hits, 100)  # evaluated, then the page rendered


def test_the_outline_is_what_the_expansion_renders(month: Org) -> None:
    generator = month.generator
    assert generator is not None
    emu = make_emulator(month, FakeClock())
    for n in range(1, 3001, 11):
        outline = generator.outline(n)
        conversation = generator.expand(n)
        rendered = analytics_conversation(emu.runtime, conversation)
        sessions = [x for p in rendered["participants"] for x in p["sessions"]]
        assert {(x["mediaType"], x["direction"], x.get("ani"), x.get("dnis")) for x in sessions} == {
            (MEDIA_TYPES[outline.media], outline.direction, outline.ani, outline.dnis)
        }
        assert (rendered["conversationId"], rendered["divisionIds"], rendered.get("externalTag")) == (
            outline.id, [outline.division_id], outline.external_tag)  # fmt: skip
        assert rendered["originatingDirection"] == outline.direction


def test_generated_answers_are_declared_by_the_sdk(month: Org) -> None:
    emu = make_emulator(month, FakeClock())
    media = Counter[str]()
    generator = month.generator
    assert generator is not None
    by_media: dict[Media, list[int]] = {}
    for n in range(1, 3001):
        by_media.setdefault(generator.outline(n).media, []).append(n)
    sample = [n for ns in by_media.values() for n in ns[:6]]

    async def go() -> list[str]:
        problems: list[str] = []
        async with emu.async_client() as client:
            s = await Session.login(client)
            for n in sample:
                answer = (await s.get(f"/api/v2/conversations/{generated_id(n)}")).json()
                media.update(a for p in answer["participants"] for a in ("calls", "emails", "messages") if p[a])
                problems += sdk_problems(answer, "Conversation", f"conversation {n}")
                details = (await s.get(f"/api/v2/analytics/conversations/{generated_id(n)}/details")).json()
                problems += sdk_problems(details, "AnalyticsConversationWithoutAttributes", f"details {n}")
            day = {"interval": "2026-03-16T00:00:00Z/2026-03-17T00:00:00Z", "paging": {"pageSize": 100}}
            problems += sdk_problems((await s.post(QUERY, json=day)).json(), "AnalyticsConversationQueryResponse")
            job = (await s.post(JOBS, json={"interval": day["interval"]})).json()["jobId"]
            results = (await s.get(f"{JOBS}/{job}/results")).json()
            problems += sdk_problems(results, "AnalyticsConversationAsyncQueryResponse", "job results")
        return problems

    assert run(go()) == []
    assert set(media) == {"calls", "emails", "messages"}


# --- what the block says -----------------------------------------------------------------------------------------


def test_the_block_shares_show_in_the_conversations() -> None:
    org = _org(4000, realism={"missed_alerts": 0.5, "acw_timeout": 0.0})
    conversations = _all_generated(org)

    def share(test: Any) -> float:
        return sum(1 for c in conversations if test(c)) / len(conversations)

    def agents(c: ConversationState) -> list[Any]:
        return [p for p in c.participants if p.purpose == "agent"]

    def answered(c: ConversationState) -> bool:
        return any(p.ever_connected for p in agents(c))

    customer = [next(p for p in c.participants if p.purpose == "customer") for c in conversations]
    media = Counter(c.participants[0].communications[0].media for c in conversations)
    assert media[Media.VOICE] / 4000 == pytest.approx(0.85, abs=0.02)
    assert media[Media.EMAIL] / 4000 == pytest.approx(0.06, abs=0.015)
    assert share(lambda c: not answered(c)) == pytest.approx(0.03, abs=0.01)
    assert share(lambda c: any(p.wrapup is not None for p in agents(c))) == pytest.approx(0.97 * 0.1, abs=0.015)
    assert share(lambda c: c.participants[0].communications[0].direction == "outbound") == pytest.approx(0.2, abs=0.02)
    assert share(lambda c: len([p for p in agents(c) if not p.ever_connected]) > 0) == pytest.approx(0.5, abs=0.03)
    queues = Counter(next(p.queue_id for p in c.participants if p.purpose == "acd") for c in conversations)
    assert queues[BILLING] / 4000 == pytest.approx(2 / 3, abs=0.02)
    tagged = [(c, p) for c, p in zip(conversations, customer, strict=True) if p.attributes]
    assert len(tagged) / 4000 == pytest.approx(0.33, abs=0.02)
    n = int(tagged[0][0].id[-12:])
    assert tagged[0][1].attributes == {"legacyCallId": f"L{n:08d}"} and tagged[0][0].external_tag == f"legacy-{n}"
    assert len({p.address for p in customer}) <= 2 * 800  # customers: 800 (count // 5), a number and an e-mail each
    for c, p in zip(conversations, customer, strict=True):
        voice = c.participants[0].communications[0].media is Media.VOICE
        queue = next(x.queue_id for x in c.participants if x.purpose == "acd")
        number = "tel:+18005550100" if queue == BILLING else "tel:+18005550200"
        inbound = p.communications[0].direction == "inbound"
        if voice:
            assert (p.dnis if inbound else p.ani) == number and (p.ani if inbound else p.dnis) == p.address
    plain = _org(500, realism=False)
    assert all(len(c.participants) <= 3 for c in _all_generated(plain))


def test_agents_and_weights_per_queue() -> None:
    queues = {"Billing": {"weight": 1, "agents": {"jdoe": 3, "asmith": 1}}, "Support": {"weight": 0}}
    org = _org(2000, queues=queues, unanswered=0, realism=False)
    users = {u.id: u.username for u in org.directory.users.by_id.values()}
    answered = Counter(users[p.user_id] for c in _all_generated(org) for p in c.participants if p.is_agent)
    assert set(answered) == {"jdoe@example.com", "asmith@example.com"}
    assert answered["jdoe@example.com"] / 2000 == pytest.approx(0.75, abs=0.03)


# --- errors ------------------------------------------------------------------------------------------------------

_CATALOG = """\
divisions: [{id: 48ddf357-eb7e-4766-9706-7cc07753a7de, name: Home}]
queues: [{id: e0284275-ec9b-4fde-a99c-648c9c1726bc, name: Billing}]
users: [{id: ea96e66b-d684-474a-b09a-cdcde48041e6, name: Jane Doe, username: jdoe}]
"""


def _problems(block: str) -> list[str]:
    with pytest.raises(OrgFileError) as caught:
        parse_org(_CATALOG + textwrap.dedent(block), source="org.yaml")
    return [p.located("org.yaml") for p in caught.value.problems]


def test_errors_in_the_generate_block_name_file_line_and_key() -> None:
    assert _problems("""\
        generate:
          count: 10
          period: {start: 2026-03-02T00:00:00Z, end: 2026-03-01T00:00:00Z}
          timezone: Mars/Olympus
          id_prefix: 6e0e0000-0000-4000
          hourly: [1, 2]
          media: {voice: 0, fax: 1}
          attributes: {legacyCallId: 'L{n.real}'}
          colour: red
        """) == [
        "org.yaml:8: generate.id_prefix: '6e0e0000-0000-4000' is not the first four groups of a UUID (8-4-4-4 hex "
        "digits, e.g. 5eed0000-0000-4000-8000): conversation n gets the id PREFIX-nnnnnnnnnnnn",
        "org.yaml:6: generate.period: end must be after start",
        "org.yaml:7: generate.timezone: 'Mars/Olympus' is not an IANA time zone name (e.g. America/New_York, "
        "Europe/Paris, UTC)",
        "org.yaml:9: generate.hourly: List should have at least 24 items after validation, not 2",
        "org.yaml:10: generate.media.fax: Input should be 'voice', 'callback', 'email', 'message', 'social' or 'video'",
        "org.yaml:11: generate.attributes.legacyCallId: '{n.real}': a generated text may only hold {n} or "
        "{n:FORMAT} (e.g. {n:08d}, {n:x}); write {{ and }} for braces",
        "org.yaml:12: generate.colour: unknown key (check its spelling and indentation)",
    ]
    assert _problems("""\
        generate:
          count: 10
          period: {start: 2026-03-07T00:00:00Z, end: 2026-03-09T00:00:00Z}
          daily: [1, 1, 1, 1, 1, 0, 0]
          queues:
            Biling: 1
            Billing: {agents: [jdoe, nobody]}
          agents: {kchen: 1}
          wrapped: 0.5
        """) == [
        "org.yaml:11: generate.agents.kchen: no user with id or name 'kchen'",
        "org.yaml:9: generate.queues.Biling: no queue with id or name 'Biling'",
        "org.yaml:10: generate.queues.Billing.agents[1]: no user with id or name 'nobody'",
        "org.yaml:12: generate.wrapped: no queue of the pool has wrap-up codes assigned to draw from",
        "org.yaml:6: generate.period: the daily and hourly weights leave no time in the period for calls",
    ]


def test_the_documented_block_loads_with_the_demo_org() -> None:
    text = (ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    block = text.split("### Generated conversations", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    org = parse_org(DEMO_ORG.read_text(encoding="utf-8") + block, source="docs/emulator.md")
    assert org.generator is not None and org.generator.count == 1_000_000 and len(org.conversations) == 63 + 1_000_000
    support = [c for c in (org.generator.expand(n) for n in range(1, 300)) if c.participants[1].queue_name == "Support"]
    agents = {p.name for c in support for p in c.participants if p.is_agent and p.ever_connected}
    assert agents == {"Kevin Chen", "Maria Garcia"}


# --- scale and the command ----------------------------------------------------------------------------------------


def test_a_million_conversations_start_without_being_expanded() -> None:
    """What starting holds does not grow with the count: a million weigh what a thousand do (tracemalloc; the
    times are benchmarks/emulator.py's business)."""
    texts = {count: generated_org_text(count) for count in (1000, 1_000_000)}
    parse_org(texts[1000])  # imports and caches warmed

    def held(count: int) -> tuple[int, int]:
        tracemalloc.start()
        emu = Emulator(parse_org(texts[count]))
        conversation = emu.runtime.conversations[generated_id(count)]
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert conversation.start_time < datetime(2026, 4, 1, 4, tzinfo=UTC)
        return current, peak

    small, large = held(1000), held(1_000_000)
    assert large[0] < small[0] + 256 * 1024 and large[1] < small[1] + 256 * 1024, (small, large)
    assert large[1] < 16 * 2**20


def test_the_emulator_command_serves_a_generated_org(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    org = tmp_path / "million.yaml"
    org.write_text(generated_org_text(1_000_000), encoding="utf-8")
    answers: list[dict[str, Any]] = []

    def serve(self: Emulator, sock: Any) -> None:
        async def go() -> None:
            async with self.async_client() as client:
                s = await Session.login(client)
                answers.append((await s.get(f"/api/v2/conversations/{generated_id(999_999)}")).json())

        run(go())

    monkeypatch.setattr(Emulator, "run", serve)
    result = CliRunner().invoke(main, ["emulator", "--org", str(org), "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "2 queues, 1000000 conversations" in result.output
    assert answers[0]["id"] == generated_id(999_999)
