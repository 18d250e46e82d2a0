"""The client's pacing against the emulator's rate limits, in virtual time: an emulator without limits (and so without
rate-limit headers) does not slow the client, and a pool of OAuth clients sharing one ``RateCap`` learns an org-wide
limit from the 429s that come while each token's own headers show budget left."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import SecretStr

from tests.conftest import EXAMPLES
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.http import GenesysClient
from wrapup_bridge.genesys.ratelimit import RateCap, RateLimiter
from wrapup_bridge.genesys.regions import resolve_region
from wrapup_bridge.genesys.settings import GenesysSettings
from wrapup_bridge.testing import VirtualClock

ORG = EXAMPLES / "demo-org.yaml"
QUEUES = "/api/v2/routing/queues"
#: Two OAuth clients of the demo org that may both list queues.
CLIENTS = (("demo-client", "demo-secret"), ("readonly-client", "readonly-secret"))


def client_for(emulator: Emulator, clock: VirtualClock, credentials: tuple[str, str], cap: RateCap) -> GenesysClient:
    settings = GenesysSettings(
        client_id=credentials[0],
        client_secret=SecretStr(credentials[1]),
        region=resolve_region("http://emulator.invalid"),
        budget=120.0,
    )
    limiter = RateLimiter(clock=clock, cap=cap, rate_per_minute=settings.rate_per_minute)
    return GenesysClient(settings, transport=emulator.transport(), clock=clock, limiter=limiter)


def replay(emulator: Emulator, clock: VirtualClock, cap: RateCap, *, seconds: float, workers: int) -> None:
    """``workers`` tasks per OAuth client list queues (one page of one) for ``seconds`` of virtual time."""
    clients = [client_for(emulator, clock, credentials, cap) for credentials in CLIENTS]
    end = clock.monotonic() + seconds

    async def worker(client: GenesysClient) -> None:
        while clock.monotonic() < end:
            await client.get_json(QUEUES, params={"pageSize": 1})
            await clock.sleep(0.05)  # the answer on the wire

    async def main() -> None:
        await clock.gather(*(worker(client) for client in clients for _ in range(workers)))
        for client in clients:
            await client.aclose()

    asyncio.run(main())


def emulator(clock: VirtualClock, **config: Any) -> Emulator:
    return Emulator.from_file(ORG, EmulatorConfig.model_validate(config), clock=clock)


def test_an_emulator_without_rate_limit_headers_does_not_slow_the_client() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=None)
    cap = RateCap()
    client = client_for(emu, clock, CLIENTS[0], cap)

    async def main() -> float:
        start = clock.monotonic()
        for _ in range(60):
            await client.get_json(QUEUES, params={"pageSize": 1})
        await client.aclose()
        return clock.monotonic() - start

    elapsed = asyncio.run(clock.gather(main()))[0]
    # Paced at the default 300/min, 60 requests would take 12 s; without headers nothing holds them back.
    assert elapsed < 0.5
    assert client.limiter.headerless and client.limiter.sent == 60


def test_a_pool_learns_the_org_limit_from_429s_with_budget_left() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=60, rate_window_seconds=10, org_rate_limit=80, org_rate_window_seconds=10)
    cap = RateCap()
    replay(emu, clock, cap, seconds=120, workers=3)
    stats = emu.stats()
    # Both tokens had budget left (60 each, 80 for the org): every 429 was the org's, sent while requests of the
    # first window were in flight; then the pool ran at the learned cap.
    assert stats["rate_limited"]["token"] == 0
    assert 1 <= stats["rate_limited"]["org"] <= 6
    accepted = sum(usage["statuses"].get("200", 0) for usage in stats["clients"].values())
    assert accepted >= 0.85 * 80 / 10 * 120
    learned = cap.per_minute(clock.monotonic())
    assert learned is not None and learned <= 80 / 10 * 60
    assert set(stats["clients"]) == {"demo-client", "readonly-client"}


def test_without_learning_the_pool_meets_the_org_limit_every_window() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=60, rate_window_seconds=10, org_rate_limit=80, org_rate_window_seconds=10)
    replay(emu, clock, RateCap(learn=False), seconds=120, workers=3)
    assert emu.stats()["rate_limited"]["org"] >= 10
