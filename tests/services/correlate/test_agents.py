"""AgentIndex: the users met on candidate conversations looked up in batches, each once, and a record's agent
(login, e-mail, name, directory entry, or a user id) resolved to their ids without a call of its own; when
lookups failed, an agent that resolves to nobody is unknown (None), never "a different agent"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.genesys.fakes import FakeClock, FakeGenesys, answer, error, make_client
from tests.services.correlate.demo import connection_to
from wrapup_bridge.core.correlate import Candidate, CorrelateSpec, Probe, probe_for
from wrapup_bridge.core.disposition import Disposition
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.users import USERS_PATH, UserLookup
from wrapup_bridge.services.correlate.agents import AgentIndex
from wrapup_bridge.testing import DEMO_ORG

# The demo org's agents (examples/demo-org.yaml): login and e-mail name@example.com.
JDOE = "ea96e66b-d684-474a-b09a-cdcde48041e6"
ASMITH = "cc734f07-942c-400c-afa3-584189f688b7"
MGARCIA = "905ef80c-fff3-4212-bcec-78c850ab878d"
KCHEN = "32cfb2b5-711d-4766-a6d0-acfdb25fe574"
START = datetime(2026, 3, 5, 16, 2, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    yield Emulator.from_file(DEMO_ORG, EmulatorConfig(rate_limit=None))


def on(n: int, *user_ids: str) -> Candidate:
    return Candidate(
        conversation_id=f"c0ffee00-0000-4000-8000-0000000000{n:02d}", start=START, user_ids=frozenset(user_ids)
    )


def probe(agent: str | None, directory: dict[str, str] | None = None) -> Probe:
    record = Disposition(source="five9", source_id="300000010315502", code="Sale", agent=agent, occurred_at=START)
    return probe_for(record, CorrelateSpec(), directory or {})


def users_asked(sent: list[Any]) -> list[set[str]]:
    return [set(s.params["id"].split(",")) for s in sent if s.method == "GET" and s.path == USERS_PATH]


def test_a_record_agent_resolves_by_login_email_name_directory_or_id(emulator: Emulator) -> None:
    async def go() -> dict[str, frozenset[str] | None]:
        async with connection_to(emulator) as (connection, _):
            index = AgentIndex(UserLookup(connection.client))
            await index.learn([on(51, JDOE), on(52, ASMITH), on(53, MGARCIA.upper())])
            return {
                "login": index.ids_of(probe("jdoe")),
                "e-mail": index.ids_of(probe("JDoe@Example.com")),
                "name": index.ids_of(probe("  Maria   Garcia ")),
                "directory": index.ids_of(probe("5001", {"5001": "asmith@example.com"})),
                "user id": index.ids_of(probe(KCHEN.upper())),  # an id is itself, met or not
                "nobody": index.ids_of(probe("Pat Nobody")),
                "no agent": index.ids_of(probe(None)),
            }

    found = asyncio.run(go())
    assert found == {
        "login": frozenset({JDOE}),
        "e-mail": frozenset({JDOE}),
        "name": frozenset({MGARCIA}),
        "directory": frozenset({ASMITH}),
        "user id": frozenset({KCHEN}),
        # Every lookup answered, and no user met is known by that name: no id (scored "unknown" on every call).
        "nobody": frozenset(),
        "no agent": None,
    }


def test_each_user_is_looked_up_once_in_batches(emulator: Emulator) -> None:
    async def go() -> tuple[list[set[str]], int]:
        async with connection_to(emulator) as (connection, recording):
            index = AgentIndex(UserLookup(connection.client))
            await index.learn([on(51, JDOE), on(52, ASMITH), on(58, JDOE)])
            await index.learn([on(61, KCHEN), on(62, ASMITH)])
            await index.learn([on(51, JDOE), on(61, KCHEN)])
            await index.learn([])
            await index.learn([on(70)])  # a conversation without agents
            return users_asked(recording.sent), index.calls

    asked, calls = asyncio.run(go())
    assert asked == [{JDOE, ASMITH}, {KCHEN}]
    assert calls == 2


def test_an_id_no_user_has_is_asked_for_once_and_resolves_nothing(emulator: Emulator) -> None:
    ghost = "00000000-0000-4000-8000-00000000dead"

    async def go() -> tuple[list[set[str]], frozenset[str] | None]:
        async with connection_to(emulator) as (connection, recording):
            index = AgentIndex(UserLookup(connection.client))
            await index.learn([on(51, ghost)])
            await index.learn([on(52, ghost)])
            return users_asked(recording.sent), index.ids_of(probe("jdoe"))

    asked, jdoe = asyncio.run(go())
    assert asked == [{ghost}]
    assert jdoe == frozenset()


def fake_users(*steps: httpx.Response) -> tuple[FakeGenesys, AgentIndex]:
    fake = FakeGenesys(FakeClock())
    fake.script("GET", USERS_PATH, *steps)
    return fake, AgentIndex(UserLookup(make_client(fake, max_attempts=1)))


def jdoe_entity() -> dict[str, Any]:
    return {"id": JDOE, "name": "Jane Doe", "email": "jdoe@example.com", "username": "jdoe@example.com"}


def test_a_refused_lookup_makes_an_unresolved_agent_unknown_not_different() -> None:
    fake, index = fake_users(error(403, "missing.permissions", "Unable to perform the requested action."))

    async def go() -> dict[str, frozenset[str] | None]:
        await index.learn([on(51, JDOE)])
        await index.learn([on(51, JDOE)])  # a refusal is final: not asked again
        return {"login": index.ids_of(probe("jdoe")), "user id": index.ids_of(probe(JDOE))}

    assert asyncio.run(go()) == {"login": None, "user id": frozenset({JDOE})}
    assert len(fake.calls("GET", USERS_PATH)) == 1


def test_a_lookup_that_failed_for_now_is_asked_again_and_then_resolves() -> None:
    fake, index = fake_users(
        error(503, "service.unavailable", "The service is currently unavailable."),
        answer(200, {"entities": [jdoe_entity()], "pageSize": 1, "pageNumber": 1}),
    )

    async def go() -> tuple[frozenset[str] | None, frozenset[str] | None]:
        await index.learn([on(51, JDOE)])
        before = index.ids_of(probe("jdoe"))
        await index.learn([on(58, JDOE)])
        return before, index.ids_of(probe("jdoe"))

    before, after = asyncio.run(go())
    assert before is None  # unknown while the users could not be looked up
    assert after == frozenset({JDOE})
    assert len(fake.calls("GET", USERS_PATH)) == 2
