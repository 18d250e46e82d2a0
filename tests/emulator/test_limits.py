"""The rate limits of a pool of OAuth clients: one budget per token, an optional org-wide one across tokens, their
429s and headers, and the per-token counts the stats give a benchmark."""

from __future__ import annotations

from typing import Any

import httpx

from tests.emulator.helpers import (
    BILLING,
    HOME,
    JDOE,
    RESOLVED,
    FakeClock,
    Session,
    assert_error,
    cid,
    make_emulator,
    run,
)
from wrapup_bridge.emulator import EmulatorConfig, Org, parse_org

QUEUES = "/api/v2/routing/queues"


def pool_org(clients: int = 3) -> Org:
    """An org with ``clients`` OAuth clients pool-1..pool-N, each with its own secret."""
    listed = "".join(
        f"  - {{client_id: pool-{n}, client_secret: secret-{n}, permissions: ['routing:*:view']}}\n"
        for n in range(1, clients + 1)
    )
    return parse_org(
        f"divisions: [{{id: {HOME}, name: Home}}]\n"
        f"wrapup_codes: [{{id: {RESOLVED}, name: Resolved}}]\n"
        f"queues: [{{id: {BILLING}, name: Billing, wrapup_codes: [Resolved]}}]\n"
        f"users: [{{id: {JDOE}, name: Jane Doe}}]\n"
        f"oauth_clients:\n{listed}"
        f"conversations: [{{id: {cid(1)}, media: voice, queue: Billing, agent: {JDOE}, start: 2026-03-02T14:00:00Z,"
        " end: 2026-03-02T14:05:00Z}]\n"
    )


async def logins(c: httpx.AsyncClient, clients: int) -> list[Session]:
    return [await Session.login(c, f"pool-{n}", f"secret-{n}") for n in range(1, clients + 1)]


def rate_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("inin-ratelimit-") or k == "retry-after"}


def test_the_default_is_one_limit_per_token_and_no_org_limit() -> None:
    config = EmulatorConfig()
    assert (config.rate_limit, config.rate_window_seconds) == (300, 60.0)
    assert config.org_rate_limit is None and config.org_rate_limit_headers == "token"


def test_several_clients_each_with_its_own_secret_and_its_own_budget() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(3), clock, rate_limit=2)

    async def go() -> None:
        async with emu.async_client() as c:
            wrong = await c.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=("pool-2", "secret-1"))
            assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"
            sessions = await logins(c, 3)
            for session in sessions:
                for n in (1, 2):
                    ok = await session.get(QUEUES)
                    assert ok.status_code == 200 and ok.headers["inin-ratelimit-count"] == str(n)
                limited = await session.get(QUEUES)
                assert_error(limited, 429, "too.many.requests.retry.after")
                assert rate_headers(limited) == {
                    "inin-ratelimit-count": "2",
                    "inin-ratelimit-allowed": "2",
                    "inin-ratelimit-reset": "60",
                    "retry-after": "60",
                }

    run(go())
    stats = emu.stats()
    for n in (1, 2, 3):
        usage = {"requests": 3, "throttled": 1, "statuses": {"200": 2, "429": 1}}
        assert stats["tokens"][f"pool-{n}#1"] == usage
        assert stats["clients"][f"pool-{n}"] == usage
    assert stats["rate_limited"] == {"token": 3, "org": 0}
    assert stats["throttled"] == 3


def test_the_org_limit_counts_every_token_and_its_429_shows_the_token_with_budget_left() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(3), clock, rate_limit=5, org_rate_limit=4, org_rate_window_seconds=30)

    async def go() -> None:
        async with emu.async_client() as c:
            a, b, third = await logins(c, 3)
            for session in (a, a, b, b):
                assert (await session.get(QUEUES)).status_code == 200
            clock.advance(10)
            limited = await third.get(QUEUES)
            body = assert_error(limited, 429, "too.many.requests.retry.after")
            assert body["message"] == "Rate limit exceeded the maximum [4] requests within [30] seconds"
            assert body["messageParams"] == {"limit": "4", "window": "30"}
            # The token's own window: nothing used, budget left; Retry-After: when the org's window ends.
            assert rate_headers(limited) == {
                "inin-ratelimit-count": "0",
                "inin-ratelimit-allowed": "5",
                "inin-ratelimit-reset": "60",
                "retry-after": "20",
            }
            assert_error(await a.get(QUEUES), 429, "too.many.requests.retry.after")  # a has budget too: still org
            clock.advance(20)
            again = await third.get(QUEUES)
            # The refused request counted in no window.
            assert again.status_code == 200 and again.headers["inin-ratelimit-count"] == "1"
            assert (await a.get(QUEUES)).headers["inin-ratelimit-count"] == "3"

    run(go())
    stats = emu.stats()
    assert stats["rate_limited"] == {"token": 0, "org": 2}
    assert stats["clients"]["pool-3"]["statuses"] == {"200": 1, "429": 1}


def test_an_org_429_can_carry_the_org_windows_headers() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(2), clock, rate_limit=5, org_rate_limit=2, org_rate_limit_headers="org")

    async def go() -> None:
        async with emu.async_client() as c:
            a, b = await logins(c, 2)
            assert (await a.get(QUEUES)).status_code == 200
            assert (await b.get(QUEUES)).headers["inin-ratelimit-allowed"] == "5"  # answers show the token's
            clock.advance(15)
            limited = await a.get(QUEUES)
            assert limited.status_code == 429
            assert rate_headers(limited) == {
                "inin-ratelimit-count": "2",
                "inin-ratelimit-allowed": "2",
                "inin-ratelimit-reset": "45",
                "retry-after": "45",
            }

    run(go())


def test_an_org_limit_alone_sends_no_rate_headers_and_follows_the_retry_after_switch() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(2), clock, rate_limit=None, org_rate_limit=1, retry_after_on_429=False)

    async def go() -> None:
        async with emu.async_client() as c:
            a, b = await logins(c, 2)
            ok = await a.get(QUEUES)
            assert ok.status_code == 200 and rate_headers(ok) == {}
            limited = await b.get(QUEUES)
            assert_error(limited, 429, "too.many.requests")
            assert rate_headers(limited) == {}

    run(go())


def test_a_request_over_both_limits_is_the_tokens_429() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(1), clock, rate_limit=2, org_rate_limit=2)

    async def go() -> None:
        async with emu.async_client() as c:
            (a,) = await logins(c, 1)
            for _ in range(2):
                assert (await a.get(QUEUES)).status_code == 200
            body = assert_error(await a.get(QUEUES), 429, "too.many.requests.retry.after")
            assert body["messageParams"] == {"limit": "2", "window": "60"}

    run(go())
    assert emu.stats()["rate_limited"] == {"token": 1, "org": 0}


def test_tokens_are_counted_one_by_one_and_summed_by_client() -> None:
    emu = make_emulator(pool_org(2), rate_limit=None)

    async def go() -> None:
        async with emu.async_client() as c:
            first, other = await logins(c, 2)
            second = await Session.login(c, "pool-1", "secret-1")  # a renewed token of the same client
            for session, calls in ((first, 2), (second, 3), (other, 1)):
                for _ in range(calls):
                    assert (await session.get(QUEUES)).status_code == 200
            assert (await c.get(QUEUES, headers={"Authorization": "Bearer nope"})).status_code == 401
            served: dict[str, Any] = (await c.get("/_emulator/stats")).json()
            assert served["tokens"] == emu.stats()["tokens"]

    run(go())
    stats = emu.stats()
    assert {label: usage["requests"] for label, usage in stats["tokens"].items()} == {
        "pool-1#1": 2,
        "pool-1#2": 3,
        "pool-2#1": 1,
    }
    assert stats["clients"]["pool-1"] == {"requests": 5, "throttled": 0, "statuses": {"200": 5}}
    assert stats["requests"][f"GET {QUEUES}"] == 7  # the 401 is counted, for no token


def test_reset_opens_every_window_and_clears_the_counts() -> None:
    clock = FakeClock()
    emu = make_emulator(pool_org(2), clock, rate_limit=1, org_rate_limit=1)

    async def go() -> None:
        async with emu.async_client() as c:
            a, b = await logins(c, 2)
            assert (await a.get(QUEUES)).status_code == 200
            assert (await a.get(QUEUES)).status_code == 429
            assert (await b.get(QUEUES)).status_code == 429
            emu.reset()
            assert emu.stats()["tokens"] == {} and emu.stats()["rate_limited"] == {"token": 0, "org": 0}
            assert (await b.get(QUEUES)).status_code == 200  # tokens stay valid, windows start afresh

    run(go())
    assert emu.stats()["tokens"] == {"pool-2#1": {"requests": 1, "throttled": 0, "statuses": {"200": 1}}}
