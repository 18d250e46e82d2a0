"""Rate limiting per token, token expiry and the seeded faults (429 bursts, 5xx, latency, dropped connections)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.emulator.helpers import RESOLVED, FakeClock, Session, assert_error, cid, make_emulator, run
from wrapup_bridge.emulator import Org, derive_id


def test_rate_limit_is_per_token_with_retry_after(demo_org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(demo_org, clock, rate_limit=3, rate_window_seconds=60)

    async def go() -> None:
        async with emu.async_client() as c:
            a = await Session.login(c)
            b = await Session.login(c)
            for i in range(3):
                response = await a.get("/api/v2/routing/queues")
                assert response.status_code == 200 and response.headers["inin-ratelimit-count"] == str(i + 1)
            clock.advance(20)
            limited = await a.get("/api/v2/routing/queues")
            body = assert_error(limited, 429, "too.many.requests.retry.after")
            assert body["message"] == "Rate limit exceeded the maximum [3] requests within [60] seconds"
            assert limited.headers["Retry-After"] == "40" and limited.headers["inin-ratelimit-reset"] == "40"
            assert limited.headers["inin-ratelimit-allowed"] == "3"
            # Another token has its own window.
            assert (await b.get("/api/v2/routing/queues")).status_code == 200
            clock.advance(40)
            again = await a.get("/api/v2/routing/queues")
            assert again.status_code == 200 and again.headers["inin-ratelimit-count"] == "1"

    run(go())
    assert emu.stats()["throttled"] == 1
    assert emu.stats()["statuses"]["GET /api/v2/routing/queues"] == {"200": 5, "429": 1}


def test_429_without_retry_after_switch(demo_org: Org) -> None:
    emu = make_emulator(demo_org, rate_limit=1, retry_after_on_429=False)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.get("/api/v2/routing/queues")).status_code == 200
            limited = await s.get("/api/v2/routing/queues")
            assert_error(limited, 429, "too.many.requests")
            assert "Retry-After" not in limited.headers and limited.headers["inin-ratelimit-reset"] == "60"

    run(go())


def test_no_rate_limit_means_no_rate_headers(demo_org: Org) -> None:
    emu = make_emulator(demo_org, rate_limit=None)

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            for _ in range(5):
                response = await s.get("/api/v2/routing/queues")
                assert response.status_code == 200 and "inin-ratelimit-count" not in response.headers

    run(go())


@pytest.mark.parametrize(
    ("code", "message"), [("bad.credentials", "Invalid login"), ("credentials.expired", "expired")]
)
def test_tokens_expire(demo_org: Org, code: str, message: str) -> None:
    clock = FakeClock()
    emu = make_emulator(demo_org, clock, expired_token_code=code, faults={"token_ttl_seconds": 30})

    async def go() -> None:
        async with emu.async_client() as c:
            token = await c.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
            )
            assert token.json()["expires_in"] == 30
            s = Session(c, token.json()["access_token"])
            clock.advance(29)
            assert (await s.get("/api/v2/routing/queues")).status_code == 200
            clock.advance(1)
            assert message in assert_error(await s.get("/api/v2/routing/queues"), 401, code)["message"]
            fresh = await Session.login(c)
            assert (await fresh.get("/api/v2/routing/queues")).status_code == 200

    run(go())


def _statuses(demo_org: Org, calls: int, **faults: Any) -> list[int]:
    emu = make_emulator(demo_org, rate_limit=None, faults=faults)

    async def go() -> list[int]:
        async with emu.async_client() as c:
            s = await Session.login(c)
            return [(await s.get("/api/v2/routing/queues")).status_code for _ in range(calls)]

    return run(go())


def test_429_bursts(demo_org: Org) -> None:
    statuses = _statuses(demo_org, 12, burst_429={"every": 3, "length": 2, "retry_after_seconds": 7})
    assert statuses == [200, 200, 200, 429, 429] * 2 + [200, 200]
    emu = make_emulator(demo_org, faults={"burst_429": {"every": 1, "length": 1, "retry_after_seconds": 7}})

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            assert (await s.get("/api/v2/routing/queues")).status_code == 200
            burst = await s.get("/api/v2/routing/queues")
            assert_error(burst, 429, "too.many.requests.retry.after")
            assert burst.headers["Retry-After"] == "7"

    run(go())
    assert emu.stats()["faults"] == {"429": 1} and emu.stats()["throttled"] == 1


def test_5xx_ratio_is_seeded(demo_org: Org) -> None:
    first = _statuses(demo_org, 60, seed=11, error_5xx_ratio=0.3)
    assert first == _statuses(demo_org, 60, seed=11, error_5xx_ratio=0.3)
    assert first != _statuses(demo_org, 60, seed=12, error_5xx_ratio=0.3)
    assert {500, 503} <= set(first) and 200 in first
    assert 8 <= sum(s != 200 for s in first) <= 30
    assert set(_statuses(demo_org, 30, seed=11, error_5xx_ratio=1.0)) <= {500, 503}


def test_5xx_bodies(demo_org: Org) -> None:
    emu = make_emulator(demo_org, faults={"seed": 3, "error_5xx_ratio": 1.0})

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            seen = set()
            for _ in range(12):
                response = await s.get("/api/v2/routing/queues")
                code = {500: "internal.server.error", 503: "service.unavailable"}[response.status_code]
                assert_error(response, response.status_code, code)
                seen.add(response.status_code)
            assert seen == {500, 503}

    run(go())


def test_latency_is_requested_from_the_sleep_function(demo_org: Org) -> None:
    clock = FakeClock()
    emu = make_emulator(demo_org, clock, faults={"seed": 5, "latency_ms": 100, "latency_jitter_ms": 50})

    async def go() -> None:
        async with emu.async_client() as c:
            s = await Session.login(c)
            for _ in range(10):
                await s.get("/api/v2/routing/queues")
            await c.get("/_emulator/stats")  # control endpoints are never delayed

    run(go())
    assert len(clock.sleeps) == 10 and all(0.1 <= d <= 0.15 for d in clock.sleeps)
    assert len(set(clock.sleeps)) > 1
    other = FakeClock()
    again = make_emulator(demo_org, other, faults={"seed": 5, "latency_ms": 100, "latency_jitter_ms": 50})

    async def go_again() -> None:
        async with again.async_client() as c:
            s = await Session.login(c)
            for _ in range(10):
                await s.get("/api/v2/routing/queues")

    run(go_again())
    assert other.sleeps == clock.sleeps


def _drop_run(demo_org: Org, seed: int) -> tuple[list[str], Any]:
    emu = make_emulator(demo_org, rate_limit=None, faults={"seed": seed, "drop_ratio": 0.5, "drop_applied_ratio": 0.5})

    async def go() -> list[str]:
        outcomes = []
        async with emu.async_client() as c:
            s = await Session.login(c)
            pid, comm = derive_id(cid(1), "agent"), derive_id(cid(1), "agent", "voice")
            path = f"/api/v2/conversations/calls/{cid(1)}/participants/{pid}/communications/{comm}/wrapup"
            for i in range(30):
                try:
                    response = await s.post(path, json={"code": RESOLVED, "notes": str(i)})
                    outcomes.append(str(response.status_code))
                except httpx.RemoteProtocolError:
                    outcomes.append("dropped")
        return outcomes

    return run(go()), emu


def test_dropped_connections_in_process(demo_org: Org) -> None:
    outcomes, emu = _drop_run(demo_org, seed=21)
    assert outcomes == _drop_run(demo_org, seed=21)[0]
    assert set(outcomes) == {"202", "dropped"}
    log = emu.write_log
    dropped_but_applied = [r for r in log if r.dropped]
    # Some drops happened after the write was applied (the client cannot tell), some before.
    assert 0 < len(dropped_but_applied) < outcomes.count("dropped")
    assert len(log) == outcomes.count("202") + len(dropped_but_applied)
    assert [r.body["notes"] for r in log if not r.dropped] == [str(i) for i, o in enumerate(outcomes) if o == "202"]
    stats = emu.stats()
    key = "POST /api/v2/conversations/calls/{conversationId}/participants/{participantId}/communications/{communicationId}/wrapup"
    assert stats["statuses"][key]["0"] == outcomes.count("dropped") == stats["faults"]["drop"]
