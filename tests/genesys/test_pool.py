"""genesys.pool: several OAuth clients as one client, against the emulator's per-token and org-wide limits on a
virtual clock (minutes of paced traffic in milliseconds): each token paced by its own headers and none answered
429, the pool as fast as its tokens together, an org-wide ceiling configured or learned from 429s, refused
credentials named, and no secret or token in any repr, log line or error."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pydantic import SecretStr

from tests.cli.replay_scenario import make_org, pool_clients
from wrapup_bridge.core.replay.clients import ClientTally
from wrapup_bridge.emulator import Emulator, EmulatorConfig
from wrapup_bridge.genesys.credentials import ClientCredentials
from wrapup_bridge.genesys.errors import PermissionDenied
from wrapup_bridge.genesys.pool import ClientPool, pool_usage
from wrapup_bridge.genesys.settings import SettingsError
from wrapup_bridge.services.target import Connection, build_target
from wrapup_bridge.testing import VirtualClock

QUEUES = "/api/v2/routing/queues"
ORG = make_org(3, clients=4)
SECRETS = [secret for _, secret in pool_clients(4)]


@dataclass
class Run:
    seconds: float
    statuses: set[int]
    usage: list[dict[str, Any]]
    org_rate: dict[str, Any]
    stats: dict[str, Any]


def emulator(clock: VirtualClock, **config: Any) -> Emulator:
    return Emulator(ORG, EmulatorConfig.model_validate(config), clock=clock, sleep=clock.sleep)


def pool_on(emu: Emulator, clock: VirtualClock, clients: int, **overrides: Any) -> ClientPool:
    ids = [cid for cid, _ in pool_clients(clients)]
    target = build_target("emulator", emu, clients=ids, **overrides)
    return ClientPool(target.settings, target.clients, transport=target.transport(), clock=clock)


def drive(clients: int, requests: int, *, per_client: int = 4, **config: Any) -> Run:
    """``requests`` GETs through a pool of ``clients``, ``per_client`` in flight per client (as replay apply)."""
    overrides = {k: config.pop(k) for k in list(config) if k in ("org_rate_per_minute", "learn_org_rate")}
    clock = VirtualClock()
    emu = emulator(clock, **config)
    per_minute = config["rate_limit"] / config["rate_window_seconds"] * 60

    async def go() -> Run:
        pool = pool_on(emu, clock, clients, rate_per_minute=per_minute, **overrides)
        limit = asyncio.Semaphore(per_client * clients)

        async def one() -> int:
            async with limit:
                return (await pool.request("GET", QUEUES, budget=600)).status

        async with pool:
            started = clock.monotonic()
            statuses = await clock.gather(*(one() for _ in range(requests)))
            seconds = clock.monotonic() - started
            usage = pool_usage(pool)
            assert usage is not None
            return Run(seconds, set(statuses), usage["clients"], usage["org_rate"], emu.stats())

    return asyncio.run(go())


PER_TOKEN = {"rate_limit": 10, "rate_window_seconds": 10.0}


def test_each_token_is_paced_by_its_own_headers_and_the_pool_goes_at_their_sum() -> None:
    one = drive(1, 150, **PER_TOKEN)
    three = drive(3, 150, **PER_TOKEN)
    for run in (one, three):
        assert run.statuses == {200}
        assert run.stats["rate_limited"] == {"token": 0, "org": 0} and run.stats["throttled"] == 0
        assert all(u["throttled"] == 0 for u in run.usage)
    # 150 requests at 1/s per token (10 per 10 s, one kept in reserve): about 165 s on one token, 55 s on three.
    assert 150 <= one.seconds <= 175, one.seconds
    assert one.seconds / three.seconds >= 2.8, (one.seconds, three.seconds)
    assert [u["client_id"] for u in three.usage] == ["demo-client", "pool-2", "pool-3"]
    assert all(abs(u["share"] - 1 / 3) <= 0.02 for u in three.usage), three.usage
    # The pool's own count of each client's requests is the server's.
    assert {u["client_id"]: u["requests"] for u in three.usage} == {
        client: counts["requests"] for client, counts in three.stats["clients"].items()
    }
    assert all(u["tokens"] == 1 for u in three.usage)


def test_a_burst_far_above_every_tokens_window_meets_no_429() -> None:
    # 60 requests at once against two tokens of 10 per 10 s: each limiter holds its own token's requests.
    run = drive(2, 60, per_client=30, **PER_TOKEN)
    assert run.statuses == {200} and run.stats["throttled"] == 0
    assert [u["requests"] for u in run.usage] == [30, 30]
    assert run.seconds <= 31, run.seconds


ORG_LIMIT = {"rate_limit": 10, "rate_window_seconds": 10.0, "org_rate_limit": 15, "org_rate_window_seconds": 10.0}


def test_an_org_wide_limit_is_learned_from_429s_that_come_while_tokens_have_budget() -> None:
    learned = drive(3, 300, **ORG_LIMIT)
    blind = drive(3, 300, learn_org_rate=False, **ORG_LIMIT)
    for run in (learned, blind):
        assert run.statuses == {200}  # every 429 was waited out and retried
        assert run.stats["rate_limited"]["token"] == 0
    # The org allows 90 per minute; the pool learned a ceiling just under it and keeps to it, so it meets far fewer
    # 429s than a pool that does not learn (one per window).
    assert 0.8 * 90 <= learned.org_rate["per_minute_now"] <= 90, learned.org_rate
    assert learned.org_rate["org_429s"] == learned.stats["rate_limited"]["org"] >= 1
    assert blind.org_rate["per_minute_now"] is None
    assert learned.stats["rate_limited"]["org"] * 2 <= blind.stats["rate_limited"]["org"], (
        learned.stats["rate_limited"],
        blind.stats["rate_limited"],
    )
    # About the org's pace either way: 300 requests at 90 per minute is 200 s.
    assert learned.seconds <= 200 * 1.15, learned.seconds


def test_a_configured_org_ceiling_keeps_the_pool_under_the_org_limit_without_a_429() -> None:
    run = drive(3, 150, org_rate_per_minute=85, **ORG_LIMIT)
    assert run.statuses == {200} and run.stats["throttled"] == 0
    assert run.org_rate["configured_per_minute"] == 85 and run.org_rate["org_429s"] == 0
    assert run.seconds >= 150 / 85 * 60 * 0.95


def test_a_pool_of_one_is_a_plain_client() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=None)

    async def go() -> None:
        async with pool_on(emu, clock, 1) as pool:
            assert pool.members == (pool,) and pool.size == 1
            assert (await pool.get_json(QUEUES))["entities"]
            assert [u.requests for u in pool.usage()] == [1]
            assert sum(pool.sent.values()) == 1

    asyncio.run(go())


def test_a_pool_counts_every_members_requests_by_kind_once() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=None)

    async def go() -> None:
        async with pool_on(emu, clock, 3) as pool:
            await asyncio.gather(*(pool.get_json(QUEUES) for _ in range(9)))
            assert sum(pool.sent.values()) == 9
            assert all(member.sent is pool.sent for member in pool.members)
            assert [u.requests for u in pool.usage()] == [3, 3, 3]

    asyncio.run(go())


def test_a_client_listed_twice_or_none_is_refused() -> None:
    clock = VirtualClock()
    target = build_target("emulator", emulator(clock), clients=["demo-client", "pool-2"])
    with pytest.raises(ValueError, match="pool-2 listed twice"):
        ClientPool(target.settings, [*target.clients, target.clients[1]], transport=target.transport())
    with pytest.raises(ValueError, match="at least one"):
        ClientPool(target.settings, [], transport=target.transport())


def wrong_secret_pool(emu: Emulator, clock: VirtualClock, secret: str) -> ClientPool:
    target = build_target("emulator", emu, clients=["demo-client", "pool-2", "pool-3"])
    clients = list(target.clients)
    clients[1] = ClientCredentials("pool-2", SecretStr(secret), "clients.yaml:4")
    return ClientPool(target.settings, clients, transport=target.transport(), clock=clock)


def test_login_names_the_client_whose_credentials_are_refused_and_not_its_secret() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=None)
    wrong = "not-the-secret-of-pool-2"

    async def go() -> None:
        async with wrong_secret_pool(emu, clock, wrong) as pool:
            with pytest.raises(SettingsError) as caught:
                await pool.login()
            message = str(caught.value)
            assert message.startswith("clients.yaml:4: OAuth client 'pool-2' of the pool was refused"), message
            assert wrong not in message and wrong not in repr(caught.value)
            assert not any(secret in message for secret in SECRETS)

    asyncio.run(go())


def test_no_secret_or_token_in_reprs_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=20, rate_window_seconds=10.0)
    wrong = "not-the-secret-of-pool-2"
    shown: list[str] = []

    async def go() -> list[str]:
        target = build_target("emulator", emu, clients=["demo-client", "pool-2", "pool-3"], rate_per_minute=120)
        pool = ClientPool(target.settings, target.clients, transport=target.transport(), clock=clock)
        async with pool:
            await pool.login()
            await clock.gather(*(pool.get_json(QUEUES) for _ in range(30)))
            # Every token dies early: each member renews on its 401 (logged), then goes on.
            with emu.runtime.lock:
                for token in emu.runtime.tokens.values():
                    token.expires_at = emu.runtime.time()
            await clock.gather(*(pool.get_json(QUEUES) for _ in range(6)))
            connection = Connection(pool, target.description, emu, target.identity, target.identities)
            shown.extend([repr(pool), str(pool), repr(target), repr(connection), repr(target.settings)])
            shown.extend(repr(m.auth) + repr(m.settings) + str(m.settings) for m in pool.members)
            shown.extend([repr(target.clients), str(pool_usage(pool))])
        async with wrong_secret_pool(emu, clock, wrong) as refused:
            with pytest.raises(SettingsError) as caught:
                await refused.login()
            shown.extend([str(caught.value), repr(caught.value)])
        with emu.runtime.lock:
            return [token.value for token in emu.runtime.tokens.values()]

    with caplog.at_level(logging.DEBUG, logger="wrapup_bridge"):
        tokens = asyncio.run(go())
    logged = caplog.text
    assert "fetched an access token for OAuth client pool-2" in logged  # the logs do name clients, by id
    assert "renewing the access token" in logged
    assert len(tokens) >= 6
    for text in [*shown, logged]:
        for secret in [*SECRETS, wrong, *tokens]:
            assert secret not in text, (secret, text[:300])


@pytest.mark.parametrize("headers", ["token", "org"])
def test_after_learning_an_org_wide_limit_the_pool_meets_no_more_429(headers: str) -> None:
    # The org allows 15 per 10 s; three tokens of 10 per 10 s would send 30. Whatever the org's 429s show (each token's
    # own headers, with budget left, or the org window's numbers), the pool learns one ceiling for all of its tokens
    # from the first 429, and after that pause resumes at that pace, one request at a time: no 429 again.
    run = drive(3, 900, org_rate_limit_headers=headers, **ORG_LIMIT)
    assert run.statuses == {200}
    assert run.stats["rate_limited"]["token"] == 0
    # The requests in flight with the first 429 (at most one per client here) and none after. It was 8 (token headers)
    # and 99 (org headers) when the pool burst after each pause and each token took the org's window for its own.
    assert 1 <= run.stats["rate_limited"]["org"] <= 3, run.stats["rate_limited"]
    assert run.org_rate["org_429s"] == run.stats["rate_limited"]["org"]
    assert 0.85 * 90 <= run.org_rate["per_minute_now"] <= 90, run.org_rate
    assert run.org_rate.get("window_allowed") == (15 if headers == "org" else None)
    # At the learned pace: 900 requests at 90 per minute is 600 s.
    assert run.seconds <= 600 * 1.12, run.seconds


def lacking(permission: str, client: str, clients: int = 3) -> Any:
    """The pool's org, but ``client`` lacks ``permission``."""
    org = make_org(3, clients=clients)
    refused = org.directory.clients[client]
    org.directory.clients[client] = replace(refused, permissions=refused.permissions - {permission})
    return org


def test_a_refusal_names_the_client_of_the_pool_refused_in_the_error_and_the_report() -> None:
    clock = VirtualClock()
    emu = Emulator(lacking("routing:queue:view", "pool-3"), EmulatorConfig(rate_limit=None), clock=clock)

    async def go() -> tuple[list[PermissionDenied], list[ClientTally]]:
        async with pool_on(emu, clock, 3) as pool:

            async def one() -> PermissionDenied | None:
                try:
                    await pool.get_json(QUEUES)
                except PermissionDenied as exc:
                    return exc
                return None

            errors = [e for e in await clock.gather(*(one() for _ in range(9))) if e is not None]
            return errors, pool.usage()

    errors, usage = asyncio.run(go())
    refused = {u.client_id: u.refusals for u in usage}
    assert refused["demo-client"] == refused["pool-2"] == 0
    assert len(errors) == refused["pool-3"] == usage[2].requests >= 2  # every request pool-3 sent, and only those
    for error in errors:
        assert error.oauth_client == "pool-3" and error.missing_permissions == ("routing:queue:view",)
        assert "OAuth client 'pool-3'" in str(error)
        assert error.explain().startswith("OAuth client 'pool-3' of the pool: ")
        assert error.to_dict()["oauthClient"] == "pool-3"
        assert not any(secret in str(error) + error.explain() + repr(error.to_dict()) for secret in SECRETS)


def test_a_plain_clients_refusal_names_no_client() -> None:
    clock = VirtualClock()
    emu = Emulator(
        lacking("routing:queue:view", "demo-client", clients=1), EmulatorConfig(rate_limit=None), clock=clock
    )

    async def go() -> None:
        async with pool_on(emu, clock, 1) as pool:
            with pytest.raises(PermissionDenied) as caught:
                await pool.get_json(QUEUES)
            assert caught.value.oauth_client is None and "OAuth client" not in str(caught.value)
            assert "oauthClient" not in caught.value.to_dict()
            assert [u.refusals for u in pool.usage()] == [1]

    asyncio.run(go())


def test_each_client_counts_its_retries() -> None:
    clock = VirtualClock()
    emu = emulator(clock, rate_limit=None, faults={"seed": 3, "error_5xx_ratio": 0.3})

    async def go() -> tuple[list[ClientTally], dict[str, Any] | None]:
        async with pool_on(emu, clock, 3, max_attempts=10) as pool:
            await clock.gather(*(pool.get_json(QUEUES) for _ in range(60)))
            return pool.usage(), pool_usage(pool)

    usage, section = asyncio.run(go())
    # Every call succeeded in the end: what a client sent beyond one request per call was sent again.
    assert sum(u.requests for u in usage) - 60 == sum(u.retries for u in usage) > 0
    assert all(u.retries > 0 and u.writes == 0 and u.refusals == 0 for u in usage), usage
    assert section is not None
    assert section["clients"] == [u.to_dict() for u in usage]
    assert set(section["clients"][0]) == {
        *("client_id", "source", "requests", "writes", "throttled", "retries", "refusals", "tokens", "share"),
    }
