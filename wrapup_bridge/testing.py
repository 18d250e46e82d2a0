"""Test doubles for code that uses wrapup-bridge (and for wrapup-bridge's own tests), in the spirit of
``structlog.testing``: nothing here talks to Genesys Cloud, opens a socket unless asked, or waits in real time.

- ``emulated_bridge()``: a ``Bridge`` on an in-process emulator of the shipped demo org (or of an org file or
  ``Emulator`` given); ``bridge.emulator.write_log`` shows what was written.
- ``emulator()``: that emulator alone, optionally on a ``FakeClock``.
- ``FakeClock``: time that moves only when a test moves it (or something sleeps on it): a ``core.clock.Clock``,
  the one clock shape the package takes (the Genesys client, the emulator, the outbox), and the emulator's
  ``sleep`` (``clock.sleep``).
- ``VirtualClock``: virtual time for concurrent tasks (the rate limiter, retries): when every task waits, time
  jumps to the earliest wake-up.
- ``EmulatorSession``: an httpx client into an emulator, logged in as one OAuth client.
- ``served()``: an ASGI app (the webhook service) under uvicorn on 127.0.0.1, with ``serve``'s limits.
- ``sign_twilio_form()`` / ``sign_twilio_json()``: a webhook request signed as Twilio signs it (needs the
  ``twilio`` extra: ``pip install 'wrapup-bridge[twilio]'``).
- ``DEMO_ORG`` and ``demo_conversation_id(n)``: the shipped demo org and its conversations' ids.

Example::

    from wrapup_bridge.testing import demo_conversation_id, emulated_bridge

    def test_my_handler_applies_the_code():
        with emulated_bridge() as bridge:          # the shipped Twilio Flex table, on the demo org
            outcome = my_handler(bridge, task_attributes_for(demo_conversation_id(1)))
        assert outcome.kind.wrote
        assert bridge.emulator.write_log[-1].conversation_id == demo_conversation_id(1)
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
import os
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from wrapup_bridge.data import DEMO_ORG
from wrapup_bridge.live.defaults import DEFAULT_BUDGET, DEFAULT_MAPPING

if TYPE_CHECKING:
    import httpx

    from wrapup_bridge.emulator import Emulator, EmulatorConfig
    from wrapup_bridge.live.bridge import Bridge, MappingSource, OutboxSource
    from wrapup_bridge.live.server import ServerLimits

__all__ = [
    "DEMO_CLIENT",
    "DEMO_ORG",
    "DEMO_SECRET",
    "EmulatorSession",
    "FakeClock",
    "VirtualClock",
    "demo_conversation_id",
    "emulated_bridge",
    "emulator",
    "served",
    "sign_twilio_form",
    "sign_twilio_json",
]

T = TypeVar("T")

#: The demo org's OAuth client and its secret (fixtures of the org file, not secrets).
DEMO_CLIENT = "demo-client"
DEMO_SECRET = "demo-secret"
#: 2026-06-01T00:00:00Z, months after the demo org's conversations (March 2026): where a ``FakeClock`` starts.
JUNE_2026 = 1_780_272_000.0


def demo_conversation_id(n: int) -> str:
    """The id of the demo org's conversation ``n``: ``c0ffee00-0000-4000-8000-0000000000NN`` (two digits; the
    shipped demo org has conversations 1 to 50)."""
    if not 0 <= n <= 99:
        raise ValueError(f"demo conversation ids have two digits (0 to 99), not {n}")
    return f"c0ffee00-0000-4000-8000-0000000000{n:02d}"


class FakeClock:
    """Time that moves only when a test moves it: ``advance(seconds)``, or a sleep on it.

    A ``core.clock.Clock`` (``time()``, ``monotonic()``, ``await sleep()``: both scales are the same fake time),
    the one shape of clock the package takes, so one object serves them all::

        clock = FakeClock()
        Emulator.from_file(org, clock=clock)                 # the org's time; latency sleeps on it
        GenesysClient(settings, clock=clock)                 # retries, the rate limiter, token renewal
        Outbox(path, clock=clock)                            # rows stamped and leases timed on it

    Each sleep is recorded in ``sleeps`` and returns at once; it moves time forward by what was asked unless
    ``advance_on_sleep`` is False (an emulator's injected latency, say, that a test wants to see but not count).
    """

    def __init__(self, start: float = JUNE_2026, *, advance_on_sleep: bool = True) -> None:
        self.t = float(start)
        self.advance_on_sleep = advance_on_sleep
        #: Every sleep asked of this clock, in seconds, in order.
        self.sleeps: list[float] = []

    def time(self) -> float:
        """The current time (unix seconds, unless ``start`` said otherwise)."""
        return self.t

    def monotonic(self) -> float:
        """The same time: on a fake clock the two scales never drift apart."""
        return self.t

    async def sleep(self, seconds: float) -> None:
        """Record the sleep, move time on (see ``advance_on_sleep``) and let other tasks run once."""
        self.sleeps.append(seconds)
        if self.advance_on_sleep:
            self.t += max(0.0, seconds)
        await asyncio.sleep(0)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back)."""
        if seconds < 0:
            raise ValueError(f"time does not go back (advance by {seconds!r})")
        self.t += seconds

    def __repr__(self) -> str:
        return f"FakeClock(t={self.t!r}, sleeps={len(self.sleeps)})"


class VirtualClock:
    """Virtual time for concurrent tasks, as a ``core.clock.Clock``: sleeps wait on the clock, and ``gather`` runs
    coroutines until all are done, jumping time to the earliest wake-up whenever every task waits. Minutes of
    rate-limited traffic run in milliseconds, in the order real time would give."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = float(start)
        self._heap: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def time(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._heap, (self.t + seconds, next(self._seq), future))
        await future

    async def gather(self, *coros: Coroutine[Any, Any, T]) -> list[T]:
        """Run ``coros`` concurrently to completion in virtual time; their results, in order.

        Raises ``RuntimeError`` when every task is blocked on something other than this clock (a deadlock)."""
        tasks = [asyncio.ensure_future(c) for c in coros]
        while not all(t.done() for t in tasks):
            for _ in range(8):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                break
            if not self._heap:
                for task in tasks:
                    task.cancel()
                raise RuntimeError("virtual clock: tasks are blocked on something other than the clock")
            when, _, future = heapq.heappop(self._heap)
            self.t = max(self.t, when)
            if not future.cancelled():
                future.set_result(None)
        return [t.result() for t in tasks]


def _config(org_config: EmulatorConfig | None, config: EmulatorConfig | None, fields: dict[str, Any]) -> EmulatorConfig:
    from wrapup_bridge.emulator import EmulatorConfig

    base = config or org_config or EmulatorConfig()
    # Pacing is the rate limiter's own tests' business: unlimited unless the test asks for it.
    fields = {"rate_limit": None, **fields} if config is None else fields
    return EmulatorConfig.model_validate({**base.model_dump(), **fields}) if fields else base


def emulator(
    org: str | os.PathLike[str] | None = None,
    *,
    clock: FakeClock | VirtualClock | None = None,
    config: EmulatorConfig | None = None,
    **fields: Any,
) -> Emulator:
    """An in-process emulator of ``org`` (an org file; the shipped demo org when None).

    Its settings are ``config``, or else the org file's ``emulator:`` section with rate limiting off; ``fields``
    change single settings (``emulator(rate_limit=300, overwrite="reject")``). On a ``clock``, its time is the
    clock's and its injected latencies are sleeps on it (recorded, not slept)."""
    from wrapup_bridge.emulator import Emulator, load_org

    loaded = load_org(Path(org) if org is not None else DEMO_ORG)
    effective = _config(loaded.emulator_config, config, fields)
    if clock is None:
        return Emulator(loaded, effective)
    return Emulator(loaded, effective, clock=clock, sleep=clock.sleep)


def emulated_bridge(
    org: str | os.PathLike[str] | Emulator | None = None,
    mapping: MappingSource = DEFAULT_MAPPING,
    *,
    clock: FakeClock | VirtualClock | None = None,
    config: EmulatorConfig | None = None,
    outbox: OutboxSource = None,
    budget: float = DEFAULT_BUDGET,
    **fields: Any,
) -> Bridge:
    """A ``Bridge`` on an in-process emulator (no socket, no credentials): of ``org`` (an org file, the shipped
    demo org when None, or an ``Emulator`` you built), applying ``mapping`` (the shipped Twilio Flex table unless
    given). ``clock``, ``config`` and ``fields`` build the emulator as ``emulator()`` does; ``outbox`` (a path)
    makes the bridge durable. Close it (``with``) when done; ``bridge.emulator`` is the emulator, whose
    ``write_log`` shows what was written."""
    from wrapup_bridge.emulator import Emulator
    from wrapup_bridge.live.bridge import Bridge

    if isinstance(org, Emulator):
        if clock is not None or config is not None or fields:
            raise TypeError("clock, config and emulator settings build a new emulator; pass them or an Emulator")
        target = org
    else:
        target = emulator(org, clock=clock, config=config, **fields)
    return Bridge.for_emulator(target, mapping, outbox=outbox, budget=budget)


class EmulatorSession:
    """An httpx client into an emulator, logged in as one OAuth client (the demo org's by default)::

    async with emu.async_client() as client:
        session = await EmulatorSession.login(client)
        response = await session.get(f"/api/v2/conversations/{demo_conversation_id(1)}")
    """

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    async def login(
        cls, client: httpx.AsyncClient, client_id: str = DEMO_CLIENT, secret: str = DEMO_SECRET
    ) -> EmulatorSession:
        """Log in with the client-credentials grant; ``AssertionError`` (with the answer) when refused."""
        response = await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
        )
        assert response.status_code == 200, response.text
        return cls(client, response.json()["access_token"])

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(path, headers=self.headers, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.patch(path, headers=self.headers, **kwargs)


@contextmanager
def served(app: Any, limits: ServerLimits | None = None, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1 (a free port) in a thread, with the limits ``wrapup-bridge serve``
    uses (``limits``, or the defaults); yields the base URL and stops the server on the way out."""
    import uvicorn

    from wrapup_bridge.emulator.handle import bind
    from wrapup_bridge.live.server import uvicorn_config

    sock, base_url = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn_config(app, limits, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="wrapup-served", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start within {startup_timeout} s")
            time.sleep(0.005)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _validator(token: str) -> Any:
    from wrapup_bridge._optional import require

    module = require("twilio.request_validator", extra="twilio", purpose="signing requests as Twilio does")
    return module.RequestValidator(token)


def sign_twilio_form(url: str, params: dict[str, str], token: str) -> tuple[bytes, dict[str, str]]:
    """(body, headers) of a form POST to ``url`` signed as Twilio signs it with the Auth Token ``token``."""
    signature = str(_validator(token).compute_signature(url, params))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return urlencode(params).encode(), headers


def sign_twilio_json(url: str, body: Any, token: str) -> tuple[str, bytes, dict[str, str]]:
    """(URL with ``bodySHA256``, body, headers) of a JSON POST to ``url`` signed as Twilio signs it."""
    validator = _validator(token)
    raw = json.dumps(body)
    full = f"{url}{'&' if '?' in url else '?'}bodySHA256={validator.compute_hash(raw)}"
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": str(validator.compute_signature(full, {}))}
    return full, raw.encode(), headers
