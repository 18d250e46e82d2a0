"""The one clock shape: the system clock fits it, and so does a fake written in a few lines (driving an emulator)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx

from wrapup_bridge.core.clock import SYSTEM_CLOCK, Clock, SystemClock, utc_now
from wrapup_bridge.data import DEMO_ORG
from wrapup_bridge.emulator import Emulator, EmulatorConfig, FaultConfig, load_org

JUNE_2026 = 1_780_272_000.0


class TinyClock:
    """The fake of core/clock.py's docstring: all a test needs to provide."""

    def __init__(self, t: float = JUNE_2026) -> None:
        self.t = t
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += max(0.0, seconds)


def test_the_system_clock_is_the_standard_library() -> None:
    assert isinstance(SYSTEM_CLOCK, Clock) and isinstance(SYSTEM_CLOCK, SystemClock)
    before, wall, after = time.time(), SYSTEM_CLOCK.time(), time.time()
    assert before <= wall <= after
    first = SYSTEM_CLOCK.monotonic()
    started = time.monotonic()
    asyncio.run(SYSTEM_CLOCK.sleep(-5))  # a negative wait returns at once
    assert time.monotonic() - started < 1 and SYSTEM_CLOCK.monotonic() >= first
    assert abs(utc_now().timestamp() - time.time()) < 5 and utc_now().tzinfo is UTC


def test_a_few_line_fake_is_a_clock() -> None:
    clock = TinyClock()
    assert isinstance(clock, Clock)
    assert utc_now(clock) == datetime(2026, 6, 1, tzinfo=UTC)
    asyncio.run(clock.sleep(90))
    assert clock.monotonic() - JUNE_2026 == 90 and clock.sleeps == [90]


def test_the_emulator_keeps_its_time_and_waits_on_the_clock_given() -> None:
    clock = TinyClock()
    faults = FaultConfig(latency_ms=400, token_ttl_seconds=60)
    emulator = Emulator(load_org(DEMO_ORG), EmulatorConfig(faults=faults, rate_limit=None), clock=clock)
    assert emulator.runtime.now() == datetime(2026, 6, 1, tzinfo=UTC)

    async def scenario() -> tuple[int, int]:
        async with httpx.AsyncClient(transport=emulator.transport(), base_url="http://emulator") as client:
            login = await client.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, auth=("demo-client", "demo-secret")
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            fresh = await client.get("/api/v2/routing/wrapupcodes", headers=headers)
            clock.t += 61  # the token's life, on the emulator's clock only
            stale = await client.get("/api/v2/routing/wrapupcodes", headers=headers)
            return fresh.status_code, stale.status_code

    started = time.monotonic()
    assert asyncio.run(scenario()) == (200, 401)
    assert clock.sleeps == [0.4, 0.4] and time.monotonic() - started < 5  # latency slept on the fake clock
